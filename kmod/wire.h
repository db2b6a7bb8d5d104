/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wire protocol v1 codec: hello, hello reply and packet headers, page
 * offset blocks. Plain C with no kernel-only dependency: the same wire.c
 * builds in userspace (tests/wire) for fuzzing. The byte layouts are
 * documented in Documentation/kmig/protocol.rst.
 *
 * Every decoder validates every field before anything touches memory and
 * returns 0 or a negative enum kmig_wire_err. Nothing here allocates.
 */
#ifndef _KMIG_WIRE_H
#define _KMIG_WIRE_H

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/types.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/build_bug.h>
#include <asm/byteorder.h>
#else
#include <assert.h>
#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

#define cpu_to_be16(x)	((__be16)htobe16(x))
#define cpu_to_be32(x)	((__be32)htobe32(x))
#define cpu_to_be64(x)	((__be64)htobe64(x))
#define be16_to_cpu(x)	be16toh(x)
#define be32_to_cpu(x)	be32toh(x)
#define be64_to_cpu(x)	be64toh(x)

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#endif

#define KMIG_WIRE_VERSION		1	/* the only version so far */
#define KMIG_WIRE_VERSION_MIN		1	/* oldest version we speak */
#define KMIG_WIRE_VERSION_MAX		1	/* newest version we speak */

#define KMIG_WIRE_HELLO_MAGIC		0x4b4d4748U	/* "KMGH" */
#define KMIG_WIRE_REPLY_MAGIC		0x4b4d4741U	/* "KMGA" */
#define KMIG_WIRE_PKT_MAGIC		0x4b4d4750U	/* "KMGP" */
#define KMIG_WIRE_AUTH_MAGIC		0x4b4d474bU	/* "KMGK" */

#define KMIG_WIRE_HELLO_SIZE		64
#define KMIG_WIRE_REPLY_SIZE		64
#define KMIG_WIRE_HDR_SIZE		48
#define KMIG_WIRE_AUTH_SIZE		80
#define KMIG_WIRE_CRC_SIZE		4
#define KMIG_WIRE_OFFSET_SIZE		8	/* one page offset, __be64 */

#define KMIG_WIRE_MIGRATION_ID_LEN	16
#define KMIG_WIRE_NONCE_LEN		32
#define KMIG_WIRE_MAC_LEN		32	/* HMAC-SHA256 */
#define KMIG_WIRE_REASON_LEN		40

#define KMIG_WIRE_MAX_CHANNELS		64
#define KMIG_WIRE_DEFAULT_MAX_PAGES	128
#define KMIG_WIRE_MAX_PAGES_LIMIT	512	/* largest max_pages allowed */
#define KMIG_WIRE_PAGE_SIZE_MIN		4096U
#define KMIG_WIRE_PAGE_SIZE_MAX		0x200000U	/* 2 MiB */

/*
 * Feature bits of the hello (asked for) and its reply (granted).
 * COLO: after COMPLETE the channels stay open for COLO checkpoints
 * (CHECKPOINT, DATA, SYNC; CHECKPOINT_ACK back on channel 0), until a
 * CANCEL on channel 0 between checkpoints ends COLO on purpose.
 * AUTH: the hello is followed by a mutual HMAC-SHA256 challenge and
 * response with the migration's key (AUTH messages, steps 1 to 3), before
 * the reply; a destination with a key grants AUTH or rejects the channel.
 * CRC: every packet, both ways, is followed by the CRC-32C of its header,
 * offset block and data (KMIG_WIRE_CRC_SIZE bytes, big-endian), checked
 * before anything of it is applied.
 * POSTCOPY: the source may end precopy with MISSING and POSTCOPY instead
 * of COMPLETE; channel 0 then carries the destination's REQUESTs and the
 * source's answers, the other channels the background push.
 */
