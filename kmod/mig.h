/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The migration object (struct kmig_mig) and what its threads share: the
 * state and its stop, the kick that shuts its sockets down, the
 * destination's SYNC barriers, its counters and the module-wide ones,
 * and the teardown its main thread ends with (mig.c). One migration per
 * region at a time, as source or destination; its lifecycle and control
 * plane are in migration.c, its status and events in status.c.
 *
 * Layering: this object sits on the channels (channel.h, which see only
 * an opaque back pointer) and the COLO state (colo_state.h); the channel
 * threads (send.c, receive.c), the COLO loops (colo.c), the handshake and
 * the roles' main threads sit on it. None of them is included here.
 */
#ifndef _KMIG_MIG_H
#define _KMIG_MIG_H

#include <linux/types.h>
#include <linux/in6.h>
#include <linux/socket.h>
#include <linux/completion.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/bitmap.h>
#include <uapi/linux/kmig.h>

#include "wire.h"
#include "queue.h"
#include "auth.h"
#include "crc.h"
#include "channel.h"
#include "mig_info.h"

struct kmig_region;
struct kmig_colo;
struct net;
struct task_struct;
struct socket;
struct workqueue_struct;

/* What a VMM (or migctl) asks for, from netlink. */
struct kmig_mig_config {
	struct sockaddr_storage addr;	/* listen on / connect to */
	unsigned int channels;
	enum kmig_zero_detect zero_detect;
	bool have_id;
	u8 id[KMIG_WIRE_MIGRATION_ID_LEN];
	/* Live migration (source). */
	bool live;
	u32 downtime_limit_ms;
	u64 max_bandwidth;
	u32 max_passes;
	enum kmig_no_convergence no_convergence;
	/* COLO (source: with live; destination: accept a COLO primary). */
	bool colo;
	u32 checkpoint_interval_ms;
	/*
	 * Channel authentication: have_key with the 32-byte key, or none
	 * (the caller chose to run without; netlink insists it says so).
	 * kmig_mig_listen/start take the key into a keyed transform and
	 * wipe this copy.
	 */
	bool have_key;
	u8 key[KMIG_KEY_LEN];
	/*
	 * Integrity (CRC-32C per packet): source, ask for it; destination,
	 * require it (it grants it whenever asked).
	 */
	bool integrity;
	/*
	 * Postcopy (live source): the migration may switch to postcopy, on
	 * mig-postcopy, after @postcopy_after passes (U32_MAX: never by
	 * itself) or by the no-convergence policy; @prefetch pages follow
	 * each requested one.
	 */
	bool postcopy;
	u32 postcopy_after;
	u32 prefetch;
	/* Either side: postcopy-paused for longer than this fails it. */
	u32 pc_pause_timeout_ms;
};

#define KMIG_PC_PAUSE_TIMEOUT_DEFAULT_MS	600000

#define KMIG_DOWNTIME_LIMIT_DEFAULT_MS	300
#define KMIG_CHECKPOINT_INTERVAL_DEFAULT_MS	1000
#define KMIG_CHECKPOINT_INTERVAL_MAX_MS	3600000
#define KMIG_DOWNTIME_LIMIT_MAX_MS	3600000

/* Module-wide migration counters. */
struct kmig_mig_stats {
	u64 started;
	u64 completed;
	u64 failed;
	u64 cancelled;
	u64 rejected;
	u64 auth_failed;
	u64 malformed;
	u64 integrity_errors;
	u64 splice_fallbacks;
	u64 failed_over;
};

/*
 * Destination: a connection in its handshake, on mig->hs_list (under
 * sock_lock) so that kmig_mig_kick() shuts it down. The listener owns it;
 * @sock is NULL once the handshake gave the socket to a channel.
 */
struct kmig_mig_hs {
	struct list_head node;
	struct socket *sock;
};

struct kmig_mig {
	struct kmig_region *region;	/* with a reference */
	struct net *net;		/* with a reference */
	enum kmig_mig_role role;
	struct kmig_mig_config cfg;	/* key wiped once auth is set up */
	struct kmig_auth auth;		/* keyed, or none */
	struct kmig_crc crc;		/* crc32c, when a channel may use it */
	u16 port;			/* bound (destination) or peer port */

	spinlock_t lock;		/* state, reason, stopping, id */
	enum kmig_mig_state state;
	bool stopping;
	char reason[KMIG_REASON_LEN];
	u8 id[KMIG_WIRE_MIGRATION_ID_LEN];
	bool have_id;

	struct task_struct *main;	/* dispatcher or listener */
	struct completion done;		/* main thread gone (destroy waits) */
	bool finished;			/* teardown done, counters final */
	wait_queue_head_t wq;		/* main thread waits here */
	atomic_t channels_done;

