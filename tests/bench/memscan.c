// SPDX-License-Identifier: GPL-2.0
/*
 * memscan: the memory read limit of one core, for make bench. A plain
 * userspace AVX2 zero scan, the yardstick for kmig's zero check (T3 of
 * the bench report): how fast one core can read memory and test it for
 * non-zero bytes.
 *
 *   memscan --size-gib N [--hot-kib K] [--repeat R]
 *   memscan --kmig-region-mib M [--hot-kib K] [--repeat R]
 *
 * cold: N GiB (mmap, every page written with memset so it really
 *       exists), scanned once per pass; best of R passes (default 3).
 *       N GiB is far larger than any cache.
 *       With --kmig-region-mib, M MiB of kmig guest memory instead: a
 *       region of /dev/kmig, mapped, preallocated (KMIG_IOC_PREALLOC,
 *       zero pages) and read once page by page so that every page is
 *       mapped before the timed scans (in UML each of those reads is a
 *       page fault). For make bench inside the UML bench kernel: the
 *       userspace read limit over the same kind of memory kmig scans.
 * hot:  a K KiB buffer (default 256 KiB, cache resident, anonymous in
 *       both modes) scanned over and over: as many passes as take at
 *       least 0.5 s, best of R.
 *
 * The scan ORs four 32-byte loads per iteration and tests the result
 * with vptest (_mm256_testz_si256), like kmig's AVX2 zero check. Every
 * scan's result is checked (the buffers are all zeros), so the compiler
 * cannot drop it. Output: one JSON object on stdout; "memory" says what
 * the cold scans read: "anonymous" or "kmig-region".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/kmig.h>

#define GIB (1024.0 * 1024.0 * 1024.0)
#define HOT_MIN_NS 500000000ull
#define PAGE 4096

static void usage(void)
{
	fprintf(stderr,
		"usage: memscan --size-gib N [--hot-kib K] [--repeat R]\n"
		"       memscan --kmig-region-mib M [--hot-kib K] [--repeat R]\n"
		"  N GiB (or a kmig region of M MiB, preallocated) scanned\n"
		"  cold (best of R passes, default 3),\n"
		"  a K KiB buffer (default 256) scanned hot, >= 0.5 s per run,\n"
		"  best of R runs\n");
	exit(2);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Offset of the first 128-byte block holding a non-zero byte, or len
 * when all of [p, p + len) is zero. p is 32-byte aligned, len a multiple
 * of 128. noipa: the compiler must not treat it as pure and hoist or
 * merge repeated calls on unchanged memory.
 */
__attribute__((noipa))
static size_t scan_avx2(const void *p, size_t len)
{
	const __m256i *v = p;
	size_t i, n = len / 32;

	for (i = 0; i < n; i += 4) {
		__m256i a = _mm256_load_si256(v + i);
		__m256i b = _mm256_load_si256(v + i + 1);
		__m256i c = _mm256_load_si256(v + i + 2);
		__m256i d = _mm256_load_si256(v + i + 3);
		__m256i x = _mm256_or_si256(_mm256_or_si256(a, b),
					    _mm256_or_si256(c, d));

		if (!_mm256_testz_si256(x, x))
			return i * 32;
	}
	return len;
}

/* One scan; it is a bug if the all-zero buffer is found non-zero. */
static void scan_checked(const void *p, size_t len)
{
	size_t r;

	/* the buffer may have changed as far as the compiler knows */
	__asm__ volatile("" : : "r"(p) : "memory");
	r = scan_avx2(p, len);
	if (r != len) {
		fprintf(stderr, "memscan: non-zero byte near offset %zu\n", r);
		exit(1);
	}
}

/*
 * Anonymous memory, every page written: real pages, not the shared zero
 * page.
 */
static void *map_anonymous(size_t size)
{
	void *buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (buf == MAP_FAILED) {
		fprintf(stderr, "memscan: mmap %zu MiB: %s\n", size >> 20,
			strerror(errno));
		exit(1);
	}
	memset(buf, 0, size);
	return buf;
}

/*
 * A kmig region of @size bytes (the first mmap sizes it), every page
 * allocated zeroed in the kernel, then read once so that all of them are
 * mapped here. *fd keeps the region alive until it is closed.
 */
