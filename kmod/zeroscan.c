// SPDX-License-Identifier: GPL-2.0
/*
 * The zero-scan kernels (zeroscan.h).
 *
 * Deciding that a buffer is zero means reading all of it, so the limit is
 * the number of loads per cycle, not ALU work: each implementation ORs
 * several wide loads together and tests the result once per 256-byte
 * block.
 */

#include <linux/align.h>
#include <linux/kernel.h>
#include <linux/string.h>
#ifdef CONFIG_X86_64
#include <asm/asm.h>
#endif

#include "zeroscan.h"

/* Byte loop for what is shorter than one word (or one vector). */
static bool kmig_zc_bytes(const u8 *s, size_t len)
{
	u8 t = 0;

	while (len--)
		t |= *s++;
	return !t;
}

/*
 * The skeleton shared by every implementation, for @len >= @vec:
 *  - when @s or @s + @len is not @vec-aligned, one unaligned vector at each
 *    end covers the ragged edges (the two may overlap each other or the
 *    aligned part, which is harmless);
 *  - the aligned part goes KMIG_ZC_BLOCK bytes at a time, several
 *    independent loads ORed together and a single test per block;
 *  - an aligned tail shorter than a block is covered by one more block
 *    ending exactly at the aligned end (overlapping, so still in bounds)
 *    when there is room, vector by vector otherwise.
 * Always inlined with constant callbacks, so each implementation gets its
 * own straight-line copy.
 */
static __always_inline bool
kmig_zc_scan(const u8 *s, size_t len, size_t vec,
	     bool (*ends_nz)(const u8 *head, const u8 *tail),
	     bool (*block_nz)(const u8 *p),
	     bool (*vec_nz)(const u8 *p))
{
	const u8 *p = PTR_ALIGN(s, vec);
	const u8 *e = PTR_ALIGN_DOWN(s + len, vec);

	if ((p != s || e != s + len) && ends_nz(s, s + len - vec))
		return false;

	if (e - p < KMIG_ZC_BLOCK) {
		for (; p < e; p += vec)
			if (vec_nz(p))
				return false;
		return true;
	}
	for (; e - p >= KMIG_ZC_BLOCK; p += KMIG_ZC_BLOCK)
		if (block_nz(p))
			return false;
	return p == e || !block_nz(e - KMIG_ZC_BLOCK);
}

/* ---- Generic C: 64-bit loads ---- */

static __always_inline bool kmig_zc_gen_ends_nz(const u8 *head, const u8 *tail)
{
	return kmig_zc_load(head) |
	       kmig_zc_load(tail);
}

static __always_inline bool kmig_zc_gen_vec_nz(const u8 *p)
{
	return *(const u64 *)p;
}

static __always_inline bool kmig_zc_gen_block_nz(const u8 *p)
{
	const u64 *w = (const u64 *)p;
	u64 a = 0, b = 0, c = 0, d = 0;
	unsigned int i;

	/* Four independent chains, so the loads are not serialised. */
	for (i = 0; i < KMIG_ZC_BLOCK / sizeof(u64); i += 4) {
		a |= w[i];
		b |= w[i + 1];
		c |= w[i + 2];
		d |= w[i + 3];
	}
	return a | b | c | d;
}

bool kmig_zc_generic(const void *buf, size_t len)
{
	if (len < sizeof(u64))
		return kmig_zc_bytes(buf, len);
	return kmig_zc_scan(buf, len, sizeof(u64), kmig_zc_gen_ends_nz,
			    kmig_zc_gen_block_nz, kmig_zc_gen_vec_nz);
}

#ifdef KMIG_ZC_X86
/*
 * Each asm statement below loads, combines and tests on its own: no vector
 * register is live from one statement to the next, so nothing depends on
 * the compiler (built with -mno-sse etc.) leaving them alone in between.
 * The "m" operands tell the compiler which memory is read.
 */
#define KMIG_ZC_MEM(p, n)	"m" (*(const u8 (*)[n])(p))

/* ---- SSE2: 128-bit loads ---- */

/* xmm0 == 0? pcmpeqb with zero, pmovmskb gives 0xffff when it is. */
#define KMIG_ZC_SSE2_TEST				\
	"pxor %%xmm7, %%xmm7\n\t"			\
	"pcmpeqb %%xmm7, %%xmm0\n\t"			\
	"pmovmskb %%xmm0, %%eax\n\t"			\
	"cmpl $0xffff, %%eax"

