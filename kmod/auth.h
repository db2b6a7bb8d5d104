/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Channel authentication: HMAC-SHA256 with a migration's 32-byte key over
 * each channel's hello and both sides' nonces (Documentation/kmig/
 * protocol.rst, "Authentication").
 */
#ifndef _KMIG_AUTH_H
#define _KMIG_AUTH_H

#include <linux/types.h>

#include "wire.h"

#define KMIG_KEY_LEN	32

struct crypto_shash;

struct kmig_auth {
	struct crypto_shash *tfm;	/* hmac(sha256) keyed; NULL: none */
};

/* Allocates the keyed transform. The caller may wipe @key afterwards. */
int kmig_auth_init(struct kmig_auth *auth, const u8 *key);
void kmig_auth_uninit(struct kmig_auth *auth);

static inline bool kmig_auth_enabled(const struct kmig_auth *auth)
{
	return auth->tfm;
}

/*
 * HMAC(key, label || hello || nonce_dst || nonce_src) into @mac, where
 * @label is KMIG_WIRE_AUTH_LABEL_SRC or _DST and @hello the 64 bytes of
 * the hello as they went over the wire.
 */
int kmig_auth_mac(struct kmig_auth *auth, const char *label,
		  const u8 *hello, const u8 *nonce_dst, const u8 *nonce_src,
		  u8 *mac);
/* Whether @mac is right, in constant time. */
bool kmig_auth_check(struct kmig_auth *auth, const char *label,
		     const u8 *hello, const u8 *nonce_dst,
		     const u8 *nonce_src, const u8 *mac);

#endif /* _KMIG_AUTH_H */
