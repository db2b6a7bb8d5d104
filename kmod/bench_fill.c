// SPDX-License-Identifier: GPL-2.0
/*
 * Fill a region's allocated pages with pseudo-random bytes from the
 * kernel, for make bench: a region of random data without a user fault
 * per page (UML takes about 70 s per GiB of them). Debugfs, root only:
 *
 *   echo "REGION_ID [SEED]" > /sys/kernel/debug/kmig/fill
 *   cat /sys/kernel/debug/kmig/fill
 *   pages 131072 time_ns 412345678
 *
 * Only pages that exist are written (KMIG_IOC_PREALLOC them first); none
 * is allocated. The bytes are a function of SEED (default 1) and the
 * page's index only: four xorshift64* streams per page, seeded with
 * splitmix64 from (SEED, index), so the same SEED gives the same region
 * whatever the order or the number of allocated pages. time_ns covers the
 * whole walk. A write blocks until the region is filled; a fatal signal
 * stops it part way (-EINTR). Errors: -ENOENT (no such region), -EINVAL.
 *
 * The pages are written through kmap_local_page(), not through the
 * region's user mappings, so no write fault sees them. Each page is
 * marked dirty (kmig_dirty_mark()) once written, as a write fault would
 * have: while dirty tracking is on, the next collection reports it, so a
 * migration running meanwhile sends it again. The VMM's mappings see the
 * new bytes at once (same pages).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "bench.h"
#include "dirty.h"
#include "region.h"

/* Pages written between two looks at signals and the scheduler. */
#define KMIG_BFILL_CHUNK	64

static DEFINE_MUTEX(kmig_bfill_lock);
static struct {
	u64 pages;
	u64 time_ns;
} kmig_bfill_last;

static u64 kmig_bfill_splitmix(u64 *x)
{
	u64 z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static __always_inline u64 kmig_bfill_next(u64 *s)
{
	u64 x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/*
 * Four independent streams, one word each in turn, so that the shift
 * chains of xorshift run side by side. A state is never zero (splitmix64
 * gives zero for one input in 2^64; that word is replaced).
 */
static void kmig_bfill_page(u64 *w, u64 seed, pgoff_t index)
{
	u64 x = seed ^ ((u64)index * 0xd1342543de82ef95ULL);
	u64 s[4];
	unsigned int i;

	for (i = 0; i < 4; i++) {
		s[i] = kmig_bfill_splitmix(&x);
		if (!s[i])
			s[i] = 1;
	}
	for (i = 0; i < PAGE_SIZE / sizeof(u64); i += 4) {
		w[i] = kmig_bfill_next(&s[0]);
		w[i + 1] = kmig_bfill_next(&s[1]);
		w[i + 2] = kmig_bfill_next(&s[2]);
		w[i + 3] = kmig_bfill_next(&s[3]);
	}
}

static int kmig_bfill_run(u32 id, u64 seed, u64 *pagesp, u64 *time_ns)
{
	struct kmig_region *region;
	unsigned long index;
	struct page *page;
	u64 start, n = 0;
	void *addr;
	int ret = 0;

	region = kmig_region_find(id);
	if (!region)
		return -ENOENT;
	start = ktime_get_ns();
	/*
	 * Pages stay in the region until it is freed and we hold a region
	 * reference (see kmig_region_scan()).
	 */
	xa_for_each(&region->pages, index, page) {
		addr = kmap_local_page(page);
		kmig_bfill_page(addr, seed, index);
		kunmap_local(addr);
		flush_dcache_page(page);
		kmig_dirty_mark(region, index);
		if (!(++n % KMIG_BFILL_CHUNK)) {
			if (fatal_signal_pending(current)) {
				ret = -EINTR;
				break;
			}
			cond_resched();
		}
	}
	*time_ns = ktime_get_ns() - start;
	*pagesp = n;
	kmig_region_put(region);
	return ret;
}

static ssize_t kmig_bfill_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	u64 seed = 1, pages = 0, ns = 0;
	char buf[48];
	u32 id;
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%u %llu", &id, &seed) < 1)
		return -EINVAL;
	if (mutex_lock_interruptible(&kmig_bfill_lock))
		return -EINTR;
	ret = kmig_bfill_run(id, seed, &pages, &ns);
	kmig_bfill_last.pages = pages;
	kmig_bfill_last.time_ns = ns;
	mutex_unlock(&kmig_bfill_lock);
	if (ret)
		return ret;
	pr_info("fill: region %u, %llu pages, seed %llu, %llu ns\n", id, pages,
		seed, ns);
	return len;
}

static ssize_t kmig_bfill_read(struct file *file, char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	char buf[64];
	int n;

	mutex_lock(&kmig_bfill_lock);
	n = scnprintf(buf, sizeof(buf), "pages %llu time_ns %llu\n",
		      kmig_bfill_last.pages, kmig_bfill_last.time_ns);
	mutex_unlock(&kmig_bfill_lock);
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations kmig_bfill_fops = {
	.owner = THIS_MODULE,
	.read = kmig_bfill_read,
	.write = kmig_bfill_write,
	.llseek = default_llseek,
};

void kmig_bench_fill_init(struct dentry *dir)
{
	debugfs_create_file("fill", 0600, dir, NULL, &kmig_bfill_fops);
}
