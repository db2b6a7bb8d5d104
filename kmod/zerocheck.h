/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Zero-page check: one API, four implementations (generic C, SSE2, AVX2,
 * AVX-512). The best one the CPU supports is chosen once at load time and
 * called through a static call; it can be forced (module parameter
 * zero_check=, netlink KMIG_A_PARAMS_ZERO_CHECK, sysfs zero_check).
 */
#ifndef _KMIG_ZEROCHECK_H
#define _KMIG_ZEROCHECK_H

#include <linux/types.h>
#include <uapi/linux/kmig.h>

struct page;

/* Pages checked between two kernel_fpu_begin()/kernel_fpu_end() pairs. */
#define KMIG_ZC_FPU_BATCH	32

/* Number of enum kmig_zero_check values (AUTO included). */
#define KMIG_ZC_NR		(KMIG_ZERO_CHECK_AVX512 + 1)

int kmig_zerocheck_init(void);
void kmig_zerocheck_uninit(void);

/*
 * Is @len bytes at @buf all zero? Any alignment and length. Uses the active
 * implementation and takes care of the FPU section itself. May be called
 * from any context in which kernel_fpu_begin() is allowed.
 */
bool kmig_buffer_is_zero(const void *buf, size_t len);

/* Is @page all zero? A NULL page (never touched) is zero and is not read. */
bool kmig_page_is_zero(struct page *page);

/*
 * Check @n pages. Bit i of @zero_map is set when pages[i] is zero (a NULL
 * entry, never touched, counts as zero without a read) and cleared
 * otherwise. Returns the number of zero pages. SIMD runs in FPU sections
 * of at most KMIG_ZC_FPU_BATCH pages; the caller reschedules between calls
 * (this function does not sleep).
 */
unsigned int kmig_pages_zero_batch(struct page **pages, unsigned int n,
				   unsigned long *zero_map);

/* Same, with an explicit implementation (for scans, tests, benchmarks). */
unsigned int kmig_pages_zero_batch_impl(enum kmig_zero_check impl,
					struct page **pages, unsigned int n,
					unsigned long *zero_map);

/*
 * Run implementation @impl (not AUTO) on @buf directly, inside its own FPU
 * section. For tests and benchmarks. The caller must check availability.
 */
bool kmig_buffer_is_zero_impl(enum kmig_zero_check impl, const void *buf,
			      size_t len);

/*
 * Select @impl (AUTO = best available). Returns -EOPNOTSUPP when the CPU
 * lacks it, -EINVAL for an unknown value.
 */
int kmig_zerocheck_select(enum kmig_zero_check impl);

/* What was asked for (may be AUTO) and what runs. */
enum kmig_zero_check kmig_zerocheck_requested(void);
enum kmig_zero_check kmig_zerocheck_active(void);

/* Bit N set when implementation N can run on this CPU (AUTO always set). */
u32 kmig_zerocheck_available(void);
bool kmig_zerocheck_is_available(enum kmig_zero_check impl);

/* "auto", "generic", "sse2", "avx2", "avx512"; NULL when out of range. */
const char *kmig_zerocheck_name(enum kmig_zero_check impl);
/* Inverse of kmig_zerocheck_name(); -EINVAL when unknown. */
int kmig_zerocheck_parse(const char *name);

#endif /* _KMIG_ZEROCHECK_H */
