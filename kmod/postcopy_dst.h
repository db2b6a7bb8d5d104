/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A destination's postcopy: the MISSING and POSTCOPY packets of its
 * channels, the switch (the missing-page map published for the fault
 * handler, every user mapping removed, the acknowledgment), the page
 * requests its main thread sends on channel 0, and the end: COMPLETE on
 * channel 0 once no page is missing, or SIGBUS for the missing pages of
 * a failed migration. The page map itself: postcopy.h.
 */
#ifndef _KMIG_POSTCOPY_DST_H
#define _KMIG_POSTCOPY_DST_H

#include <linux/types.h>

#include "wire.h"

struct kmig_mig;
struct kmig_channel;

/*
 * A channel's MISSING or POSTCOPY (the channel granted postcopy). False
 * when the migration stopped or failed (malformed).
 */
bool kmig_postcopy_dst_packet(struct kmig_channel *ch,
			      const struct kmig_wire_hdr *hdr);
/* The postcopy page @index, claimed by @ch, is installed. */
void kmig_postcopy_dst_arrived(struct kmig_channel *ch, pgoff_t index);
/*
 * Channel 0 in postcopy: the source's COMPLETE, the answer to ours.
 * False (the migration failed) when it is out of place.
 */
bool kmig_postcopy_dst_complete(struct kmig_channel *ch,
				const struct kmig_wire_hdr *hdr);
/*
 * The destination's main thread once every channel is here, for a
 * migration whose channels granted postcopy: waits for the end of
 * precopy or the switch to postcopy (resumed: tells the source what is
 * still missing), then serves it until every channel is done or the
 * migration stops: 0. -EAGAIN when it paused and a resume was asked for:
 * the caller accepts every channel again and calls it again.
 */
int kmig_postcopy_dst_run(struct kmig_mig *mig);
/*
 * The end, whatever it was: stopped with pages still on the source, they
 * are lost (every fault on one gets SIGBUS, the region takes no new
 * migration, the reason says so).
 */
void kmig_postcopy_dst_end(struct kmig_mig *mig);

#endif /* _KMIG_POSTCOPY_DST_H */
