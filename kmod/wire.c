// SPDX-License-Identifier: GPL-2.0
/*
 * Wire protocol v1 codec (Documentation/kmig/protocol.rst). No kernel-only
 * dependency: wire.h maps the few differences, and tests/wire builds this
 * file in userspace for the randomized and fuzz tests.
 *
 * Decoders read the buffer with memcpy() (any alignment), check every
 * field, and only then fill the caller's structure; they never allocate.
 */
#include "wire.h"

/* Every wire layout pinned: sizes and field offsets. */
#define WIRE_AT(type, field, off) \
	static_assert(offsetof(struct type, field) == (off), #field)

static_assert(sizeof(struct kmig_wire_hello_be) == KMIG_WIRE_HELLO_SIZE,
	      "hello size");
static_assert(sizeof(struct kmig_wire_reply_be) == KMIG_WIRE_REPLY_SIZE,
	      "reply size");
static_assert(sizeof(struct kmig_wire_hdr_be) == KMIG_WIRE_HDR_SIZE,
	      "header size");
static_assert(sizeof(struct kmig_wire_auth_be) == KMIG_WIRE_AUTH_SIZE,
	      "auth size");
static_assert(sizeof(KMIG_WIRE_AUTH_LABEL_SRC) - 1 ==
	      KMIG_WIRE_AUTH_LABEL_LEN, "auth label size");
static_assert(sizeof(KMIG_WIRE_AUTH_LABEL_DST) - 1 ==
	      KMIG_WIRE_AUTH_LABEL_LEN, "auth label size");
WIRE_AT(kmig_wire_hello_be, version_min, 4);
WIRE_AT(kmig_wire_hello_be, version_max, 6);
WIRE_AT(kmig_wire_hello_be, features, 8);
WIRE_AT(kmig_wire_hello_be, migration_id, 16);
WIRE_AT(kmig_wire_hello_be, channel_id, 32);
WIRE_AT(kmig_wire_hello_be, channel_count, 34);
WIRE_AT(kmig_wire_hello_be, page_size, 36);
WIRE_AT(kmig_wire_hello_be, region_size, 40);
WIRE_AT(kmig_wire_hello_be, max_pages, 48);
WIRE_AT(kmig_wire_hello_be, reserved, 52);
WIRE_AT(kmig_wire_reply_be, version, 4);
WIRE_AT(kmig_wire_reply_be, status, 6);
WIRE_AT(kmig_wire_reply_be, features, 8);
WIRE_AT(kmig_wire_reply_be, reason, 16);
WIRE_AT(kmig_wire_reply_be, reserved, 56);
WIRE_AT(kmig_wire_hdr_be, type, 4);
WIRE_AT(kmig_wire_hdr_be, flags, 6);
WIRE_AT(kmig_wire_hdr_be, seq, 8);
WIRE_AT(kmig_wire_hdr_be, data_pages, 16);
WIRE_AT(kmig_wire_hdr_be, zero_pages, 20);
WIRE_AT(kmig_wire_hdr_be, pass, 24);
WIRE_AT(kmig_wire_hdr_be, reserved, 32);
WIRE_AT(kmig_wire_auth_be, step, 4);
WIRE_AT(kmig_wire_auth_be, reserved0, 6);
WIRE_AT(kmig_wire_auth_be, nonce, 8);
WIRE_AT(kmig_wire_auth_be, mac, 40);
WIRE_AT(kmig_wire_auth_be, reserved, 72);
/* An offset block always fits an int return value. */
static_assert(KMIG_WIRE_MAX_PAGES_LIMIT * (u64)KMIG_WIRE_OFFSET_SIZE <
	      0x7fffffff, "offset block size");

static const char * const wire_errs[] = {
	[0] = "ok",
	[-KMIG_WIRE_ESHORT] = "short buffer",
	[-KMIG_WIRE_EMAGIC] = "bad magic",
	[-KMIG_WIRE_EVERSION] = "unsupported version",
	[-KMIG_WIRE_ETYPE] = "unknown packet type",
	[-KMIG_WIRE_EFLAGS] = "unknown packet flags",
	[-KMIG_WIRE_ERESERVED] = "non-zero reserved bytes",
	[-KMIG_WIRE_ECOUNT] = "page count zero or over the maximum, or data in MISSING or REQUEST",
	[-KMIG_WIRE_ECOUNT_NONZERO] = "page counts on a SYNC or COMPLETE",
	[-KMIG_WIRE_ESEQ] = "packet number out of sequence",
	[-KMIG_WIRE_EALIGN] = "offset not page aligned",
	[-KMIG_WIRE_ERANGE] = "offset outside the region",
	[-KMIG_WIRE_EDUP] = "duplicate offset in a packet",
	[-KMIG_WIRE_EPAGE_SIZE] = "bad page size",
	[-KMIG_WIRE_EPAGE_SIZE_LOCAL] = "page size differs from the local one",
	[-KMIG_WIRE_ECHANNEL_ID] = "channel id out of range",
	[-KMIG_WIRE_ECHANNEL_COUNT] = "bad channel count",
	[-KMIG_WIRE_EREGION_SIZE] = "bad region size",
	[-KMIG_WIRE_EMAX_PAGES] = "bad maximum pages per packet",
	[-KMIG_WIRE_ESTATUS] = "unknown reply status",
	[-KMIG_WIRE_EREASON] = "reason string not NUL padded",
	[-KMIG_WIRE_EFEATURES] = "reply accepts an unknown feature",
	[-KMIG_WIRE_EAUTH_STEP] = "authentication message out of order",
	[-KMIG_WIRE_EAUTH_FIELD] = "authentication field set where zero",
};

static_assert(ARRAY_SIZE(wire_errs) == 1 - KMIG_WIRE_ERR_MIN,
	      "a string per error");

const char *kmig_wire_strerror(int err)
{
	if (err > 0 || err < KMIG_WIRE_ERR_MIN)
		return "unknown error";
	return wire_errs[-err];
}

static const char * const wire_status[] = {
	[KMIG_WIRE_ACCEPT] = "accepted",
	[KMIG_WIRE_REJ_MAGIC] = "bad magic",
	[KMIG_WIRE_REJ_VERSION] = "no common version",
	[KMIG_WIRE_REJ_MIGRATION_ID] = "wrong migration id",
	[KMIG_WIRE_REJ_CHANNEL_COUNT] = "wrong channel count",
	[KMIG_WIRE_REJ_CHANNEL_ID] = "channel id out of range or duplicate",
	[KMIG_WIRE_REJ_PAGE_SIZE] = "page size mismatch",
	[KMIG_WIRE_REJ_REGION_SIZE] = "region size mismatch",
	[KMIG_WIRE_REJ_BUSY] = "busy",
	[KMIG_WIRE_REJ_MALFORMED] = "malformed hello",
	[KMIG_WIRE_REJ_MAX_PAGES] = "bad maximum pages per packet",
	[KMIG_WIRE_REJ_FEATURES] = "features not supported or not enabled",
	[KMIG_WIRE_REJ_AUTH] = "authentication failed",
};

static_assert(ARRAY_SIZE(wire_status) == KMIG_WIRE_STATUS_NR,
	      "a string per status");

const char *kmig_wire_status_str(unsigned int status)
{
	if (status >= KMIG_WIRE_STATUS_NR)
		return "unknown status";
	return wire_status[status];
}

enum kmig_wire_status kmig_wire_err_to_status(int err)
{
	switch (err) {
	case KMIG_WIRE_OK:
		return KMIG_WIRE_ACCEPT;
	case KMIG_WIRE_EMAGIC:
		return KMIG_WIRE_REJ_MAGIC;
	case KMIG_WIRE_EVERSION:
		return KMIG_WIRE_REJ_VERSION;
	case KMIG_WIRE_ECHANNEL_COUNT:
		return KMIG_WIRE_REJ_CHANNEL_COUNT;
	case KMIG_WIRE_ECHANNEL_ID:
		return KMIG_WIRE_REJ_CHANNEL_ID;
	case KMIG_WIRE_EPAGE_SIZE:
	case KMIG_WIRE_EPAGE_SIZE_LOCAL:
		return KMIG_WIRE_REJ_PAGE_SIZE;
	case KMIG_WIRE_EREGION_SIZE:
		return KMIG_WIRE_REJ_REGION_SIZE;
	case KMIG_WIRE_EMAX_PAGES:
		return KMIG_WIRE_REJ_MAX_PAGES;
	default:
		return KMIG_WIRE_REJ_MALFORMED;
	}
}

static bool wire_all_zero(const void *p, size_t len)
{
	const u8 *b = p;

	while (len--)
		if (*b++)
			return false;
	return true;
}

static bool wire_pow2(u64 x)
{
	return x && !(x & (x - 1));
}

static int wire_check_page_size(u32 page_size)
{
	if (!wire_pow2(page_size) || page_size < KMIG_WIRE_PAGE_SIZE_MIN ||
	    page_size > KMIG_WIRE_PAGE_SIZE_MAX)
		return KMIG_WIRE_EPAGE_SIZE;
	return 0;
}

static int wire_check_region_size(u64 region_size, u32 page_size)
{
	if (!region_size || (region_size & ((u64)page_size - 1)))
		return KMIG_WIRE_EREGION_SIZE;
	return 0;
}

static int wire_check_max_pages(u32 max_pages)
{
	if (!max_pages || max_pages > KMIG_WIRE_MAX_PAGES_LIMIT)
		return KMIG_WIRE_EMAX_PAGES;
	return 0;
}

static int wire_check_channel_count(u32 count)
{
	if (!count || count > KMIG_WIRE_MAX_CHANNELS)
		return KMIG_WIRE_ECHANNEL_COUNT;
	return 0;
}

int kmig_wire_limits_check(const struct kmig_wire_limits *lim)
{
	int err;

	err = wire_check_page_size(lim->page_size);
	if (!err)
		err = wire_check_region_size(lim->region_size, lim->page_size);
	if (!err)
		err = wire_check_max_pages(lim->max_pages);
	if (!err)
		err = wire_check_channel_count(lim->channel_count);
	return err;
}

/* ----- hello ----- */

int kmig_wire_hello_encode(void *buf, size_t len,
			   const struct kmig_wire_hello *h)
{
	struct kmig_wire_hello_be w;

	if (len < sizeof(w))
		return KMIG_WIRE_ESHORT;
	memset(&w, 0, sizeof(w));
	w.magic = cpu_to_be32(KMIG_WIRE_HELLO_MAGIC);
	w.version_min = cpu_to_be16(h->version_min);
	w.version_max = cpu_to_be16(h->version_max);
	w.features = cpu_to_be64(h->features);
	memcpy(w.migration_id, h->migration_id, sizeof(w.migration_id));
	w.channel_id = cpu_to_be16(h->channel_id);
	w.channel_count = cpu_to_be16(h->channel_count);
	w.page_size = cpu_to_be32(h->page_size);
	w.region_size = cpu_to_be64(h->region_size);
	w.max_pages = cpu_to_be32(h->max_pages);
	memcpy(buf, &w, sizeof(w));
	return sizeof(w);
}

static u16 wire_common_version(u16 vmin, u16 vmax)
{
	u16 v = vmax < KMIG_WIRE_VERSION_MAX ? vmax : KMIG_WIRE_VERSION_MAX;

	if (!vmin || vmin > vmax || v < vmin || v < KMIG_WIRE_VERSION_MIN)
		return 0;
	return v;
}

u16 kmig_wire_hello_version(const struct kmig_wire_hello *h)
{
	return wire_common_version(h->version_min, h->version_max);
}

int kmig_wire_hello_decode(const void *buf, size_t len, u32 local_page_size,
			   struct kmig_wire_hello *h)
{
	struct kmig_wire_hello_be w;
	struct kmig_wire_hello d;
	int err;

	if (len < sizeof(w))
		return KMIG_WIRE_ESHORT;
	memcpy(&w, buf, sizeof(w));
	memset(&d, 0, sizeof(d));	/* padding too: callers may memcmp */
	if (be32_to_cpu(w.magic) != KMIG_WIRE_HELLO_MAGIC)
		return KMIG_WIRE_EMAGIC;
	/*
	 * The version range before anything else: the rest of a hello that
	 * does not offer a version we speak is in a layout we do not know,
	 * and its sender gets "unsupported version", not a field's error.
	 */
	d.version_min = be16_to_cpu(w.version_min);
	d.version_max = be16_to_cpu(w.version_max);
	if (!wire_common_version(d.version_min, d.version_max))
		return KMIG_WIRE_EVERSION;
	if (!wire_all_zero(w.reserved, sizeof(w.reserved)))
		return KMIG_WIRE_ERESERVED;

	d.features = be64_to_cpu(w.features);
	memcpy(d.migration_id, w.migration_id, sizeof(d.migration_id));
	d.channel_id = be16_to_cpu(w.channel_id);
	d.channel_count = be16_to_cpu(w.channel_count);
	d.page_size = be32_to_cpu(w.page_size);
	d.region_size = be64_to_cpu(w.region_size);
	d.max_pages = be32_to_cpu(w.max_pages);

	err = wire_check_channel_count(d.channel_count);
	if (err)
		return err;
	if (d.channel_id >= d.channel_count)
		return KMIG_WIRE_ECHANNEL_ID;
	err = wire_check_page_size(d.page_size);
	if (err)
		return err;
	if (d.page_size != local_page_size)
		return KMIG_WIRE_EPAGE_SIZE_LOCAL;
	err = wire_check_region_size(d.region_size, d.page_size);
	if (err)
		return err;
	err = wire_check_max_pages(d.max_pages);
	if (err)
		return err;
	*h = d;
	return 0;
}

void kmig_wire_hello_limits(const struct kmig_wire_hello *h,
			    struct kmig_wire_limits *lim)
{
	lim->page_size = h->page_size;
	lim->max_pages = h->max_pages;
	lim->region_size = h->region_size;
	lim->channel_count = h->channel_count;
}

/* ----- hello reply ----- */

void kmig_wire_reply_init(struct kmig_wire_reply *r, u16 version, u16 status,
			  u64 features, const char *reason)
{
	size_t n = reason ? strnlen(reason, sizeof(r->reason) - 1) : 0;

	memset(r, 0, sizeof(*r));
	r->version = version;
	r->status = status;
	r->features = features;
	if (n)
		memcpy(r->reason, reason, n);
}

int kmig_wire_reply_encode(void *buf, size_t len,
			   const struct kmig_wire_reply *r)
{
	struct kmig_wire_reply_be w;
	size_t n = strnlen(r->reason, sizeof(r->reason) - 1);

	if (len < sizeof(w))
		return KMIG_WIRE_ESHORT;
	memset(&w, 0, sizeof(w));
	w.magic = cpu_to_be32(KMIG_WIRE_REPLY_MAGIC);
	w.version = cpu_to_be16(r->version);
	w.status = cpu_to_be16(r->status);
	w.features = cpu_to_be64(r->features);
	memcpy(w.reason, r->reason, n);
	memcpy(buf, &w, sizeof(w));
	return sizeof(w);
}

int kmig_wire_reply_decode(const void *buf, size_t len,
			   struct kmig_wire_reply *r)
{
	struct kmig_wire_reply_be w;
	struct kmig_wire_reply d;
	size_t n;

	if (len < sizeof(w))
		return KMIG_WIRE_ESHORT;
	memcpy(&w, buf, sizeof(w));
	memset(&d, 0, sizeof(d));	/* padding too: callers may memcmp */
	if (be32_to_cpu(w.magic) != KMIG_WIRE_REPLY_MAGIC)
		return KMIG_WIRE_EMAGIC;
	if (!wire_all_zero(w.reserved, sizeof(w.reserved)))
		return KMIG_WIRE_ERESERVED;
	d.version = be16_to_cpu(w.version);
	d.status = be16_to_cpu(w.status);
	d.features = be64_to_cpu(w.features);
	if (d.status >= KMIG_WIRE_STATUS_NR)
		return KMIG_WIRE_ESTATUS;
	n = strnlen(w.reason, sizeof(w.reason));
	if (n == sizeof(w.reason) ||
	    !wire_all_zero(w.reason + n, sizeof(w.reason) - n))
		return KMIG_WIRE_EREASON;
	if (d.status == KMIG_WIRE_ACCEPT) {
		if (d.version < KMIG_WIRE_VERSION_MIN ||
		    d.version > KMIG_WIRE_VERSION_MAX)
			return KMIG_WIRE_EVERSION;
		if (d.features & ~KMIG_WIRE_FEATURES_KNOWN)
			return KMIG_WIRE_EFEATURES;
	}
	memcpy(d.reason, w.reason, sizeof(d.reason));
	*r = d;
	return 0;
}

/* ----- authentication ----- */

int kmig_wire_auth_encode(void *buf, size_t len,
			  const struct kmig_wire_auth *a)
{
	struct kmig_wire_auth_be w;

	if (len < sizeof(w))
		return KMIG_WIRE_ESHORT;
	memset(&w, 0, sizeof(w));
	w.magic = cpu_to_be32(KMIG_WIRE_AUTH_MAGIC);
	w.step = cpu_to_be16(a->step);
	memcpy(w.nonce, a->nonce, sizeof(w.nonce));
	memcpy(w.mac, a->mac, sizeof(w.mac));
	memcpy(buf, &w, sizeof(w));
	return sizeof(w);
}

int kmig_wire_auth_decode(const void *buf, size_t len, u16 step,
			  struct kmig_wire_auth *a)
{
	struct kmig_wire_auth_be w;

	if (len < sizeof(w))
		return KMIG_WIRE_ESHORT;
	memcpy(&w, buf, sizeof(w));
	if (be32_to_cpu(w.magic) != KMIG_WIRE_AUTH_MAGIC)
		return KMIG_WIRE_EMAGIC;
	if (!wire_all_zero(w.reserved0, sizeof(w.reserved0)) ||
	    !wire_all_zero(w.reserved, sizeof(w.reserved)))
		return KMIG_WIRE_ERESERVED;
	if (be16_to_cpu(w.step) != step)
		return KMIG_WIRE_EAUTH_STEP;
	if ((step == KMIG_WIRE_AUTH_CHALLENGE &&
	     !wire_all_zero(w.mac, sizeof(w.mac))) ||
	    (step == KMIG_WIRE_AUTH_PROOF &&
	     !wire_all_zero(w.nonce, sizeof(w.nonce))))
		return KMIG_WIRE_EAUTH_FIELD;
	a->step = step;
	memcpy(a->nonce, w.nonce, sizeof(a->nonce));
	memcpy(a->mac, w.mac, sizeof(a->mac));
	return 0;
}

/* ----- packets ----- */

int kmig_wire_hdr_encode(void *buf, size_t len, const struct kmig_wire_hdr *hdr)
{
	struct kmig_wire_hdr_be w;

	if (len < sizeof(w))
		return KMIG_WIRE_ESHORT;
	memset(&w, 0, sizeof(w));
	w.magic = cpu_to_be32(KMIG_WIRE_PKT_MAGIC);
	w.type = cpu_to_be16(hdr->type);
	w.flags = cpu_to_be16(hdr->flags);
	w.seq = cpu_to_be64(hdr->seq);
	w.data_pages = cpu_to_be32(hdr->data_pages);
	w.zero_pages = cpu_to_be32(hdr->zero_pages);
	w.pass = cpu_to_be64(hdr->pass);
	if (hdr->type == KMIG_WIRE_CHECKPOINT_ACK) {
		__be64 a[2] = { cpu_to_be64(hdr->arg[0]),
				cpu_to_be64(hdr->arg[1]) };

		memcpy(w.reserved, a, sizeof(a));
	}
	memcpy(buf, &w, sizeof(w));
	return sizeof(w);
}

static int wire_check_counts(const struct kmig_wire_hdr *d,
			     const struct kmig_wire_limits *lim)
{
	u64 n = (u64)d->data_pages + d->zero_pages;

	if (d->type == KMIG_WIRE_DATA) {
		if (!n || n > lim->max_pages)
			return KMIG_WIRE_ECOUNT;
	} else if (kmig_wire_type_offsets_only(d->type)) {
		/* Offsets only: in the zero_pages count, no data pages. */
		if (d->data_pages || !n || n > lim->max_pages)
			return KMIG_WIRE_ECOUNT;
	} else if (n) {
		return KMIG_WIRE_ECOUNT_NONZERO;
	}
	return 0;
}

int kmig_wire_hdr_decode(const void *buf, size_t len,
			 const struct kmig_wire_limits *lim, u64 expected_seq,
			 struct kmig_wire_hdr *hdr)
{
	struct kmig_wire_hdr_be w;
	struct kmig_wire_hdr d;
	int err;

	err = kmig_wire_limits_check(lim);
	if (err)
		return err;
	if (len < sizeof(w))
		return KMIG_WIRE_ESHORT;
	memcpy(&w, buf, sizeof(w));
	memset(&d, 0, sizeof(d));	/* padding too: callers may memcmp */
	if (be32_to_cpu(w.magic) != KMIG_WIRE_PKT_MAGIC)
		return KMIG_WIRE_EMAGIC;
	d.type = be16_to_cpu(w.type);
	d.flags = be16_to_cpu(w.flags);
	d.seq = be64_to_cpu(w.seq);
	d.data_pages = be32_to_cpu(w.data_pages);
	d.zero_pages = be32_to_cpu(w.zero_pages);
	d.pass = be64_to_cpu(w.pass);
	if (d.type < KMIG_WIRE_DATA || d.type > KMIG_WIRE_TYPE_MAX)
		return KMIG_WIRE_ETYPE;
	if (d.flags & ~KMIG_WIRE_FLAGS_KNOWN)
		return KMIG_WIRE_EFLAGS;
	if (d.type == KMIG_WIRE_CHECKPOINT_ACK) {
		__be64 a[2];

		memcpy(a, w.reserved, sizeof(a));
		d.arg[0] = be64_to_cpu(a[0]);
		d.arg[1] = be64_to_cpu(a[1]);
		if (!wire_all_zero(w.reserved + sizeof(a),
				   sizeof(w.reserved) - sizeof(a)))
			return KMIG_WIRE_ERESERVED;
	} else if (!wire_all_zero(w.reserved, sizeof(w.reserved))) {
		return KMIG_WIRE_ERESERVED;
	}
	if (d.seq != expected_seq)
		return KMIG_WIRE_ESEQ;
	err = wire_check_counts(&d, lim);
	if (err)
		return err;
	*hdr = d;
	return 0;
}

size_t kmig_wire_offsets_len(const struct kmig_wire_hdr *hdr)
{
	return ((size_t)hdr->data_pages + hdr->zero_pages) *
		KMIG_WIRE_OFFSET_SIZE;
}

u64 kmig_wire_data_len(const struct kmig_wire_hdr *hdr,
		       const struct kmig_wire_limits *lim)
{
	return (u64)hdr->data_pages * lim->page_size;
}

int kmig_wire_offsets_encode(void *buf, size_t len, const u64 *offs, u32 n)
{
	u8 *p = buf;
	__be64 v;
	u32 i;

	if (n > KMIG_WIRE_MAX_PAGES_LIMIT ||
	    len < (size_t)n * KMIG_WIRE_OFFSET_SIZE)
		return KMIG_WIRE_ESHORT;
	for (i = 0; i < n; i++) {
		v = cpu_to_be64(offs[i]);
		memcpy(p + (size_t)i * KMIG_WIRE_OFFSET_SIZE, &v, sizeof(v));
	}
	return (int)(n * KMIG_WIRE_OFFSET_SIZE);
}

#ifdef KMIG_BENCH
bool kmig_wire_dup_scan;
#define wire_dup_scan	READ_ONCE(kmig_wire_dup_scan)
#else
#define wire_dup_scan	false
#endif

/* Is an offset there twice? Any order: n <= KMIG_WIRE_MAX_PAGES_LIMIT. */
static bool wire_offsets_dup(const u64 *offs, u32 n)
{
	u32 i, j;

	for (i = 1; i < n; i++)
		for (j = 0; j < i; j++)
			if (offs[j] == offs[i])
				return true;
	return false;
}

/* Strictly ascending: then no offset is there twice. */
static bool wire_offsets_ascending(const u64 *offs, u32 n)
{
	u32 i;

	for (i = 1; i < n; i++)
		if (offs[i] <= offs[i - 1])
			return false;
	return true;
}

/* Two strictly ascending lists with no offset in common (a merge walk). */
static bool wire_offsets_disjoint(const u64 *a, u32 na, const u64 *b, u32 nb)
{
	u32 i = 0, j = 0;

	while (i < na && j < nb) {
		if (a[i] == b[j])
			return false;
		if (a[i] < b[j])
			i++;
		else
			j++;
	}
	return true;
}

int kmig_wire_offsets_decode(const void *buf, size_t len,
			     const struct kmig_wire_hdr *hdr,
			     const struct kmig_wire_limits *lim, u64 *out)
{
	const u8 *p = buf;
	u64 n, last, off;
	__be64 v;
	u32 i;
	int err;

	err = kmig_wire_limits_check(lim);
	if (err)
		return err;
	err = wire_check_counts(hdr, lim);
	if (err)
		return err;
	n = (u64)hdr->data_pages + hdr->zero_pages;
	if (len < n * KMIG_WIRE_OFFSET_SIZE)
		return KMIG_WIRE_ESHORT;
	/* region_size >= page_size: checked with the limits. */
	last = lim->region_size - lim->page_size;
	for (i = 0; i < n; i++) {
		memcpy(&v, p + (size_t)i * KMIG_WIRE_OFFSET_SIZE, sizeof(v));
		off = be64_to_cpu(v);
		err = 0;
		if (off & ((u64)lim->page_size - 1))
			err = KMIG_WIRE_EALIGN;
		else if (off > last)
			err = KMIG_WIRE_ERANGE;
		if (err)
			/* Offset by offset: a duplicate before it comes first. */
			return wire_offsets_dup(out, i) ? KMIG_WIRE_EDUP : err;
		out[i] = off;
	}
	if (!wire_dup_scan &&
	    wire_offsets_ascending(out, hdr->data_pages) &&
	    wire_offsets_ascending(out + hdr->data_pages, hdr->zero_pages))
		return wire_offsets_disjoint(out, hdr->data_pages,
					     out + hdr->data_pages,
					     hdr->zero_pages) ? 0 : KMIG_WIRE_EDUP;
	return wire_offsets_dup(out, n) ? KMIG_WIRE_EDUP : 0;
}
