// SPDX-License-Identifier: GPL-2.0
/*
 * guest-beat: the program inside the test guest that proves a migrated VM
 * kept running with its memory intact.
 *
 *   guest-beat [--fill-mib N] [--rate N] [--interval-ms N] [--sweep-ms N]
 *              [--damage-at N]
 *
 * It fills most of the guest's free memory (--fill-mib, default 85% of
 * MemAvailable) with a known pattern, touching every page, and keeps an
 * array gen[page] (in guest memory as well) with the generation each page
 * is expected to hold. Page P at generation G holds in word W (64 bits)
 *
 *   mix64(P << 32 | G) + (W + 1) * GOLDEN
 *
 * mix64() is a bijection, so two different (P, G) never share a word at
 * the same position: a stale page, a zeroed page, a page of another index
 * and a torn page (words of two generations) all fail the check.
 *
 * Every 10 ms (a tick) it rewrites a burst of pages in pseudo-random order,
 * --rate pages per second in all (default 1000), bumping gen[page] for
 * each; and it verifies the next chunk of pages so that a sweep over all
 * of them takes about --sweep-ms (default 2000; longer when the CPU is
 * slow: verifying takes at most 60% of a tick). At the end of each sweep
 * the sum of gen[] is checked against the number of rewrites, which
 * catches gen[] itself going stale together with its pages. A bad page is
 * counted, reported (at most 10 lines in all) as
 *
 *   kmig-guest: BAD page P gen G word W got 0x... want 0x... (what it holds)
 *
 * and rewritten at its generation, so that it is counted once per damage.
 *
 * Every --interval-ms of CLOCK_MONOTONIC (default 500) it writes, with one
 * write() to stdout (the serial console),
 *
 *   kmig-beat N sweeps=S bad=B writes=W
 *
 * N counts the lines from 1 up by exactly 1 (a late beat is not made up
 * for), S completed sweeps, B bad pages found, W page rewrites. Before the
 * first beat it prints
 *
 *   kmig-guest: ready pages=P fill_mib=M rate=R interval_ms=I
 *
 * --damage-at N damages four pages after beat N, as a broken migration
 * would (zeroed, stale, torn, another page's content): a test of the
 * checks, which then report 4 bad pages.
 *
 * All its state (counters included) is in guest memory: a guest whose
 * memory went back in time also shows it in its beat counter.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#define PAGE_SIZE	4096UL
#define WORDS		(PAGE_SIZE / sizeof(uint64_t))
#define GOLDEN		0x9e3779b97f4a7c15ULL
#define TICK_NS		10000000LL	/* write burst and verify chunk */
#define VERIFY_BUDGET	(TICK_NS * 6 / 10)
#define MAX_REPORTS	10
#define NSEC		1000000000LL

static uint64_t *mem;		/* npages pages of pattern */
static uint32_t *gen;		/* expected generation of each page */
static uint64_t npages;
static uint64_t vpos;		/* next page to verify */

static uint64_t beats, sweeps, bad, writes;
static unsigned int reports;
static uint64_t gen_sum_base;	/* sum of gen[] at writes == 0 */
static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t page_seed(uint64_t page, uint32_t g)
{
	return mix64(page << 32 | g);
}

static uint64_t rand64(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NSEC + ts.tv_nsec;
}

