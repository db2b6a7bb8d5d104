// SPDX-License-Identifier: GPL-2.0
/*
 * Writer threads standing in for vCPUs (see vcpu.h).
 *
 * Pausing: the writers check the pause request under @lock between
 * batches of writes, and park on @cv counting themselves in @parked;
 * vcpus_pause() sets the request and waits until every live writer has
 * parked. A writer that left the loop (stop) counts in @exited.
 *
 * Two writers may write the same page at once, as two vCPUs may: the
 * page then holds a mix of both writes, which is fine for a guest.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ram.h"
#include "vcpu.h"

#define BATCH 64	/* most writes between two looks at the pause request */

struct vcpus {
	struct vcpu_cfg cfg;
	pthread_t *tids;
	unsigned int started;

	pthread_mutex_t lock;
	pthread_cond_t cv;		/* writers wait here (pause, pacing) */
	pthread_cond_t parked_cv;	/* vcpus_pause() waits here */
	int pause_req, stop;
	unsigned int parked, exited;

	atomic_uint_fast64_t gen;	/* write generations handed out */
	atomic_uint_fast64_t seq;	/* VCPU_SEQUENTIAL cursor */
	atomic_uint_fast64_t writes;
	atomic_uint in_write;
	atomic_uint next_id;

	/* record_prior: 0 untouched, 1 being hashed, 2 hash in prior[]. */
	_Atomic unsigned char *touched;
	uint64_t *prior;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void vcpu_write_page(unsigned char *page, size_t page_size, uint64_t idx,
		     uint64_t gen)
{
	uint64_t *w = (uint64_t *)page, s = mix64(idx ^ mix64(gen)) | 1;
	size_t slots = (page_size / 8 - 2) / 32, off, i;

	w[0] = idx;
	w[1] = gen;
	off = 2 + (gen % slots) * 32;
	for (i = 0; i < 32; i++)
		w[off + i] = xorshift64(&s);
}

static uint64_t pick_page(struct vcpus *v, uint64_t *rng)
{
	const struct vcpu_cfg *c = &v->cfg;
	uint64_t hot;

	switch (c->pattern) {
	case VCPU_SEQUENTIAL:
		return atomic_fetch_add(&v->seq, 1) % c->npages;
	case VCPU_HOT:
		hot = c->npages * c->hot_pct / 100;
		return xorshift64(rng) % (hot ? hot : 1);
	default:
		return xorshift64(rng) % c->npages;
	}
}

/* record_prior: the first writer of page @idx hashes it first. */
static void first_touch(struct vcpus *v, uint64_t idx)
{
	size_t ps = v->cfg.page_size;
	const unsigned char *page = v->cfg.ram + idx * ps;
	unsigned char expect = 0;

	if (atomic_load(&v->touched[idx]) == 2)
		return;
	if (atomic_compare_exchange_strong(&v->touched[idx], &expect, 1)) {
		v->prior[idx] = page_is_zero(page, ps) ? 0 :
				page_hash(idx, page, ps);
		atomic_store(&v->touched[idx], 2);
		return;
	}
	while (atomic_load(&v->touched[idx]) != 2)
		sched_yield();
}

uint64_t vcpus_prior_hash(struct vcpus *v, uint64_t *touched)
{
	size_t ps = v->cfg.page_size, i;
	uint64_t sum = 0;

	*touched = 0;
	for (i = 0; i < v->cfg.npages; i++) {
		const unsigned char *page = v->cfg.ram + i * ps;

		if (v->touched && atomic_load(&v->touched[i]) == 2) {
			sum += v->prior[i];
			(*touched)++;
		} else if (!page_is_zero(page, ps)) {
			sum += page_hash(i, page, ps);
		}
	}
	return sum;
}

static void do_writes(struct vcpus *v, uint64_t *rng, unsigned int n)
{
	uint64_t idx, gen;

	atomic_fetch_add(&v->in_write, 1);
	while (n--) {
		idx = pick_page(v, rng);
		gen = atomic_fetch_add(&v->gen, 1) + 1;
		if (v->touched)
			first_touch(v, idx);
		vcpu_write_page(v->cfg.ram + idx * v->cfg.page_size,
				v->cfg.page_size, idx, gen);
		atomic_fetch_add(&v->writes, 1);
	}
	atomic_fetch_sub(&v->in_write, 1);
}

static void *writer(void *arg)
{
	struct vcpus *v = arg;
	unsigned int id = atomic_fetch_add(&v->next_id, 1);
	uint64_t rng = mix64(v->cfg.seed + 0x1000 + id) | 1;
	uint64_t interval = 0, next = now_ns(), now, due;
	struct timespec ts;

	/* This thread's share of the rate. */
	if (v->cfg.rate) {
		uint64_t share = v->cfg.rate / v->cfg.threads +
				 (id < v->cfg.rate % v->cfg.threads);

		interval = share ? 1000000000ULL / share : UINT64_MAX / 2;
	}

	pthread_mutex_lock(&v->lock);
	for (;;) {
		if (v->pause_req && !v->stop) {
			v->parked++;
			pthread_cond_broadcast(&v->parked_cv);
			while (v->pause_req && !v->stop)
				pthread_cond_wait(&v->cv, &v->lock);
			v->parked--;
			next = now_ns();	/* no burst to catch up */
			continue;
		}
		if (v->stop)
			break;
		due = BATCH;
		if (interval) {
			now = now_ns();
			if (now < next) {
				ts.tv_sec = next / 1000000000ULL;
				ts.tv_nsec = next % 1000000000ULL;
				pthread_cond_timedwait(&v->cv, &v->lock, &ts);
				continue;	/* look at pause/stop again */
			}
			due = (now - next) / interval + 1;
			if (due > BATCH)
				due = BATCH;
			/* More than a second behind: don't try to catch up. */
			if (now - next > 1000000000ULL)
				next = now;
			next += due * interval;
		}
		pthread_mutex_unlock(&v->lock);
		do_writes(v, &rng, due);
		pthread_mutex_lock(&v->lock);
	}
	v->exited++;
	pthread_cond_broadcast(&v->parked_cv);
	pthread_mutex_unlock(&v->lock);
	return NULL;
}

struct vcpus *vcpus_start(const struct vcpu_cfg *cfg)
{
	pthread_condattr_t ca;
	struct vcpus *v;
	unsigned int i;

