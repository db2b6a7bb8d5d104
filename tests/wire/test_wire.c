// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace tests of the wire codec (kmod/wire.c built as is): randomized
 * round trips and a mutation loop (random bytes of valid encodings flipped,
 * random truncation); the decoders must never crash, must accept or return
 * a known error, and whatever they accept must re-encode to the same bytes
 * and satisfy the documented invariants; the header's page counts of every
 * type, and the offset blocks of MISSING and REQUEST, against rules written
 * out from protocol.rst. Output is TAP.
 *
 *   ./test_wire [iterations [seed]]
 */
#include <stdio.h>
#include <stdlib.h>

#include "wire.h"

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u64 rnd(void)
{
	u64 x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static u64 rnd_below(u64 n)
{
	return n ? rnd() % n : 0;
}

static int n_pass, n_fail, n_tap;
static unsigned long failures;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		if (failures++ < 20) {					\
			fprintf(stderr, "# %s:%d: %s: ", __FILE__,	\
				__LINE__, #cond);			\
			fprintf(stderr, __VA_ARGS__);			\
			fputc('\n', stderr);				\
		}							\
	}								\
} while (0)

static void tap(const char *name, unsigned long fails_before)
{
	bool ok = failures == fails_before;

	n_tap++;
	if (ok)
		n_pass++;
	else
		n_fail++;
	printf("%sok %d - %s\n", ok ? "" : "not ", n_tap, name);
}

static bool known_err(int err)
{
	return err <= 0 && err >= KMIG_WIRE_ERR_MIN &&
	       strcmp(kmig_wire_strerror(err), "unknown error");
}

static void rand_hello(struct kmig_wire_hello *h)
{
	unsigned int i;

	memset(h, 0, sizeof(*h));
	h->version_min = 1;
	h->version_max = 1 + rnd_below(3);
	h->features = rnd();
	for (i = 0; i < sizeof(h->migration_id); i++)
		h->migration_id[i] = rnd();
	h->channel_count = 1 + rnd_below(KMIG_WIRE_MAX_CHANNELS);
	h->channel_id = rnd_below(h->channel_count);
	h->page_size = KMIG_WIRE_PAGE_SIZE_MIN << rnd_below(10);
	h->region_size = (1 + rnd_below(4096)) * (u64)h->page_size;
	if (!rnd_below(8))	/* now and then a huge region */
		h->region_size = (rnd() | 1) * (u64)h->page_size;
	if (!h->region_size)
		h->region_size = h->page_size;
	h->max_pages = 1 + rnd_below(KMIG_WIRE_MAX_PAGES_LIMIT);
}

static void rand_reply(struct kmig_wire_reply *r)
{
	char reason[KMIG_WIRE_REASON_LEN + 8];
	unsigned int i, n = rnd_below(sizeof(reason));
	u16 status = rnd_below(KMIG_WIRE_STATUS_NR);

	for (i = 0; i < n; i++)
		reason[i] = 'a' + rnd_below(26);
	reason[n] = 0;
	kmig_wire_reply_init(r, status ? 0 : 1, status, 0, reason);
}

static void rand_limits(struct kmig_wire_limits *lim)
{
	struct kmig_wire_hello h;

	rand_hello(&h);
	kmig_wire_hello_limits(&h, lim);
}

/* Random distinct aligned offsets inside the region; returns the count. */
static u32 rand_offsets(const struct kmig_wire_limits *lim, u64 *offs,
			u32 want)
{
	u64 pages = lim->region_size / lim->page_size;
	u32 n = 0, i, tries = 0;

	while (n < want && tries++ < want * 8) {
		u64 off = rnd_below(pages) * lim->page_size;

		if (!rnd_below(4))	/* the boundaries, often */
			off = rnd_below(2) ? 0 : lim->region_size - lim->page_size;
		for (i = 0; i < n && offs[i] != off; i++)
			;
		if (i == n)
			offs[n++] = off;
	}
	return n;
}

/*
 * A random header of any type (seq @seq): @offs gets its offsets, DATA's
 * split at random into data and zero pages, MISSING's and REQUEST's all
 * zero pages. Returns the number of offsets.
 */
