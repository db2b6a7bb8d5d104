// SPDX-License-Identifier: GPL-2.0
/*
 * A destination channel's use of the wire codec, for fuzzing whole streams
 * (stream_model.h). The order of the steps and the checks between the
 * decoder calls follow kmod/handshake.c (kmig_hs_accept()),
 * kmod/migration.c (kmig_mig_barrier_wait()), kmod/receive.c
 * (kmig_receive_thread(), kmig_receive_data()) and kmod/colo_sm.c
 * (kmig_colo_sm_begin()); only wire.c is linked in. Postcopy follows
 * protocol.rst (Postcopy), its resume too ("Resuming postcopy": kmig's
 * destination does not refuse yet a DATA, SYNC or COMPLETE before a
 * resumed connection's POSTCOPY, which this model does).
 */
#include <stdio.h>
#include <stdlib.h>

#include "stream_model.h"

#define wstream_need(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: stream model: %s\n", __FILE__,	\
			__LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

struct wstream {
	const u8 *p;		/* next unread byte */
	size_t left;
	struct kmig_wire_limits lim;
	u16 chan;		/* this channel's id */
	bool colo;		/* COLO asked for and granted */
	bool postcopy;		/* POSTCOPY asked for and granted */
	bool resume;		/* the destination resumes a paused postcopy */
	u64 resume_pass;	/* ... that began in this pass */
	u32 resume_missing;	/* ... lacking the region's first pages */
	bool pc_active;		/* the POSTCOPY barrier is passed */
	u64 rseq;		/* channel 0 in postcopy: next reverse seq */
	bool colo_active;	/* checkpoint 0 (COLO's COMPLETE) is done */
	bool ckpt_open;		/* a checkpoint is open (not yet SYNCed) */
	u64 ckpt;		/* the open or last committed checkpoint */
	u64 seq;		/* expected packet number */
	u64 pass;		/* the open pass: lowest one not yet ended */
	u64 offs[KMIG_WIRE_MAX_PAGES_LIMIT];
	u64 sorted[KMIG_WIRE_MAX_PAGES_LIMIT];
	struct wstream_result *res;
};

static const char * const wstream_ends[] = {
	[WSTREAM_REJECTED] = "rejected",
	[WSTREAM_SHORT] = "short",
	[WSTREAM_MALFORMED] = "malformed",
	[WSTREAM_REFUSED] = "refused",
	[WSTREAM_CLOSED] = "closed",
	[WSTREAM_COMPLETE] = "complete",
	[WSTREAM_COLO] = "colo",
	[WSTREAM_CANCELLED] = "cancelled",
};

const char *wstream_end_str(enum wstream_end end)
{
	if ((unsigned int)end >= WSTREAM_END_NR)
		return "?";
	return wstream_ends[end];
}

/* A decoder's result: 0 or one of the documented errors. */
static void wstream_check_err(int err)
{
	wstream_need(err <= 0 && err >= KMIG_WIRE_ERR_MIN);
	wstream_need(strcmp(kmig_wire_strerror(err), "unknown error"));
}

static void wstream_take(struct wstream *s, size_t n)
{
	wstream_need(n <= s->left);
	s->p += n;
	s->left -= n;
	s->res->consumed += n;
}

static void wstream_end(struct wstream *s, enum wstream_end end, int err)
{
	s->res->end = end;
	s->res->err = err;
}

/* protocol.rst: the destination grants POSTCOPY, but never with COLO. */
#define WSTREAM_WHY_PC_COLO	"postcopy and COLO exclude each other"
/* A resumed postcopy: no COLO (step 19), POSTCOPY asked for (step 26). */
#define WSTREAM_WHY_NO_COLO	"COLO not enabled on this destination"
#define WSTREAM_WHY_RESUME	"a postcopy resume needs postcopy"

/*
 * The reply kmig_hs_accept() sends for a decoded (err 0) or refused
 * hello must decode back to what it was built from.
 */
