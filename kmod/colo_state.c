// SPDX-License-Identifier: GPL-2.0
/*
 * The per-migration COLO state (colo_state.h): its allocation, the page
 * sink of a secondary's channels into the COLO cache, the latency
 * figures. The pure parts are apart: hist.c (latency histograms),
 * colo_sm.c (the checkpoint state machine), colo_cache.c (the cache).
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/bitmap.h>
#include <linux/lockdep.h>
#include <linux/math64.h>

#include "colo_state.h"
#include "region.h"

/* ----- the page sink of a secondary's channels: the COLO cache ----- */

static struct kmig_colo *kmig_colo_of_sink(struct kmig_page_sink *sink)
{
	return container_of(sink, struct kmig_colo, sink);
}

/* Channel thread: may DATA be applied to the cache now? */
static const char *kmig_colo_sink_refuse(struct kmig_page_sink *sink)
{
	struct kmig_colo *colo = kmig_colo_of_sink(sink);

	if (READ_ONCE(colo->sm.phase) == KMIG_COLO_OPEN)
		return NULL;
	return "DATA outside a COLO checkpoint";
}

static struct page *kmig_colo_sink_get(struct kmig_page_sink *sink,
				       pgoff_t index)
{
	return kmig_colo_cache_get(&kmig_colo_of_sink(sink)->cache, index);
}

static struct page *kmig_colo_sink_alloc(struct kmig_page_sink *sink)
{
	return kmig_region_alloc_page(kmig_colo_of_sink(sink)->region);
}

static int kmig_colo_sink_install(struct kmig_page_sink *sink, pgoff_t index,
				  struct page *page)
{
	return kmig_colo_cache_install(&kmig_colo_of_sink(sink)->cache, index,
				       page);
}

static void kmig_colo_sink_mark(struct kmig_page_sink *sink, pgoff_t index)
{
	struct kmig_colo *colo = kmig_colo_of_sink(sink);

	if (!test_and_set_bit(index, colo->ckpt_bits))
		atomic64_inc(&colo->ckpt_pages);
}

static const struct kmig_page_sink_ops kmig_colo_sink_ops = {
	.refuse		= kmig_colo_sink_refuse,
	.get		= kmig_colo_sink_get,
	.alloc		= kmig_colo_sink_alloc,
	.install	= kmig_colo_sink_install,
	.mark		= kmig_colo_sink_mark,
};

/* ----- per-migration state ----- */

struct kmig_colo *kmig_colo_alloc(struct kmig_region *region, spinlock_t *lock,
				  bool secondary, u32 interval_ms)
{
	size_t longs = BITS_TO_LONGS(kmig_region_npages(region));
	struct kmig_colo *colo;

	colo = kvzalloc(sizeof(*colo), GFP_KERNEL);
	if (!colo)
		return NULL;
	colo->lock = lock;
	colo->interval_ms = interval_ms;
	colo->region = region;
	kmig_colo_sm_init(&colo->sm);
	kmig_colo_cache_init(&colo->cache);
	colo->sink.ops = &kmig_colo_sink_ops;
	atomic64_set(&colo->ckpt_pages, 0);
	if (secondary) {
		colo->ckpt_bits = kvcalloc(longs, sizeof(long), GFP_KERNEL);
		colo->flush_bits = kvcalloc(longs, sizeof(long), GFP_KERNEL);
		if (!colo->ckpt_bits || !colo->flush_bits) {
			kmig_colo_free(colo);
			return NULL;
		}
	}
	return colo;
}

void kmig_colo_free(struct kmig_colo *colo)
{
	if (!colo)
		return;
	kmig_colo_cache_destroy(&colo->cache);
	kvfree(colo->ckpt_bits);
	kvfree(colo->flush_bits);
	kvfree(colo);
}

void kmig_colo_latency(const struct kmig_colo *colo,
		       struct kmig_colo_latency *out)
{
	unsigned int i;

	lockdep_assert_held(colo->lock);

	for (i = 0; i < KMIG_COLO_METRICS; i++) {
		const struct kmig_hist *h = &colo->hist[i];

		out[i].count = h->count;
		out[i].last = h->last;
		out[i].mean = h->count ? div64_u64(h->sum, h->count) : 0;
		out[i].p50 = kmig_hist_percentile(h, 50);
		out[i].p99 = kmig_hist_percentile(h, 99);
		out[i].max = h->max;
	}
}