static u32 rand_hdr(const struct kmig_wire_limits *lim, u64 seq, u64 *offs,
		    struct kmig_wire_hdr *p)
{
	u32 n = 0;

	memset(p, 0, sizeof(*p));
	p->seq = seq;
	p->pass = rnd_below(2) ? rnd() : rnd_below(4);
	p->type = KMIG_WIRE_DATA + rnd_below(KMIG_WIRE_TYPE_MAX);
	if (p->type == KMIG_WIRE_DATA ||
	    kmig_wire_type_offsets_only(p->type)) {
		n = rand_offsets(lim, offs, 1 + rnd_below(lim->max_pages));
		if (p->type == KMIG_WIRE_DATA)
			p->data_pages = rnd_below(n + 1);
		p->zero_pages = n - p->data_pages;
	} else if (p->type == KMIG_WIRE_CHECKPOINT_ACK) {
		p->arg[0] = rnd();
		p->arg[1] = rnd();
	}
	return n;
}

/* The invariants of an accepted offset block, checked independently. */
static void check_offsets(const struct kmig_wire_limits *lim, const u64 *o,
			  u32 n)
{
	u32 i, j;

	for (i = 0; i < n; i++) {
		CHECK(!(o[i] % lim->page_size), "offset %llx unaligned",
		      (unsigned long long)o[i]);
		CHECK(o[i] < lim->region_size &&
		      lim->region_size - o[i] >= lim->page_size,
		      "offset %llx out of range", (unsigned long long)o[i]);
		for (j = 0; j < i; j++)
			CHECK(o[i] != o[j], "duplicate %llx",
			      (unsigned long long)o[i]);
	}
}

static void test_roundtrip(unsigned long iters)
{
	static u64 offs[KMIG_WIRE_MAX_PAGES_LIMIT], out[KMIG_WIRE_MAX_PAGES_LIMIT];
	static u8 buf[KMIG_WIRE_HDR_SIZE +
		      KMIG_WIRE_MAX_PAGES_LIMIT * KMIG_WIRE_OFFSET_SIZE];
	unsigned long before = failures, it;

	for (it = 0; it < iters; it++) {
		struct kmig_wire_hello h, hd;
		struct kmig_wire_reply r, rd;
		struct kmig_wire_limits lim;
		struct kmig_wire_hdr p, pd;
		u32 n;
		int err;

		rand_hello(&h);
		CHECK(kmig_wire_hello_encode(buf, KMIG_WIRE_HELLO_SIZE, &h) ==
		      KMIG_WIRE_HELLO_SIZE, "hello encode");
		err = kmig_wire_hello_decode(buf, KMIG_WIRE_HELLO_SIZE,
					     h.page_size, &hd);
		CHECK(!err, "hello decode: %s", kmig_wire_strerror(err));
		CHECK(!memcmp(&h, &hd, sizeof(h)), "hello differs");
		CHECK(kmig_wire_hello_version(&hd) == 1, "version");

		rand_reply(&r);
		CHECK(kmig_wire_reply_encode(buf, KMIG_WIRE_REPLY_SIZE, &r) ==
		      KMIG_WIRE_REPLY_SIZE, "reply encode");
		err = kmig_wire_reply_decode(buf, KMIG_WIRE_REPLY_SIZE, &rd);
		CHECK(!err, "reply decode: %s", kmig_wire_strerror(err));
		CHECK(!memcmp(&r, &rd, sizeof(r)), "reply differs");

		kmig_wire_hello_limits(&hd, &lim);
		rand_hdr(&lim, rnd(), offs, &p);
		kmig_wire_hdr_encode(buf, sizeof(buf), &p);
		n = kmig_wire_offsets_len(&p) / KMIG_WIRE_OFFSET_SIZE;
		CHECK(kmig_wire_offsets_encode(buf + KMIG_WIRE_HDR_SIZE,
					       sizeof(buf) - KMIG_WIRE_HDR_SIZE,
					       offs, n) ==
		      (int)(n * KMIG_WIRE_OFFSET_SIZE), "offsets encode");
		err = kmig_wire_hdr_decode(buf, KMIG_WIRE_HDR_SIZE, &lim,
					   p.seq, &pd);
		CHECK(!err, "hdr decode: %s", kmig_wire_strerror(err));
		CHECK(!memcmp(&p, &pd, sizeof(p)), "hdr differs");
		CHECK(kmig_wire_data_len(&pd, &lim) ==
		      (u64)p.data_pages * lim.page_size, "data len");
		err = kmig_wire_offsets_decode(buf + KMIG_WIRE_HDR_SIZE,
					       kmig_wire_offsets_len(&pd), &pd,
					       &lim, out);
		CHECK(!err, "offsets decode: %s", kmig_wire_strerror(err));
		CHECK(!memcmp(offs, out, n * sizeof(u64)), "offsets differ");
	}
	tap("randomized round trips", before);
}