/* One line to stdout with a single write(), so lines are never mixed. */
static void out(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	ssize_t n, off = 0;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	if ((size_t)len >= sizeof(buf))
		len = sizeof(buf) - 1;
	while (off < len) {
		n = write(STDOUT_FILENO, buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		off += n;
	}
}

static void fill_page(uint64_t page)
{
	uint64_t *p = mem + page * WORDS;
	uint64_t v = page_seed(page, gen[page]);
	unsigned long w;

	for (w = 0; w < WORDS; w++) {
		v += GOLDEN;
		p[w] = v;
	}
}

/* What a wrong word holds, for the report. */
static const char *explain(uint64_t page, unsigned long w, uint64_t got)
{
	static char buf[48];
	uint64_t off = (w + 1) * GOLDEN, q;
	uint32_t g = gen[page];
	unsigned int back;

	if (got == 0)
		return "zero";
	for (back = 1; back <= 16 && back <= g; back++)
		if (got == page_seed(page, g - back) + off) {
			snprintf(buf, sizeof(buf), "stale: gen %u", g - back);
			return buf;
		}
	if (got == page_seed(page, g + 1) + off)
		return "ahead: gen+1";
	for (q = page ? page - 1 : 0; q <= page + 1 && q < npages; q++)
		if (q != page && got == page_seed(q, gen[q]) + off) {
			snprintf(buf, sizeof(buf), "page %" PRIu64 "'s", q);
			return buf;
		}
	return "unknown";
}

static void report(const char *fmt, ...)
{
	char buf[200];
	va_list ap;

	if (reports >= MAX_REPORTS)
		return;
	reports++;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	out("kmig-guest: %s%s\n", buf,
	    reports == MAX_REPORTS ? " (no more reports)" : "");
}

/* Check one page; a bad one is counted, reported and rewritten. */
static void verify_page(uint64_t page)
{
	const uint64_t *p = mem + page * WORDS;
	uint64_t v = page_seed(page, gen[page]);
	unsigned long w;

	for (w = 0; w < WORDS; w++) {
		v += GOLDEN;
		if (p[w] != v)
			break;
	}
	if (w == WORDS)
		return;
	bad++;
	report("BAD page %" PRIu64 " gen %u word %lu got 0x%016" PRIx64
	       " want 0x%016" PRIx64 " (%s)", page, gen[page], w, p[w], v,
	       explain(page, w, p[w]));
	fill_page(page);
}

/* The gen[] array against the rewrites counted elsewhere in memory. */
static void verify_gen_sum(void)
{
	uint64_t sum = 0, want = gen_sum_base + writes, i;

	for (i = 0; i < npages; i++)
		sum += gen[i];
	if (sum == want)
		return;
	bad++;
	report("BAD gen sum %" PRIu64 " want %" PRIu64, sum, want);
	gen_sum_base += sum - want;	/* count this damage once */
}

/*
 * --damage-at: damage four pages the ways a broken migration would (for
 * testing the checks): zeroed, stale (the previous generation), torn (its
 * second half of the previous generation), another page's content. They
 * are the next ones to be verified, so that none is rewritten (repaired)
 * before its check: 4 bad pages, found within a tick.
 */
static void damage(void)
{
	uint64_t p[4], half[WORDS / 2], i;

	if (npages < 8)
		return;
	for (i = 0; i < 4; i++)
		p[i] = (vpos + 1 + 2 * i) % npages;
	memset(mem + p[0] * WORDS, 0, PAGE_SIZE);
	gen[p[1]]--;
	fill_page(p[1]);
	gen[p[1]]++;
	memcpy(half, mem + p[2] * WORDS, sizeof(half));
	gen[p[2]]--;
	fill_page(p[2]);
	gen[p[2]]++;
	memcpy(mem + p[2] * WORDS, half, sizeof(half));
	memcpy(mem + p[3] * WORDS, mem + (p[3] + npages - 1) % npages * WORDS,
	       PAGE_SIZE);
	out("kmig-guest: damaged pages %" PRIu64 " %" PRIu64 " %" PRIu64
	    " %" PRIu64 " (--damage-at)\n", p[0], p[1], p[2], p[3]);
}

static unsigned long parse_num(const char *opt, const char *s,
			       unsigned long min, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s ? s : "", &end, 10);
	if (!s || !*s || *end || errno || v < min || v > max) {
		fprintf(stderr, "guest-beat: %s wants a number in %lu..%lu, not '%s'\n",
			opt, min, max, s ? s : "");
		exit(2);
	}
	return v;
}

/* MemAvailable from /proc/meminfo, in KiB (0: unknown). */
static unsigned long mem_available_kib(void)
{
	unsigned long kib = 0;
	char line[128];
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %lu kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: guest-beat [--fill-mib N] [--rate N] [--interval-ms N] [--sweep-ms N]\n"
		"                  [--damage-at N]\n"
		"  --fill-mib N     memory to fill and check (default 85%% of MemAvailable)\n"
		"  --rate N         pages rewritten per second (default 1000; 0: none)\n"
		"  --interval-ms N  heartbeat interval (default 500)\n"
		"  --sweep-ms N     aim for one verify sweep per N ms (default 2000)\n"
		"  --damage-at N    damage 4 pages after beat N (tests the checks)\n");
	exit(2);
}

static void *map_populated(size_t len, const char *what)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED) {
		out("kmig-guest: cannot map %zu bytes for %s: %s\n", len, what,
		    strerror(errno));
		exit(1);
	}
	return p;
}