static u16 wstream_reply(const struct wstream *s,
			 const struct kmig_wire_hello *h, int err)
{
	const u64 pc_colo = KMIG_WIRE_FEAT_COLO | KMIG_WIRE_FEAT_POSTCOPY;
	struct kmig_wire_reply r, d;
	u8 buf[KMIG_WIRE_REPLY_SIZE];
	u16 status, version;
	const char *why;
	u64 feat;

	status = kmig_wire_err_to_status(err);
	wstream_need(status < KMIG_WIRE_STATUS_NR);
	wstream_need(!err == (status == KMIG_WIRE_ACCEPT));
	why = err ? kmig_wire_strerror(err) : "accepted";
	if (!err && s->resume && (h->features & KMIG_WIRE_FEAT_COLO)) {
		status = KMIG_WIRE_REJ_FEATURES;
		why = WSTREAM_WHY_NO_COLO;
	} else if (!err && (h->features & pc_colo) == pc_colo) {
		status = KMIG_WIRE_REJ_FEATURES;
		why = WSTREAM_WHY_PC_COLO;
	} else if (!err && s->resume &&
		   !(h->features & KMIG_WIRE_FEAT_POSTCOPY)) {
		status = KMIG_WIRE_REJ_FEATURES;
		why = WSTREAM_WHY_RESUME;
	}
	version = status ? 0 : kmig_wire_hello_version(h);
	feat = status ? 0 : h->features & pc_colo;
	kmig_wire_reply_init(&r, version, status, feat, why);
	wstream_need(kmig_wire_reply_encode(buf, sizeof(buf), &r) ==
		     KMIG_WIRE_REPLY_SIZE);
	wstream_need(!kmig_wire_reply_decode(buf, sizeof(buf), &d));
	wstream_need(d.version == version && d.status == status &&
		     d.features == feat);
	wstream_need(!strncmp(d.reason, why, sizeof(d.reason) - 1));
	wstream_need(!d.reason[sizeof(d.reason) - 1]);
	return status;
}

/* Returns false when the hello ends the stream. */
static bool wstream_hello(struct wstream *s)
{
	struct kmig_wire_hello h;
	u8 re[KMIG_WIRE_HELLO_SIZE];
	int err;

	memset(&h, 0, sizeof(h));
	err = kmig_wire_hello_decode(s->p, s->left, WSTREAM_PAGE_SIZE, &h);
	wstream_check_err(err);
	if (s->left < KMIG_WIRE_HELLO_SIZE) {
		/* Closed before a whole hello: no reply. */
		wstream_need(err == KMIG_WIRE_ESHORT);
		wstream_end(s, WSTREAM_SHORT, err);
		return false;
	}
	wstream_take(s, KMIG_WIRE_HELLO_SIZE);
	s->res->status = wstream_reply(s, &h, err);
	if (s->res->status != KMIG_WIRE_ACCEPT) {
		wstream_end(s, WSTREAM_REJECTED, err);
		return false;
	}

	wstream_need(kmig_wire_hello_encode(re, sizeof(re), &h) ==
		     KMIG_WIRE_HELLO_SIZE);
	wstream_need(!memcmp(re, s->p - KMIG_WIRE_HELLO_SIZE, sizeof(re)));
	wstream_need(kmig_wire_hello_version(&h) >= KMIG_WIRE_VERSION_MIN &&
		     kmig_wire_hello_version(&h) <= KMIG_WIRE_VERSION_MAX);
	kmig_wire_hello_limits(&h, &s->lim);
	wstream_need(!kmig_wire_limits_check(&s->lim));
	wstream_need(s->lim.page_size == WSTREAM_PAGE_SIZE);
	wstream_need(h.channel_id < s->lim.channel_count);
	s->chan = h.channel_id;
	s->colo = h.features & KMIG_WIRE_FEAT_COLO;
	s->postcopy = h.features & KMIG_WIRE_FEAT_POSTCOPY;
	wstream_need(!(s->colo && s->postcopy));
	wstream_need(s->postcopy || !s->resume);
	return true;
}

static int wstream_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Every decoded offset is aligned, inside the region and unique. */
static void wstream_check_offsets(struct wstream *s, u32 n)
{
	u64 last = s->lim.region_size - s->lim.page_size;
	u32 i;

	for (i = 0; i < n; i++) {
		wstream_need(!(s->offs[i] & (s->lim.page_size - 1)));
		wstream_need(s->offs[i] <= last);
	}
	memcpy(s->sorted, s->offs, n * sizeof(s->offs[0]));
	qsort(s->sorted, n, sizeof(s->sorted[0]), wstream_cmp);
	for (i = 1; i < n; i++)
		wstream_need(s->sorted[i - 1] != s->sorted[i]);
}