/* Flip 1..4 random bytes of @buf[0..len), sometimes truncate. */
static size_t mutate(u8 *buf, size_t len)
{
	unsigned int i, flips = 1 + rnd_below(4);

	for (i = 0; i < flips; i++)
		buf[rnd_below(len)] ^= 1 + rnd_below(255);
	if (!rnd_below(16))
		len = rnd_below(len);
	return len;
}

/* Copy to an exactly sized heap buffer so ASan sees any overread. */
static u8 *exact(const u8 *src, size_t len)
{
	u8 *p = malloc(len ? len : 1);

	if (!p)
		abort();
	memcpy(p, src, len);
	return p;
}

static void test_mutation(unsigned long iters, unsigned long *accepted,
			  unsigned long *errs)
{
	static u64 offs[KMIG_WIRE_MAX_PAGES_LIMIT], out[KMIG_WIRE_MAX_PAGES_LIMIT];
	static u8 buf[KMIG_WIRE_HDR_SIZE +
		      KMIG_WIRE_MAX_PAGES_LIMIT * KMIG_WIRE_OFFSET_SIZE];
	u8 re[KMIG_WIRE_HELLO_SIZE];
	unsigned long before = failures, it;

	for (it = 0; it < iters; it++) {
		struct kmig_wire_limits lim;
		struct kmig_wire_hello h;
		struct kmig_wire_reply r;
		struct kmig_wire_hdr p;
		size_t len;
		u8 *m;
		u32 n;
		int err;

		switch (it % 4) {
		case 0:
			rand_hello(&h);
			kmig_wire_hello_encode(buf, KMIG_WIRE_HELLO_SIZE, &h);
			len = mutate(buf, KMIG_WIRE_HELLO_SIZE);
			m = exact(buf, len);
			err = kmig_wire_hello_decode(m, len, h.page_size, &h);
			if (!err) {
				kmig_wire_hello_encode(re, sizeof(re), &h);
				CHECK(!memcmp(re, m, KMIG_WIRE_HELLO_SIZE),
				      "accepted hello is not canonical");
				kmig_wire_hello_limits(&h, &lim);
				CHECK(!kmig_wire_limits_check(&lim),
				      "accepted hello, bad limits");
				CHECK(h.channel_id < h.channel_count, "chan");
			}
			break;
		case 1:
			rand_reply(&r);
			kmig_wire_reply_encode(buf, KMIG_WIRE_REPLY_SIZE, &r);
			len = mutate(buf, KMIG_WIRE_REPLY_SIZE);
			m = exact(buf, len);
			err = kmig_wire_reply_decode(m, len, &r);
			if (!err) {
				kmig_wire_reply_encode(re, sizeof(re), &r);
				CHECK(!memcmp(re, m, KMIG_WIRE_REPLY_SIZE),
				      "accepted reply is not canonical");
				CHECK(strnlen(r.reason, sizeof(r.reason)) <
				      sizeof(r.reason), "reason unterminated");
			}
			break;
		case 2:
		default:
			rand_limits(&lim);
			n = rand_hdr(&lim, rnd_below(4), offs, &p);
			kmig_wire_hdr_encode(buf, sizeof(buf), &p);
			kmig_wire_offsets_encode(buf + KMIG_WIRE_HDR_SIZE,
						 sizeof(buf) - KMIG_WIRE_HDR_SIZE,
						 offs, n);
			len = KMIG_WIRE_HDR_SIZE + n * KMIG_WIRE_OFFSET_SIZE;
			/* case 2: mutate anywhere; case 3: offsets only */
			if (it % 4 == 2 || !n)
				len = mutate(buf, len);
			else
				len = KMIG_WIRE_HDR_SIZE +
				      mutate(buf + KMIG_WIRE_HDR_SIZE,
					     len - KMIG_WIRE_HDR_SIZE);
			m = exact(buf, len);
			err = kmig_wire_hdr_decode(m, len, &lim, p.seq, &p);
			if (!err) {
				kmig_wire_hdr_encode(re, sizeof(re), &p);
				CHECK(!memcmp(re, m, KMIG_WIRE_HDR_SIZE),
				      "accepted header is not canonical");
				n = p.data_pages + p.zero_pages;
				CHECK(p.type >= KMIG_WIRE_DATA &&
				      p.type <= KMIG_WIRE_TYPE_MAX, "type %u",
				      p.type);
				CHECK(p.type == KMIG_WIRE_DATA ||
				      kmig_wire_type_offsets_only(p.type) ?
				      n && n <= lim.max_pages : !n, "counts");
				CHECK(!kmig_wire_type_offsets_only(p.type) ||
				      !p.data_pages, "data in type %u", p.type);
				CHECK(p.type == KMIG_WIRE_CHECKPOINT_ACK ||
				      (!p.arg[0] && !p.arg[1]), "arguments");
				err = kmig_wire_offsets_decode(m + KMIG_WIRE_HDR_SIZE,
							       len - KMIG_WIRE_HDR_SIZE,
							       &p, &lim, out);
				if (!err)
					check_offsets(&lim, out, n);
			}
			break;
		}
		free(m);
		CHECK(known_err(err), "unknown error %d", err);
		if (err)
			errs[-err]++;
		else
			(*accepted)++;
	}
	tap("mutated encodings: no crash, known errors, canonical accepts",
	    before);
}

