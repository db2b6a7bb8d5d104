// SPDX-License-Identifier: GPL-2.0
/*
 * Seed corpora of the wire fuzz targets, built with wire.c's encoders:
 *
 *   mkcorpus                      build and check every seed
 *   mkcorpus WIRE_DIR STREAM_DIR  and write them, one file each
 *
 * fuzz_wire seeds (format of fuzz_sel.h): hellos (plain, COLO, POSTCOPY,
 * version ranges, limits at their bounds), a reply of each status, and
 * headers of every packet type with their offset blocks. fuzz_stream
 * seeds: a selector byte and whole valid destination streams
 * (stream_model.h), one to several passes, COLO checkpoints, postcopy
 * (channel 0's answers, another channel's push), a resumed postcopy, a
 * full batch, a region at the top of the u64 range.
 *
 * Each wire seed must decode without error, and each stream must run
 * through the stream model to its expected end with the packets, pages,
 * SYNCs, checkpoints, missing pages and answers it was built with; streams
 * out of order, cut short or corrupted (not written) must end as refused,
 * short, malformed or rejected; else mkcorpus fails.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_sel.h"
#include "stream_model.h"

#define SEED_BUF_MAX	(1024 * 1024)

struct seed {
	u8 buf[SEED_BUF_MAX];
	size_t len;
	u64 seq;		/* next packet number */
	struct wstream_result want;
	u32 page_size;
	u16 chan;		/* the stream's channel id */
};

static struct seed sd;
static const char *out_dir[2];	/* wire, stream; NULL: check only */
static unsigned int n_wire, n_stream;

static void die(const char *what, const char *name)
{
	fprintf(stderr, "mkcorpus: %s: %s\n", name, what);
	exit(1);
}

static void put(const void *p, size_t n, const char *name)
{
	if (n > sizeof(sd.buf) - sd.len)
		die("seed too large", name);
	memcpy(sd.buf + sd.len, p, n);
	sd.len += n;
}

static void seed_start(void)
{
	memset(&sd, 0, sizeof(sd));
	sd.page_size = FUZZ_PAGE_SIZE;
}

static void seed_write(unsigned int kind, const char *name)
{
	char path[4096];
	FILE *f;

	if (!out_dir[kind])
		return;
	snprintf(path, sizeof(path), "%s/%s", out_dir[kind], name);
	f = fopen(path, "wb");
	if (!f || fwrite(sd.buf, 1, sd.len, f) != sd.len || fclose(f))
		die(strerror(errno), path);
}

/* ----- fuzz_wire seeds: a selector byte, then one encoding ----- */

static void wire_check(const char *name)
{
	struct kmig_wire_limits lim;
	struct kmig_wire_hello h;
	struct kmig_wire_reply r;
	struct kmig_wire_auth a;
	struct kmig_wire_hdr p;
	u64 out[KMIG_WIRE_MAX_PAGES_LIMIT];
	const u8 *data = sd.buf + 1;
	size_t size = sd.len - 1;
	u8 sel = sd.buf[0];
	int err;

	fuzz_sel_limits(sel, &lim);
	switch (sel & FUZZ_SEL_KIND) {
	case FUZZ_SEL_HELLO:
		err = kmig_wire_hello_decode(data, size, FUZZ_PAGE_SIZE, &h);
		break;
	case FUZZ_SEL_REPLY:
		err = kmig_wire_reply_decode(data, size, &r);
		break;
	case FUZZ_SEL_AUTH:
		err = kmig_wire_auth_decode(data, size,
					    fuzz_sel_auth_step(sel), &a);
		break;
	default:
		err = kmig_wire_hdr_decode(data, size, &lim, fuzz_sel_seq(sel),
					   &p);
		if (!err)
			err = kmig_wire_offsets_decode(data + KMIG_WIRE_HDR_SIZE,
						       size - KMIG_WIRE_HDR_SIZE,
						       &p, &lim, out);
		if (!err && size != KMIG_WIRE_HDR_SIZE +
		    kmig_wire_offsets_len(&p))
			die("trailing bytes", name);
		break;
	}
	if (err)
		die(kmig_wire_strerror(err), name);
	seed_write(0, name);
	n_wire++;
}

static void wire_hello(const char *name, u16 vmin, u16 vmax, u64 features,
		       u16 id, u16 count, u64 region_size, u32 max_pages)
{
	struct kmig_wire_hello h = {
		.version_min = vmin,
		.version_max = vmax,
		.features = features,
		.channel_id = id,
		.channel_count = count,
		.page_size = FUZZ_PAGE_SIZE,
		.region_size = region_size,
		.max_pages = max_pages,
	};
	u8 b[KMIG_WIRE_HELLO_SIZE];
	u8 sel = FUZZ_SEL_HELLO;
	unsigned int i;

	for (i = 0; i < sizeof(h.migration_id); i++)
		h.migration_id[i] = 0xa0 + i;
	seed_start();
	put(&sel, 1, name);
	kmig_wire_hello_encode(b, sizeof(b), &h);
	put(b, sizeof(b), name);
	wire_check(name);
}

static void wire_reply(const char *name, u16 version, u16 status,
		       u64 features, const char *reason)
{
	struct kmig_wire_reply r;
	u8 b[KMIG_WIRE_REPLY_SIZE];
	u8 sel = FUZZ_SEL_REPLY;

	kmig_wire_reply_init(&r, version, status, features, reason);
	seed_start();
	put(&sel, 1, name);
	kmig_wire_reply_encode(b, sizeof(b), &r);
	put(b, sizeof(b), name);
	wire_check(name);
}