/*
 * The offset block of a DATA, MISSING (or REQUEST) header, into s->offs.
 * Returns false when the stream ends.
 */
static bool wstream_offsets(struct wstream *s, const struct kmig_wire_hdr *hdr)
{
	u32 n = hdr->data_pages + hdr->zero_pages;
	size_t olen = kmig_wire_offsets_len(hdr);
	int err;

	wstream_need(n >= 1 && n <= s->lim.max_pages);
	wstream_need(olen == (size_t)n * KMIG_WIRE_OFFSET_SIZE);
	if (s->left < olen) {
		err = kmig_wire_offsets_decode(s->p, s->left, hdr, &s->lim,
					       s->offs);
		wstream_need(err == KMIG_WIRE_ESHORT);
		wstream_end(s, WSTREAM_SHORT, err);
		return false;
	}
	/* One byte short is short, whatever the offsets are. */
	wstream_need(kmig_wire_offsets_decode(s->p, olen - 1, hdr, &s->lim,
					      s->offs) == KMIG_WIRE_ESHORT);
	err = kmig_wire_offsets_decode(s->p, olen, hdr, &s->lim, s->offs);
	wstream_check_err(err);
	if (err) {
		wstream_end(s, WSTREAM_MALFORMED, err);
		return false;
	}
	wstream_check_offsets(s, n);
	wstream_take(s, olen);
	return true;
}

/*
 * What channel 0's destination sends on its reverse direction in postcopy
 * (seq s->rseq): a REQUEST (@type), or a resumed destination's MISSING,
 * of the @n offsets in s->offs for pass @pass, as the source decodes it
 * (the next expected number, the offsets as DATA's).
 */
static void wstream_reverse(struct wstream *s, u16 type, u64 pass, u32 n)
{
	static u8 buf[KMIG_WIRE_HDR_SIZE +
		      KMIG_WIRE_MAX_PAGES_LIMIT * KMIG_WIRE_OFFSET_SIZE];
	struct kmig_wire_hdr r, d;
	size_t olen;

	memset(&r, 0, sizeof(r));	/* padding too: compared below */
	r.type = type;
	r.seq = s->rseq;
	r.zero_pages = n;
	r.pass = pass;
	wstream_need(kmig_wire_hdr_encode(buf, sizeof(buf), &r) ==
		     KMIG_WIRE_HDR_SIZE);
	olen = (size_t)n * KMIG_WIRE_OFFSET_SIZE;
	wstream_need(kmig_wire_offsets_encode(buf + KMIG_WIRE_HDR_SIZE,
					      sizeof(buf) - KMIG_WIRE_HDR_SIZE,
					      s->offs, n) == (int)olen);
	wstream_need(!kmig_wire_hdr_decode(buf, KMIG_WIRE_HDR_SIZE, &s->lim,
					   s->rseq, &d));
	wstream_need(!memcmp(&r, &d, sizeof(r)));
	wstream_need(kmig_wire_offsets_len(&d) == olen);
	wstream_need(!kmig_wire_data_len(&d, &s->lim));
	wstream_need(!kmig_wire_offsets_decode(buf + KMIG_WIRE_HDR_SIZE, olen,
					       &d, &s->lim, s->sorted));
	wstream_need(!memcmp(s->sorted, s->offs, olen));
	s->rseq++;
}

/* DATA: offsets, then the data block. Returns false when the stream ends. */
static bool wstream_data(struct wstream *s, const struct kmig_wire_hdr *hdr)
{
	u32 n = hdr->data_pages + hdr->zero_pages;
	u64 dlen;

	if (!wstream_offsets(s, hdr))
		return false;

	/* COLO after checkpoint 0: DATA only inside a checkpoint. */
	if (s->colo_active && !s->ckpt_open) {
		wstream_end(s, WSTREAM_REFUSED, 0);
		return false;
	}

	dlen = kmig_wire_data_len(hdr, &s->lim);
	wstream_need(dlen == (u64)hdr->data_pages * s->lim.page_size);
	wstream_need(dlen <= (u64)s->lim.max_pages * KMIG_WIRE_PAGE_SIZE_MAX);
	if (s->left < dlen) {
		wstream_end(s, WSTREAM_SHORT, KMIG_WIRE_ESHORT);
		return false;
	}
	wstream_take(s, dlen);
	s->res->pages += n;
	/*
	 * Postcopy: every page is read, applied if still missing, discarded
	 * otherwise. Channel 0 carries answers only: this one's REQUEST
	 * named its pages (with prefetch 0).
	 */
	if (s->pc_active && !s->chan) {
		wstream_reverse(s, KMIG_WIRE_REQUEST, s->pass - 1, n);
		s->res->requests++;
	}
	return true;
}

