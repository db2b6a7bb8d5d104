// SPDX-License-Identifier: GPL-2.0
/*
 * Zero-page check.
 *
 * Deciding that a page is zero means reading all of it, so the limit is the
 * number of loads per cycle, not ALU work: each implementation ORs several
 * wide loads together and tests the result once per 256-byte block. A
 * non-zero page usually shows it in its first, middle or last word, so the
 * callers look at those three words before a full scan (and before paying
 * for an FPU section).
 *
 * The active implementation is reached through a static call. The static
 * call is only ever made with the FPU held (it may point at SIMD code);
 * when the active implementation is the generic one the FPU is not taken
 * and the generic code is called directly. Reading the active
 * implementation once per call and deciding on that snapshot keeps this
 * safe against a concurrent kmig_zerocheck_select().
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/align.h>
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/highmem.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/prefetch.h>
#include <linux/static_call.h>
#include <linux/string.h>

#include "prof.h"
#include "zerocheck.h"
#include "zeroscan.h"

#ifdef KMIG_ZC_X86
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#endif

/* ---- Selection ---- */

static const kmig_zc_fn kmig_zc_fns[KMIG_ZC_NR] = {
	[KMIG_ZERO_CHECK_GENERIC] = kmig_zc_generic,
#ifdef KMIG_ZC_X86
	[KMIG_ZERO_CHECK_SSE2] = kmig_zc_sse2,
	[KMIG_ZERO_CHECK_AVX2] = kmig_zc_avx2,
#ifdef KMIG_ZC_AVX512
	[KMIG_ZERO_CHECK_AVX512] = kmig_zc_avx512,
#endif
#endif
};

static const char * const kmig_zc_names[KMIG_ZC_NR] = {
	[KMIG_ZERO_CHECK_AUTO] = "auto",
	[KMIG_ZERO_CHECK_GENERIC] = "generic",
	[KMIG_ZERO_CHECK_SSE2] = "sse2",
	[KMIG_ZERO_CHECK_AVX2] = "avx2",
	[KMIG_ZERO_CHECK_AVX512] = "avx512",
};

/* Only ever called with the FPU held: see the comment at the top. */
DEFINE_STATIC_CALL(kmig_zc_call, kmig_zc_generic);

static DEFINE_MUTEX(kmig_zc_lock);
static enum kmig_zero_check kmig_zc_requested = KMIG_ZERO_CHECK_AUTO;
/* Match the static call's initial target until kmig_zerocheck_init(). */
static enum kmig_zero_check kmig_zc_active = KMIG_ZERO_CHECK_GENERIC;
static u32 kmig_zc_avail = BIT(KMIG_ZERO_CHECK_AUTO) |
			   BIT(KMIG_ZERO_CHECK_GENERIC);

static char *zero_check = "auto";
module_param(zero_check, charp, 0444);
MODULE_PARM_DESC(zero_check,
		 "Zero-page check: auto (default), generic, sse2, avx2, avx512");

#ifdef KMIG_ZC_X86
/*
 * CPUID bits are not enough on a real x86 kernel: the OS must also enable
 * the register state in XCR0. UML gets its flags from the host kernel,
 * which already hid what it does not enable.
 */
static bool kmig_zc_os_has_ymm(void)
{
#ifdef CONFIG_X86
	return cpu_has_xfeatures(XFEATURE_MASK_SSE | XFEATURE_MASK_YMM, NULL);
#else
	return true;
#endif
}

static bool kmig_zc_os_has_zmm(void)
{
#ifdef CONFIG_X86
	return cpu_has_xfeatures(XFEATURE_MASK_SSE | XFEATURE_MASK_YMM |
				 XFEATURE_MASK_AVX512, NULL);
#else
	return true;
#endif
}
#endif

