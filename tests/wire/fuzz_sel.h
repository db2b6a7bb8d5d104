/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The input format of fuzz_wire, shared with mkcorpus (which writes its
 * seeds): the first byte selects the decoder and the limits, the rest is
 * the encoding.
 *
 *   bits 0-1  0 hello, 1 hello reply, 2 packet header + offsets,
 *             3 AUTH message (step 1 + bits 6-7 modulo 3)
 *   bit 4     the largest region, 2^64 - page size (else 64 pages)
 *   bit 5     max_pages KMIG_WIRE_MAX_PAGES_LIMIT (else the default, 128)
 *   bits 6-7  expected packet number (seq) 0 .. 3
 *
 * Pages are 4096 bytes (also the local page size of hellos), 4 channels.
 */
#ifndef _KMIG_FUZZ_SEL_H
#define _KMIG_FUZZ_SEL_H

#include "wire.h"

#define FUZZ_SEL_HELLO		0x00
#define FUZZ_SEL_REPLY		0x01
#define FUZZ_SEL_HDR		0x02
#define FUZZ_SEL_AUTH		0x03
#define FUZZ_SEL_KIND		0x03
#define FUZZ_SEL_TOP		0x10
#define FUZZ_SEL_MAX_PAGES	0x20
#define FUZZ_SEL_SEQ_SHIFT	6

#define FUZZ_PAGE_SIZE		4096U
#define FUZZ_REGION_PAGES	64ULL
#define FUZZ_CHANNELS		4

static inline void fuzz_sel_limits(u8 sel, struct kmig_wire_limits *lim)
{
	lim->page_size = FUZZ_PAGE_SIZE;
	lim->max_pages = KMIG_WIRE_DEFAULT_MAX_PAGES;
	lim->region_size = FUZZ_REGION_PAGES * FUZZ_PAGE_SIZE;
	lim->channel_count = FUZZ_CHANNELS;
	if (sel & FUZZ_SEL_TOP)
		lim->region_size = 0ULL - lim->page_size;
	if (sel & FUZZ_SEL_MAX_PAGES)
		lim->max_pages = KMIG_WIRE_MAX_PAGES_LIMIT;
}

static inline u64 fuzz_sel_seq(u8 sel)
{
	return sel >> FUZZ_SEL_SEQ_SHIFT;
}

/* FUZZ_SEL_AUTH: the step the decoder expects. */
static inline u16 fuzz_sel_auth_step(u8 sel)
{
	return 1 + (sel >> FUZZ_SEL_SEQ_SHIFT) % 3;
}

#endif /* _KMIG_FUZZ_SEL_H */
