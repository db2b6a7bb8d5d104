// SPDX-License-Identifier: GPL-2.0
/*
 * libkmig: the socket side of the generic netlink client (open and
 * resolve, do requests, dumps, notifications), on libnl-3.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/handlers.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include <linux/kmig.h>

#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Every reply's attributes fit the parse tables (nl.h). */
_Static_assert(KMIG_A_REGION_MAX <= KMIG_NL_MAXATTR, "KMIG_NL_MAXATTR");
_Static_assert(KMIG_A_PARAMS_MAX <= KMIG_NL_MAXATTR, "KMIG_NL_MAXATTR");
_Static_assert(KMIG_A_STATS_MAX <= KMIG_NL_MAXATTR, "KMIG_NL_MAXATTR");
_Static_assert(KMIG_A_SCAN_MAX <= KMIG_NL_MAXATTR, "KMIG_NL_MAXATTR");
_Static_assert(KMIG_A_MIG_MAX <= KMIG_NL_MAXATTR, "KMIG_NL_MAXATTR");

int kmig_nl_open(struct kmig_nl *nl)
{
	return kmig_nl_open_family(nl, KMIG_FAMILY_NAME);
}

int kmig_nl_open_family(struct kmig_nl *nl, const char *name)
{
	int one = 1;
	int ret;

	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		err_line("netlink: out of memory");
		return -1;
	}
	ret = genl_connect(nl->sk);
	if (ret < 0) {
		err_line("netlink: cannot open a generic netlink socket: %s",
			 nl_geterror(ret));
		goto fail;
	}
	/*
	 * Ask for the kernel's error messages (extended ack) and for acks
	 * without a copy of the request. Older kernels lack them: not fatal.
	 */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	/* Acks are asked for explicitly, per request. */
	nl_socket_disable_auto_ack(nl->sk);

	ret = genl_ctrl_resolve(nl->sk, name);
	if (ret == -NLE_OBJ_NOTFOUND || ret == -NLE_NOATTR) {
		if (!strcmp(name, KMIG_FAMILY_NAME))
			err_line("kmig module not loaded (generic netlink family \"%s\" not found); load it with 'modprobe kmig' or 'insmod kmig.ko'",
				 name);
		else
			err_line("netlink: generic netlink family \"%s\" not found",
				 name);
		goto fail;
	}
	if (ret < 0) {
		err_line("netlink: cannot resolve generic netlink family \"%s\": %s",
			 name, nl_geterror(ret));
		goto fail;
	}
	nl->family = ret;
	nl->name = name;
	return 0;
fail:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return -1;
}

void kmig_nl_close(struct kmig_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

int kmig_nl_set_timeout(struct kmig_nl *nl, int seconds)
{
	struct timeval tv = { .tv_sec = seconds };

	if (setsockopt(nl_socket_get_fd(nl->sk), SOL_SOCKET, SO_RCVTIMEO,
		       &tv, sizeof(tv)))
		return -errno;
	return 0;
}

struct nl_msg *kmig_nl_msg(struct kmig_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			 flags, cmd, KMIG_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

long kmig_nl_next_attr_off(struct nl_msg *msg)
{
	return NLMSG_ALIGN(nlmsg_hdr(msg)->nlmsg_len);
}

static void err_reset(struct kmig_nl_err *err)
{
	memset(err, 0, sizeof(*err));
	err->bad_off = -1;
	err->miss_type = -1;
}

/* Extended ack TLVs at @tlv, @len bytes. */
static void parse_ext_ack(struct kmig_nl_err *err, void *tlv, int len)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	uint64_t v;

	if (len <= 0 || nla_parse(tb, NLMSGERR_ATTR_MAX, tlv, len, NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG] && nla_len(tb[NLMSGERR_ATTR_MSG]) > 0) {
		size_t n = nla_len(tb[NLMSGERR_ATTR_MSG]);

		if (n >= sizeof(err->msg))
			n = sizeof(err->msg) - 1;
		memcpy(err->msg, nla_data(tb[NLMSGERR_ATTR_MSG]), n);
		err->msg[n] = '\0';
		/* Drop trailing newlines some messages carry. */
		n = strlen(err->msg);
		while (n && (err->msg[n - 1] == '\n' || err->msg[n - 1] == ' '))
			err->msg[--n] = '\0';
	}
	if (kmig_attr_uint(tb[NLMSGERR_ATTR_OFFS], &v))
		err->bad_off = (long)v;
	if (kmig_attr_uint(tb[NLMSGERR_ATTR_MISS_TYPE], &v))
		err->miss_type = (long)v;
}

struct req_state {
	int maxattr;
	kmig_nl_cb cb;
	void *arg;
	struct kmig_nl_err *err;
	bool done;
	bool failed;
};

static int valid_cb(struct nl_msg *msg, void *arg)
{
	struct req_state *st = arg;
	struct nlattr *tb[KMIG_NL_MAXATTR + 1];
	int ret;

	ret = genlmsg_parse(nlmsg_hdr(msg), 0, tb, st->maxattr, NULL);
	if (ret < 0) {
		st->err->nlerr = -ret;
		goto stop;
	}
	if (st->cb && st->cb(nlmsg_hdr(msg), tb, st->arg) < 0)
		goto stop;
	return NL_OK;
stop:
	st->failed = true;
	st->done = true;
	return NL_STOP;
}

static int ack_cb(struct nl_msg *msg, void *arg)
{
	struct req_state *st = arg;

	(void)msg;
	st->done = true;
	return NL_STOP;
}

/* End of a dump: NLMSG_DONE carries the dump's error, maybe with extack. */
static int finish_cb(struct nl_msg *msg, void *arg)
{
	struct req_state *st = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int e;

	st->done = true;
	if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
		memcpy(&e, nlmsg_data(nlh), sizeof(e));
		if (e < 0) {
			st->failed = true;
			st->err->kerr = -e;
			if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
				parse_ext_ack(st->err,
					      (char *)nlmsg_data(nlh) + NLMSG_ALIGN(sizeof(int)),
					      (int)nlh->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(int))));
		}
	}
	return NL_STOP;
}

