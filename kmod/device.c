// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/kmig misc device. A VMM gets guest RAM with no kmig-specific
 * call: open, mmap(MAP_SHARED), touch. This is also what QEMU does with
 * -object memory-backend-file,mem-path=/dev/kmig,share=on: it calls
 * fstat, lseek(SEEK_END) (0 before the first mmap: "empty"), ftruncate
 * (refused by the VFS for a character device; QEMU prints it and goes on)
 * and mmap.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <linux/module.h>
#include <linux/bitops.h>
#include <linux/pagemap.h>
#include <linux/sched/signal.h>

#include <uapi/linux/kmig.h>

#include "device.h"
#include "region.h"
#include "compat.h"
#include "migration.h"
#include "dirty.h"
#include "postcopy.h"

/*
 * Postcopy destination: a page still on the source. The thread sleeps
 * until it is installed; it never gets a stale or zeroed page. Where the
 * fault may be retried, the lock it was taken under is let go first and
 * the fault is retried once the page is here (as filemap does for a page
 * under I/O); otherwise it sleeps holding it. A page that can never come
 * (postcopy failed) is SIGBUS. 0: not missing (any more), go on.
 */
static vm_fault_t kmig_vm_fault_missing(struct kmig_region *region,
					struct vm_fault *vmf)
{
	struct kmig_postcopy *pc;
	vm_fault_t ret = 0;

	pc = kmig_region_postcopy_missing(region, vmf->pgoff);
	if (!pc)
		return 0;
	if (fault_flag_allow_retry_first(vmf->flags)) {
		if (vmf->flags & FAULT_FLAG_RETRY_NOWAIT) {
			/* The lock stays held: ask, and come back later. */
			kmig_postcopy_request(pc, vmf->pgoff);
		} else {
			kmig_fault_unlock(vmf);
			/* The retry sees the page, or the failure. */
			kmig_postcopy_wait(pc, vmf->pgoff);
		}
		ret = VM_FAULT_RETRY;
	} else if (kmig_postcopy_wait(pc, vmf->pgoff)) {
		atomic64_inc(&pc->sigbus);
		ret = VM_FAULT_SIGBUS;
	}
	kmig_postcopy_put(pc);
	return ret;
}

static vm_fault_t kmig_vm_fault(struct vm_fault *vmf)
{
	struct kmig_region *region = vmf->vma->vm_file->private_data;
	struct page *page;
	vm_fault_t ret;

	ret = kmig_vm_fault_missing(region, vmf);
	if (ret)
		return ret;

	/* Mappings were checked at mmap time and cannot grow (VM_DONTEXPAND). */
	page = kmig_region_get_page(region, vmf->pgoff, true);
	/* Over max_memory (-ENOSPC): SIGBUS, as hugetlbfs, never the OOM killer. */
	if (IS_ERR(page))
		return PTR_ERR(page) == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;

	kmig_region_count_fault(region);
	/* The reference taken above now belongs to the page table entry. */
	vmf->page = page;
	return 0;
}

/*
 * First write to a page through a read-only (write-notify) mapping: the
 * moment dirty tracking needs. The page has no page-cache mapping, so it
 * is handed back locked (VM_FAULT_LOCKED), or the core would take it for
 * a truncated page and retry forever.
 */
static vm_fault_t kmig_vm_page_mkwrite(struct vm_fault *vmf)
{
	struct kmig_region *region = vmf->vma->vm_file->private_data;
	struct page *page = vmf->page;

	lock_page(page);
	kmig_dirty_mark(region, vmf->pgoff);
	return VM_FAULT_LOCKED;
}

static void kmig_vm_open(struct vm_area_struct *vma)
{
	struct kmig_region *region = vma->vm_file->private_data;

	atomic_inc(&region->mappings);
}

static void kmig_vm_close(struct vm_area_struct *vma)
{
	struct kmig_region *region = vma->vm_file->private_data;

	atomic_dec(&region->mappings);
}

static const struct vm_operations_struct kmig_vm_ops = {
	.fault = kmig_vm_fault,
	.page_mkwrite = kmig_vm_page_mkwrite,
	.open = kmig_vm_open,
	.close = kmig_vm_close,
};

static int kmig_dev_open(struct inode *inode, struct file *file)
{
	struct kmig_region *region;

	region = kmig_region_create();
	if (IS_ERR(region))
		return PTR_ERR(region);

	file->private_data = region;
	/* The region's mappings go into its own address space. */
	file->f_mapping = kmig_region_mapping(region);
	return 0;
}

static int kmig_dev_release(struct inode *inode, struct file *file)
{
	/* The owner is gone: a migration of the region ends here. */
	kmig_mig_region_closed(file->private_data);
	kmig_region_put(file->private_data);
	return 0;
}

static int kmig_dev_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct kmig_region *region = file->private_data;
	const char *why;
	int ret;

	if (!(vma->vm_flags & VM_MAYSHARE)) {
		ret = -EINVAL;
		why = "private mapping (MAP_SHARED required)";
		goto refused;
	}

	ret = kmig_region_map(region, vma->vm_pgoff, vma_pages(vma));
	switch (ret) {
	case 0:
		break;
	case -EFBIG:
		why = "larger than max_region_size";
		goto refused;
	case -ENXIO:
		why = vma->vm_pgoff && !kmig_region_npages(region) ?
		      "first mapping must start at offset 0" :
		      "outside the region";
		goto refused;
	default:
		why = "invalid";
		goto refused;
	}

	kmig_vm_flags_set(vma, VM_DONTEXPAND);
	vma->vm_ops = &kmig_vm_ops;
	kmig_vm_open(vma);
	return 0;

