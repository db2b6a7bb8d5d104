// SPDX-License-Identifier: GPL-2.0
/*
 * Packet integrity with the kernel crypto API's "crc32c" (the hardware
 * instruction where the CPU has one): one transform per migration, a
 * request state on the stack per packet.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/hash.h>
#include <linux/err.h>

#include "crc.h"

int kmig_crc_init(struct kmig_crc *crc)
{
	struct crypto_shash *tfm;

	tfm = crypto_alloc_shash("crc32c", 0, 0);
	/* A missing algorithm is "not supported here", not "no such thing". */
	if (IS_ERR(tfm))
		return PTR_ERR(tfm) == -ENOENT ? -EOPNOTSUPP : PTR_ERR(tfm);
	if (crypto_shash_digestsize(tfm) != sizeof(u32)) {
		crypto_free_shash(tfm);
		return -EINVAL;
	}
	crc->tfm = tfm;
	return 0;
}

void kmig_crc_uninit(struct kmig_crc *crc)
{
	crypto_free_shash(crc->tfm);
	crc->tfm = NULL;
}

int kmig_crc_calc(struct kmig_crc *crc, const void *a, size_t alen,
		  const void *b, size_t blen, u32 *out)
{
	SHASH_DESC_ON_STACK(desc, crc->tfm);
	__le32 digest;
	int ret;

	desc->tfm = crc->tfm;
	ret = crypto_shash_init(desc);
	if (!ret)
		ret = crypto_shash_update(desc, a, alen);
	if (!ret && blen)
		ret = crypto_shash_update(desc, b, blen);
	if (!ret)
		ret = crypto_shash_final(desc, (u8 *)&digest);
	/* The crc32c transform gives the final CRC little-endian. */
	*out = le32_to_cpu(digest);
	return ret;
}
