/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The zero-scan kernels: is a buffer all zero, in generic C, SSE2, AVX2
 * and AVX-512 (x86-64, and UML on x86-64). Pure functions of a buffer;
 * the SIMD ones must run with the FPU held (kernel_fpu_begin()).
 * zerocheck.c chooses among them and is the API the rest of kmig uses.
 */
#ifndef _KMIG_ZEROSCAN_H
#define _KMIG_ZEROSCAN_H

#include <linux/types.h>

#if defined(CONFIG_X86_64)
#define KMIG_ZC_X86 1
/*
 * Real x86 kernels tell whether the assembler knows AVX-512; UML does not
 * run that probe, and every binutils able to build a current UML has it.
 */
#if defined(CONFIG_AS_AVX512) || !defined(CONFIG_X86)
#define KMIG_ZC_AVX512 1
#endif
#endif

/* Bytes ORed together between two tests for non-zero. */
#define KMIG_ZC_BLOCK	256

typedef bool (*kmig_zc_fn)(const void *buf, size_t len);

/*
 * An unaligned 64-bit load, the way get_unaligned() does it (without
 * its header, which moved between 6.1 and 6.12).
 */
struct kmig_zc_unaligned {
	u64 v;
} __packed;

static __always_inline u64 kmig_zc_load(const void *p)
{
	return ((const struct kmig_zc_unaligned *)p)->v;
}

bool kmig_zc_generic(const void *buf, size_t len);
#ifdef KMIG_ZC_X86
bool kmig_zc_sse2(const void *buf, size_t len);
bool kmig_zc_avx2(const void *buf, size_t len);
#ifdef KMIG_ZC_AVX512
bool kmig_zc_avx512(const void *buf, size_t len);
#endif
#endif

#endif /* _KMIG_ZEROSCAN_H */