refused:
	kmig_region_count_refused_mmap();
	pr_info_ratelimited("region %u: mmap of %lu bytes at offset %llu refused: %s\n",
			    region->id, vma->vm_end - vma->vm_start,
			    (unsigned long long)vma->vm_pgoff << PAGE_SHIFT,
			    why);
	return ret;
}

static loff_t kmig_dev_llseek(struct file *file, loff_t offset, int whence)
{
	struct kmig_region *region = file->private_data;

	/* The region is a fixed-size file once mapped, empty before. */
	return fixed_size_llseek(file, offset, whence,
				 (loff_t)kmig_region_npages(region) << PAGE_SHIFT);
}

#define KMIG_PAGE_BITMAP_MAX	BIT_ULL(24)

static long kmig_dev_page_bitmap(struct kmig_region *region,
				 struct kmig_page_bitmap __user *uarg)
{
	u64 npages = kmig_region_npages(region);
	struct kmig_page_bitmap pb;
	u64 __user *ubits;
	u64 w, words, populated = 0;

	if (copy_from_user(&pb, uarg, sizeof(pb)))
		return -EFAULT;
	if ((pb.first | pb.count) & 63 || pb.count > KMIG_PAGE_BITMAP_MAX)
		return -EINVAL;
	if (pb.first >= npages)
		return -ENXIO;
	pb.count = min_t(u64, pb.count, round_up(npages - pb.first, 64));
	words = pb.count / 64;
	ubits = u64_to_user_ptr(pb.bitmap);

	for (w = 0; w < words; w++) {
		u64 bits = 0, base = pb.first + w * 64;
		unsigned int b;

		for (b = 0; b < 64 && base + b < npages; b++)
			if (kmig_region_peek_page(region, base + b))
				bits |= BIT_ULL(b);
		populated += hweight64(bits);
		if (put_user(bits, ubits + w))
			return -EFAULT;
		if (!(w % 256)) {
			if (fatal_signal_pending(current))
				return -EINTR;
			cond_resched();
		}
	}
	pb.populated = populated;
	if (copy_to_user(uarg, &pb, sizeof(pb)))
		return -EFAULT;
	return 0;
}

static long kmig_dev_prealloc(struct kmig_region *region,
			      const struct kmig_prealloc __user *uarg)
{
	u64 npages = kmig_region_npages(region), i, end;
	struct kmig_prealloc pa;
	struct page *page;
	int ret;

	if (copy_from_user(&pa, uarg, sizeof(pa)))
		return -EFAULT;
	if (!npages || pa.reserved)
		return -EINVAL;
	if (pa.first >= npages)
		return -ENXIO;
	end = pa.first + min_t(u64, pa.count, npages - pa.first);
	/* Over max_memory: ENOSPC before allocating anything. */
	ret = kmig_region_may_populate(region, pa.first, end);
	if (ret)
		return ret;
	for (i = pa.first; i < end; i++) {
		page = kmig_region_get_page(region, i, true);
		if (IS_ERR_OR_NULL(page))
			return page ? PTR_ERR(page) : -ENOMEM;
		put_page(page);
		if (!(i % 1024)) {
			if (fatal_signal_pending(current))
				return -EINTR;
			cond_resched();
		}
	}
	return 0;
}

static long kmig_dev_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct kmig_region *region = file->private_data;
	struct kmig_region_info info = {};

	switch (cmd) {
	case KMIG_IOC_PAGE_BITMAP:
		return kmig_dev_page_bitmap(region, (void __user *)arg);
	case KMIG_IOC_PREALLOC:
		return kmig_dev_prealloc(region, (void __user *)arg);
	case KMIG_IOC_REGION_INFO:
		info.id = region->id;
		info.page_size = PAGE_SIZE;
		info.size = (u64)kmig_region_npages(region) << PAGE_SHIFT;
		info.populated_pages = kmig_region_populated(region);
		if (copy_to_user((void __user *)arg, &info, sizeof(info)))
			return -EFAULT;
		return 0;
	default:
		return -ENOTTY;
	}
}

MODULE_ALIAS_MISCDEV(KMIG_MISC_MINOR);
MODULE_ALIAS("devname:kmig");

static const struct file_operations kmig_dev_fops = {
	.owner = THIS_MODULE,
	.open = kmig_dev_open,
	.release = kmig_dev_release,
	.mmap = kmig_dev_mmap,
	.llseek = kmig_dev_llseek,
	.unlocked_ioctl = kmig_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice kmig_misc = {
	.minor = KMIG_MISC_MINOR,
	.name = "kmig",
	.fops = &kmig_dev_fops,
	.mode = 0660,
};

int kmig_device_init(void)
{
	int ret = misc_register(&kmig_misc);

	if (ret == -EBUSY)
		pr_err("misc minor 10:%d is taken by another driver, /dev/kmig cannot be registered\n",
		       KMIG_MISC_MINOR);
	return ret;
}

void kmig_device_uninit(void)
{
	misc_deregister(&kmig_misc);
}
