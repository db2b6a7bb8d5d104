/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where the time of a migration goes, per page (make bench, issue 16):
 * ktime sections around each step of the source's and the destination's
 * data path, summed over every thread, shown by debugfs kmig/profile.
 * Built only with CONFIG_KMIG_BENCH (the bench kernel's module); there a
 * static key keeps them off until "on" is written, so the timed runs are
 * measured without them. Without CONFIG_KMIG_BENCH every hook is empty.
 */
#ifndef _KMIG_PROF_H
#define _KMIG_PROF_H

#include <linux/types.h>

enum kmig_prof_sec {
	KMIG_PROF_SRC_WALK,	/* dispatcher: page index walk, batch fill */
	KMIG_PROF_SRC_QWAIT,	/* dispatcher: waiting for a channel's slot */
	KMIG_PROF_SRC_SCAN,	/* channel: zero check of a batch */
	KMIG_PROF_SRC_FPU,	/* count only: FPU sections taken */
	KMIG_PROF_SRC_ENCODE,	/* channel: header and offset block */
	KMIG_PROF_SRC_SEND,	/* channel: socket sends (header, pages) */
	KMIG_PROF_SRC_RELEASE,	/* channel: page references dropped */
	KMIG_PROF_SRC_ACK,	/* channel: waiting for COMPLETE's ack */
	KMIG_PROF_DST_WAIT,	/* receiver: waiting for a header */
	KMIG_PROF_DST_RECV,	/* receiver: offset block and page data */
	KMIG_PROF_DST_DECODE,	/* receiver: offset block checked */
	KMIG_PROF_DST_LOOKUP,	/* receiver: page index lookups */
	KMIG_PROF_DST_ALLOC,	/* receiver: new pages allocated */
	KMIG_PROF_DST_APPLY,	/* receiver: install, zero, mark */
	KMIG_PROF_NR
};

/*
 * The optimisations of issue 16, each of which make bench can turn off
 * (debugfs kmig/opt_off) to measure the "before" in the same run. Always
 * on without CONFIG_KMIG_BENCH.
 */
enum kmig_opt {
	KMIG_OPT_OFFSETS,	/* offsets in order, checked in linear time */
	KMIG_OPT_CORK,		/* DATA packets sent with MSG_MORE */
	KMIG_OPT_WALK,		/* a pass walks the index with one xa_state */
	KMIG_OPT_ZERO_RANGE,	/* one index lookup for a run of zero pages */
	KMIG_OPT_NR
};

#ifdef KMIG_BENCH
#include <linux/bitops.h>
#include <linux/jump_label.h>
#include <linux/timekeeping.h>

DECLARE_STATIC_KEY_FALSE(kmig_prof_on);
extern unsigned long kmig_opt_off;

static inline bool kmig_opt(enum kmig_opt opt)
{
	return !test_bit(opt, &kmig_opt_off);
}

void kmig_prof_add(enum kmig_prof_sec sec, u64 ns, u64 n);
void kmig_prof_init(void);
void kmig_prof_uninit(void);

/* The start of a section: 0 when profiling is off. */
static inline u64 kmig_prof_start(void)
{
	if (static_branch_unlikely(&kmig_prof_on))
		return ktime_get_ns();
	return 0;
}

/* The end of a section started at @t0 that handled @n pages. */
static inline void kmig_prof_end(enum kmig_prof_sec sec, u64 t0, u64 n)
{
	if (static_branch_unlikely(&kmig_prof_on) && t0)
		kmig_prof_add(sec, ktime_get_ns() - t0, n);
}

/* Count @n events of @sec without a time (FPU sections). */
static inline void kmig_prof_count(enum kmig_prof_sec sec, u64 n)
{
	if (static_branch_unlikely(&kmig_prof_on))
		kmig_prof_add(sec, 0, n);
}
#else
static inline bool kmig_opt(enum kmig_opt opt)
{
	return true;
}

static inline u64 kmig_prof_start(void)
{
	return 0;
}

static inline void kmig_prof_end(enum kmig_prof_sec sec, u64 t0, u64 n)
{
}

static inline void kmig_prof_count(enum kmig_prof_sec sec, u64 n)
{
}

static inline void kmig_prof_init(void)
{
}

static inline void kmig_prof_uninit(void)
{
}
#endif

#endif /* _KMIG_PROF_H */