static __always_inline bool kmig_zc_sse2_ends_nz(const u8 *head,
						 const u8 *tail)
{
	bool nz;

	asm volatile("movdqu (%[h]), %%xmm0\n\t"
		     "movdqu (%[t]), %%xmm1\n\t"
		     "por %%xmm1, %%xmm0\n\t"
		     KMIG_ZC_SSE2_TEST
		     CC_SET(ne)
		     : CC_OUT(ne) (nz)
		     : [h] "r" (head), [t] "r" (tail),
		       KMIG_ZC_MEM(head, 16), KMIG_ZC_MEM(tail, 16)
		     : "eax");
	return nz;
}

static __always_inline bool kmig_zc_sse2_vec_nz(const u8 *p)
{
	bool nz;

	asm volatile("movdqa (%[p]), %%xmm0\n\t"
		     KMIG_ZC_SSE2_TEST
		     CC_SET(ne)
		     : CC_OUT(ne) (nz)
		     : [p] "r" (p), KMIG_ZC_MEM(p, 16)
		     : "eax");
	return nz;
}

static __always_inline bool kmig_zc_sse2_block_nz(const u8 *p)
{
	bool nz;

	/* 16 loads into 4 accumulators. */
	asm volatile("movdqa 0(%[p]), %%xmm0\n\t"
		     "movdqa 16(%[p]), %%xmm1\n\t"
		     "movdqa 32(%[p]), %%xmm2\n\t"
		     "movdqa 48(%[p]), %%xmm3\n\t"
		     "por 64(%[p]), %%xmm0\n\t"
		     "por 80(%[p]), %%xmm1\n\t"
		     "por 96(%[p]), %%xmm2\n\t"
		     "por 112(%[p]), %%xmm3\n\t"
		     "por 128(%[p]), %%xmm0\n\t"
		     "por 144(%[p]), %%xmm1\n\t"
		     "por 160(%[p]), %%xmm2\n\t"
		     "por 176(%[p]), %%xmm3\n\t"
		     "por 192(%[p]), %%xmm0\n\t"
		     "por 208(%[p]), %%xmm1\n\t"
		     "por 224(%[p]), %%xmm2\n\t"
		     "por 240(%[p]), %%xmm3\n\t"
		     "por %%xmm1, %%xmm0\n\t"
		     "por %%xmm3, %%xmm2\n\t"
		     "por %%xmm2, %%xmm0\n\t"
		     KMIG_ZC_SSE2_TEST
		     CC_SET(ne)
		     : CC_OUT(ne) (nz)
		     : [p] "r" (p), KMIG_ZC_MEM(p, KMIG_ZC_BLOCK)
		     : "eax");
	return nz;
}

bool kmig_zc_sse2(const void *buf, size_t len)
{
	if (len < 16)
		return kmig_zc_generic(buf, len);
	return kmig_zc_scan(buf, len, 16, kmig_zc_sse2_ends_nz,
			    kmig_zc_sse2_block_nz, kmig_zc_sse2_vec_nz);
}

/* ---- AVX2: 256-bit loads, vptest ---- */

static __always_inline bool kmig_zc_avx2_ends_nz(const u8 *head,
						 const u8 *tail)
{
	bool nz;

	asm volatile("vmovdqu (%[h]), %%ymm0\n\t"
		     "vpor (%[t]), %%ymm0, %%ymm0\n\t"
		     "vptest %%ymm0, %%ymm0"
		     CC_SET(nz)
		     : CC_OUT(nz) (nz)
		     : [h] "r" (head), [t] "r" (tail),
		       KMIG_ZC_MEM(head, 32), KMIG_ZC_MEM(tail, 32));
	return nz;
}

static __always_inline bool kmig_zc_avx2_vec_nz(const u8 *p)
{
	bool nz;

	asm volatile("vmovdqa (%[p]), %%ymm0\n\t"
		     "vptest %%ymm0, %%ymm0"
		     CC_SET(nz)
		     : CC_OUT(nz) (nz)
		     : [p] "r" (p), KMIG_ZC_MEM(p, 32));
	return nz;
}