/* An AUTH message of @step with patterned nonce and MAC where allowed. */
static void wire_auth(const char *name, u16 step)
{
	struct kmig_wire_auth a = { .step = step };
	u8 b[KMIG_WIRE_AUTH_SIZE];
	u8 sel = FUZZ_SEL_AUTH | (step - 1) << FUZZ_SEL_SEQ_SHIFT;
	unsigned int i;

	for (i = 0; i < KMIG_WIRE_NONCE_LEN; i++) {
		if (step != KMIG_WIRE_AUTH_PROOF)
			a.nonce[i] = 0x5a ^ i;
		if (step != KMIG_WIRE_AUTH_CHALLENGE)
			a.mac[i] = 0xc3 + i;
	}
	seed_start();
	put(&sel, 1, name);
	kmig_wire_auth_encode(b, sizeof(b), &a);
	put(b, sizeof(b), name);
	wire_check(name);
}

/*
 * A header of @type with @ndata + @nzero offsets: page indexes first,
 * first + step, ... (counted down from the top of the region with
 * FUZZ_SEL_TOP).
 */
static void wire_hdr(const char *name, u8 sel, u16 type, u64 pass,
		     u32 ndata, u32 nzero, u64 first, u64 step)
{
	struct kmig_wire_hdr hdr = {
		.type = type,
		.seq = fuzz_sel_seq(sel),
		.data_pages = ndata,
		.zero_pages = nzero,
		.pass = pass,
	};
	struct kmig_wire_limits lim;
	u8 b[KMIG_WIRE_HDR_SIZE];
	__be64 v;
	u64 off;
	u32 i;

	fuzz_sel_limits(sel, &lim);
	if (type == KMIG_WIRE_CHECKPOINT_ACK) {
		hdr.arg[0] = 1500000;		/* transfer, ns */
		hdr.arg[1] = 250000;		/* flush, ns */
	}
	seed_start();
	put(&sel, 1, name);
	kmig_wire_hdr_encode(b, sizeof(b), &hdr);
	put(b, sizeof(b), name);
	for (i = 0; i < ndata + nzero; i++) {
		off = (first + i * step) * lim.page_size;
		if (sel & FUZZ_SEL_TOP)
			off = lim.region_size - lim.page_size - off;
		v = cpu_to_be64(off);
		put(&v, sizeof(v), name);
	}
	wire_check(name);
}

static void wire_seeds(void)
{
	const u8 top = FUZZ_SEL_HDR | FUZZ_SEL_TOP;
	const u64 pages = FUZZ_REGION_PAGES;
	char name[64];
	unsigned int st;

	wire_hello("hello-plain", 1, 1, 0, 0, 1, pages << 12, 128);
	wire_hello("hello-colo", 1, 1, KMIG_WIRE_FEAT_COLO, 3, 4,
		   pages << 12, 128);
	wire_hello("hello-versions", 1, 3, 0, 1, 2, pages << 12, 128);
	wire_hello("hello-max", 1, 1, KMIG_WIRE_FEAT_COLO, 63,
		   KMIG_WIRE_MAX_CHANNELS, 0ULL - FUZZ_PAGE_SIZE,
		   KMIG_WIRE_MAX_PAGES_LIMIT);
	wire_hello("hello-min", 1, 1, 0, 0, 1, FUZZ_PAGE_SIZE, 1);
	wire_hello("hello-postcopy", 1, 1, KMIG_WIRE_FEAT_POSTCOPY |
		   KMIG_WIRE_FEAT_CRC, 0, 2, pages << 12, 128);

	for (st = 0; st < KMIG_WIRE_STATUS_NR; st++) {
		snprintf(name, sizeof(name), "reply-status-%u", st);
		wire_reply(name, st ? 0 : 1, st, 0, kmig_wire_status_str(st));
	}
	wire_reply("reply-accept-colo", 1, KMIG_WIRE_ACCEPT,
		   KMIG_WIRE_FEAT_COLO, "accepted");
	wire_reply("reply-accept-noreason", 1, KMIG_WIRE_ACCEPT, 0, NULL);
	wire_reply("reply-accept-auth-crc", 1, KMIG_WIRE_ACCEPT,
		   KMIG_WIRE_FEAT_AUTH | KMIG_WIRE_FEAT_CRC, "accepted");
	wire_reply("reply-accept-postcopy", 1, KMIG_WIRE_ACCEPT,
		   KMIG_WIRE_FEAT_POSTCOPY, "accepted");
	wire_reply("reply-postcopy-colo", 0, KMIG_WIRE_REJ_FEATURES, 0,
		   "postcopy and COLO exclude each other");
	wire_auth("auth-challenge", KMIG_WIRE_AUTH_CHALLENGE);
	wire_auth("auth-response", KMIG_WIRE_AUTH_RESPONSE);
	wire_auth("auth-proof", KMIG_WIRE_AUTH_PROOF);
	wire_reply("reply-reason-39", 0, KMIG_WIRE_REJ_BUSY, 0,
		   "a reason of exactly thirty-nine bytes..");

	wire_hdr("data-1", FUZZ_SEL_HDR, KMIG_WIRE_DATA, 0, 1, 0, 0, 1);
	wire_hdr("data-mixed-seq1", FUZZ_SEL_HDR | 1 << FUZZ_SEL_SEQ_SHIFT,
		 KMIG_WIRE_DATA, 0, 3, 2, 5, 7);
	wire_hdr("data-zero-last", FUZZ_SEL_HDR | 2 << FUZZ_SEL_SEQ_SHIFT,
		 KMIG_WIRE_DATA, 1, 0, 1, pages - 1, 1);
	wire_hdr("data-full-top", top | 2 << FUZZ_SEL_SEQ_SHIFT,
		 KMIG_WIRE_DATA, 2, 64, KMIG_WIRE_DEFAULT_MAX_PAGES - 64,
		 0, 3);
	wire_hdr("data-limit-top", top | FUZZ_SEL_MAX_PAGES |
		 3 << FUZZ_SEL_SEQ_SHIFT, KMIG_WIRE_DATA, 7, 1,
		 KMIG_WIRE_MAX_PAGES_LIMIT - 1, 0, 1);
	wire_hdr("sync", FUZZ_SEL_HDR, KMIG_WIRE_SYNC, 0, 0, 0, 0, 0);
	wire_hdr("complete", FUZZ_SEL_HDR | 1 << FUZZ_SEL_SEQ_SHIFT,
		 KMIG_WIRE_COMPLETE, 5, 0, 0, 0, 0);
	wire_hdr("checkpoint", FUZZ_SEL_HDR | 2 << FUZZ_SEL_SEQ_SHIFT,
		 KMIG_WIRE_CHECKPOINT, 1, 0, 0, 0, 0);
	wire_hdr("checkpoint-ack", FUZZ_SEL_HDR, KMIG_WIRE_CHECKPOINT_ACK,
		 3, 0, 0, 0, 0);
	wire_hdr("cancel", FUZZ_SEL_HDR, KMIG_WIRE_CANCEL, 0, 0, 0, 0, 0);
	/* Postcopy: MISSING and REQUEST are offsets only (zero_pages). */
	wire_hdr("missing", FUZZ_SEL_HDR | 1 << FUZZ_SEL_SEQ_SHIFT,
		 KMIG_WIRE_MISSING, 3, 0, 5, 2, 3);
	wire_hdr("missing-full-top", top | 3 << FUZZ_SEL_SEQ_SHIFT,
		 KMIG_WIRE_MISSING, 1, 0, KMIG_WIRE_DEFAULT_MAX_PAGES, 0, 1);
	wire_hdr("postcopy", FUZZ_SEL_HDR | 2 << FUZZ_SEL_SEQ_SHIFT,
		 KMIG_WIRE_POSTCOPY, 3, 0, 0, 0, 0);
	wire_hdr("postcopy-ack", FUZZ_SEL_HDR, KMIG_WIRE_POSTCOPY, 3,
		 0, 0, 0, 0);
	wire_hdr("request", FUZZ_SEL_HDR | 1 << FUZZ_SEL_SEQ_SHIFT,
		 KMIG_WIRE_REQUEST, 3, 0, 1, pages - 1, 1);
	wire_hdr("request-limit-top", top | FUZZ_SEL_MAX_PAGES |
		 2 << FUZZ_SEL_SEQ_SHIFT, KMIG_WIRE_REQUEST, 3, 0,
		 KMIG_WIRE_MAX_PAGES_LIMIT, 0, 2);
}