/*
 * Error with errno and maybe the extended ack TLVs: after struct nlmsgerr,
 * and after the copy of the request unless NLM_F_CAPPED.
 */
static int error_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct req_state *st = arg;
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*e));

	(void)nla;
	st->done = true;
	st->failed = true;
	st->err->kerr = e->error < 0 ? -e->error : e->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < NLMSG_HDRLEN)
			return NL_STOP;
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	}
	if (off < nlh->nlmsg_len)
		parse_ext_ack(st->err, (char *)nlh + off,
			      (int)(nlh->nlmsg_len - off));
	return NL_STOP;
}

static int run(struct kmig_nl *nl, struct nl_msg *msg, int maxattr,
	       kmig_nl_cb cb, void *arg, struct kmig_nl_err *err)
{
	struct req_state st = {
		.maxattr = maxattr, .cb = cb, .arg = arg, .err = err,
	};
	struct nl_cb *ncb;
	int ret;

	err_reset(err);
	if (maxattr > KMIG_NL_MAXATTR) {
		nlmsg_free(msg);
		err->nlerr = NLE_RANGE;
		return -1;
	}
	ncb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!ncb) {
		nlmsg_free(msg);
		err->nlerr = NLE_NOMEM;
		return -1;
	}
	nl_cb_set(ncb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, &st);
	nl_cb_set(ncb, NL_CB_ACK, NL_CB_CUSTOM, ack_cb, &st);
	nl_cb_set(ncb, NL_CB_FINISH, NL_CB_CUSTOM, finish_cb, &st);
	nl_cb_err(ncb, NL_CB_CUSTOM, error_cb, &st);

	ret = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		err->nlerr = -ret;
		st.failed = true;
		goto out;
	}
	while (!st.done) {
		ret = nl_recvmsgs(nl->sk, ncb);
		if (ret < 0) {
			/* A kernel error was recorded by the callbacks. */
			if (!err->kerr && !st.failed)
				err->nlerr = -ret;
			st.failed = true;
			break;
		}
	}
out:
	nl_cb_put(ncb);
	return st.failed ? -1 : 0;
}

int kmig_nl_do(struct kmig_nl *nl, struct nl_msg *msg, int maxattr,
	       kmig_nl_cb cb, void *arg, struct kmig_nl_err *err)
{
	nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	return run(nl, msg, maxattr, cb, arg, err);
}

int kmig_nl_dump(struct kmig_nl *nl, uint8_t cmd, int maxattr,
		 kmig_nl_cb cb, void *arg, struct kmig_nl_err *err)
{
	struct nl_msg *msg = kmig_nl_msg(nl, cmd, NLM_F_DUMP);

	if (!msg) {
		err_reset(err);
		err->nlerr = NLE_NOMEM;
		return -1;
	}
	return run(nl, msg, maxattr, cb, arg, err);
}