static __always_inline bool kmig_zc_avx2_block_nz(const u8 *p)
{
	bool nz;

	/* 8 loads into 4 accumulators. */
	asm volatile("vmovdqa 0(%[p]), %%ymm0\n\t"
		     "vmovdqa 32(%[p]), %%ymm1\n\t"
		     "vmovdqa 64(%[p]), %%ymm2\n\t"
		     "vmovdqa 96(%[p]), %%ymm3\n\t"
		     "vpor 128(%[p]), %%ymm0, %%ymm0\n\t"
		     "vpor 160(%[p]), %%ymm1, %%ymm1\n\t"
		     "vpor 192(%[p]), %%ymm2, %%ymm2\n\t"
		     "vpor 224(%[p]), %%ymm3, %%ymm3\n\t"
		     "vpor %%ymm1, %%ymm0, %%ymm0\n\t"
		     "vpor %%ymm3, %%ymm2, %%ymm2\n\t"
		     "vpor %%ymm2, %%ymm0, %%ymm0\n\t"
		     "vptest %%ymm0, %%ymm0"
		     CC_SET(nz)
		     : CC_OUT(nz) (nz)
		     : [p] "r" (p), KMIG_ZC_MEM(p, KMIG_ZC_BLOCK));
	return nz;
}

bool kmig_zc_avx2(const void *buf, size_t len)
{
	bool zero;

	if (len < 32)
		return kmig_zc_generic(buf, len);
	zero = kmig_zc_scan(buf, len, 32, kmig_zc_avx2_ends_nz,
			    kmig_zc_avx2_block_nz, kmig_zc_avx2_vec_nz);
	/* No dirty upper halves left behind for later SSE code. */
	asm volatile("vzeroupper");
	return zero;
}

#ifdef KMIG_ZC_AVX512
/* ---- AVX-512: 512-bit loads, vpternlogq, vptestmq (AVX512F only) ---- */

/* zmm0 == 0? k1 gets one bit per non-zero qword; ZF when k1 is empty. */
#define KMIG_ZC_AVX512_TEST				\
	"vptestmq %%zmm0, %%zmm0, %%k1\n\t"		\
	"kortestw %%k1, %%k1"

static __always_inline bool kmig_zc_avx512_ends_nz(const u8 *head,
						   const u8 *tail)
{
	bool nz;

	asm volatile("vmovdqu64 (%[h]), %%zmm0\n\t"
		     "vporq (%[t]), %%zmm0, %%zmm0\n\t"
		     KMIG_ZC_AVX512_TEST
		     CC_SET(nz)
		     : CC_OUT(nz) (nz)
		     : [h] "r" (head), [t] "r" (tail),
		       KMIG_ZC_MEM(head, 64), KMIG_ZC_MEM(tail, 64));
	return nz;
}

static __always_inline bool kmig_zc_avx512_vec_nz(const u8 *p)
{
	bool nz;

	asm volatile("vmovdqa64 (%[p]), %%zmm0\n\t"
		     KMIG_ZC_AVX512_TEST
		     CC_SET(nz)
		     : CC_OUT(nz) (nz)
		     : [p] "r" (p), KMIG_ZC_MEM(p, 64));
	return nz;
}

static __always_inline bool kmig_zc_avx512_block_nz(const u8 *p)
{
	bool nz;

	/* 4 loads; vpternlogq 0xfe is a three-way OR. */
	asm volatile("vmovdqa64 0(%[p]), %%zmm0\n\t"
		     "vmovdqa64 64(%[p]), %%zmm1\n\t"
		     "vpternlogq $0xfe, 128(%[p]), %%zmm1, %%zmm0\n\t"
		     "vporq 192(%[p]), %%zmm0, %%zmm0\n\t"
		     KMIG_ZC_AVX512_TEST
		     CC_SET(nz)
		     : CC_OUT(nz) (nz)
		     : [p] "r" (p), KMIG_ZC_MEM(p, KMIG_ZC_BLOCK));
	return nz;
}

bool kmig_zc_avx512(const void *buf, size_t len)
{
	bool zero;

	if (len < 64)
		return kmig_zc_generic(buf, len);
	zero = kmig_zc_scan(buf, len, 64, kmig_zc_avx512_ends_nz,
			    kmig_zc_avx512_block_nz, kmig_zc_avx512_vec_nz);
	asm volatile("vzeroupper");
	return zero;
}
#endif /* KMIG_ZC_AVX512 */
#endif /* KMIG_ZC_X86 */
