// SPDX-License-Identifier: GPL-2.0
/*
 * Channels (channel.h): allocation, the thread's start and stop, and the
 * packet I/O both directions share (counters, CRC-32C, header-only
 * packets). The threads themselves: send.c (source) and receive.c
 * (destination).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/cpumask.h>
#include <linux/sched.h>

#include "channel.h"
#include "migration.h"
#include "region.h"
#include "wire.h"
#include "send.h"
#include "receive.h"

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

int kmig_channel_init(struct kmig_mig *mig, struct kmig_channel *ch,
		      unsigned int id)
{
	ch->mig = mig;
	ch->id = id;
	ch->cpu = kmig_channel_cpu(id);
	ch->buf = kmalloc(KMIG_CH_BUF_SIZE, GFP_KERNEL);
	ch->offs = kcalloc(KMIG_WIRE_MAX_PAGES_LIMIT, sizeof(*ch->offs),
			   GFP_KERNEL);
	if (!ch->buf || !ch->offs)
		return -ENOMEM;
	if (mig->role == KMIG_MIG_ROLE_DESTINATION) {
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
	ch->bounce = NULL;
	ch->buf = NULL;
	ch->offs = NULL;
	ch->rxpages = NULL;
	ch->rxnew = NULL;
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

int kmig_channel_put_crc(struct kmig_channel *ch, u8 *at, const void *a,
			 size_t alen, const void *b, size_t blen)
{
	__be32 be;
	u32 crc;
	int ret;

	ret = kmig_crc_calc(&ch->mig->crc, a, alen, b, blen, &crc);
	if (ret)
		return ret;
	be = cpu_to_be32(crc);
	memcpy(at, &be, sizeof(be));
	return 0;
}

int kmig_channel_check_crc(struct kmig_channel *ch, const void *a,
			   size_t alen, const void *b, size_t blen)
{
	struct kmig_mig *mig = ch->mig;
	u32 want, got;
	__be32 be;
	int ret;

	ret = kmig_sock_recv(ch->ks.sock, &be, sizeof(be));
	if (ret)
		return ret;
	atomic64_add(sizeof(be), &ch->bytes);
	ret = kmig_crc_calc(&mig->crc, a, alen, b, blen, &got);
	if (ret)
		return ret;
	want = be32_to_cpu(be);
	if (want == got)
		return 0;
	kmig_mig_count_integrity(mig);
	kmig_mig_stop(mig, KMIG_MIG_STATE_FAILED,
		      "channel %u packet %llu: CRC-32C mismatch (sent %08x, computed %08x)",
		      ch->id, ch->seq, want, got);
	kmig_mig_kick(mig);
	return -EILSEQ;
}

/* A packet without data (header only) from @buf, room for a CRC after. */
int kmig_channel_send_small(struct kmig_channel *ch, u8 *buf, size_t len)
{
	int ret;

	if (ch->crc) {
		ret = kmig_channel_put_crc(ch, buf + len, buf, len, NULL, 0);
		if (ret)
			return ret;
		len += KMIG_WIRE_CRC_SIZE;
	}
	ret = kmig_sock_send(ch->ks.sock, buf, len, false);
	if (!ret)
		atomic64_add(len, &ch->bytes);
	return ret;
}

/* Receive a header-only packet into @buf and check its CRC. */
int kmig_channel_recv_small(struct kmig_channel *ch, u8 *buf, size_t len)
{
	int ret;

	ret = kmig_sock_recv(ch->ks.sock, buf, len);
	if (ret)
		return ret;
	atomic64_add(len, &ch->bytes);
	return ch->crc ? kmig_channel_check_crc(ch, buf, len, NULL, 0) : 0;
}

int kmig_channel_start(struct kmig_channel *ch)
{
	struct kmig_mig *mig = ch->mig;
	bool src = mig->role == KMIG_MIG_ROLE_SOURCE;
	struct task_struct *t;

	if (ch->crc) {
		ch->bounce = kvmalloc(array_size(src ? KMIG_BATCH_PAGES :
						 ch->lim.max_pages, PAGE_SIZE),
				      GFP_KERNEL);
		if (!ch->bounce)
			return -ENOMEM;
	}
	if (!src)
		kmig_sink_region_init(&ch->sink, mig->region, mig->received,
				      &mig->pages_done);

	t = kthread_create(src ? kmig_send_thread : kmig_receive_thread,
			   ch, "kmig-%s/%u:%u", src ? "tx" : "rx",
			   mig->region->id, ch->id);
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