/*
 * An acknowledgment the destination sends back (COMPLETE's, COLO's
 * CHECKPOINT_ACK, POSTCOPY's), or its own COMPLETE in postcopy, decoded
 * as the source does: expected seq @seq (0 for an acknowledgment), then
 * the type and the pass compared.
 */
static void wstream_ack(struct wstream *s, u16 type, u64 pass, u64 seq)
{
	struct kmig_wire_hdr a = {
		.type = type,
		.seq = seq,
		.pass = pass,
	};
	struct kmig_wire_hdr d;
	u8 buf[KMIG_WIRE_HDR_SIZE];

	if (type == KMIG_WIRE_CHECKPOINT_ACK) {
		a.arg[0] = s->res->packets;
		a.arg[1] = ~s->res->consumed;
	}
	wstream_need(kmig_wire_hdr_encode(buf, sizeof(buf), &a) ==
		     KMIG_WIRE_HDR_SIZE);
	wstream_need(!kmig_wire_hdr_decode(buf, sizeof(buf), &s->lim, seq,
					   &d));
	wstream_need(d.type == type && d.pass == pass && d.seq == seq &&
		     !d.flags);
	wstream_need(!d.data_pages && !d.zero_pages);
	wstream_need(d.arg[0] == a.arg[0] && d.arg[1] == a.arg[1]);
}

/*
 * A resumed postcopy's channel 0, once every channel is accepted, before
 * it reads anything: the destination's MISSING packets naming the pages
 * it still lacks (here the region's first s->resume_missing, at most
 * max_pages a packet, ascending) and its POSTCOPY of the pass postcopy
 * began in, reverse packets 0, 1, ..., decoded as the source does.
 */
static void wstream_resync(struct wstream *s)
{
	u64 npages = s->lim.region_size / s->lim.page_size;
	u64 page = 0, left = s->resume_missing;
	u32 n, i;

	if (left > npages)
		left = npages;
	while (left) {
		n = left < s->lim.max_pages ? (u32)left : s->lim.max_pages;
		for (i = 0; i < n; i++)
			s->offs[i] = (page + i) * s->lim.page_size;
		wstream_reverse(s, KMIG_WIRE_MISSING, s->resume_pass, n);
		s->res->resync += n;
		page += n;
		left -= n;
	}
	wstream_ack(s, KMIG_WIRE_POSTCOPY, s->resume_pass, s->rseq++);
}

/* SYNC of pass @pass: the barrier, and in COLO the checkpoint's end. */
static bool wstream_sync(struct wstream *s, u64 pass)
{
	/* After POSTCOPY: DATA and COMPLETE only. */
	if (s->pc_active || pass != s->pass)
		return false;
	if (s->colo_active) {
		if (!s->ckpt_open)
			return false;
		/* Flushed and committed (the VMM paused in time). */
		s->ckpt_open = false;
		s->res->checkpoints++;
		wstream_ack(s, KMIG_WIRE_CHECKPOINT_ACK, s->ckpt, 0);
	}
	s->pass = pass + 1;
	s->res->syncs++;
	return true;
}

/* CHECKPOINT @n, as kmig_colo_sm_begin() takes it. */
static bool wstream_checkpoint(struct wstream *s, u64 n)
{
	if (!s->colo_active)
		return false;
	if (s->ckpt_open)
		return n == s->ckpt;	/* the same one again */
	if (n != s->ckpt + 1)
		return false;
	s->ckpt = n;
	s->ckpt_open = true;
	return true;
}

/*
 * POSTCOPY of pass @pass (a feature granted, no POSTCOPY yet): a barrier
 * like SYNC's, ending pass @pass; every page MISSING named is missing from
 * here. Channel 0 acknowledges it (reverse seq 0); its REQUESTs follow.
 * Resumed, the pass is the one postcopy began in, and channel 0 sent its
 * own POSTCOPY already (wstream_resync()): no acknowledgment.
 */