#define KMIG_WIRE_FEAT_COLO		0x1ULL
#define KMIG_WIRE_FEAT_AUTH		0x2ULL
#define KMIG_WIRE_FEAT_CRC		0x4ULL
#define KMIG_WIRE_FEAT_POSTCOPY		0x8ULL
#define KMIG_WIRE_FEATURES_KNOWN	(KMIG_WIRE_FEAT_COLO | \
					 KMIG_WIRE_FEAT_AUTH | \
					 KMIG_WIRE_FEAT_CRC | \
					 KMIG_WIRE_FEAT_POSTCOPY)

/*
 * AUTH message steps. CHALLENGE (destination): its nonce, mac zero.
 * RESPONSE (source): its nonce and HMAC(key, "KMIG-AUTH-SRC-V1" || hello
 * || destination nonce || source nonce). PROOF (destination, after an
 * accepting reply): nonce zero, HMAC(key, "KMIG-AUTH-DST-V1" || the same).
 */
enum kmig_wire_auth_step {
	KMIG_WIRE_AUTH_CHALLENGE = 1,
	KMIG_WIRE_AUTH_RESPONSE = 2,
	KMIG_WIRE_AUTH_PROOF = 3,
};

#define KMIG_WIRE_AUTH_LABEL_LEN	16
#define KMIG_WIRE_AUTH_LABEL_SRC	"KMIG-AUTH-SRC-V1"
#define KMIG_WIRE_AUTH_LABEL_DST	"KMIG-AUTH-DST-V1"

/* Packet types. */
enum kmig_wire_type {
	KMIG_WIRE_DATA = 1,
	KMIG_WIRE_SYNC = 2,
	KMIG_WIRE_COMPLETE = 3,
	KMIG_WIRE_CHECKPOINT = 4,	/* COLO: checkpoint @pass begins */
	KMIG_WIRE_CHECKPOINT_ACK = 5,	/* COLO: checkpoint @pass committed */
	KMIG_WIRE_CANCEL = 6,		/* COLO: the primary ends it on purpose */
	KMIG_WIRE_MISSING = 7,		/* postcopy: these pages are stale */
	KMIG_WIRE_POSTCOPY = 8,		/* postcopy begins (and its ack) */
	KMIG_WIRE_REQUEST = 9,		/* postcopy: send these pages first */
	KMIG_WIRE_TYPE_MAX = KMIG_WIRE_REQUEST
};

/* A packet type that carries an offset block but no data (MISSING, REQUEST). */
static inline bool kmig_wire_type_offsets_only(u16 type)
{
	return type == KMIG_WIRE_MISSING || type == KMIG_WIRE_REQUEST;
}

/* Packet header flags: none defined yet; must be 0. */
#define KMIG_WIRE_FLAGS_KNOWN		0

/* Hello reply status: 0 accepts the channel, anything else rejects it. */
enum kmig_wire_status {
	KMIG_WIRE_ACCEPT = 0,
	KMIG_WIRE_REJ_MAGIC = 1,
	KMIG_WIRE_REJ_VERSION = 2,
	KMIG_WIRE_REJ_MIGRATION_ID = 3,
	KMIG_WIRE_REJ_CHANNEL_COUNT = 4,
	KMIG_WIRE_REJ_CHANNEL_ID = 5,
	KMIG_WIRE_REJ_PAGE_SIZE = 6,
	KMIG_WIRE_REJ_REGION_SIZE = 7,
	KMIG_WIRE_REJ_BUSY = 8,
	KMIG_WIRE_REJ_MALFORMED = 9,
	KMIG_WIRE_REJ_MAX_PAGES = 10,
	KMIG_WIRE_REJ_FEATURES = 11,
	KMIG_WIRE_REJ_AUTH = 12,
	KMIG_WIRE_STATUS_NR
};