int main(int argc, char **argv)
{
	unsigned long fill_mib = 0, rate = 1000, interval_ms = 500;
	unsigned long sweep_ms = 2000, damage_at = 0, chunk;
	int64_t start, now, last, next_tick, next_beat, deadline, credit = 0;
	uint64_t i;
	int a;

	for (a = 1; a < argc; a++) {
		const char *o = argv[a], *v = a + 1 < argc ? argv[a + 1] : NULL;

		if (!strcmp(o, "--fill-mib"))
			fill_mib = parse_num(o, v, 1, 1UL << 20);
		else if (!strcmp(o, "--rate"))
			rate = parse_num(o, v, 0, 10000000);
		else if (!strcmp(o, "--interval-ms"))
			interval_ms = parse_num(o, v, 1, 3600000);
		else if (!strcmp(o, "--sweep-ms"))
			sweep_ms = parse_num(o, v, 10, 3600000);
		else if (!strcmp(o, "--damage-at"))
			damage_at = parse_num(o, v, 1, ~0UL);
		else
			usage();
		a++;
	}
	if (!fill_mib) {
		unsigned long kib = mem_available_kib();

		if (!kib) {
			out("kmig-guest: no MemAvailable in /proc/meminfo; use --fill-mib\n");
			return 1;
		}
		fill_mib = kib * 85 / 100 / 1024;
		if (!fill_mib)
			fill_mib = 1;
	}

	/*
	 * MAP_POPULATE allocates every page up front; the fill below writes
	 * each of them. The initramfs has no swap, so nothing is paged out
	 * (no mlock needed).
	 */
	npages = (uint64_t)fill_mib * (1024 * 1024 / PAGE_SIZE);
	mem = map_populated(npages * PAGE_SIZE, "the pattern");
	gen = map_populated(npages * sizeof(*gen), "gen[]");
	for (i = 0; i < npages; i++) {
		gen[i] = 1;
		fill_page(i);
	}
	gen_sum_base = npages;
	rng ^= (uint64_t)now_ns();

	/* Pages verified per tick for one sweep per sweep_ms, at least 1. */
	chunk = npages * (TICK_NS / 1000000) / sweep_ms + 1;

	out("kmig-guest: ready pages=%" PRIu64 " fill_mib=%lu rate=%lu interval_ms=%lu\n",
	    npages, fill_mib, rate, interval_ms);

	start = now_ns();
	last = start;
	next_tick = start;
	next_beat = start + (int64_t)interval_ms * 1000000;
	for (;;) {
		struct timespec ts;
		int64_t wake;

		now = now_ns();
		if (now >= next_tick) {
			/*
			 * Rewrites: rate pages per second of elapsed time, in
			 * units of 1/NSEC page; a backlog over 100 ms (a guest
			 * stopped for a while) is dropped, not made up for.
			 */
			credit += (now - last) * (int64_t)rate;
			last = now;
			if (credit > (int64_t)rate * (NSEC / 10) + NSEC)
				credit = (int64_t)rate * (NSEC / 10) + NSEC;
			for (; credit >= NSEC; credit -= NSEC) {
				uint64_t page = rand64() % npages;

				gen[page]++;
				fill_page(page);
				writes++;
			}

			deadline = now + VERIFY_BUDGET;
			for (i = 0; i < chunk; i++) {
				verify_page(vpos);
				if (++vpos == npages) {
					verify_gen_sum();
					vpos = 0;
					sweeps++;
				}
				if ((i & 7) == 7 && now_ns() > deadline)
					break;
			}
			next_tick += TICK_NS;
			now = now_ns();
			if (next_tick <= now)
				next_tick = now + TICK_NS;
		}
		if (now >= next_beat) {
			beats++;
			out("kmig-beat %" PRIu64 " sweeps=%" PRIu64 " bad=%" PRIu64
			    " writes=%" PRIu64 "\n", beats, sweeps, bad, writes);
			if (beats == damage_at)
				damage();
			next_beat += (int64_t)interval_ms * 1000000;
			if (next_beat <= now)
				next_beat = now + (int64_t)interval_ms * 1000000;
		}
		wake = next_tick < next_beat ? next_tick : next_beat;
		ts.tv_sec = wake / NSEC;
		ts.tv_nsec = wake % NSEC;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
}
