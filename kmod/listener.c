// SPDX-License-Identifier: GPL-2.0
/*
 * A migration's destination role (kmig_mig_listen(), declared in
 * migration.h): it listens on the migration's address; its main thread
 * accepts connections and hands each to the handshake (handshake.c) until
 * every channel is here, then stops listening and waits for the channels,
 * or runs the COLO secondary.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/net.h>
#include <linux/err.h>

#include "migration.h"
#include "mig.h"
#include "status.h"
#include "handshake.h"
#include "sock.h"
#include "colo.h"

/* Destination: listen; the main thread accepts the channels. */
static int kmig_listener_prepare(struct kmig_mig *mig, const char **why)
{
	int ret;

	mig->state = KMIG_MIG_STATE_LISTENING;
	ret = kmig_sock_listen(mig->net, &mig->cfg.addr, mig->nch, &mig->lsock,
			       &mig->port);
	if (ret)
		*why = ret == -EADDRINUSE ? "address already in use" :
		       ret == -EADDRNOTAVAIL ? "address not available here" :
		       "cannot listen on this address";
	return ret;
}

/* What prepare set up, when the main thread never ran. */
static void kmig_listener_unprepare(struct kmig_mig *mig)
{
	kmig_sock_release(mig->lsock);
	mig->lsock = NULL;
}

static int kmig_listener_thread(void *data)
{
	struct kmig_mig *mig = data;
	unsigned int accepted = 0;
	struct socket *sock;
	int ret;

	while (accepted < mig->nch && !kmig_mig_stopping(mig)) {
		ret = kmig_sock_accept(mig->lsock, &sock);
		if (ret == -EAGAIN || ret == -EINTR)
			continue;
		if (ret) {
			if (!kmig_mig_stopping(mig))
				kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
					      "accept failed (%pe)", ERR_PTR(ret));
			break;
		}
		kmig_mig_set_sock(mig, &mig->hs_sock, sock);
		ret = kmig_hs_accept(mig, sock, accepted);
		if (ret > 0) {
			if (!accepted) {
				kmig_mig_set_state(mig, KMIG_MIG_STATE_ACTIVE);
				kmig_status_event(mig, KMIG_MIG_EVENT_STATE);
			}
			accepted++;
			continue;
		}
		kmig_mig_set_sock(mig, &mig->hs_sock, NULL);
		kmig_sock_release(sock);
		if (ret < 0)
			break;
	}

	if (!kmig_mig_stopping(mig)) {
		struct socket *lsock = mig->lsock;

		/* Every channel is here: stop listening. */
		mig->active_ns = ktime_get_ns();
		kmig_mig_set_sock(mig, &mig->lsock, NULL);
		kmig_sock_release(lsock);
		if (mig->colo)
			kmig_colo_secondary(mig);
		else
			kmig_mig_wait_channels(mig);
	}
	kmig_mig_exit(mig);
}

static const struct kmig_mig_role_ops kmig_listener_ops = {
	.role = KMIG_MIG_ROLE_DESTINATION,
	.name = "dst",
	.prepare = kmig_listener_prepare,
	.unprepare = kmig_listener_unprepare,
	.thread = kmig_listener_thread,
};

int kmig_mig_listen(struct kmig_region *region, struct net *net,
		    const struct kmig_mig_config *cfg, const char **why)
{
	return kmig_mig_begin(region, net, &kmig_listener_ops, cfg, why);
}
