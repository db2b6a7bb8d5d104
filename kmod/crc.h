/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packet integrity: CRC-32C (Castagnoli, as in iSCSI and NVMe/TCP) of each
 * packet, sent after it as a big-endian u32 when the channel negotiated
 * KMIG_WIRE_FEAT_CRC (Documentation/kmig/protocol.rst, "Integrity").
 */
#ifndef _KMIG_CRC_H
#define _KMIG_CRC_H

#include <linux/types.h>

struct crypto_shash;

struct kmig_crc {
	struct crypto_shash *tfm;	/* crc32c; NULL: off */
};

int kmig_crc_init(struct kmig_crc *crc);
void kmig_crc_uninit(struct kmig_crc *crc);

static inline bool kmig_crc_enabled(const struct kmig_crc *crc)
{
	return crc->tfm;
}

/* CRC-32C of @a (@alen bytes) followed by @b (@blen bytes, may be 0). */
int kmig_crc_calc(struct kmig_crc *crc, const void *a, size_t alen,
		  const void *b, size_t blen, u32 *out);

#endif /* _KMIG_CRC_H */
