// SPDX-License-Identifier: GPL-2.0
/*
 * Channels (channel.h): allocation, the thread's start and stop, the
 * counters. The threads themselves are send.c (source) and receive.c
 * (destination); the packet I/O both share is packet.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/cpumask.h>
#include <linux/sched.h>

#include "channel.h"
#include "wire.h"

/* The i-th online CPU, wrapping. */
static int kmig_channel_cpu(unsigned int i)
{
	unsigned int n = num_online_cpus(), k = 0;
	int cpu;

	i %= max(n, 1U);
	for_each_online_cpu(cpu)
		if (k++ == i)
			return cpu;
	return cpumask_first(cpu_online_mask);
}

int kmig_channel_init(struct kmig_channel *ch, struct kmig_mig *mig,
		      unsigned int id, bool dest)
{
	ch->mig = mig;
	ch->id = id;
	ch->cpu = kmig_channel_cpu(id);
	ch->buf = kmalloc(KMIG_CH_BUF_SIZE, GFP_KERNEL);
	ch->offs = kcalloc(KMIG_WIRE_MAX_PAGES_LIMIT, sizeof(*ch->offs),
			   GFP_KERNEL);
	if (!ch->buf || !ch->offs)
		return -ENOMEM;
	if (dest) {
		ch->rxpages = kcalloc(KMIG_WIRE_MAX_PAGES_LIMIT,
				      sizeof(*ch->rxpages), GFP_KERNEL);
		ch->rxnew = bitmap_zalloc(KMIG_WIRE_MAX_PAGES_LIMIT, GFP_KERNEL);
		if (!ch->offs || !ch->rxpages || !ch->rxnew)
			return -ENOMEM;
	}
	return 0;
}

void kmig_channel_uninit(struct kmig_channel *ch)
{
	kfree(ch->buf);
	kfree(ch->offs);
	kfree(ch->rxpages);
	bitmap_free(ch->rxnew);
	kvfree(ch->bounce);
	if (ch->scratch)
		__free_page(ch->scratch);
	ch->scratch = NULL;
	ch->bounce = NULL;
	ch->buf = NULL;
	ch->offs = NULL;
	ch->rxpages = NULL;
	ch->rxnew = NULL;
}

void kmig_channel_reset(struct kmig_channel *ch)
{
	ch->expect_close = false;
	ch->done = false;
	ch->parked = false;
	ch->seq = 0;
	ch->rseq = 0;
	ch->pc = NULL;
	ch->pc_sent = false;
}

void kmig_channel_park(void)
{
	for (;;) {
		set_current_state(TASK_IDLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
}

void kmig_channel_count(struct kmig_channel *ch, u64 pages, u64 zero,
			u64 bytes)
{
	atomic64_add(pages, &ch->pages);
	atomic64_add(zero, &ch->zero_pages);
	atomic64_add(bytes, &ch->bytes);
	atomic64_inc(&ch->packets);
}

int kmig_channel_alloc_bounce(struct kmig_channel *ch, unsigned int pages)
{
	/* Postcopy resumed: the channel has it from its first connection. */
	if (!ch->crc || ch->bounce)
		return 0;
	ch->bounce = kvmalloc(array_size(pages, PAGE_SIZE), GFP_KERNEL);
	return ch->bounce ? 0 : -ENOMEM;
}

int kmig_channel_start(struct kmig_channel *ch, int (*fn)(void *data),
		       const char *dir, unsigned int region_id)
{
	struct task_struct *t;

	t = kthread_create(fn, ch, "kmig-%s/%u:%u", dir, region_id, ch->id);
	if (IS_ERR(t))
		return PTR_ERR(t);
	kthread_bind(t, ch->cpu);
	get_task_struct(t);
	ch->task = t;
	wake_up_process(t);
	return 0;
}

void kmig_channel_stop(struct kmig_channel *ch)
{
	if (!ch->task)
		return;
	kthread_stop(ch->task);
	put_task_struct(ch->task);
	ch->task = NULL;
}
