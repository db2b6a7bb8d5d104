// SPDX-License-Identifier: GPL-2.0
/*
 * The per-page profile of the data path (prof.h), for make bench only.
 *
 *   echo on > /sys/kernel/debug/kmig/profile     # also: off, reset
 *   cat /sys/kernel/debug/kmig/profile
 *   src_walk ns 123456 n 262144
 *   ...
 *   fpu_pair_ns 41
 *
 * Each line is a section: the nanoseconds spent in it, summed over every
 * thread, and the pages (or, for src_fpu, the FPU sections) it handled.
 * fpu_pair_ns is the cost of one kernel_fpu_begin()/kernel_fpu_end() pair,
 * measured when the file is read, so that src_fpu's count gives the time
 * the FPU sections took. On one CPU (UML) the sections of the threads of
 * both sides add up to the wall time of the migration, less the time spent
 * switching between them; a waiting section (src_qwait, dst_wait,
 * src_ack) is time a thread slept while others ran.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/preempt.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "prof.h"
#include "wire.h"
#include "zeroscan.h"

#ifdef KMIG_ZC_X86
#include <asm/fpu/api.h>
#endif

DEFINE_STATIC_KEY_FALSE(kmig_prof_on);

static const char * const kmig_prof_names[KMIG_PROF_NR] = {
	[KMIG_PROF_SRC_WALK] = "src_walk",
	[KMIG_PROF_SRC_QWAIT] = "src_qwait",
	[KMIG_PROF_SRC_SCAN] = "src_scan",
	[KMIG_PROF_SRC_FPU] = "src_fpu",
	[KMIG_PROF_SRC_ENCODE] = "src_encode",
	[KMIG_PROF_SRC_SEND] = "src_send",
	[KMIG_PROF_SRC_RELEASE] = "src_release",
	[KMIG_PROF_SRC_ACK] = "src_ack",
	[KMIG_PROF_DST_WAIT] = "dst_wait",
	[KMIG_PROF_DST_RECV] = "dst_recv",
	[KMIG_PROF_DST_DECODE] = "dst_decode",
	[KMIG_PROF_DST_LOOKUP] = "dst_lookup",
	[KMIG_PROF_DST_ALLOC] = "dst_alloc",
	[KMIG_PROF_DST_APPLY] = "dst_apply",
};

static const char * const kmig_opt_names[KMIG_OPT_NR] = {
	[KMIG_OPT_OFFSETS] = "offsets",
	[KMIG_OPT_CORK] = "cork",
	[KMIG_OPT_WALK] = "walk",
	[KMIG_OPT_ZERO_RANGE] = "zero_range",
};

unsigned long kmig_opt_off;

static struct {
	atomic64_t ns;
	atomic64_t n;
} kmig_prof[KMIG_PROF_NR];

static struct dentry *kmig_prof_file, *kmig_opt_file;

void kmig_prof_add(enum kmig_prof_sec sec, u64 ns, u64 n)
{
	atomic64_add(ns, &kmig_prof[sec].ns);
	atomic64_add(n, &kmig_prof[sec].n);
}

static void kmig_prof_reset(void)
{
	unsigned int i;

	for (i = 0; i < KMIG_PROF_NR; i++) {
		atomic64_set(&kmig_prof[i].ns, 0);
		atomic64_set(&kmig_prof[i].n, 0);
	}
}

/* One kernel_fpu_begin()/kernel_fpu_end() pair, in ns (0 without x86). */
static u64 kmig_prof_fpu_pair_ns(void)
{
#ifdef KMIG_ZC_X86
	const unsigned int pairs = 4096;
	unsigned int i;
	u64 t0, ns;

	if (!irq_fpu_usable())
		return 0;
	t0 = ktime_get_ns();
	for (i = 0; i < pairs; i++) {
		kernel_fpu_begin();
		kernel_fpu_end();
	}
	ns = ktime_get_ns() - t0;
	return div_u64(ns, pairs);
#else
	return 0;
#endif
}

static ssize_t kmig_prof_write(struct file *file, const char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	char buf[16];

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sysfs_streq(buf, "on"))
		static_branch_enable(&kmig_prof_on);
	else if (sysfs_streq(buf, "off"))
		static_branch_disable(&kmig_prof_on);
	else if (sysfs_streq(buf, "reset"))
		kmig_prof_reset();
	else
		return -EINVAL;
	return len;
}

static ssize_t kmig_prof_read(struct file *file, char __user *ubuf,
			      size_t len, loff_t *ppos)
{
	const size_t size = 64 * (KMIG_PROF_NR + 2);
	unsigned int i;
	size_t n = 0;
	ssize_t ret;
	char *buf;

	buf = kmalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < KMIG_PROF_NR; i++)
		n += scnprintf(buf + n, size - n, "%s ns %lld n %lld\n",
			       kmig_prof_names[i],
			       atomic64_read(&kmig_prof[i].ns),
			       atomic64_read(&kmig_prof[i].n));
	n += scnprintf(buf + n, size - n, "fpu_pair_ns %llu\n",
		       kmig_prof_fpu_pair_ns());
	ret = simple_read_from_buffer(ubuf, len, ppos, buf, n);
	kfree(buf);
	return ret;
}

static const struct file_operations kmig_prof_fops = {
	.owner = THIS_MODULE,
	.read = kmig_prof_read,
	.write = kmig_prof_write,
	.llseek = default_llseek,
};

/* "none", or the optimisations to turn off, separated by commas. */
static ssize_t kmig_opt_write(struct file *file, const char __user *ubuf,
			      size_t len, loff_t *ppos)
{
	unsigned long off = 0;
	char buf[80], *p, *name;
	int i;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	p = strim(buf);
	while ((name = strsep(&p, ",")) != NULL) {
		if (!*name || !strcmp(name, "none"))
			continue;
		i = match_string(kmig_opt_names, KMIG_OPT_NR, name);
		if (i < 0)
			return -EINVAL;
		off |= BIT(i);
	}
	WRITE_ONCE(kmig_opt_off, off);
	WRITE_ONCE(kmig_wire_dup_scan, !!(off & BIT(KMIG_OPT_OFFSETS)));
	return len;
}

static ssize_t kmig_opt_read(struct file *file, char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	unsigned long off = READ_ONCE(kmig_opt_off);
	char buf[80];
	size_t n = 0;
	int i;

	for (i = 0; i < KMIG_OPT_NR; i++)
		if (off & BIT(i))
			n += scnprintf(buf + n, sizeof(buf) - n, "%s%s",
				       n ? "," : "", kmig_opt_names[i]);
	n += scnprintf(buf + n, sizeof(buf) - n, "%s\n", n ? "" : "none");
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations kmig_opt_fops = {
	.owner = THIS_MODULE,
	.read = kmig_opt_read,
	.write = kmig_opt_write,
	.llseek = default_llseek,
};

/* After kmig_bench_init(), which makes debugfs kmig/. */
void kmig_prof_init(void)
{
	struct dentry *dir = debugfs_lookup(KBUILD_MODNAME, NULL);

	if (IS_ERR_OR_NULL(dir))
		return;
	kmig_prof_file = debugfs_create_file("profile", 0600, dir, NULL,
					     &kmig_prof_fops);
	kmig_opt_file = debugfs_create_file("opt_off", 0600, dir, NULL,
					    &kmig_opt_fops);
	dput(dir);
}

void kmig_prof_uninit(void)
{
	static_branch_disable(&kmig_prof_on);
	debugfs_remove(kmig_opt_file);
	debugfs_remove(kmig_prof_file);
	kmig_opt_file = NULL;
	kmig_prof_file = NULL;
}
