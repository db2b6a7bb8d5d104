/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A source's postcopy: the switch (MISSING and POSTCOPY on every channel),
 * the background push on channels 1 and up, and channel 0's thread, which
 * answers the destination's page requests with the pages asked for and a
 * prefetch window after each, ahead of the push.
 */
#ifndef _KMIG_POSTCOPY_SRC_H
#define _KMIG_POSTCOPY_SRC_H

#include <linux/types.h>

struct kmig_mig;

/*
 * Channel 0's thread of a migration that may switch to postcopy: the
 * send loop, and after POSTCOPY the answers to the requests until the
 * destination's COMPLETE.
 */
int kmig_postcopy_src_thread(void *data);

/*
 * Dispatcher, at the switchover: every populated page is still to send
 * (@all: no pass was sent) or the final collection in mig->pending is.
 * Sends MISSING and POSTCOPY, pushes the pages in page order and
 * completes; returns when every channel is done or the migration stopped.
 */
int kmig_postcopy_src_run(struct kmig_mig *mig, u64 pass, bool all);
/*
 * Dispatcher, paused (its connections broke): drop the channels, wait for
 * mig-postcopy-resume; 0 when the channels are to be connected again,
 * else the migration ended (a stop, or the pause timeout failed it).
 */
int kmig_postcopy_src_pause(struct kmig_mig *mig);
/*
 * Dispatcher, every channel connected again: once channel 0 has the
 * destination's missing pages, POSTCOPY on every channel, the push, the
 * end; until done, stopped or paused again.
 */
int kmig_postcopy_src_resumed(struct kmig_mig *mig);

#endif /* _KMIG_POSTCOPY_SRC_H */