/*
 * The page counts of a header, protocol.rst's rules written out: DATA
 * 1..max_pages pages; MISSING and REQUEST no data page and 1..max_pages
 * offsets; every other type none; types outside 1..9 unknown.
 */
static int want_counts(u16 type, u32 nd, u32 nz, u32 max_pages)
{
	u64 n = (u64)nd + nz;

	if (type < 1 || type > 9)
		return KMIG_WIRE_ETYPE;
	if (type == 1)
		return n >= 1 && n <= max_pages ? 0 : KMIG_WIRE_ECOUNT;
	if (type == 7 || type == 9)
		return !nd && nz >= 1 && nz <= max_pages ? 0 : KMIG_WIRE_ECOUNT;
	return n ? KMIG_WIRE_ECOUNT_NONZERO : 0;
}

static void test_counts(void)
{
	static const u32 counts[] = {
		0, 1, 2, 127, 128, 129, 511, 512, 513, 0x7fffffff, 0xffffffff,
	};
	static const u32 maxes[] = { 1, 128, KMIG_WIRE_MAX_PAGES_LIMIT };
	unsigned long before = failures;
	struct kmig_wire_limits lim;
	struct kmig_wire_hdr p, d;
	u8 buf[KMIG_WIRE_HDR_SIZE];
	unsigned int m, i, j, type;
	int err, want;

	rand_limits(&lim);
	for (m = 0; m < ARRAY_SIZE(maxes); m++) {
		lim.max_pages = maxes[m];
		for (type = 0; type <= 11; type++) {
			for (i = 0; i < ARRAY_SIZE(counts); i++) {
				for (j = 0; j < ARRAY_SIZE(counts); j++) {
					memset(&p, 0, sizeof(p));
					p.type = type;
					p.seq = 5;
					p.data_pages = counts[i];
					p.zero_pages = counts[j];
					p.pass = 3;
					kmig_wire_hdr_encode(buf, sizeof(buf), &p);
					want = want_counts(type, counts[i],
							   counts[j], maxes[m]);
					err = kmig_wire_hdr_decode(buf,
								   sizeof(buf),
								   &lim, 5, &d);
					CHECK(err == want,
					      "type %u, %u + %u pages, max %u: %s, want %s",
					      type, counts[i], counts[j],
					      maxes[m], kmig_wire_strerror(err),
					      kmig_wire_strerror(want));
					if (!err)
						CHECK(!memcmp(&p, &d, sizeof(p)),
						      "type %u differs", type);
				}
			}
		}
	}
	tap("page counts of every type (MISSING, REQUEST: offsets only)",
	    before);
}