/* CPU probe; cached in kmig_zc_avail by kmig_zerocheck_init(). */
static u32 kmig_zc_detect(void)
{
	u32 mask = BIT(KMIG_ZERO_CHECK_AUTO) | BIT(KMIG_ZERO_CHECK_GENERIC);

#ifdef KMIG_ZC_X86
	if (boot_cpu_has(X86_FEATURE_XMM2))
		mask |= BIT(KMIG_ZERO_CHECK_SSE2);
	if (boot_cpu_has(X86_FEATURE_AVX) && boot_cpu_has(X86_FEATURE_AVX2) &&
	    kmig_zc_os_has_ymm())
		mask |= BIT(KMIG_ZERO_CHECK_AVX2);
#ifdef KMIG_ZC_AVX512
	if (boot_cpu_has(X86_FEATURE_AVX) &&
	    boot_cpu_has(X86_FEATURE_AVX512F) &&
	    kmig_zc_os_has_zmm())
		mask |= BIT(KMIG_ZERO_CHECK_AVX512);
#endif
#endif
	return mask;
}

u32 kmig_zerocheck_available(void)
{
	return READ_ONCE(kmig_zc_avail);
}

bool kmig_zerocheck_is_available(enum kmig_zero_check impl)
{
	return (unsigned int)impl < KMIG_ZC_NR &&
	       (kmig_zerocheck_available() & BIT(impl));
}

/* What AUTO means on this CPU. */
static enum kmig_zero_check kmig_zc_best(void)
{
	u32 avail = kmig_zerocheck_available();

	if (avail & BIT(KMIG_ZERO_CHECK_AVX512)) {
#ifdef X86_FEATURE_PREFER_YMM
		/* Parts that downclock on zmm (flag of newer kernels). */
		if (!boot_cpu_has(X86_FEATURE_PREFER_YMM) ||
		    !(avail & BIT(KMIG_ZERO_CHECK_AVX2)))
#endif
			return KMIG_ZERO_CHECK_AVX512;
	}
	if (avail & BIT(KMIG_ZERO_CHECK_AVX2))
		return KMIG_ZERO_CHECK_AVX2;
	if (avail & BIT(KMIG_ZERO_CHECK_SSE2))
		return KMIG_ZERO_CHECK_SSE2;
	return KMIG_ZERO_CHECK_GENERIC;
}

const char *kmig_zerocheck_name(enum kmig_zero_check impl)
{
	if ((unsigned int)impl >= KMIG_ZC_NR)
		return NULL;
	return kmig_zc_names[impl];
}

int kmig_zerocheck_parse(const char *name)
{
	if (!name)
		return -EINVAL;
	/* sysfs_streq(): a trailing newline (sysfs, echo) is accepted. */
	return sysfs_match_string(kmig_zc_names, name);
}

int kmig_zerocheck_select(enum kmig_zero_check impl)
{
	enum kmig_zero_check run;

	if ((unsigned int)impl >= KMIG_ZC_NR)
		return -EINVAL;
	run = impl == KMIG_ZERO_CHECK_AUTO ? kmig_zc_best() : impl;
	if (!kmig_zerocheck_is_available(run))
		return -EOPNOTSUPP;

	mutex_lock(&kmig_zc_lock);
	WRITE_ONCE(kmig_zc_requested, impl);
	/*
	 * Any order is safe for the readers (see the top of the file); this
	 * one means that once active reads @run, calls go to @run.
	 */
	static_call_update(kmig_zc_call, kmig_zc_fns[run]);
	WRITE_ONCE(kmig_zc_active, run);
	mutex_unlock(&kmig_zc_lock);
	return 0;
}

enum kmig_zero_check kmig_zerocheck_requested(void)
{
	return READ_ONCE(kmig_zc_requested);
}

enum kmig_zero_check kmig_zerocheck_active(void)
{
	return READ_ONCE(kmig_zc_active);
}