	/* Sockets the control plane may shut down; see kmig_mig_kick(). */
	struct mutex sock_lock;
	struct socket *lsock;		/* destination, until all accepted */
	struct list_head hs_list;	/* destination: kmig_mig_hs */

	/*
	 * Destination: the end of each handshake (check, claim of the
	 * channel id, reply) one at a time; the channel ids claimed, and
	 * how many; hs_closed once the listener stopped listening.
	 */
	struct workqueue_struct *hs_wq;	/* the handshakes run here */
	struct mutex hs_lock;
	DECLARE_BITMAP(hs_claimed, KMIG_CHANNELS_MAX);
	unsigned int hs_accepted;
	bool hs_postcopy;		/* the channels accepted asked for it */
	bool hs_closed;
	atomic_t hs_ended;		/* handshakes done (the listener waits) */

	struct kmig_queue queue;	/* source */
	unsigned long *received;	/* destination: page bitmap */

	u64 start_ns;
	u64 active_ns;			/* every channel accepted */
	u64 end_ns;
	atomic64_t pages_total;
	atomic64_t pages_done;
	atomic64_t zero_pages;
	atomic64_t normal_pages;
	atomic64_t hello_bytes;
	atomic64_t splice_fallbacks;
	atomic64_t rejected;
	atomic64_t auth_failed;
	atomic64_t malformed;
	atomic64_t integrity_errors;
	atomic_t syncs;

	/* Live source: precopy. */
	unsigned long *pending;		/* pages to send in the next pass */
	struct kmig_rate rate;		/* max-bandwidth */
	bool switchover;		/* the VMM asked for it */
	bool switchover_ready;		/* announced */
	u64 switchover_ns;
	u64 downtime_ns;
	u64 pass;
	u64 dirty_rate;
	u64 expected_downtime_ns;
	u64 remaining_bytes;
	u64 dirty_syncs;

	/* Destination: every channel waits at SYNC for the others. */
	u64 barrier_pass;		/* passes every channel has ended */
	unsigned int barrier_arrived;
	u64 barrier_held;		/* COLO: reached, main thread to release */

	struct kmig_colo *colo;		/* COLO migrations */

	/*
	 * Postcopy. Source: asked for (mig-postcopy or a policy; under
	 * @lock), chosen at the switchover, active once the destination
	 * acknowledged POSTCOPY; @pending is then the set of pages not sent
	 * yet, claimed atomically by the push and channel 0's answers.
	 * Destination: the page map, from the first hello that asks for it.
	 */
	bool postcopy_asked;
	bool postcopy;
	bool postcopy_active;
	u64 postcopy_pass;
	struct kmig_postcopy *pc;	/* destination, with a reference */
	bool pc_complete_sent;		/* destination: our COMPLETE, ch 0 */
	/*
	 * Postcopy recovery (kmig_mig_link_lost()): paused since pc_pause_ns
	 * (pc_pauses times in all); mig-postcopy-resume sets pc_resume (and
	 * pc_addr, a new peer address or port); the main thread reconnects
	 * with pc_resuming set, and a source's channel 0 first reads the
	 * destination's missing pages (pc_resynced). Under @lock, READ_ONCE.
	 */
	bool pc_paused;
	bool pc_resume;
	bool pc_resuming;
	bool pc_resynced;
	bool pc_addr_set;
	struct sockaddr_storage pc_addr;
	u64 pc_pause_ns;
	u32 pc_pauses;
	atomic64_t pc_requests;		/* source: REQUESTs answered */
	atomic64_t pc_requested;	/* source: pages requested */
	atomic64_t pc_served;		/* source: pages in answers */
	atomic64_t pc_pushed;		/* source: pages pushed */

	unsigned int nch;
	struct kmig_channel ch[];
};

static inline bool kmig_mig_stopping(struct kmig_mig *mig)
{
	return READ_ONCE(mig->stopping);
}

/*
 * What every thread of a migration shares (its channels, its main thread,
 * the COLO loops) and the control plane uses: the state and its stop,
 * the kick, the destination's SYNC barriers, the counters.
 */
__printf(3, 4)
void kmig_mig_stop(struct kmig_mig *mig, enum kmig_mig_state state,
		   const char *fmt, ...);
/* Shut the sockets down so every blocked thread returns. Sleeps. */
void kmig_mig_kick(struct kmig_mig *mig);
/*
 * A connection of the migration broke (reset, closed, timed out, cut
 * inside a packet). After postcopy-active the migration pauses
 * (postcopy-paused: nothing is dropped, a resume reconnects); before, it
 * fails as kmig_mig_fail() does. Process context (kicks the sockets);
 * kmig_mig_link_lost_any() in any context, without the kick.
 */