/* ----- fuzz_stream seeds: whole streams of one destination channel ----- */

/* A stream to a fresh destination: selector 0, then the hello. */
static void stream_start(const char *name, u64 features, u16 id, u16 count,
			 u64 region_size, u32 max_pages)
{
	struct kmig_wire_hello h = {
		.version_min = 1,
		.version_max = 1,
		.features = features,
		.channel_id = id,
		.channel_count = count,
		.page_size = WSTREAM_PAGE_SIZE,
		.region_size = region_size,
		.max_pages = max_pages,
	};
	u8 b[KMIG_WIRE_HELLO_SIZE];

	memcpy(h.migration_id, "kmig-fuzz-seed!", sizeof(h.migration_id));
	seed_start();
	sd.page_size = WSTREAM_PAGE_SIZE;
	sd.chan = id;
	put(&(u8){ 0 }, 1, name);
	kmig_wire_hello_encode(b, sizeof(b), &h);
	put(b, sizeof(b), name);
}

/*
 * The stream started is to a destination resuming a postcopy that began
 * in pass @pass, with the region's first @missing pages still missing
 * (named on channel 0's reverse direction before the stream goes on).
 */
static void stream_resume(u64 pass, u32 missing, u64 region_pages)
{
	sd.buf[0] = wstream_sel_resume(pass, missing);
	if (!sd.chan)
		sd.want.resync = missing < region_pages ? missing : region_pages;
}

static void stream_hdr(const char *name, u16 type, u64 pass, u32 ndata,
		       u32 nzero)
{
	struct kmig_wire_hdr hdr = {
		.type = type,
		.seq = sd.seq++,
		.data_pages = ndata,
		.zero_pages = nzero,
		.pass = pass,
	};
	u8 b[KMIG_WIRE_HDR_SIZE];

	kmig_wire_hdr_encode(b, sizeof(b), &hdr);
	put(b, sizeof(b), name);
	sd.want.packets++;
	if (type == KMIG_WIRE_SYNC)
		sd.want.syncs++;
	if (type == KMIG_WIRE_POSTCOPY)
		sd.want.postcopy = true;
}

/*
 * DATA of pass @pass: @ndata data pages, then @nzero zero pages, page
 * indexes @first, @first + @step, ... from @base bytes; the data block
 * holds a pattern.
 */
static void stream_data(const char *name, u64 pass, u32 ndata, u32 nzero,
			u64 base, u64 first, u64 step)
{
	u8 page[WSTREAM_PAGE_SIZE];
	__be64 v;
	u32 i;

	stream_hdr(name, KMIG_WIRE_DATA, pass, ndata, nzero);
	for (i = 0; i < ndata + nzero; i++) {
		v = cpu_to_be64(base + (first + i * step) * sd.page_size);
		put(&v, sizeof(v), name);
	}
	for (i = 0; i < ndata; i++) {
		memset(page, 0x5a ^ (u8)(first + i * step), sizeof(page));
		put(page, sizeof(page), name);
	}
	sd.want.pages += ndata + nzero;
	/* On channel 0 in postcopy, an answer to a REQUEST. */
	if (sd.want.postcopy && !sd.chan)
		sd.want.requests++;
}

/* MISSING of pass @pass: @n offsets, page indexes @first, @first + @step... */
static void stream_missing(const char *name, u64 pass, u32 n, u64 first,
			   u64 step)
{
	__be64 v;
	u32 i;

	stream_hdr(name, KMIG_WIRE_MISSING, pass, 0, n);
	for (i = 0; i < n; i++) {
		v = cpu_to_be64((first + i * step) * sd.page_size);
		put(&v, sizeof(v), name);
	}
	sd.want.missing += n;
}