static bool wstream_postcopy(struct wstream *s, u64 pass)
{
	if (pass != s->pass)
		return false;
	s->pass = pass + 1;
	s->pc_active = true;
	s->res->postcopy = true;
	if (!s->chan && !s->resume) {
		wstream_ack(s, KMIG_WIRE_POSTCOPY, pass, 0);
		s->rseq = 1;
	}
	return true;
}

/*
 * COMPLETE of pass @pass must follow that pass's SYNC (or POSTCOPY): @pass
 * is the last pass ended. protocol.rst's rule, computed without overflow.
 * In postcopy channel 0's COMPLETE answers the destination's own (reverse,
 * next seq) and is not acknowledged.
 */
static bool wstream_complete(struct wstream *s, u64 pass)
{
	if (s->colo_active || !s->pass || pass != s->pass - 1)
		return false;
	if (s->pc_active && !s->chan)
		wstream_ack(s, KMIG_WIRE_COMPLETE, pass, s->rseq++);
	else
		wstream_ack(s, KMIG_WIRE_COMPLETE, pass, 0);
	if (s->colo) {
		/* Checkpoint 0: held at pass + 1, released into pass + 2. */
		s->colo_active = true;
		s->pass = pass + 2;
	}
	return true;
}

/*
 * The postcopy types where protocol.rst does not have them, malformed as
 * an unknown type (checked on the header): REQUEST, which only a
 * destination sends, MISSING or POSTCOPY without the feature or after
 * the POSTCOPY barrier, and MISSING once postcopy began (a resumed
 * connection: a page the guest wrote must never be missing again).
 */
static bool wstream_misplaced(const struct wstream *s, u16 type)
{
	switch (type) {
	case KMIG_WIRE_REQUEST:
		return true;
	case KMIG_WIRE_MISSING:
		return !s->postcopy || s->pc_active || s->resume;
	case KMIG_WIRE_POSTCOPY:
		return !s->postcopy || s->pc_active;
	default:
		return false;
	}
}

/* One packet. Returns false when the stream ends. */
static bool wstream_packet(struct wstream *s)
{
	struct kmig_wire_hdr hdr, again;
	u8 re[KMIG_WIRE_HDR_SIZE];
	bool ok;
	int err;

	if (!s->left) {
		wstream_end(s, s->colo_active ? WSTREAM_COLO : WSTREAM_CLOSED,
			    0);
		return false;
	}
	err = kmig_wire_hdr_decode(s->p, s->left, &s->lim, s->seq, &hdr);
	wstream_check_err(err);
	if (s->left < KMIG_WIRE_HDR_SIZE) {
		wstream_need(err == KMIG_WIRE_ESHORT);
		wstream_end(s, WSTREAM_SHORT, err);
		return false;
	}
	if (err) {
		wstream_end(s, WSTREAM_MALFORMED, err);
		return false;
	}

	/* Accepted: the same bytes again, and refused for another seq. */
	wstream_need(kmig_wire_hdr_encode(re, sizeof(re), &hdr) ==
		     KMIG_WIRE_HDR_SIZE);
	wstream_need(!memcmp(re, s->p, sizeof(re)));
	wstream_need(hdr.seq == s->seq && !hdr.flags);
	wstream_need(hdr.type >= KMIG_WIRE_DATA &&
		     hdr.type <= KMIG_WIRE_TYPE_MAX);
	wstream_need(kmig_wire_hdr_decode(s->p, KMIG_WIRE_HDR_SIZE, &s->lim,
					  s->seq + 1, &again) ==
		     KMIG_WIRE_ESEQ);
	if (kmig_wire_type_offsets_only(hdr.type))
		wstream_need(!hdr.data_pages && hdr.zero_pages &&
			     hdr.zero_pages <= s->lim.max_pages);
	else if (hdr.type != KMIG_WIRE_DATA)
		wstream_need(!hdr.data_pages && !hdr.zero_pages);
	if (hdr.type != KMIG_WIRE_CHECKPOINT_ACK)
		wstream_need(!hdr.arg[0] && !hdr.arg[1]);
	wstream_take(s, KMIG_WIRE_HDR_SIZE);
	if (wstream_misplaced(s, hdr.type)) {
		wstream_end(s, WSTREAM_MALFORMED, KMIG_WIRE_ETYPE);
		return false;
	}
	/* A resumed connection starts with its POSTCOPY. */
	if (s->resume && !s->pc_active && hdr.type != KMIG_WIRE_POSTCOPY) {
		wstream_end(s, WSTREAM_REFUSED, 0);
		return false;
	}

	switch (hdr.type) {
	case KMIG_WIRE_DATA:
		if (!wstream_data(s, &hdr))
			return false;
		ok = true;
		break;
	case KMIG_WIRE_SYNC:
		ok = wstream_sync(s, hdr.pass);
		break;
	case KMIG_WIRE_MISSING:
		/* Offsets only: they are missing from POSTCOPY on. */
		if (!wstream_offsets(s, &hdr))
			return false;
		s->res->missing += hdr.zero_pages;
		ok = true;
		break;
	case KMIG_WIRE_POSTCOPY:
		ok = wstream_postcopy(s, hdr.pass);
		break;
	case KMIG_WIRE_CHECKPOINT:
		ok = wstream_checkpoint(s, hdr.pass);
		break;
	case KMIG_WIRE_COMPLETE:
		ok = wstream_complete(s, hdr.pass);
		if (ok && !s->colo) {
			s->res->packets++;
			wstream_end(s, WSTREAM_COMPLETE, 0);
			return false;
		}
		break;
	case KMIG_WIRE_CANCEL:
		/* COLO only; it ends the stream (the secondary's checkpoint). */
		ok = s->colo_active;
		if (ok) {
			s->res->packets++;
			wstream_end(s, WSTREAM_CANCELLED, 0);
			return false;
		}
		break;
	default:
		/* CHECKPOINT_ACK goes the other way only. */
		ok = false;
		break;
	}
	if (!ok) {
		wstream_end(s, WSTREAM_REFUSED, 0);
		return false;
	}
	s->res->packets++;
	s->seq++;
	return true;
}