int kmig_nl_subscribe(struct kmig_nl *nl, const char *group,
		      struct kmig_nl_err *err)
{
	int grp, ret;

	err_reset(err);
	grp = genl_ctrl_resolve_grp(nl->sk, nl->name, group);
	if (grp < 0) {
		err->nlerr = -grp;
		return -1;
	}
	/* Notifications have sequence number 0 and come unasked. */
	nl_socket_disable_seq_check(nl->sk);
	/* Room for bursts of events (the module sends them from any context). */
	nl_socket_set_buffer_size(nl->sk, 1 << 20, 0);
	ret = nl_socket_add_membership(nl->sk, grp);
	if (ret < 0) {
		/* libnl maps EPERM of the setsockopt to NLE_PERM */
		if (ret == -NLE_PERM)
			err->kerr = EPERM;
		else
			err->nlerr = -ret;
		return -1;
	}
	return 0;
}

struct notify_state {
	int maxattr;
	int family;
	kmig_nl_cb cb;
	void *arg;
	bool done;
	bool failed;
	struct kmig_nl_err *err;
};

static int notify_valid_cb(struct nl_msg *msg, void *arg)
{
	struct notify_state *st = arg;
	struct nlattr *tb[KMIG_NL_MAXATTR + 1];
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int ret;

	/* Only the family's messages; a malformed one is skipped. */
	if (nlh->nlmsg_type != st->family ||
	    genlmsg_parse(nlh, 0, tb, st->maxattr, NULL) < 0)
		return NL_OK;
	ret = st->cb(nlh, tb, st->arg);
	if (!ret)
		return NL_OK;
	st->done = true;
	st->failed = ret < 0;
	return NL_STOP;
}

static int notify_seq_cb(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int kmig_nl_recv_notify(struct kmig_nl *nl, int maxattr, kmig_nl_cb cb,
			void *arg, struct kmig_nl_err *err)
{
	struct notify_state st = {
		.maxattr = maxattr, .family = nl->family, .cb = cb, .arg = arg,
		.err = err,
	};
	struct nl_cb *ncb;
	int ret;

	err_reset(err);
	if (maxattr > KMIG_NL_MAXATTR) {
		err->nlerr = NLE_RANGE;
		return -1;
	}
	ncb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!ncb) {
		err->nlerr = NLE_NOMEM;
		return -1;
	}
	nl_cb_set(ncb, NL_CB_VALID, NL_CB_CUSTOM, notify_valid_cb, &st);
	nl_cb_set(ncb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, notify_seq_cb, NULL);
	while (!st.done) {
		ret = nl_recvmsgs(nl->sk, ncb);
		if (ret == -NLE_NOMEM) {
			/* ENOBUFS: the socket overran, notifications were lost */
			err_line("events were lost (receive buffer overrun)");
			continue;
		}
		if (ret < 0 && ret != -NLE_INTR && ret != -NLE_AGAIN) {
			err->nlerr = -ret;
			st.failed = true;
			break;
		}
	}
	nl_cb_put(ncb);
	return st.failed ? -1 : 0;
}

int kmig_nl_wait_notify(struct kmig_nl *nl, int ms, int maxattr,
			kmig_nl_cb cb, void *arg)
{
	struct notify_state st = {
		.maxattr = maxattr, .family = nl->family, .cb = cb, .arg = arg,
	};
	struct pollfd p = { .fd = nl_socket_get_fd(nl->sk), .events = POLLIN };
	struct nl_cb *ncb;
	int ret = 0;

	if (maxattr > KMIG_NL_MAXATTR)
		return -ERANGE;
	ncb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!ncb)
		return -ENOMEM;
	nl_cb_set(ncb, NL_CB_VALID, NL_CB_CUSTOM, notify_valid_cb, &st);
	nl_cb_set(ncb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, notify_seq_cb, NULL);
	while (!st.done && poll(&p, 1, ms) > 0) {
		ret = nl_recvmsgs(nl->sk, ncb);
		if (ret >= 0)
			continue;
		/* ENOBUFS (libnl: NLE_NOMEM): notifications were lost */
		if (ret == -NLE_NOMEM)
			ret = -ENOBUFS;
		else if (ret == -NLE_AGAIN || ret == -NLE_INTR)
			ret = 0;
		else
			ret = -EIO;
		break;
	}
	nl_cb_put(ncb);
	if (st.done)
		return st.failed ? -ECANCELED : 1;
	return ret < 0 ? ret : 0;
}

uint64_t kmig_page_size(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	return ps > 0 ? (uint64_t)ps : 4096;
}