/*
 * A MISSING or REQUEST offset block is checked as DATA's: a valid one is
 * accepted; one offset made misaligned, out of the region or equal to
 * another is refused with that error.
 */
static void test_offsets_only(unsigned long iters)
{
	static u64 offs[KMIG_WIRE_MAX_PAGES_LIMIT], out[KMIG_WIRE_MAX_PAGES_LIMIT];
	static u8 buf[KMIG_WIRE_MAX_PAGES_LIMIT * KMIG_WIRE_OFFSET_SIZE];
	unsigned long before = failures, it;
	struct kmig_wire_limits lim;
	struct kmig_wire_hdr p;
	u64 keep, pages;
	u32 n, k, j;
	int err, want;

	for (it = 0; it < iters; it++) {
		rand_limits(&lim);
		memset(&p, 0, sizeof(p));
		p.type = rnd_below(2) ? KMIG_WIRE_MISSING : KMIG_WIRE_REQUEST;
		n = rand_offsets(&lim, offs, 1 + rnd_below(lim.max_pages));
		p.zero_pages = n;
		kmig_wire_offsets_encode(buf, sizeof(buf), offs, n);
		err = kmig_wire_offsets_decode(buf, n * KMIG_WIRE_OFFSET_SIZE,
					       &p, &lim, out);
		CHECK(!err, "valid block: %s", kmig_wire_strerror(err));
		CHECK(!memcmp(offs, out, n * sizeof(u64)), "offsets differ");

		k = rnd_below(n);
		keep = offs[k];
		pages = lim.region_size / lim.page_size;
		switch (rnd_below(n > 1 ? 3 : 2)) {
		case 0:
			offs[k] += 1 + rnd_below(lim.page_size - 1);
			want = KMIG_WIRE_EALIGN;
			break;
		case 1:
			/* An aligned offset from region_size to 2^64 - page. */
			offs[k] = (pages + rnd_below((0ULL - lim.page_size) /
						     lim.page_size - pages + 1)) *
				  lim.page_size;
			want = KMIG_WIRE_ERANGE;
			break;
		default:
			j = (k + 1 + rnd_below(n - 1)) % n;
			offs[k] = offs[j];
			want = KMIG_WIRE_EDUP;
			break;
		}
		kmig_wire_offsets_encode(buf, sizeof(buf), offs, n);
		err = kmig_wire_offsets_decode(buf, n * KMIG_WIRE_OFFSET_SIZE,
					       &p, &lim, out);
		CHECK(err == want, "%s offset %u of %u: %s, want %s",
		      p.type == KMIG_WIRE_MISSING ? "MISSING" : "REQUEST", k,
		      n, kmig_wire_strerror(err), kmig_wire_strerror(want));
		offs[k] = keep;
	}
	tap("MISSING and REQUEST offset blocks checked as DATA's", before);
}

int main(int argc, char **argv)
{
	unsigned long iters = argc > 1 ? strtoul(argv[1], NULL, 0) : 200000;
	unsigned long accepted = 0, errs[1 - KMIG_WIRE_ERR_MIN] = { 0 };
	int e;

	if (argc > 2)
		rng_state = strtoull(argv[2], NULL, 0) | 1;
	printf("TAP version 13\n1..4\n");
	printf("# %lu iterations, seed %#llx\n", iters,
	       (unsigned long long)rng_state);
	test_roundtrip(iters / 4);
	test_mutation(iters, &accepted, errs);
	test_counts();
	test_offsets_only(iters / 8);
	printf("# mutation results: %lu accepted\n", accepted);
	for (e = -1; e >= KMIG_WIRE_ERR_MIN; e--)
		if (errs[-e])
			printf("#   %6lu %s\n", errs[-e], kmig_wire_strerror(e));
	printf("# %d passed, %d failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