static void stream_end(const char *name, enum wstream_end end)
{
	struct wstream_result res;

	sd.want.end = end;
	sd.want.consumed = sd.len;
	wstream_run(sd.buf, sd.len, &res);
	if (res.end != end || res.err || res.status != KMIG_WIRE_ACCEPT)
		die(wstream_end_str(res.end), name);
	if (res.packets != sd.want.packets || res.pages != sd.want.pages ||
	    res.syncs != sd.want.syncs ||
	    res.checkpoints != sd.want.checkpoints ||
	    res.missing != sd.want.missing ||
	    res.requests != sd.want.requests ||
	    res.resync != sd.want.resync ||
	    res.postcopy != sd.want.postcopy ||
	    res.consumed != sd.want.consumed)
		die("counts differ from the stream built", name);
	seed_write(1, name);
	n_stream++;
}

static void stream_seeds(void)
{
	const u64 top = 0ULL - WSTREAM_PAGE_SIZE;	/* region size */
	const char *n;

	n = "empty";
	stream_start(n, 0, 0, 1, 16 << 12, 128);
	stream_hdr(n, KMIG_WIRE_SYNC, 0, 0, 0);
	stream_hdr(n, KMIG_WIRE_COMPLETE, 0, 0, 0);
	stream_end(n, WSTREAM_COMPLETE);

	n = "one-pass";
	stream_start(n, 0, 0, 1, 64 << 12, 128);
	stream_data(n, 0, 2, 3, 0, 0, 1);
	stream_data(n, 0, 0, 1, 0, 10, 1);
	stream_hdr(n, KMIG_WIRE_SYNC, 0, 0, 0);
	stream_hdr(n, KMIG_WIRE_COMPLETE, 0, 0, 0);
	stream_end(n, WSTREAM_COMPLETE);

	n = "live-3-passes";
	stream_start(n, 0, 2, 4, 256 << 12, 16);
	stream_data(n, 0, 1, 15, 0, 2, 4);
	stream_data(n, 0, 1, 2, 0, 66, 4);
	stream_hdr(n, KMIG_WIRE_SYNC, 0, 0, 0);
	stream_data(n, 1, 1, 0, 0, 2, 1);
	stream_hdr(n, KMIG_WIRE_SYNC, 1, 0, 0);
	stream_hdr(n, KMIG_WIRE_SYNC, 2, 0, 0);		/* empty pass */
	stream_hdr(n, KMIG_WIRE_COMPLETE, 2, 0, 0);
	stream_end(n, WSTREAM_COMPLETE);

	n = "max-pages-1";
	stream_start(n, 0, 0, 2, 8 << 12, 1);
	stream_data(n, 0, 1, 0, 0, 7, 1);
	stream_data(n, 0, 0, 1, 0, 0, 1);
	stream_hdr(n, KMIG_WIRE_SYNC, 0, 0, 0);
	stream_hdr(n, KMIG_WIRE_COMPLETE, 0, 0, 0);
	stream_end(n, WSTREAM_COMPLETE);

	n = "full-batch";
	stream_start(n, 0, 63, KMIG_WIRE_MAX_CHANNELS, 1024 << 12,
		     KMIG_WIRE_DEFAULT_MAX_PAGES);
	stream_data(n, 0, 2, KMIG_WIRE_DEFAULT_MAX_PAGES - 2, 0, 1, 7);
	stream_hdr(n, KMIG_WIRE_SYNC, 0, 0, 0);
	stream_hdr(n, KMIG_WIRE_COMPLETE, 0, 0, 0);
	stream_end(n, WSTREAM_COMPLETE);

	n = "limit-batch";
	stream_start(n, 0, 0, 1, 4096 << 12, KMIG_WIRE_MAX_PAGES_LIMIT);
	stream_data(n, 0, 1, KMIG_WIRE_MAX_PAGES_LIMIT - 1, 0, 0, 8);
	stream_hdr(n, KMIG_WIRE_SYNC, 0, 0, 0);
	stream_hdr(n, KMIG_WIRE_COMPLETE, 0, 0, 0);
	stream_end(n, WSTREAM_COMPLETE);

	/* Offsets at the top of a region of 2^64 - page size bytes. */
	n = "top-region";
	stream_start(n, 0, 0, 1, top, 128);
	stream_data(n, 0, 1, 2, top - 3 * WSTREAM_PAGE_SIZE, 0, 1);
	stream_hdr(n, KMIG_WIRE_SYNC, 0, 0, 0);
	stream_hdr(n, KMIG_WIRE_COMPLETE, 0, 0, 0);
	stream_end(n, WSTREAM_COMPLETE);

	/*
	 * COLO: precopy pass 0, COMPLETE 0 (checkpoint 0, base 1), then
	 * checkpoint N ends with the SYNC of pass base + N.
	 */
	n = "colo-checkpoints";
	stream_start(n, KMIG_WIRE_FEAT_COLO, 0, 1, 32 << 12, 128);
	stream_data(n, 0, 2, 1, 0, 0, 1);
	stream_hdr(n, KMIG_WIRE_SYNC, 0, 0, 0);
	stream_hdr(n, KMIG_WIRE_COMPLETE, 0, 0, 0);
	stream_hdr(n, KMIG_WIRE_CHECKPOINT, 1, 0, 0);
	stream_data(n, 2, 1, 1, 0, 4, 2);
	stream_hdr(n, KMIG_WIRE_SYNC, 2, 0, 0);
	stream_hdr(n, KMIG_WIRE_CHECKPOINT, 2, 0, 0);
	stream_hdr(n, KMIG_WIRE_SYNC, 3, 0, 0);		/* nothing written */
	stream_hdr(n, KMIG_WIRE_CHECKPOINT, 3, 0, 0);
	stream_data(n, 4, 0, 2, 0, 0, 31);
	stream_hdr(n, KMIG_WIRE_SYNC, 4, 0, 0);
	sd.want.checkpoints = 3;
	stream_end(n, WSTREAM_COLO);

	/* COLO after a live precopy of two passes (base 2). */
	n = "colo-live";
	stream_start(n, KMIG_WIRE_FEAT_COLO, 1, 2, 16 << 12, 32);
	stream_data(n, 0, 1, 0, 0, 3, 1);
	stream_hdr(n, KMIG_WIRE_SYNC, 0, 0, 0);
	stream_data(n, 1, 1, 0, 0, 3, 1);
	stream_hdr(n, KMIG_WIRE_SYNC, 1, 0, 0);
	stream_hdr(n, KMIG_WIRE_COMPLETE, 1, 0, 0);
	stream_hdr(n, KMIG_WIRE_CHECKPOINT, 1, 0, 0);
	stream_data(n, 3, 1, 0, 0, 15, 1);
	stream_hdr(n, KMIG_WIRE_SYNC, 3, 0, 0);
	sd.want.checkpoints = 1;
	stream_end(n, WSTREAM_COLO);

	/* The primary's CANCEL between checkpoints: COLO ends, no failover. */
	n = "colo-cancel";
	stream_start(n, KMIG_WIRE_FEAT_COLO, 0, 1, 16 << 12, 128);
	stream_data(n, 0, 1, 0, 0, 3, 1);
	stream_hdr(n, KMIG_WIRE_SYNC, 0, 0, 0);
	stream_hdr(n, KMIG_WIRE_COMPLETE, 0, 0, 0);
	stream_hdr(n, KMIG_WIRE_CHECKPOINT, 1, 0, 0);
	stream_hdr(n, KMIG_WIRE_SYNC, 2, 0, 0);
	stream_hdr(n, KMIG_WIRE_CANCEL, 0, 0, 0);
	sd.want.checkpoints = 1;
	stream_end(n, WSTREAM_CANCELLED);

	/*
	 * Postcopy, channel 2 of 4: two precopy passes, the stale pages of
	 * pass 2 named by MISSING, the POSTCOPY barrier ending pass 2, then
	 * the background push of pass 2 (a page twice: the second copy is
	 * discarded) and COMPLETE 2, acknowledged with reverse seq 0.
	 */
	n = "postcopy-push";
	stream_start(n, KMIG_WIRE_FEAT_POSTCOPY, 2, 4, 64 << 12, 32);
	stream_data(n, 0, 3, 1, 0, 0, 1);
	stream_hdr(n, KMIG_WIRE_SYNC, 0, 0, 0);
	stream_data(n, 1, 1, 0, 0, 2, 1);
	stream_hdr(n, KMIG_WIRE_SYNC, 1, 0, 0);
	stream_missing(n, 2, 5, 0, 3);
	stream_missing(n, 2, 1, 63, 1);
	stream_hdr(n, KMIG_WIRE_POSTCOPY, 2, 0, 0);
	stream_data(n, 2, 3, 1, 0, 0, 3);
	stream_data(n, 2, 1, 1, 0, 12, 51);
	stream_data(n, 2, 1, 0, 0, 3, 1);		/* a duplicate */
	stream_hdr(n, KMIG_WIRE_COMPLETE, 2, 0, 0);
	stream_end(n, WSTREAM_COMPLETE);

	/*
	 * Postcopy, channel 0 of 2: POSTCOPY acknowledged (reverse seq 0),
	 * an answer per REQUEST (reverse seq 1, 2, 3; data pages first,
	 * then zero pages, each ascending), the destination's COMPLETE
	 * (reverse seq 4), answered by the source's.
	 */
	n = "postcopy-requests";
	stream_start(n, KMIG_WIRE_FEAT_POSTCOPY, 0, 2, 256 << 12, 128);
	stream_data(n, 0, 2, 2, 0, 0, 1);
	stream_hdr(n, KMIG_WIRE_SYNC, 0, 0, 0);
	stream_missing(n, 1, 128, 0, 2);
	stream_hdr(n, KMIG_WIRE_POSTCOPY, 1, 0, 0);
	stream_data(n, 1, 1, 16, 0, 100, 2);		/* prefetch 16 */
	stream_data(n, 1, 1, 0, 0, 254, 1);
	stream_data(n, 1, 2, 0, 0, 100, 2);		/* already answered */
	stream_hdr(n, KMIG_WIRE_COMPLETE, 1, 0, 0);
	stream_end(n, WSTREAM_COMPLETE);

	/* Straight into postcopy at pass 0 (no SYNC at all). */
	n = "postcopy-at-once";
	stream_start(n, KMIG_WIRE_FEAT_POSTCOPY, 1, 2, 16 << 12, 128);
	stream_missing(n, 0, 16, 15, 0ULL - 1);	/* descending */
	stream_hdr(n, KMIG_WIRE_POSTCOPY, 0, 0, 0);
	stream_data(n, 0, 8, 8, 0, 0, 1);
	stream_hdr(n, KMIG_WIRE_COMPLETE, 0, 0, 0);
	stream_end(n, WSTREAM_COMPLETE);

	/* Nothing missing: the destination's COMPLETE right after the ack. */
	n = "postcopy-nothing-missing";
	stream_start(n, KMIG_WIRE_FEAT_POSTCOPY, 0, 2, 16 << 12, 128);
	stream_data(n, 0, 1, 0, 0, 1, 1);
	stream_hdr(n, KMIG_WIRE_SYNC, 0, 0, 0);
	stream_hdr(n, KMIG_WIRE_POSTCOPY, 1, 0, 0);
	stream_hdr(n, KMIG_WIRE_COMPLETE, 1, 0, 0);
	stream_end(n, WSTREAM_COMPLETE);

	/* Granted, but the source never switches: an ordinary end. */
	n = "postcopy-granted-precopy";
	stream_start(n, KMIG_WIRE_FEAT_POSTCOPY, 0, 2, 16 << 12, 128);
	stream_data(n, 0, 1, 0, 0, 1, 1);
	stream_hdr(n, KMIG_WIRE_SYNC, 0, 0, 0);
	stream_hdr(n, KMIG_WIRE_COMPLETE, 0, 0, 0);
	stream_end(n, WSTREAM_COMPLETE);

	/*
	 * A resumed postcopy (pass 1), channel 0 of 2: the destination names
	 * its 20 missing pages in MISSING packets of 8, 8 and 4 (reverse seq
	 * 0 to 2) and sends POSTCOPY (3); the source's POSTCOPY is packet 0,
	 * the answers follow (REQUESTs 4 and 5), then the COMPLETE exchange
	 * (the destination's is reverse seq 6).
	 */
	n = "resume-requests";
	stream_start(n, KMIG_WIRE_FEAT_POSTCOPY, 0, 2, 64 << 12, 8);
	stream_resume(1, 20, 64);
	stream_hdr(n, KMIG_WIRE_POSTCOPY, 1, 0, 0);
	stream_data(n, 1, 1, 2, 0, 3, 1);
	stream_data(n, 1, 0, 1, 0, 19, 1);
	stream_hdr(n, KMIG_WIRE_COMPLETE, 1, 0, 0);
	stream_end(n, WSTREAM_COMPLETE);

	/* Resumed push channel: POSTCOPY of pass 3, the push, COMPLETE. */
	n = "resume-push";
	stream_start(n, KMIG_WIRE_FEAT_POSTCOPY, 1, 2, 16 << 12, 128);
	stream_resume(3, 31, 16);
	stream_hdr(n, KMIG_WIRE_POSTCOPY, 3, 0, 0);
	stream_data(n, 3, 2, 14, 0, 0, 1);
	stream_hdr(n, KMIG_WIRE_COMPLETE, 3, 0, 0);
	stream_end(n, WSTREAM_COMPLETE);

	/* Nothing missing any more: the destination's POSTCOPY alone (0). */
	n = "resume-nothing-missing";
	stream_start(n, KMIG_WIRE_FEAT_POSTCOPY, 0, 2, 16 << 12, 128);
	stream_resume(0, 0, 16);
	stream_hdr(n, KMIG_WIRE_POSTCOPY, 0, 0, 0);
	stream_hdr(n, KMIG_WIRE_COMPLETE, 0, 0, 0);
	stream_end(n, WSTREAM_COMPLETE);
}