static void *map_kmig_region(size_t size, int *fd)
{
	struct kmig_prealloc pa = { .first = 0, .count = size / PAGE };
	const unsigned char *p;
	unsigned char sum = 0;
	void *buf;
	size_t off;

	*fd = open(KMIG_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (*fd < 0) {
		fprintf(stderr, "memscan: %s: %s\n", KMIG_DEVICE_PATH,
			strerror(errno));
		exit(1);
	}
	buf = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	if (buf == MAP_FAILED) {
		fprintf(stderr, "memscan: mmap a %zu MiB kmig region: %s\n",
			size >> 20, strerror(errno));
		exit(1);
	}
	if (ioctl(*fd, KMIG_IOC_PREALLOC, &pa)) {
		fprintf(stderr, "memscan: KMIG_IOC_PREALLOC: %s\n",
			strerror(errno));
		exit(1);
	}
	/* one byte of each page; sum is checked, so no read is dropped */
	for (p = buf, off = 0; off < size; off += PAGE)
		sum |= p[off];
	if (sum) {
		fprintf(stderr, "memscan: a preallocated page is not zero\n");
		exit(1);
	}
	return buf;
}

static unsigned long parse_num(const char *opt, const char *s)
{
	char *end;
	unsigned long v;

	if (!s)
		usage();
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v == 0) {
		fprintf(stderr, "memscan: %s: not a positive integer: %s\n",
			opt, s);
		exit(2);
	}
	return v;
}

static void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *c;

		if (strncmp(line, "model name", 10))
			continue;
		c = strchr(line, ':');
		if (!c)
			break;
		c++;
		while (*c == ' ' || *c == '\t')
			c++;
		c[strcspn(c, "\n")] = 0;
		snprintf(buf, len, "%s", c);
		break;
	}
	fclose(f);
}

/* JSON string body: escape quotes, backslashes and control characters */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

int main(int argc, char **argv)
{
	unsigned long size_gib = 0, region_mib = 0, hot_kib = 256, repeat = 3, r;
	uint64_t cold_best = UINT64_MAX, hot_ns, passes, t0;
	size_t size, hot_size;
	char cpu[256];
	void *buf, *hot;
	int i, fd = -1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--size-gib"))
			size_gib = parse_num(argv[i], argv[i + 1]), i++;
		else if (!strcmp(argv[i], "--kmig-region-mib"))
			region_mib = parse_num(argv[i], argv[i + 1]), i++;
		else if (!strcmp(argv[i], "--hot-kib"))
			hot_kib = parse_num(argv[i], argv[i + 1]), i++;
		else if (!strcmp(argv[i], "--repeat"))
			repeat = parse_num(argv[i], argv[i + 1]), i++;
		else
			usage();
	}
	if (!size_gib == !region_mib)
		usage();
	if (size_gib > (1ul << 20) || region_mib > (1ul << 30) ||
	    hot_kib > (1ul << 30)) {
		fprintf(stderr, "memscan: size too large\n");
		return 2;
	}

	__builtin_cpu_init();
	if (!__builtin_cpu_supports("avx2")) {
		fprintf(stderr, "memscan: this CPU has no AVX2\n");
		return 1;
	}

	size = size_gib ? (size_t)size_gib << 30 : (size_t)region_mib << 20;
	hot_size = (size_t)hot_kib << 10;
	buf = size_gib ? map_anonymous(size) : map_kmig_region(size, &fd);

	hot = aligned_alloc(4096, hot_size);
	if (!hot) {
		fprintf(stderr, "memscan: cannot allocate %lu KiB\n", hot_kib);
		return 1;
	}
	memset(hot, 0, hot_size);

	/* cold: one pass over the whole buffer, best of R */
	for (r = 0; r < repeat; r++) {
		uint64_t t;

		t0 = now_ns();
		scan_checked(buf, size);
		t = now_ns() - t0;
		if (t < cold_best)
			cold_best = t;
	}

	/*
	 * hot: warm the cache, double the passes until they take >= 0.5 s,
	 * then time that many passes R times and keep the best (the time
	 * is always >= 0.5 s: a pass count timed below it is doubled again)
	 */
	scan_checked(hot, hot_size);
	passes = 16;
	hot_ns = UINT64_MAX;
	for (r = 0; r < repeat;) {
		uint64_t p, t;

		t0 = now_ns();
		for (p = 0; p < passes; p++)
			scan_checked(hot, hot_size);
		t = now_ns() - t0;
		if (t < HOT_MIN_NS) {
			passes *= 2;
			hot_ns = UINT64_MAX;
			r = 0;
			continue;
		}
		if (t < hot_ns)
			hot_ns = t;
		r++;
	}

	cpu_model(cpu, sizeof(cpu));
	printf("{\"size_bytes\":%zu,"
	       "\"cold\":{\"bytes\":%zu,\"time_ns\":%llu,\"gib_s\":%.3f},"
	       "\"hot\":{\"bytes_per_pass\":%zu,\"passes\":%llu,"
	       "\"time_ns\":%llu,\"gib_s\":%.3f},\"cpu\":",
	       size, size, (unsigned long long)cold_best,
	       size / GIB / (cold_best / 1e9),
	       hot_size, (unsigned long long)passes,
	       (unsigned long long)hot_ns,
	       (double)hot_size * passes / GIB / (hot_ns / 1e9));
	json_str(cpu);
	printf(",\"memory\":\"%s\"}\n", fd < 0 ? "anonymous" : "kmig-region");

	munmap(buf, size);
	if (fd >= 0)
		close(fd);
	free(hot);
	return 0;
}
