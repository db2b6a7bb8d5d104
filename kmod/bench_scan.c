// SPDX-License-Identifier: GPL-2.0
/*
 * The memory read limit where kmig runs: a pure read of every allocated
 * page of a region, with the widest loads the CPU has, in kmig's own
 * kernel (for make bench, inside the UML bench kernel, whose guest memory
 * is a host file mapping). No page index lookup, no zero test that could
 * stop early, no per-page call: what is left of kmig's zero check once
 * everything but the loads is gone. Debugfs, root only:
 *
 *   echo "REGION_ID [PASSES [IMPL]]" > /sys/kernel/debug/kmig/scan_limit
 *   cat /sys/kernel/debug/kmig/scan_limit
 *   bytes 1073741824 pages 262144 time_ns 81234567 passes 3 impl avx512
 *
 * The region's allocated pages are collected into an array first (not
 * timed); then each pass reads all of them, in chunks of
 * KMIG_BSCAN_CHUNK pages under one kernel_fpu_begin()/kernel_fpu_end()
 * with cond_resched() between chunks, and is timed as a whole. bytes and
 * pages are those of one pass; time_ns is the best of PASSES (default 3,
 * at most 100). IMPL is auto (the default), generic, avx2 or avx512:
 * auto runs every SIMD kernel the CPU has (avx512 and avx2) in turn in
 * each pass, since which reads fastest depends on the part, and impl
 * names the one that made the best time (generic without SIMD). Each
 * kernel ORs the whole page into four accumulators: no early exit, so
 * random data costs the same as zeros.
 * A write blocks until the passes are done; a fatal signal stops them.
 * Errors: -ENOENT (no such region), -ENODATA (no allocated page),
 * -EOPNOTSUPP (IMPL not on this CPU), -EINVAL, -ERANGE, -EINTR; cat then
 * shows zeros and impl none.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "bench.h"
#include "region.h"
#include "zerocheck.h"
#include "zeroscan.h"

#ifdef KMIG_ZC_X86
#include <asm/asm.h>
#include <asm/fpu/api.h>
#endif

/* Pages read between two kernel_fpu_begin()/kernel_fpu_end() pairs. */
#define KMIG_BSCAN_CHUNK	64
#define KMIG_BSCAN_PASSES	3
#define KMIG_BSCAN_PASSES_MAX	100

static DEFINE_MUTEX(kmig_bscan_lock);
static struct {
	u64 bytes;
	u64 pages;
	u64 time_ns;
	u32 passes;
	enum kmig_zero_check impl;
	bool valid;
} kmig_bscan_last;

/* ---- The page read kernels: true when the page holds a non-zero byte ---- */

static __always_inline bool kmig_bscan_page_generic(const void *addr)
{
	const u64 *w = addr;
	u64 a = 0, b = 0, c = 0, d = 0;
	unsigned int i;

	for (i = 0; i < PAGE_SIZE / sizeof(u64); i += 4) {
		a |= READ_ONCE(w[i]);
		b |= READ_ONCE(w[i + 1]);
		c |= READ_ONCE(w[i + 2]);
		d |= READ_ONCE(w[i + 3]);
	}
	return a | b | c | d;
}

#ifdef KMIG_ZC_X86
/* The memory operand telling the compiler the whole page is read. */
#define KMIG_BSCAN_MEM(p)	"m" (*(const u8 (*)[PAGE_SIZE])(p))

/*
 * 256 bytes per iteration: eight 32-byte loads ORed into four
 * accumulators, then one vptest for the page. As in zeroscan.c, no vector
 * register is live between two asm statements.
 */