int kmig_zerocheck_init(void)
{
	enum kmig_zero_check impl = KMIG_ZERO_CHECK_AUTO;
	u32 avail = kmig_zc_detect();
	int ret;

	WRITE_ONCE(kmig_zc_avail, avail);

	if (zero_check && *zero_check) {
		ret = kmig_zerocheck_parse(zero_check);
		if (ret < 0) {
			pr_err("zero_check=%s: unknown, use auto, generic, sse2, avx2 or avx512\n",
			       zero_check);
			return -EINVAL;
		}
		impl = ret;
	}
	/* Asked for explicitly: refuse rather than silently run another. */
	if (!kmig_zerocheck_is_available(impl)) {
		pr_err("zero_check=%s: not supported by this CPU\n",
		       zero_check);
		return -EOPNOTSUPP;
	}
	ret = kmig_zerocheck_select(impl);
	if (ret)
		return ret;

	pr_debug("zero check: %s (requested %s; available:%s%s%s%s)\n",
		 kmig_zerocheck_name(kmig_zerocheck_active()),
		 kmig_zerocheck_name(impl),
		 avail & BIT(KMIG_ZERO_CHECK_GENERIC) ? " generic" : "",
		 avail & BIT(KMIG_ZERO_CHECK_SSE2) ? " sse2" : "",
		 avail & BIT(KMIG_ZERO_CHECK_AVX2) ? " avx2" : "",
		 avail & BIT(KMIG_ZERO_CHECK_AVX512) ? " avx512" : "");
	return 0;
}

void kmig_zerocheck_uninit(void)
{
	mutex_lock(&kmig_zc_lock);
	static_call_update(kmig_zc_call, kmig_zc_generic);
	WRITE_ONCE(kmig_zc_active, KMIG_ZERO_CHECK_GENERIC);
	WRITE_ONCE(kmig_zc_requested, KMIG_ZERO_CHECK_AUTO);
	mutex_unlock(&kmig_zc_lock);
}

/* ---- Checking ---- */

/*
 * Most non-zero pages give themselves away in their first, middle or last
 * word. false means "surely not zero"; true means "scan it".
 */
static bool kmig_zc_sample_zero(const u8 *s, size_t len)
{
	if (len < 3 * sizeof(u64))
		return true;
	return !(kmig_zc_load(s) |
		 kmig_zc_load(s + len / 2) |
		 kmig_zc_load(s + len - sizeof(u64)));
}

#ifdef KMIG_ZC_X86
/*
 * kernel_fpu_begin() disables preemption (and softirqs) until
 * kernel_fpu_end(): nothing in between may sleep. It must not be used
 * where irq_fpu_usable() says no (hard irq interrupting an FPU user,
 * nested use): the caller then falls back to generic code.
 */
static bool kmig_zc_fpu_begin(void)
{
	if (!irq_fpu_usable())
		return false;
	kernel_fpu_begin();
	return true;
}

static void kmig_zc_fpu_end(void)
{
	kernel_fpu_end();
}
#else
static bool kmig_zc_fpu_begin(void)
{
	return false;
}

static void kmig_zc_fpu_end(void)
{
}
#endif

/*
 * The implementation to run for an explicit request: AUTO means the active
 * one; something this CPU cannot run is a caller bug, and executing it
 * would fault, so it is replaced by generic.
 */
static enum kmig_zero_check kmig_zc_resolve(enum kmig_zero_check impl)
{
	if (impl == KMIG_ZERO_CHECK_AUTO)
		return kmig_zerocheck_active();
	if (WARN_ON_ONCE(!kmig_zerocheck_is_available(impl) ||
			 !kmig_zc_fns[impl]))
		return KMIG_ZERO_CHECK_GENERIC;
	return impl;
}

/*
 * Full check of @buf with @impl; @dyn means "through the static call"
 * (@impl is then the active one as read by the caller).
 */
static bool kmig_zc_full(enum kmig_zero_check impl, bool dyn,
			 const void *buf, size_t len)
{
	bool zero;

	if (impl == KMIG_ZERO_CHECK_GENERIC || !kmig_zc_fpu_begin())
		return kmig_zc_generic(buf, len);
	if (dyn)
		zero = static_call(kmig_zc_call)(buf, len);
	else
		zero = kmig_zc_fns[impl](buf, len);
	kmig_zc_fpu_end();
	return zero;
}

bool kmig_buffer_is_zero_impl(enum kmig_zero_check impl, const void *buf,
			      size_t len)
{
	/* No sampling here: tests and benchmarks want the real scan. */
	return kmig_zc_full(kmig_zc_resolve(impl), false, buf, len);
}

bool kmig_buffer_is_zero(const void *buf, size_t len)
{
	enum kmig_zero_check impl = kmig_zerocheck_active();

	if (!kmig_zc_sample_zero(buf, len))
		return false;
	/* An FPU section costs more than it saves on short buffers. */
	if (len < KMIG_ZC_BLOCK)
		return kmig_zc_generic(buf, len);
	return kmig_zc_full(impl, true, buf, len);
}

