// SPDX-License-Identifier: GPL-2.0
/*
 * The region sink (sink.h): a destination channel's pages go straight into
 * the migration's region, each one marked in the migration's page bitmap.
 */
#include <linux/bitops.h>

#include "sink.h"
#include "region.h"

static struct kmig_region_sink *kmig_sink_to_region(struct kmig_page_sink *sink)
{
	return container_of(sink, struct kmig_region_sink, sink);
}

static struct page *kmig_sink_region_get(struct kmig_page_sink *sink,
					 pgoff_t index)
{
	return kmig_region_get_page(kmig_sink_to_region(sink)->region, index,
				    false);
}

static struct page *kmig_sink_region_alloc(struct kmig_page_sink *sink)
{
	return kmig_region_alloc_page(kmig_sink_to_region(sink)->region);
}

static int kmig_sink_region_install(struct kmig_page_sink *sink,
				    pgoff_t index, struct page *page)
{
	return kmig_region_install_page(kmig_sink_to_region(sink)->region,
					index, page);
}

static void kmig_sink_region_mark(struct kmig_page_sink *sink, pgoff_t index)
{
	struct kmig_region_sink *rs = kmig_sink_to_region(sink);

	if (!test_and_set_bit(index, rs->received))
		atomic64_inc(rs->done);
}

static bool kmig_sink_region_none_in(struct kmig_page_sink *sink,
				     pgoff_t first, pgoff_t last)
{
	return !kmig_region_any_page(kmig_sink_to_region(sink)->region, first,
				     last);
}

static const struct kmig_page_sink_ops kmig_sink_region_ops = {
	.get		= kmig_sink_region_get,
	.alloc		= kmig_sink_region_alloc,
	.install	= kmig_sink_region_install,
	.mark		= kmig_sink_region_mark,
	.none_in	= kmig_sink_region_none_in,
};

void kmig_sink_region_init(struct kmig_region_sink *rs,
			   struct kmig_region *region,
			   unsigned long *received, atomic64_t *done)
{
	rs->sink.ops = &kmig_sink_region_ops;
	rs->region = region;
	rs->received = received;
	rs->done = done;
}
