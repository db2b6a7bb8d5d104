// SPDX-License-Identifier: GPL-2.0
/*
 * Channel authentication with the kernel crypto API: one keyed
 * hmac(sha256) transform per migration, shared by its channels (each MAC
 * uses its own request state on the stack). The key itself is not kept:
 * the transform holds the only copy, and it is freed with the migration.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <linux/err.h>
#include <linux/string.h>

#include "auth.h"

int kmig_auth_init(struct kmig_auth *auth, const u8 *key)
{
	struct crypto_shash *tfm;
	int ret;

	tfm = crypto_alloc_shash("hmac(sha256)", 0, 0);
	/* A missing algorithm is "not supported here", not "no such thing". */
	if (IS_ERR(tfm))
		return PTR_ERR(tfm) == -ENOENT ? -EOPNOTSUPP : PTR_ERR(tfm);
	if (crypto_shash_digestsize(tfm) != KMIG_WIRE_MAC_LEN) {
		ret = -EINVAL;
		goto err;
	}
	ret = crypto_shash_setkey(tfm, key, KMIG_KEY_LEN);
	if (ret)
		goto err;
	auth->tfm = tfm;
	return 0;
err:
	crypto_free_shash(tfm);
	return ret;
}

void kmig_auth_uninit(struct kmig_auth *auth)
{
	crypto_free_shash(auth->tfm);
	auth->tfm = NULL;
}

int kmig_auth_mac(struct kmig_auth *auth, const char *label,
		  const u8 *hello, const u8 *nonce_dst, const u8 *nonce_src,
		  u8 *mac)
{
	SHASH_DESC_ON_STACK(desc, auth->tfm);
	int ret;

	desc->tfm = auth->tfm;
	ret = crypto_shash_init(desc);
	if (!ret)
		ret = crypto_shash_update(desc, label,
					  KMIG_WIRE_AUTH_LABEL_LEN);
	if (!ret)
		ret = crypto_shash_update(desc, hello, KMIG_WIRE_HELLO_SIZE);
	if (!ret)
		ret = crypto_shash_update(desc, nonce_dst,
					  KMIG_WIRE_NONCE_LEN);
	if (!ret)
		ret = crypto_shash_update(desc, nonce_src,
					  KMIG_WIRE_NONCE_LEN);
	if (!ret)
		ret = crypto_shash_final(desc, mac);
	shash_desc_zero(desc);
	return ret;
}

bool kmig_auth_check(struct kmig_auth *auth, const char *label,
		     const u8 *hello, const u8 *nonce_dst,
		     const u8 *nonce_src, const u8 *mac)
{
	u8 want[KMIG_WIRE_MAC_LEN];
	bool ok;

	ok = !kmig_auth_mac(auth, label, hello, nonce_dst, nonce_src, want) &&
	     !crypto_memneq(want, mac, sizeof(want));
	memzero_explicit(want, sizeof(want));
	return ok;
}
