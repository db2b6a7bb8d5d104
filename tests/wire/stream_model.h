/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A model of one destination channel reading its byte stream with the wire
 * codec (kmod/wire.c), as kmig_hs_accept() and kmig_receive_thread()
 * use it: a hello, then packets (header, offset block, data block) until
 * COMPLETE; with POSTCOPY, MISSING packets, the POSTCOPY barrier, then
 * the postcopy pass's DATA until its COMPLETE. It checks the codec's
 * results against each other and against protocol.rst on every step and
 * aborts (wstream_need()) on any violation; the fuzz_stream target and
 * mkcorpus (which checks its seeds) run it.
 *
 * Its input is a selector byte, the destination the stream meets
 * (WSTREAM_SEL_*), then the stream. 0 is a destination listening for a
 * new migration. With WSTREAM_SEL_RESUME it is one resuming a paused
 * postcopy (protocol.rst, "Resuming postcopy") on a new connection:
 * postcopy began in pass P, the first N pages of the region are still
 * missing there; the hello must ask for POSTCOPY, and the stream must go
 * straight to POSTCOPY of pass P (no MISSING: malformed, as an unknown
 * type; anything else before it: refused), then as in postcopy. On
 * channel 0 the destination sends first, on the reverse direction, the
 * MISSING packets naming its N pages and its POSTCOPY (packet numbers 0,
 * 1, ...), and no acknowledgment of the source's POSTCOPY; its REQUESTs
 * and COMPLETE are numbered on from there.
 *
 * The modelled destination is the one the hello asks for: same migration
 * id, channel count, region size and COLO setting, local pages of
 * WSTREAM_PAGE_SIZE bytes, and the other channels keep pace with this one
 * at every SYNC and POSTCOPY barrier. It grants POSTCOPY whenever asked,
 * but rejects a hello asking for both COLO and POSTCOPY. What it would
 * send back is encoded and decoded as its peer would: the COMPLETE and
 * CHECKPOINT_ACK acknowledgments, and on channel 0 in postcopy the
 * POSTCOPY acknowledgment, a REQUEST for each answer that comes and the
 * destination's COMPLETE.
 */
#ifndef _KMIG_STREAM_MODEL_H
#define _KMIG_STREAM_MODEL_H

#include "wire.h"

#define WSTREAM_PAGE_SIZE	4096U

/* The selector byte: bit 0 a resumed postcopy, bits 1-2 P, bits 3-7 N. */
#define WSTREAM_SEL_RESUME		0x01
#define WSTREAM_SEL_PASS_SHIFT		1
#define WSTREAM_SEL_PASS_MASK		0x3
#define WSTREAM_SEL_MISSING_SHIFT	3

static inline u8 wstream_sel_resume(u64 pass, u32 missing)
{
	return WSTREAM_SEL_RESUME |
	       (pass & WSTREAM_SEL_PASS_MASK) << WSTREAM_SEL_PASS_SHIFT |
	       missing << WSTREAM_SEL_MISSING_SHIFT;
}

/* How the stream ended for the destination. */
enum wstream_end {
	WSTREAM_REJECTED,	/* hello refused: a reject reply went back */
	WSTREAM_SHORT,		/* ended inside the hello or a packet */
	WSTREAM_MALFORMED,	/* a header or offset block failed to decode,
				 * or (ETYPE) a postcopy type out of place
				 */
	WSTREAM_REFUSED,	/* decoded, but out of place (pass, type, COLO) */
	WSTREAM_CLOSED,		/* ended between packets before COMPLETE */
	WSTREAM_COMPLETE,	/* COMPLETE acknowledged; the rest is unread */
	WSTREAM_COLO,		/* COLO: ended between packets after COMPLETE */
	WSTREAM_CANCELLED,	/* COLO: the primary's CANCEL */
	WSTREAM_END_NR
};

struct wstream_result {
	enum wstream_end end;
	int err;		/* the decoder's error, 0 if none */
	u16 status;		/* hello reply status */
	u64 packets;		/* packets accepted */
	u64 pages;		/* page offsets accepted */
	u64 syncs;		/* SYNCs accepted */
	u64 checkpoints;	/* COLO checkpoints committed */
	u64 missing;		/* page offsets of MISSING packets accepted */
	u64 requests;		/* channel 0 in postcopy: answers (REQUESTs) */
	u64 resync;		/* resumed, channel 0: pages the destination's
				 * MISSING packets named to the source
				 */
	bool postcopy;		/* the POSTCOPY barrier was passed */
	size_t consumed;	/* bytes the destination read (and the
				 * selector)
				 */
};

void wstream_run(const u8 *data, size_t size, struct wstream_result *res);
const char *wstream_end_str(enum wstream_end end);

#endif /* _KMIG_STREAM_MODEL_H */
