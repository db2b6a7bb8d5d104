// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer entry point for the wire codec (kmod/wire.c):
 *
 *   ../../build/fuzz/fuzz_wire -max_total_time=60 CORPUS_DIR
 *
 * The first input byte picks the decoder and the limits (fuzz_sel.h); the
 * rest is the encoding. Any crash, sanitizer report, unknown error code or
 * accepted encoding breaking an invariant (the page counts of each type,
 * MISSING and REQUEST offsets only, the offsets) aborts. make fuzz (the
 * top level) runs it with mkcorpus's seeds.
 */
#include <stdlib.h>

#include "fuzz_sel.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

static void need(bool cond)
{
	if (!cond)
		abort();
}

static void check_err(int err)
{
	need(err <= 0 && err >= KMIG_WIRE_ERR_MIN);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static u64 out[KMIG_WIRE_MAX_PAGES_LIMIT];
	struct kmig_wire_limits lim;
	struct kmig_wire_hello h;
	struct kmig_wire_reply r;
	struct kmig_wire_auth a;
	u8 ra[KMIG_WIRE_AUTH_SIZE];
	struct kmig_wire_hdr p;
	u8 re[KMIG_WIRE_HELLO_SIZE];
	u32 i, j, n;
	u8 sel;
	int err;

	if (!size)
		return 0;
	sel = data[0];
	data++;
	size--;
	fuzz_sel_limits(sel, &lim);

	switch (sel & FUZZ_SEL_KIND) {
	case FUZZ_SEL_HELLO:
		err = kmig_wire_hello_decode(data, size, FUZZ_PAGE_SIZE, &h);
		check_err(err);
		if (!err) {
			kmig_wire_hello_encode(re, sizeof(re), &h);
			need(!memcmp(re, data, KMIG_WIRE_HELLO_SIZE));
			kmig_wire_hello_limits(&h, &lim);
			need(!kmig_wire_limits_check(&lim));
		}
		break;
	case FUZZ_SEL_REPLY:
		err = kmig_wire_reply_decode(data, size, &r);
		check_err(err);
		if (!err)
			need(strnlen(r.reason, sizeof(r.reason)) <
			     sizeof(r.reason));
		break;
	case FUZZ_SEL_AUTH:
		err = kmig_wire_auth_decode(data, size,
					    fuzz_sel_auth_step(sel), &a);
		check_err(err);
		if (!err) {
			/* Accepted: re-encodes to the same bytes. */
			need(a.step == fuzz_sel_auth_step(sel));
			kmig_wire_auth_encode(ra, sizeof(ra), &a);
			need(!memcmp(ra, data, KMIG_WIRE_AUTH_SIZE));
		}
		break;
	default:
		err = kmig_wire_hdr_decode(data, size, &lim, fuzz_sel_seq(sel),
					   &p);
		check_err(err);
		if (err)
			break;
		kmig_wire_hdr_encode(re, sizeof(re), &p);
		need(!memcmp(re, data, KMIG_WIRE_HDR_SIZE));
		/*
		 * Types 1..9; pages in DATA, offsets only in MISSING and
		 * REQUEST, none in the others.
		 */
		need(p.type >= KMIG_WIRE_DATA && p.type <= KMIG_WIRE_TYPE_MAX);
		n = p.data_pages + p.zero_pages;
		if (kmig_wire_type_offsets_only(p.type))
			need(!p.data_pages && n && n <= lim.max_pages);
		else if (p.type != KMIG_WIRE_DATA)
			need(!n);
		need(kmig_wire_data_len(&p, &lim) ==
		     (u64)p.data_pages * lim.page_size);
		err = kmig_wire_offsets_decode(data + KMIG_WIRE_HDR_SIZE,
					       size - KMIG_WIRE_HDR_SIZE, &p,
					       &lim, out);
		check_err(err);
		if (err)
			break;
		n = p.data_pages + p.zero_pages;
		need(n <= lim.max_pages);
		for (i = 0; i < n; i++) {
			need(!(out[i] % lim.page_size));
			need(out[i] <= lim.region_size - lim.page_size);
			for (j = 0; j < i; j++)
				need(out[i] != out[j]);
		}
		break;
	}
	return 0;
}