/* Decoder errors, all negative; 0 is success. */
enum kmig_wire_err {
	KMIG_WIRE_OK = 0,
	KMIG_WIRE_ESHORT = -1,		/* buffer shorter than the item */
	KMIG_WIRE_EMAGIC = -2,		/* bad magic */
	KMIG_WIRE_EVERSION = -3,	/* no common / unsupported version */
	KMIG_WIRE_ETYPE = -4,		/* unknown packet type */
	KMIG_WIRE_EFLAGS = -5,		/* unknown packet flags */
	KMIG_WIRE_ERESERVED = -6,	/* non-zero reserved bytes */
	KMIG_WIRE_ECOUNT = -7,		/* DATA: data + zero 0 or > max_pages */
	KMIG_WIRE_ECOUNT_NONZERO = -8,	/* SYNC/COMPLETE with counts */
	KMIG_WIRE_ESEQ = -9,		/* packet number out of sequence */
	KMIG_WIRE_EALIGN = -10,		/* offset not page aligned */
	KMIG_WIRE_ERANGE = -11,		/* offset outside the region */
	KMIG_WIRE_EDUP = -12,		/* duplicate offset in one packet */
	KMIG_WIRE_EPAGE_SIZE = -13,	/* page size not a power of two */
	KMIG_WIRE_EPAGE_SIZE_LOCAL = -14, /* page size not the local one */
	KMIG_WIRE_ECHANNEL_ID = -15,	/* channel id >= channel count */
	KMIG_WIRE_ECHANNEL_COUNT = -16,	/* channel count 0 or > 64 */
	KMIG_WIRE_EREGION_SIZE = -17,	/* region size 0 or not page multiple */
	KMIG_WIRE_EMAX_PAGES = -18,	/* max_pages 0 or > limit */
	KMIG_WIRE_ESTATUS = -19,	/* unknown reply status */
	KMIG_WIRE_EREASON = -20,	/* reason string not NUL padded */
	KMIG_WIRE_EFEATURES = -21,	/* reply accepts an unknown feature */
	KMIG_WIRE_EAUTH_STEP = -22,	/* AUTH message of another step */
	KMIG_WIRE_EAUTH_FIELD = -23,	/* AUTH nonce/mac set where zero */
	KMIG_WIRE_ERR_MIN = -23
};

/* On the wire: big-endian, fixed size, reserved bytes zero. */
struct kmig_wire_hello_be {
	__be32 magic;
	__be16 version_min;
	__be16 version_max;
	__be64 features;
	u8 migration_id[KMIG_WIRE_MIGRATION_ID_LEN];
	__be16 channel_id;
	__be16 channel_count;
	__be32 page_size;
	__be64 region_size;
	__be32 max_pages;
	u8 reserved[12];
};

struct kmig_wire_reply_be {
	__be32 magic;
	__be16 version;
	__be16 status;
	__be64 features;
	char reason[KMIG_WIRE_REASON_LEN];
	u8 reserved[8];
};

struct kmig_wire_hdr_be {
	__be32 magic;
	__be16 type;
	__be16 flags;
	__be64 seq;
	__be32 data_pages;
	__be32 zero_pages;
	__be64 pass;
	u8 reserved[16];
};

struct kmig_wire_auth_be {
	__be32 magic;
	__be16 step;
	u8 reserved0[2];
	u8 nonce[KMIG_WIRE_NONCE_LEN];
	u8 mac[KMIG_WIRE_MAC_LEN];
	u8 reserved[8];
};

/* Decoded, in CPU byte order. */
struct kmig_wire_hello {
	u16 version_min;
	u16 version_max;
	u64 features;
	u8 migration_id[KMIG_WIRE_MIGRATION_ID_LEN];
	u16 channel_id;
	u16 channel_count;
	u32 page_size;
	u64 region_size;
	u32 max_pages;
};

struct kmig_wire_reply {
	u16 version;
	u16 status;		/* enum kmig_wire_status */
	u64 features;
	char reason[KMIG_WIRE_REASON_LEN];	/* always NUL terminated */
};

struct kmig_wire_hdr {
	u16 type;		/* enum kmig_wire_type */
	u16 flags;
	u64 seq;
	u32 data_pages;
	u32 zero_pages;
	u64 pass;
	/*
	 * CHECKPOINT_ACK only, in the first 16 reserved bytes (zero in every
	 * other type): the secondary's transfer and flush times in ns.
	 */
	u64 arg[2];
};