__printf(2, 3)
void kmig_mig_link_lost(struct kmig_mig *mig, const char *fmt, ...);
__printf(2, 3)
void kmig_mig_link_lost_any(struct kmig_mig *mig, const char *fmt, ...);

static inline bool kmig_mig_pc_paused(struct kmig_mig *mig)
{
	return READ_ONCE(mig->pc_paused);
}

/* Paused or stopping: a channel thread or a wait gives up. */
static inline bool kmig_mig_halted(struct kmig_mig *mig)
{
	return kmig_mig_stopping(mig) || kmig_mig_pc_paused(mig);
}

/*
 * Main thread, paused: every channel's thread stopped, its socket
 * released, the channel ready for a new connection; the barriers reset
 * to @pass (the postcopy pass a resumed POSTCOPY meets at). Sleeps.
 */
void kmig_mig_drop_channels(struct kmig_mig *mig, u64 pass);
/*
 * Main thread, paused (after the postcopy-paused event): wait for
 * mig-postcopy-resume (0: pc_resuming set, a new address in cfg), a stop
 * (-ECANCELED) or the pause timeout (-ETIMEDOUT: the migration failed).
 */
int kmig_mig_pc_wait_resume(struct kmig_mig *mig);
/* Resumed: postcopy-active again (the caller announces it). */
void kmig_mig_pc_unpause(struct kmig_mig *mig);
/* Process context: stop as failed with a reason, then kick. Sleeps. */
__printf(2, 3)
void kmig_mig_fail(struct kmig_mig *mig, const char *fmt, ...);
void kmig_mig_channel_done(struct kmig_channel *ch);
/* A stopped migration's reason becomes "@prefix: reason" (not completed). */
void kmig_mig_reason_prefix(struct kmig_mig *mig, const char *prefix);
void kmig_mig_count_malformed(struct kmig_mig *mig);
void kmig_mig_count_integrity(struct kmig_mig *mig);
void kmig_mig_count_fallbacks(struct kmig_mig *mig, unsigned int n);
/*
 * Destination channel at the SYNC ending @pass: wait until every channel
 * has reached it, so no page of a later pass overtakes one of this pass
 * on another channel. False when the migration stops meanwhile.
 */
bool kmig_mig_barrier(struct kmig_mig *mig, u64 pass);
/*
 * COLO destination: the same, but the last channel to arrive does not
 * open the barrier; it records the pass in barrier_held and wakes the
 * main thread, which opens it with kmig_mig_release() after its work (COLO
 * entry at COMPLETE, the flush at a checkpoint's SYNC).
 */
bool kmig_mig_barrier_hold(struct kmig_mig *mig, u64 pass);
bool kmig_mig_held(struct kmig_mig *mig);
void kmig_mig_release(struct kmig_mig *mig);
void kmig_mig_set_state(struct kmig_mig *mig, enum kmig_mig_state state);
/* Bytes on the wire of every channel so far. */
u64 kmig_mig_bytes(struct kmig_mig *mig);
/* Destination: a connection's handshake on/off mig->hs_list. */
void kmig_mig_hs_add(struct kmig_mig *mig, struct kmig_mig_hs *hs,
		     struct socket *sock);
void kmig_mig_hs_del(struct kmig_mig *mig, struct kmig_mig_hs *hs);
/* Shut every pending handshake's socket down (not the channels'). */
void kmig_mig_hs_kick(struct kmig_mig *mig);
/* Set a socket the control plane may shut down (under sock_lock). */
void kmig_mig_set_sock(struct kmig_mig *mig, struct socket **slot,
		       struct socket *sock);
/* Wait until every channel is done or the migration stops. */
void kmig_mig_wait_channels(struct kmig_mig *mig);
/* A connection refused at its handshake; @auth: it did not prove the key. */
void kmig_mig_count_rejected(struct kmig_mig *mig, bool auth);
/* Source: the destination's proof was wrong. */
void kmig_mig_count_auth_failed(struct kmig_mig *mig);
/* A migration's main thread started (kmig_mig_begin()). */
void kmig_mig_count_started(void);
/*
 * Main thread, on the way out: the final state, every channel thread
 * stopped, every socket released, the migration's end counted and
 * @finished set (status and cancel see it ended).
 */
void kmig_mig_teardown(struct kmig_mig *mig);
/* Teardown is done: end_ns and the counters are final. */
bool kmig_mig_finished(struct kmig_mig *mig);

void kmig_mig_stats_read(struct kmig_mig_stats *stats);
const char *kmig_mig_state_name(enum kmig_mig_state state);
const char *kmig_mig_role_name(enum kmig_mig_role role);

#endif /* _KMIG_MIG_H */
