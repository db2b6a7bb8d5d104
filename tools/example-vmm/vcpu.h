/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test machinery: writer threads standing in for vCPUs. They dirty guest
 * pages at a total rate, and pause the way a VMM pauses its vCPUs before
 * the switchover: when vcpus_pause() returns, no writer is inside a write
 * and none starts one until vcpus_resume().
 */
#ifndef KMIG_VMM_VCPU_H
#define KMIG_VMM_VCPU_H

#include <stddef.h>
#include <stdint.h>

enum vcpu_pattern {
	VCPU_RANDOM,		/* uniformly over all pages */
	VCPU_SEQUENTIAL,	/* page after page, wrapping */
	VCPU_HOT,		/* uniformly over the first hot_pct % of pages */
};

struct vcpu_cfg {
	unsigned char *ram;
	size_t npages;
	size_t page_size;
	unsigned int threads;
	uint64_t rate;		/* page writes per second, all threads; 0: flat out */
	enum vcpu_pattern pattern;
	unsigned int hot_pct;	/* VCPU_HOT: 1..100 */
	uint64_t seed;
	uint64_t gen_base;	/* first write generation - 1 (0 usually) */
	int start_paused;	/* parked until the first vcpus_resume() */
	/*
	 * Record, at each page's first write by these writers, the hash of
	 * what it held before (postcopy: the source's contents, fetched by
	 * that very access): see vcpus_prior_hash().
	 */
	int record_prior;
};

struct vcpus;

/*
 * Start @cfg->threads writers (0 is allowed: an idle guest). NULL on error.
 * With @cfg->start_paused none writes before vcpus_resume().
 */
struct vcpus *vcpus_start(const struct vcpu_cfg *cfg);
/* Stop every writer at a write boundary; returns when all are parked. */
void vcpus_pause(struct vcpus *v);
void vcpus_resume(struct vcpus *v);
/* Stop and join the writers, free @v. Returns the writes done. */
uint64_t vcpus_stop(struct vcpus *v);

/*
 * With record_prior and the writers paused: the region content hash
 * (pagehash.h) of the RAM as it was before these writers' first write to
 * each page: the recorded hash for pages they wrote, the current contents
 * for the others. *@touched: how many pages they wrote.
 */
uint64_t vcpus_prior_hash(struct vcpus *v, uint64_t *touched);

/* Page writes done so far. */
uint64_t vcpus_writes(struct vcpus *v);
/* Writers inside a write right now (for tests: 0 while paused). */
unsigned int vcpus_in_write(struct vcpus *v);

/*
 * One guest write to page @idx with generation @gen: a stamp (index,
 * generation) at the start of the page and 256 bytes derived from both at
 * an offset that depends on @gen, so every write changes the page.
 */
void vcpu_write_page(unsigned char *page, size_t page_size, uint64_t idx,
		     uint64_t gen);

#endif