bool kmig_page_is_zero(struct page *page)
{
	bool zero;
	void *addr;

	if (!page)
		return true;
	addr = kmap_local_page(page);
	zero = kmig_buffer_is_zero(addr, PAGE_SIZE);
	kunmap_local(addr);
	return zero;
}

/*
 * Pages of a batch are scattered: the hardware prefetcher stops at page
 * boundaries and the next page also needs a TLB walk. Starting the loads
 * of the next page's sample while this one is scanned hides much of that
 * (about +40% on shuffled cold pages). Lowmem only: a highmem page has no
 * address before it is mapped.
 */
static void kmig_zc_prefetch_page(struct page *page)
{
	const u8 *p;

	if (IS_ENABLED(CONFIG_HIGHMEM) || !page)
		return;
	p = page_address(page);
	prefetch(p);
	prefetch(p + PAGE_SIZE / 2);
	prefetch(p + PAGE_SIZE - 1);
}

/*
 * Pages [0, @n) of @pages, @n <= KMIG_ZC_FPU_BATCH; entries up to @ahead
 * (>= @n) may be looked at for the prefetch. The FPU is taken lazily, at the first
 * page that survives the sample, and held to the end of the chunk. One
 * page is mapped at a time (kmap_local slots are few on highmem).
 */
static unsigned int kmig_zc_chunk(enum kmig_zero_check impl, bool dyn,
				  struct page **pages, unsigned int n,
				  unsigned int ahead, unsigned long *zero_map,
				  unsigned int base)
{
	bool simd = impl != KMIG_ZERO_CHECK_GENERIC;
	bool fpu = false;
	unsigned int i, count = 0;

	for (i = 0; i < n; i++) {
		bool zero = true;
		void *addr;

		if (i + 1 < ahead)
			kmig_zc_prefetch_page(pages[i + 1]);
		if (pages[i]) {
			addr = kmap_local_page(pages[i]);
			zero = kmig_zc_sample_zero(addr, PAGE_SIZE);
			if (zero && simd && !fpu) {
				fpu = kmig_zc_fpu_begin();
				/* FPU refused: generic for the whole chunk. */
				simd = fpu;
			}
			if (zero && !simd)
				zero = kmig_zc_generic(addr, PAGE_SIZE);
			else if (zero && dyn)
				zero = static_call(kmig_zc_call)(addr, PAGE_SIZE);
			else if (zero)
				zero = kmig_zc_fns[impl](addr, PAGE_SIZE);
			kunmap_local(addr);
		}
		if (zero) {
			__set_bit(base + i, zero_map);
			count++;
		} else {
			__clear_bit(base + i, zero_map);
		}
	}
	if (fpu) {
		kmig_zc_fpu_end();
		kmig_prof_count(KMIG_PROF_SRC_FPU, 1);
	}
	return count;
}

static unsigned int kmig_zc_batch(enum kmig_zero_check impl, bool dyn,
				  struct page **pages, unsigned int n,
				  unsigned long *zero_map)
{
	unsigned int i, count = 0;

	for (i = 0; i < n; i += KMIG_ZC_FPU_BATCH)
		count += kmig_zc_chunk(impl, dyn, pages + i,
				       min_t(unsigned int, n - i,
					     KMIG_ZC_FPU_BATCH),
				       n - i, zero_map, i);
	return count;
}

unsigned int kmig_pages_zero_batch(struct page **pages, unsigned int n,
				   unsigned long *zero_map)
{
	return kmig_zc_batch(kmig_zerocheck_active(), true, pages, n,
			     zero_map);
}

unsigned int kmig_pages_zero_batch_impl(enum kmig_zero_check impl,
					struct page **pages, unsigned int n,
					unsigned long *zero_map)
{
	if (impl == KMIG_ZERO_CHECK_AUTO)
		return kmig_pages_zero_batch(pages, n, zero_map);
	return kmig_zc_batch(kmig_zc_resolve(impl), false, pages, n,
			     zero_map);
}