void wstream_run(const u8 *data, size_t size, struct wstream_result *res)
{
	struct wstream s;

	memset(&s, 0, sizeof(s));
	memset(res, 0, sizeof(*res));
	s.p = data;
	s.left = size;
	s.res = res;
	/* The destination the stream meets (stream_model.h). */
	if (size && (data[0] & WSTREAM_SEL_RESUME)) {
		s.resume = true;
		s.resume_pass = data[0] >> WSTREAM_SEL_PASS_SHIFT &
				WSTREAM_SEL_PASS_MASK;
		s.resume_missing = data[0] >> WSTREAM_SEL_MISSING_SHIFT;
	}
	if (size)
		wstream_take(&s, 1);
	if (wstream_hello(&s)) {
		if (s.resume) {
			/* Postcopy began in that pass: its barrier is open. */
			s.pass = s.resume_pass;
			if (!s.chan)
				wstream_resync(&s);
		}
		while (wstream_packet(&s))
			;
	}
	wstream_need(res->consumed <= size);
	wstream_need(res->consumed + s.left == size);
	switch (res->end) {
	case WSTREAM_REJECTED:
		/* A decoder's error, or POSTCOPY asked for with COLO. */
		wstream_need(res->status != KMIG_WIRE_ACCEPT);
		wstream_need(res->err < 0 ||
			     (!res->err &&
			      res->status == KMIG_WIRE_REJ_FEATURES));
		break;
	case WSTREAM_MALFORMED:
		wstream_need(res->err < 0);
		break;
	case WSTREAM_SHORT:
		wstream_need(res->err == KMIG_WIRE_ESHORT);
		break;
	case WSTREAM_COMPLETE:
		wstream_need(res->syncs >= 1 || res->postcopy);
		wstream_need(!res->err);
		break;
	default:
		wstream_need((unsigned int)res->end < WSTREAM_END_NR);
		wstream_need(!res->err);
		break;
	}
	if (res->end != WSTREAM_REJECTED && res->end != WSTREAM_SHORT)
		wstream_need(res->status == KMIG_WIRE_ACCEPT);
	/* Resumed: no MISSING from the source; channel 0 named its pages. */
	wstream_need(!s.resume || !res->missing);
	wstream_need(!res->resync || (s.resume && !s.chan));
}