/* The model ends these (not written) where the destination would. */
static void stream_expect(const char *name, enum wstream_end end, int err)
{
	struct wstream_result res;

	wstream_run(sd.buf, sd.len, &res);
	if (res.end != end || res.err != err)
		die(wstream_end_str(res.end), name);
}

static void stream_bad(void)
{
	struct wstream_result res;
	const char *n;
	size_t len, hdr1, hdr2;

	n = "bad: COMPLETE before any SYNC";
	stream_start(n, 0, 0, 1, 16 << 12, 128);
	stream_hdr(n, KMIG_WIRE_COMPLETE, 0, 0, 0);
	stream_expect(n, WSTREAM_REFUSED, 0);

	/* protocol.rst: COMPLETE follows its pass's SYNC (no u64 wrap). */
	n = "bad: COMPLETE of pass 2^64 - 1 first";
	stream_start(n, 0, 0, 1, 16 << 12, 128);
	stream_hdr(n, KMIG_WIRE_COMPLETE, ~0ULL, 0, 0);
	stream_expect(n, WSTREAM_REFUSED, 0);

	n = "bad: pass 1 skipped";
	stream_start(n, 0, 0, 1, 16 << 12, 128);
	stream_hdr(n, KMIG_WIRE_SYNC, 0, 0, 0);
	stream_hdr(n, KMIG_WIRE_SYNC, 2, 0, 0);
	stream_expect(n, WSTREAM_REFUSED, 0);

	n = "bad: CHECKPOINT outside COLO";
	stream_start(n, 0, 0, 1, 16 << 12, 128);
	stream_hdr(n, KMIG_WIRE_SYNC, 0, 0, 0);
	stream_hdr(n, KMIG_WIRE_CHECKPOINT, 1, 0, 0);
	stream_expect(n, WSTREAM_REFUSED, 0);

	n = "bad: COLO DATA outside a checkpoint";
	stream_start(n, KMIG_WIRE_FEAT_COLO, 0, 1, 16 << 12, 128);
	stream_hdr(n, KMIG_WIRE_SYNC, 0, 0, 0);
	stream_hdr(n, KMIG_WIRE_COMPLETE, 0, 0, 0);
	stream_data(n, 2, 0, 1, 0, 0, 1);
	stream_expect(n, WSTREAM_REFUSED, 0);

	n = "bad: CANCEL outside COLO";
	stream_start(n, 0, 0, 1, 16 << 12, 128);
	stream_hdr(n, KMIG_WIRE_CANCEL, 0, 0, 0);
	stream_expect(n, WSTREAM_REFUSED, 0);

	n = "bad: CHECKPOINT_ACK from the source";
	stream_start(n, 0, 0, 1, 16 << 12, 128);
	stream_hdr(n, KMIG_WIRE_CHECKPOINT_ACK, 0, 0, 0);
	stream_expect(n, WSTREAM_REFUSED, 0);

	/* Postcopy types out of place: malformed, as an unknown type. */
	n = "bad: MISSING without the feature";
	stream_start(n, 0, 0, 2, 16 << 12, 128);
	stream_hdr(n, KMIG_WIRE_SYNC, 0, 0, 0);
	stream_missing(n, 1, 1, 0, 1);
	stream_expect(n, WSTREAM_MALFORMED, KMIG_WIRE_ETYPE);

	n = "bad: POSTCOPY without the feature";
	stream_start(n, 0, 1, 2, 16 << 12, 128);
	stream_hdr(n, KMIG_WIRE_POSTCOPY, 0, 0, 0);
	stream_expect(n, WSTREAM_MALFORMED, KMIG_WIRE_ETYPE);

	n = "bad: REQUEST without the feature";
	stream_start(n, 0, 0, 2, 16 << 12, 128);
	stream_hdr(n, KMIG_WIRE_REQUEST, 0, 0, 1);
	stream_expect(n, WSTREAM_MALFORMED, KMIG_WIRE_ETYPE);

	n = "bad: REQUEST from the source";
	stream_start(n, KMIG_WIRE_FEAT_POSTCOPY, 0, 2, 16 << 12, 128);
	stream_hdr(n, KMIG_WIRE_SYNC, 0, 0, 0);
	stream_hdr(n, KMIG_WIRE_POSTCOPY, 1, 0, 0);
	stream_hdr(n, KMIG_WIRE_REQUEST, 1, 0, 1);
	stream_expect(n, WSTREAM_MALFORMED, KMIG_WIRE_ETYPE);

	n = "bad: MISSING after POSTCOPY";
	stream_start(n, KMIG_WIRE_FEAT_POSTCOPY, 1, 2, 16 << 12, 128);
	stream_missing(n, 0, 1, 0, 1);
	stream_hdr(n, KMIG_WIRE_POSTCOPY, 0, 0, 0);
	stream_missing(n, 0, 1, 1, 1);
	stream_expect(n, WSTREAM_MALFORMED, KMIG_WIRE_ETYPE);

	n = "bad: a second POSTCOPY";
	stream_start(n, KMIG_WIRE_FEAT_POSTCOPY, 0, 2, 16 << 12, 128);
	stream_hdr(n, KMIG_WIRE_POSTCOPY, 0, 0, 0);
	stream_hdr(n, KMIG_WIRE_POSTCOPY, 1, 0, 0);
	stream_expect(n, WSTREAM_MALFORMED, KMIG_WIRE_ETYPE);

	/* Decoded, in place, but for the wrong pass: refused. */
	n = "bad: POSTCOPY for a pass not open";
	stream_start(n, KMIG_WIRE_FEAT_POSTCOPY, 1, 2, 16 << 12, 128);
	stream_hdr(n, KMIG_WIRE_SYNC, 0, 0, 0);
	stream_hdr(n, KMIG_WIRE_POSTCOPY, 0, 0, 0);
	stream_expect(n, WSTREAM_REFUSED, 0);

	n = "bad: SYNC after POSTCOPY";
	stream_start(n, KMIG_WIRE_FEAT_POSTCOPY, 1, 2, 16 << 12, 128);
	stream_hdr(n, KMIG_WIRE_POSTCOPY, 0, 0, 0);
	stream_hdr(n, KMIG_WIRE_SYNC, 1, 0, 0);
	stream_expect(n, WSTREAM_REFUSED, 0);

	n = "bad: COMPLETE of another pass after POSTCOPY";
	stream_start(n, KMIG_WIRE_FEAT_POSTCOPY, 1, 2, 16 << 12, 128);
	stream_hdr(n, KMIG_WIRE_SYNC, 0, 0, 0);
	stream_hdr(n, KMIG_WIRE_POSTCOPY, 1, 0, 0);
	stream_hdr(n, KMIG_WIRE_COMPLETE, 0, 0, 0);
	stream_expect(n, WSTREAM_REFUSED, 0);

	n = "bad: MISSING with a data page";
	stream_start(n, KMIG_WIRE_FEAT_POSTCOPY, 1, 2, 16 << 12, 128);
	stream_hdr(n, KMIG_WIRE_MISSING, 0, 1, 1);
	stream_expect(n, WSTREAM_MALFORMED, KMIG_WIRE_ECOUNT);

	n = "bad: MISSING of a page twice";
	stream_start(n, KMIG_WIRE_FEAT_POSTCOPY, 1, 2, 16 << 12, 128);
	stream_missing(n, 0, 2, 7, 0);
	stream_expect(n, WSTREAM_MALFORMED, KMIG_WIRE_EDUP);

	n = "bad: MISSING past the region";
	stream_start(n, KMIG_WIRE_FEAT_POSTCOPY, 1, 2, 16 << 12, 128);
	stream_missing(n, 0, 2, 15, 1);
	stream_expect(n, WSTREAM_MALFORMED, KMIG_WIRE_ERANGE);

	/* A resumed postcopy: POSTCOPY first, no MISSING, POSTCOPY asked. */
	n = "bad: MISSING on a resumed connection";
	stream_start(n, KMIG_WIRE_FEAT_POSTCOPY, 0, 2, 16 << 12, 128);
	stream_resume(1, 3, 16);
	stream_missing(n, 1, 1, 0, 1);
	stream_expect(n, WSTREAM_MALFORMED, KMIG_WIRE_ETYPE);

	n = "bad: MISSING after a resumed POSTCOPY";
	stream_start(n, KMIG_WIRE_FEAT_POSTCOPY, 1, 2, 16 << 12, 128);
	stream_resume(1, 3, 16);
	stream_hdr(n, KMIG_WIRE_POSTCOPY, 1, 0, 0);
	stream_missing(n, 1, 1, 0, 1);
	stream_expect(n, WSTREAM_MALFORMED, KMIG_WIRE_ETYPE);

	n = "bad: a second POSTCOPY on a resumed connection";
	stream_start(n, KMIG_WIRE_FEAT_POSTCOPY, 0, 2, 16 << 12, 128);
	stream_resume(2, 1, 16);
	stream_hdr(n, KMIG_WIRE_POSTCOPY, 2, 0, 0);
	stream_hdr(n, KMIG_WIRE_POSTCOPY, 2, 0, 0);
	stream_expect(n, WSTREAM_MALFORMED, KMIG_WIRE_ETYPE);

	n = "bad: resumed POSTCOPY of another pass";
	stream_start(n, KMIG_WIRE_FEAT_POSTCOPY, 0, 2, 16 << 12, 128);
	stream_resume(2, 1, 16);
	stream_hdr(n, KMIG_WIRE_POSTCOPY, 3, 0, 0);
	stream_expect(n, WSTREAM_REFUSED, 0);

	n = "bad: DATA before the resumed POSTCOPY";
	stream_start(n, KMIG_WIRE_FEAT_POSTCOPY, 1, 2, 16 << 12, 128);
	stream_resume(1, 1, 16);
	stream_data(n, 1, 1, 0, 0, 0, 1);
	stream_expect(n, WSTREAM_REFUSED, 0);

	n = "bad: SYNC before the resumed POSTCOPY";
	stream_start(n, KMIG_WIRE_FEAT_POSTCOPY, 1, 2, 16 << 12, 128);
	stream_resume(1, 1, 16);
	stream_hdr(n, KMIG_WIRE_SYNC, 1, 0, 0);
	stream_expect(n, WSTREAM_REFUSED, 0);

	n = "bad: COMPLETE before the resumed POSTCOPY";
	stream_start(n, KMIG_WIRE_FEAT_POSTCOPY, 1, 2, 16 << 12, 128);
	stream_resume(1, 1, 16);
	stream_hdr(n, KMIG_WIRE_COMPLETE, 0, 0, 0);
	stream_expect(n, WSTREAM_REFUSED, 0);

	n = "bad: a resume without POSTCOPY";
	stream_start(n, 0, 0, 2, 16 << 12, 128);
	stream_resume(1, 1, 16);
	stream_expect(n, WSTREAM_REJECTED, 0);
	wstream_run(sd.buf, sd.len, &res);
	if (res.status != KMIG_WIRE_REJ_FEATURES || res.consumed != sd.len ||
	    res.resync)
		die("not rejected for its features", n);

	n = "bad: a resume with COLO";
	stream_start(n, KMIG_WIRE_FEAT_COLO, 0, 2, 16 << 12, 128);
	stream_resume(1, 1, 16);
	stream_expect(n, WSTREAM_REJECTED, 0);
	wstream_run(sd.buf, sd.len, &res);
	if (res.status != KMIG_WIRE_REJ_FEATURES)
		die("not rejected for its features", n);

	n = "bad: COLO and POSTCOPY";
	stream_start(n, KMIG_WIRE_FEAT_COLO | KMIG_WIRE_FEAT_POSTCOPY, 0, 2,
		     16 << 12, 128);
	stream_expect(n, WSTREAM_REJECTED, 0);
	wstream_run(sd.buf, sd.len, &res);
	if (res.status != KMIG_WIRE_REJ_FEATURES || res.consumed != sd.len)
		die("not rejected for its features", n);

	n = "bad: duplicate offset";
	stream_start(n, 0, 0, 1, 16 << 12, 128);
	stream_data(n, 0, 1, 1, 0, 3, 0);
	stream_expect(n, WSTREAM_MALFORMED, KMIG_WIRE_EDUP);

	n = "bad: second header's magic";
	stream_start(n, 0, 0, 1, 16 << 12, 128);
	stream_data(n, 0, 1, 0, 0, 3, 1);
	hdr1 = sd.len;
	stream_hdr(n, KMIG_WIRE_SYNC, 0, 0, 0);
	sd.buf[hdr1] ^= 0x20;
	stream_expect(n, WSTREAM_MALFORMED, KMIG_WIRE_EMAGIC);

	n = "bad: hello's page size";
	stream_start(n, 0, 0, 1, 16 << 12, 128);
	sd.buf[1 + offsetof(struct kmig_wire_hello_be, page_size) + 2] = 0x20;
	stream_expect(n, WSTREAM_REJECTED, KMIG_WIRE_EPAGE_SIZE_LOCAL);

	/* Every cut of a stream: short inside an item, closed between. */
	n = "bad: cut short";
	stream_start(n, 0, 0, 1, 16 << 12, 128);
	stream_data(n, 0, 1, 1, 0, 3, 1);
	hdr1 = sd.len;
	stream_hdr(n, KMIG_WIRE_SYNC, 0, 0, 0);
	for (len = sd.len; len--;) {
		sd.len = len;
		if (len == 1 + KMIG_WIRE_HELLO_SIZE || len == hdr1)
			stream_expect(n, WSTREAM_CLOSED, 0);
		else
			stream_expect(n, WSTREAM_SHORT, KMIG_WIRE_ESHORT);
	}

	/* The same for MISSING (no data block) and POSTCOPY. */
	n = "bad: postcopy cut short";
	stream_start(n, KMIG_WIRE_FEAT_POSTCOPY, 0, 2, 16 << 12, 128);
	stream_missing(n, 0, 3, 1, 4);
	hdr1 = sd.len;
	stream_hdr(n, KMIG_WIRE_POSTCOPY, 0, 0, 0);
	hdr2 = sd.len;
	stream_data(n, 0, 1, 0, 0, 5, 1);
	for (len = sd.len; len--;) {
		sd.len = len;
		if (len == 1 + KMIG_WIRE_HELLO_SIZE || len == hdr1 ||
		    len == hdr2)
			stream_expect(n, WSTREAM_CLOSED, 0);
		else
			stream_expect(n, WSTREAM_SHORT, KMIG_WIRE_ESHORT);
	}

	/* A resumed channel 0: its MISSING and POSTCOPY sent, then cut. */
	n = "bad: resumed postcopy cut short";
	stream_start(n, KMIG_WIRE_FEAT_POSTCOPY, 0, 2, 16 << 12, 4);
	stream_resume(1, 9, 16);
	hdr1 = sd.len;
	stream_hdr(n, KMIG_WIRE_POSTCOPY, 1, 0, 0);
	hdr2 = sd.len;
	stream_data(n, 1, 1, 0, 0, 5, 1);
	for (len = sd.len; len--;) {
		sd.len = len;
		if (len == hdr1 || len == hdr2)
			stream_expect(n, WSTREAM_CLOSED, 0);
		else
			stream_expect(n, WSTREAM_SHORT, KMIG_WIRE_ESHORT);
		wstream_run(sd.buf, sd.len, &res);
		if (res.resync != (len >= hdr1 ? 9 : 0))
			die("the destination's MISSING before the hello's end", n);
	}
}

int main(int argc, char **argv)
{
	if (argc != 1 && argc != 3) {
		fprintf(stderr, "usage: mkcorpus [WIRE_DIR STREAM_DIR]\n");
		return 2;
	}
	if (argc == 3) {
		out_dir[0] = argv[1];
		out_dir[1] = argv[2];
	}
	wire_seeds();
	stream_seeds();
	stream_bad();
	printf("mkcorpus: %u fuzz_wire seeds and %u fuzz_stream seeds, each accepted\n",
	       n_wire, n_stream);
	return 0;
}