struct kmig_wire_auth {
	u16 step;		/* enum kmig_wire_auth_step */
	u8 nonce[KMIG_WIRE_NONCE_LEN];
	u8 mac[KMIG_WIRE_MAC_LEN];
};

/* What every packet of one channel is checked against, from its hello. */
struct kmig_wire_limits {
	u32 page_size;
	u32 max_pages;
	u64 region_size;
	u16 channel_count;
};

const char *kmig_wire_strerror(int err);
const char *kmig_wire_status_str(unsigned int status);

/* Reply status for a hello that failed kmig_wire_hello_decode(). */
enum kmig_wire_status kmig_wire_err_to_status(int err);

/* Returns the bytes written (KMIG_WIRE_HELLO_SIZE) or KMIG_WIRE_ESHORT. */
int kmig_wire_hello_encode(void *buf, size_t len,
			   const struct kmig_wire_hello *h);
/*
 * Validates a hello on its own (magic, versions, reserved, channel id and
 * count, page size against @local_page_size, region size, max_pages).
 */
int kmig_wire_hello_decode(const void *buf, size_t len, u32 local_page_size,
			   struct kmig_wire_hello *h);
/* Highest common version of a decoded hello and ours, 0 if none. */
u16 kmig_wire_hello_version(const struct kmig_wire_hello *h);
/* Limits of a decoded (valid) hello. */
void kmig_wire_hello_limits(const struct kmig_wire_hello *h,
			    struct kmig_wire_limits *lim);
/* 0 if @lim is usable by the decoders, else a negative kmig_wire_err. */
int kmig_wire_limits_check(const struct kmig_wire_limits *lim);

int kmig_wire_reply_encode(void *buf, size_t len,
			   const struct kmig_wire_reply *r);
int kmig_wire_reply_decode(const void *buf, size_t len,
			   struct kmig_wire_reply *r);
/* Fill @r for @status with @reason (truncated, NUL padded). */
void kmig_wire_reply_init(struct kmig_wire_reply *r, u16 version, u16 status,
			  u64 features, const char *reason);

/* Returns the bytes written (KMIG_WIRE_AUTH_SIZE) or KMIG_WIRE_ESHORT. */
int kmig_wire_auth_encode(void *buf, size_t len,
			  const struct kmig_wire_auth *a);
/*
 * Decodes an AUTH message that must be of step @step: magic, step,
 * reserved bytes, and the field that step leaves zero (mac of a
 * CHALLENGE, nonce of a PROOF). Checking the mac is the caller's.
 */
int kmig_wire_auth_decode(const void *buf, size_t len, u16 step,
			  struct kmig_wire_auth *a);

int kmig_wire_hdr_encode(void *buf, size_t len, const struct kmig_wire_hdr *hdr);
int kmig_wire_hdr_decode(const void *buf, size_t len,
			 const struct kmig_wire_limits *lim, u64 expected_seq,
			 struct kmig_wire_hdr *hdr);

/* Bytes of the offset block and of the page data block after a header. */
size_t kmig_wire_offsets_len(const struct kmig_wire_hdr *hdr);
u64 kmig_wire_data_len(const struct kmig_wire_hdr *hdr,
		       const struct kmig_wire_limits *lim);

/* Returns the bytes written or KMIG_WIRE_ESHORT. */
int kmig_wire_offsets_encode(void *buf, size_t len, const u64 *offs,
			     u32 n);
/*
 * Decodes and checks the data_pages + zero_pages offsets of a decoded
 * header into @out (room for that many): each page aligned, inside the
 * region, none twice. Linear when the data part and the zero part are
 * each in ascending order (as kmig sends them), quadratic otherwise.
 */
#ifdef KMIG_BENCH
/* make bench's "before": the quadratic duplicate scan for every order. */
extern bool kmig_wire_dup_scan;
#endif
int kmig_wire_offsets_decode(const void *buf, size_t len,
			     const struct kmig_wire_hdr *hdr,
			     const struct kmig_wire_limits *lim, u64 *out);

#endif /* _KMIG_WIRE_H */