static __always_inline bool kmig_bscan_page_avx2(const void *addr)
{
	const u8 *p = addr, *end = p + PAGE_SIZE;
	bool nz;

	asm volatile("vpxor %%ymm0, %%ymm0, %%ymm0\n\t"
		     "vpxor %%ymm1, %%ymm1, %%ymm1\n\t"
		     "vpxor %%ymm2, %%ymm2, %%ymm2\n\t"
		     "vpxor %%ymm3, %%ymm3, %%ymm3\n"
		     "1:\n\t"
		     "vpor 0(%[p]), %%ymm0, %%ymm0\n\t"
		     "vpor 32(%[p]), %%ymm1, %%ymm1\n\t"
		     "vpor 64(%[p]), %%ymm2, %%ymm2\n\t"
		     "vpor 96(%[p]), %%ymm3, %%ymm3\n\t"
		     "vpor 128(%[p]), %%ymm0, %%ymm0\n\t"
		     "vpor 160(%[p]), %%ymm1, %%ymm1\n\t"
		     "vpor 192(%[p]), %%ymm2, %%ymm2\n\t"
		     "vpor 224(%[p]), %%ymm3, %%ymm3\n\t"
		     "add $256, %[p]\n\t"
		     "cmp %[e], %[p]\n\t"
		     "jne 1b\n\t"
		     "vpor %%ymm1, %%ymm0, %%ymm0\n\t"
		     "vpor %%ymm3, %%ymm2, %%ymm2\n\t"
		     "vpor %%ymm2, %%ymm0, %%ymm0\n\t"
		     "vptest %%ymm0, %%ymm0"
		     CC_SET(nz)
		     : CC_OUT(nz) (nz), [p] "+r" (p)
		     : [e] "r" (end), KMIG_BSCAN_MEM(addr));
	return nz;
}

#ifdef KMIG_ZC_AVX512
/*
 * 512 bytes per iteration: eight 64-byte loads into four accumulators.
 * k1 is not declared clobbered (the kernel is built without AVX-512, so
 * the compiler neither knows nor uses it), as in zeroscan.c.
 */
static __always_inline bool kmig_bscan_page_avx512(const void *addr)
{
	const u8 *p = addr, *end = p + PAGE_SIZE;
	bool nz;

	asm volatile("vpxorq %%zmm0, %%zmm0, %%zmm0\n\t"
		     "vpxorq %%zmm1, %%zmm1, %%zmm1\n\t"
		     "vpxorq %%zmm2, %%zmm2, %%zmm2\n\t"
		     "vpxorq %%zmm3, %%zmm3, %%zmm3\n"
		     "1:\n\t"
		     "vporq 0(%[p]), %%zmm0, %%zmm0\n\t"
		     "vporq 64(%[p]), %%zmm1, %%zmm1\n\t"
		     "vporq 128(%[p]), %%zmm2, %%zmm2\n\t"
		     "vporq 192(%[p]), %%zmm3, %%zmm3\n\t"
		     "vporq 256(%[p]), %%zmm0, %%zmm0\n\t"
		     "vporq 320(%[p]), %%zmm1, %%zmm1\n\t"
		     "vporq 384(%[p]), %%zmm2, %%zmm2\n\t"
		     "vporq 448(%[p]), %%zmm3, %%zmm3\n\t"
		     "add $512, %[p]\n\t"
		     "cmp %[e], %[p]\n\t"
		     "jne 1b\n\t"
		     /* 0xfe: three-way OR. */
		     "vpternlogq $0xfe, %%zmm2, %%zmm1, %%zmm0\n\t"
		     "vporq %%zmm3, %%zmm0, %%zmm0\n\t"
		     "vptestmq %%zmm0, %%zmm0, %%k1\n\t"
		     "kortestw %%k1, %%k1"
		     CC_SET(nz)
		     : CC_OUT(nz) (nz), [p] "+r" (p)
		     : [e] "r" (end), KMIG_BSCAN_MEM(addr));
	return nz;
}
#endif /* KMIG_ZC_AVX512 */
#endif /* KMIG_ZC_X86 */

/*
 * One chunk of pages read with @impl; returns how many held data (only so
 * that the reads have a result). Inlined per implementation, so the loop
 * holds nothing but the kmap and the load loop.
 */
