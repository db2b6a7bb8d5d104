/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page sinks: where a destination channel's received pages go. The receive
 * path (receive.c) checks a packet completely, then writes its pages
 * through a sink's ops, never into a region or a cache directly. Two sinks
 * exist: the region of the migration (the region sink, sink.c) and, in
 * COLO after checkpoint 0, the COLO cache (colo.c).
 */
#ifndef _KMIG_SINK_H
#define _KMIG_SINK_H

#include <linux/types.h>
#include <linux/atomic.h>

struct kmig_region;
struct page;
struct kmig_page_sink;

struct kmig_page_sink_ops {
	/*
	 * NULL when pages may be written now; otherwise why not, a static
	 * string (the packet is malformed). NULL op: always.
	 */
	const char *(*refuse)(struct kmig_page_sink *sink);
	/* The page at @index with a reference, NULL when none, or ERR_PTR. */
	struct page *(*get)(struct kmig_page_sink *sink, pgoff_t index);
	/* A new page for the sink, not yet installed; NULL without memory. */
	struct page *(*alloc)(struct kmig_page_sink *sink);
	/*
	 * Install a page from alloc at @index: takes its allocation
	 * reference, also on failure.
	 */
	int (*install)(struct kmig_page_sink *sink, pgoff_t index,
		       struct page *page);
	/* The page at @index was received (data or zero). */
	void (*mark)(struct kmig_page_sink *sink, pgoff_t index);
	/* Optional: true when no page exists in [@first, @last]. */
	bool (*none_in)(struct kmig_page_sink *sink, pgoff_t first,
			pgoff_t last);
};

struct kmig_page_sink {
	const struct kmig_page_sink_ops *ops;
};

static inline const char *kmig_sink_refuse(struct kmig_page_sink *sink)
{
	return sink->ops->refuse ? sink->ops->refuse(sink) : NULL;
}

static inline struct page *kmig_sink_get(struct kmig_page_sink *sink,
					 pgoff_t index)
{
	return sink->ops->get(sink, index);
}

static inline struct page *kmig_sink_alloc(struct kmig_page_sink *sink)
{
	return sink->ops->alloc(sink);
}

static inline int kmig_sink_install(struct kmig_page_sink *sink,
				    pgoff_t index, struct page *page)
{
	return sink->ops->install(sink, index, page);
}

static inline void kmig_sink_mark(struct kmig_page_sink *sink, pgoff_t index)
{
	sink->ops->mark(sink, index);
}

static inline bool kmig_sink_none_in(struct kmig_page_sink *sink,
				     pgoff_t first, pgoff_t last)
{
	return sink->ops->none_in && sink->ops->none_in(sink, first, last);
}

/*
 * The region sink: pages go straight into @region; each page received is
 * set in @received (one bit per page) and counted once in @done.
 */
struct kmig_region_sink {
	struct kmig_page_sink sink;
	struct kmig_region *region;
	unsigned long *received;
	atomic64_t *done;
};

void kmig_sink_region_init(struct kmig_region_sink *rs,
			   struct kmig_region *region,
			   unsigned long *received, atomic64_t *done);

#endif /* _KMIG_SINK_H */