	if (!cfg->npages || cfg->page_size < 4096 ||
	    (cfg->pattern == VCPU_HOT && (!cfg->hot_pct || cfg->hot_pct > 100)))
		return NULL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->cfg = *cfg;
	v->tids = calloc(cfg->threads ? cfg->threads : 1, sizeof(*v->tids));
	if (cfg->record_prior) {
		v->touched = calloc(cfg->npages, sizeof(*v->touched));
		v->prior = calloc(cfg->npages, sizeof(*v->prior));
	}
	if (!v->tids || (cfg->record_prior && (!v->touched || !v->prior))) {
		free(v->tids);
		free((void *)v->touched);
		free(v->prior);
		free(v);
		return NULL;
	}
	pthread_mutex_init(&v->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&v->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&v->parked_cv, NULL);
	v->pause_req = !!cfg->start_paused;
	atomic_store(&v->gen, cfg->gen_base);
	for (i = 0; i < cfg->threads; i++) {
		if (pthread_create(&v->tids[i], NULL, writer, v))
			break;
		v->started++;
	}
	if (v->started < cfg->threads) {
		vcpus_stop(v);
		return NULL;
	}
	return v;
}

void vcpus_pause(struct vcpus *v)
{
	pthread_mutex_lock(&v->lock);
	v->pause_req = 1;
	pthread_cond_broadcast(&v->cv);		/* wake writers pacing */
	while (v->parked + v->exited < v->started)
		pthread_cond_wait(&v->parked_cv, &v->lock);
	pthread_mutex_unlock(&v->lock);
}

void vcpus_resume(struct vcpus *v)
{
	pthread_mutex_lock(&v->lock);
	v->pause_req = 0;
	pthread_cond_broadcast(&v->cv);
	pthread_mutex_unlock(&v->lock);
}

uint64_t vcpus_stop(struct vcpus *v)
{
	uint64_t writes;
	unsigned int i;

	pthread_mutex_lock(&v->lock);
	v->stop = 1;
	pthread_cond_broadcast(&v->cv);
	pthread_mutex_unlock(&v->lock);
	for (i = 0; i < v->started; i++)
		pthread_join(v->tids[i], NULL);
	writes = atomic_load(&v->writes);
	pthread_cond_destroy(&v->cv);
	pthread_cond_destroy(&v->parked_cv);
	pthread_mutex_destroy(&v->lock);
	free(v->tids);
	free((void *)v->touched);
	free(v->prior);
	free(v);
	return writes;
}

uint64_t vcpus_writes(struct vcpus *v)
{
	return atomic_load(&v->writes);
}

unsigned int vcpus_in_write(struct vcpus *v)
{
	return atomic_load(&v->in_write);
}