static __always_inline unsigned int
kmig_bscan_chunk(struct page **pages, unsigned int n,
		 bool (*page_nz)(const void *addr), bool simd)
{
	unsigned int i, nz = 0;
	void *addr;

#ifdef KMIG_ZC_X86
	if (simd)
		kernel_fpu_begin();
#endif
	for (i = 0; i < n; i++) {
		addr = kmap_local_page(pages[i]);
		nz += page_nz(addr);
		kunmap_local(addr);
	}
#ifdef KMIG_ZC_X86
	if (simd) {
		/* No dirty upper halves left behind for later SSE code. */
		asm volatile("vzeroupper");
		kernel_fpu_end();
	}
#endif
	return nz;
}

static unsigned int kmig_bscan_chunk_impl(enum kmig_zero_check impl,
					  struct page **pages, unsigned int n)
{
	switch (impl) {
#ifdef KMIG_ZC_X86
	case KMIG_ZERO_CHECK_AVX2:
		return kmig_bscan_chunk(pages, n, kmig_bscan_page_avx2, true);
#ifdef KMIG_ZC_AVX512
	case KMIG_ZERO_CHECK_AVX512:
		return kmig_bscan_chunk(pages, n, kmig_bscan_page_avx512, true);
#endif
#endif
	default:
		return kmig_bscan_chunk(pages, n, kmig_bscan_page_generic,
					false);
	}
}

/* One timed pass over @pages; -EINTR on a fatal signal. */
static int kmig_bscan_pass(enum kmig_zero_check impl, struct page **pages,
			   unsigned long npages, u64 *time_ns, u64 *nonzero)
{
	unsigned long i;
	unsigned int n;
	u64 start, nz = 0;

	start = ktime_get_ns();
	for (i = 0; i < npages; i += n) {
		n = min_t(unsigned long, npages - i, KMIG_BSCAN_CHUNK);
		nz += kmig_bscan_chunk_impl(impl, pages + i, n);
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	*time_ns = ktime_get_ns() - start;
	*nonzero = nz;
	return 0;
}

/*
 * The region's allocated pages, in index order, into a new array (at most
 * as many as were counted populated when it started). Pages stay in the
 * region until it is freed, and the caller holds a region reference, so
 * the pointers stay valid without page references (as in
 * kmig_region_scan()).
 */
static int kmig_bscan_collect(struct kmig_region *region,
			      struct page ***pagesp, unsigned long *npagesp)
{
	unsigned long cap = kmig_region_populated(region), n = 0, index;
	struct page **pages, *page;

	if (!cap)
		return -ENODATA;
	pages = kvmalloc_array(cap, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	xa_for_each(&region->pages, index, page) {
		pages[n++] = page;
		if (n == cap)
			break;
		if (!(n % 4096))
			cond_resched();
	}
	if (!n) {
		kvfree(pages);
		return -ENODATA;
	}
	*pagesp = pages;
	*npagesp = n;
	return 0;
}

/*
 * The kernels to run, as a mask of enum kmig_zero_check bits: for auto
 * (or nothing), every SIMD one the CPU has, since which reads fastest
 * depends on the part; generic when it has none.
 */
static int kmig_bscan_parse_impl(const char *name, u32 *mask)
{
	u32 simd = BIT(KMIG_ZERO_CHECK_AVX512) | BIT(KMIG_ZERO_CHECK_AVX2);
	int ret;

	ret = *name ? kmig_zerocheck_parse(name) : KMIG_ZERO_CHECK_AUTO;
	if (ret < 0)
		return ret;
	switch (ret) {
	case KMIG_ZERO_CHECK_AUTO:
		*mask = kmig_zerocheck_available() & simd;
		if (!*mask)
			*mask = BIT(KMIG_ZERO_CHECK_GENERIC);
		return 0;
	case KMIG_ZERO_CHECK_GENERIC:
	case KMIG_ZERO_CHECK_AVX2:
	case KMIG_ZERO_CHECK_AVX512:
		*mask = BIT(ret);
		return kmig_zerocheck_is_available(ret) ? 0 : -EOPNOTSUPP;
	default:
		return -EINVAL;
	}
}

/* Each pass runs every kernel of @mask in turn; the best time wins. */
static int kmig_bscan_run(u32 id, u32 passes, u32 mask)
{
	enum kmig_zero_check best_impl = KMIG_ZERO_CHECK_GENERIC;
	struct kmig_region *region;
	struct page **pages = NULL;
	unsigned long npages = 0;
	u64 ns, best = U64_MAX, nonzero = 0;
	u32 i;
	int impl, ret;

	region = kmig_region_find(id);
	if (!region)
		return -ENOENT;
	ret = kmig_bscan_collect(region, &pages, &npages);
	if (ret)
		goto out_put;
	for (i = 0; i < passes; i++) {
		for (impl = KMIG_ZC_NR - 1; impl > KMIG_ZERO_CHECK_AUTO; impl--) {
			if (!(mask & BIT(impl)))
				continue;
			ret = kmig_bscan_pass(impl, pages, npages, &ns,
					      &nonzero);
			if (ret)
				goto out_free;
			if (ns < best) {
				best = ns;
				best_impl = impl;
			}
		}
	}
	kmig_bscan_last.bytes = (u64)npages << PAGE_SHIFT;
	kmig_bscan_last.pages = npages;
	kmig_bscan_last.time_ns = best;
	kmig_bscan_last.passes = passes;
	kmig_bscan_last.impl = best_impl;
	kmig_bscan_last.valid = true;
	pr_info("scan limit: region %u, %lu pages (%llu with data), best of %u passes %llu ns (%s)\n",
		id, npages, nonzero, passes, best,
		kmig_zerocheck_name(best_impl));
out_free:
	kvfree(pages);
out_put:
	kmig_region_put(region);
	return ret;
}

static int kmig_bscan_parse_run(const char *buf)
{
	u32 id, passes = KMIG_BSCAN_PASSES, mask;
	char name[16] = "";
	int ret;

	if (sscanf(buf, "%u %u %15s", &id, &passes, name) < 1)
		return -EINVAL;
	if (!passes || passes > KMIG_BSCAN_PASSES_MAX)
		return -ERANGE;
	ret = kmig_bscan_parse_impl(name, &mask);
	if (ret)
		return ret;
	return kmig_bscan_run(id, passes, mask);
}

static ssize_t kmig_bscan_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	char buf[48];
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (mutex_lock_interruptible(&kmig_bscan_lock))
		return -EINTR;
	/* Whatever fails from here on leaves no stale result behind. */
	memset(&kmig_bscan_last, 0, sizeof(kmig_bscan_last));
	ret = kmig_bscan_parse_run(buf);
	mutex_unlock(&kmig_bscan_lock);
	return ret ? ret : len;
}

static ssize_t kmig_bscan_read(struct file *file, char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	char buf[128];
	int n;

	mutex_lock(&kmig_bscan_lock);
	n = scnprintf(buf, sizeof(buf),
		      "bytes %llu pages %llu time_ns %llu passes %u impl %s\n",
		      kmig_bscan_last.bytes, kmig_bscan_last.pages,
		      kmig_bscan_last.time_ns, kmig_bscan_last.passes,
		      kmig_bscan_last.valid ?
		      kmig_zerocheck_name(kmig_bscan_last.impl) : "none");
	mutex_unlock(&kmig_bscan_lock);
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations kmig_bscan_fops = {
	.owner = THIS_MODULE,
	.read = kmig_bscan_read,
	.write = kmig_bscan_write,
	.llseek = default_llseek,
};

void kmig_bench_scan_init(struct dentry *dir)
{
	debugfs_create_file("scan_limit", 0600, dir, NULL, &kmig_bscan_fops);
}
