// SPDX-License-Identifier: GPL-2.0
/*
 * kmig system tests, run inside a test kernel with kmig loaded.
 *
 *   kmig-systest CASE [ARGS]
 *
 * Each case exits 0 when it passes, 1 when it fails (with '# ' lines
 * saying why), 77 when it cannot run here. tests/system/run-tests.sh runs
 * them and prints the TAP lines.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/kmig.h>

#include "nl.h"
#include "pagehash.h"
#include "wire-peer.h"

#define SKIP 77
#define PAGE 4096UL
#define GiB (1UL << 30)
#define MiB (1UL << 20)

static int failures;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("# %s:%d: check failed: %s: ", __func__, __LINE__, #cond); \
		printf(__VA_ARGS__);					\
		printf("\n");						\
		failures++;						\
	}								\
} while (0)

#define REQUIRE(cond, ...) do {						\
	CHECK(cond, __VA_ARGS__);					\
	if (!(cond))							\
		return 1;						\
} while (0)

static void note(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* sysfs */

static long long sysfs_read_ll(const char *fmt, ...)
{
	char path[256], buf[64];
	va_list ap;
	ssize_t n;
	int fd;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtoll(buf, NULL, 0);
}

static int sysfs_read_str(char *out, size_t size, const char *path)
{
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, out, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	out[n] = 0;
	if (n && out[n - 1] == '\n')
		out[n - 1] = 0;
	return 0;
}

static int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int stat_exists(const char *fmt, unsigned int id)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), fmt, id);
	return stat(path, &st) == 0;
}

/* regions */

static int region_open(void)
{
	return open(KMIG_DEVICE_PATH, O_RDWR | O_CLOEXEC);
}

static int region_info(int fd, struct kmig_region_info *info)
{
	memset(info, 0xff, sizeof(*info));
	return ioctl(fd, KMIG_IOC_REGION_INFO, info);
}

static void *region_map(int fd, size_t size, off_t off)
{
	return mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
}

static uint64_t pattern(uint64_t page, uint64_t word)
{
	return (page * 0x9e3779b97f4a7c15ULL) ^ (word + 1) ^ 0xa5a5a5a5ULL;
}

/* netlink helpers (libkmig, tools/lib/kmig) */

/* libkmig's error lines (the family is not found, ...): '# ' lines. */
void err_line(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* The kmig family, on a socket that fails rather than hangs. */
static int nl_open(struct kmig_nl *nl)
{
	if (kmig_nl_open(nl))
		return -1;
	kmig_nl_set_timeout(nl, 20);
	return 0;
}

/* A request; a test program out of memory just stops. */
static struct nl_msg *req(struct kmig_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *m = kmig_nl_msg(nl, cmd, flags);

	if (!m) {
		note("out of memory");
		exit(1);
	}
	return m;
}

/* Attribute @type of the reply, of exactly that size: 0, or -1 (*v = 0). */
static int reply_u32(const struct kmig_nl_reply *r, int type, uint32_t *v)
{
	const struct nlattr *a = kmig_nl_reply_attr(r, type);

	*v = 0;
	if (!a || nla_len(a) != 4)
		return -1;
	*v = nla_get_u32(a);
	return 0;
}

static int reply_u64(const struct kmig_nl_reply *r, int type, uint64_t *v)
{
	const struct nlattr *a = kmig_nl_reply_attr(r, type);

	*v = 0;
	if (!a || nla_len(a) != 8)
		return -1;
	*v = nla_get_u64(a);
	return 0;
}

static int nl_region_get(struct kmig_nl *nl, uint32_t id,
			 struct kmig_nl_reply *r)
{
	struct nl_msg *m = req(nl, KMIG_CMD_REGION_GET, 0);

	nla_put_u32(m, KMIG_A_REGION_ID, id);
	return kmig_nl_call(nl, m, r);
}

static struct kmig_nl_reply reply;

/*
 * region-rw: a 1 GiB region, pattern pages, zero-written pages and
 * never-touched pages; read back through a second mapping; populated
 * counts agree between ioctl, sysfs and netlink.
 */
static int case_region_rw(void)
{
	const size_t size = GiB, npages = size / PAGE;
	struct kmig_region_info info;
	uint64_t *a, *b, pages = 0, v;
	unsigned char *c;
	size_t p, w;
	struct kmig_nl nl;
	uint32_t u;
	int fd, ret;

	fd = region_open();
	REQUIRE(fd >= 0, "open %s: %s", KMIG_DEVICE_PATH, strerror(errno));
	REQUIRE(region_info(fd, &info) == 0, "ioctl: %s", strerror(errno));
	CHECK(info.id > 0, "id %u", info.id);
	CHECK(info.size == 0 && info.populated_pages == 0, "fresh region size %llu",
	      (unsigned long long)info.size);
	CHECK(info.page_size == PAGE, "page size %u", info.page_size);
	CHECK(lseek(fd, 0, SEEK_END) == 0, "lseek before mmap");

	a = region_map(fd, size, 0);
	REQUIRE(a != MAP_FAILED, "mmap 1 GiB: %s", strerror(errno));
	CHECK(lseek(fd, 0, SEEK_END) == (off_t)size, "lseek SEEK_END after mmap");
	CHECK(region_info(fd, &info) == 0 && info.size == size &&
	      info.populated_pages == 0, "mapped but untouched: size %llu populated %llu",
	      (unsigned long long)info.size, (unsigned long long)info.populated_pages);

	/* Every 97th page gets a pattern, every 89th (not 97th) zeros. */
	for (p = 0; p < npages; p++) {
		uint64_t *pg = a + p * (PAGE / 8);

		if (p % 97 == 0) {
			for (w = 0; w < PAGE / 8; w++)
				pg[w] = pattern(p, w);
			pages++;
		} else if (p % 89 == 0) {
			memset(pg, 0, PAGE);
			pages++;
		}
	}
	/* The last page of the region too. */
	a[(npages - 1) * (PAGE / 8) + 511] = 0x1234;
	pages++;

	REQUIRE(region_info(fd, &info) == 0, "ioctl");
	CHECK(info.populated_pages == pages, "populated %llu, expected %llu",
	      (unsigned long long)info.populated_pages, (unsigned long long)pages);
	CHECK(sysfs_read_ll("/sys/kernel/kmig/regions/%u/populated_pages", info.id) ==
	      (long long)pages, "sysfs populated_pages");
	CHECK(sysfs_read_ll("/sys/kernel/kmig/regions/%u/size", info.id) ==
	      (long long)size, "sysfs size");
	CHECK(sysfs_read_ll("/sys/kernel/kmig/regions/%u/owner_pid", info.id) ==
	      getpid(), "sysfs owner_pid");

	/* A second mapping of the whole region sees the same bytes. */
	b = region_map(fd, size, 0);
	REQUIRE(b != MAP_FAILED, "second mmap: %s", strerror(errno));
	for (p = 0; p < npages; p += 97)
		for (w = 0; w < PAGE / 8; w += 7)
			if (b[p * (PAGE / 8) + w] != pattern(p, w)) {
				CHECK(0, "page %zu word %zu differs", p, w);
				p = npages;
				break;
			}
	CHECK(b[(npages - 1) * (PAGE / 8) + 511] == 0x1234, "last page");
	/* And a partial one at an offset inside the region. */
	c = region_map(fd, 2 * PAGE, 97 * PAGE);
	REQUIRE(c != MAP_FAILED, "mmap at offset: %s", strerror(errno));
	memcpy(&v, c, 8);
	CHECK(v == pattern(97, 0), "partial mapping content");
	CHECK(sysfs_read_ll("/sys/kernel/kmig/regions/%u/mappings", info.id) == 3,
	      "mappings = 3");
	/* Reading page 98 through it allocated nothing yet: no read happened. */
	REQUIRE(region_info(fd, &info) == 0, "ioctl");
	CHECK(info.populated_pages == pages, "reads of written pages do not allocate");

	ret = nl_open(&nl);
	REQUIRE(ret == 0, "family");
	ret = nl_region_get(&nl, info.id, &reply);
	REQUIRE(ret == 0, "REGION_GET: %d %s",
		-reply.err.kerr, reply.err.msg);
	CHECK(reply_u64(&reply, KMIG_A_REGION_POPULATED_PAGES, &v) == 0 &&
	      v == pages, "netlink populated %llu", (unsigned long long)v);
	CHECK(reply_u64(&reply, KMIG_A_REGION_SIZE, &v) == 0 && v == size,
	      "netlink size");
	CHECK(reply_u32(&reply, KMIG_A_REGION_OWNER_PID, &u) == 0 &&
	      u == (uint32_t)getpid(), "netlink owner pid");
	CHECK(reply_u32(&reply, KMIG_A_REGION_MAPPINGS, &u) == 0 && u == 3,
	      "netlink mappings %u", u);
	kmig_nl_close(&nl);

	munmap(c, 2 * PAGE);
	munmap(b, size);
	munmap(a, size);
	close(fd);
	return failures ? 1 : 0;
}

static long long refused_count(void)
{
	return sysfs_read_ll("/sys/kernel/kmig/stats/mmap_refused");
}

/* refuse: every refused mmap/ioctl gets its errno and a counter. */
static int case_refuse(void)
{
	long long before = refused_count();
	struct kmig_region_info info;
	void *p, *q;
	int fd, fd2;
	char *m;

	fd = region_open();
	REQUIRE(fd >= 0, "open");

	p = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(p == MAP_FAILED && errno == EINVAL, "MAP_PRIVATE: %s",
	      p == MAP_FAILED ? strerror(errno) : "mapped");
	p = region_map(fd, 16 * PAGE, PAGE);
	CHECK(p == MAP_FAILED && errno == ENXIO, "first mmap at offset: %s",
	      p == MAP_FAILED ? strerror(errno) : "mapped");

	m = region_map(fd, 16 * PAGE, 0);
	REQUIRE(m != MAP_FAILED, "mmap: %s", strerror(errno));
	q = region_map(fd, 17 * PAGE, 0);
	CHECK(q == MAP_FAILED && errno == ENXIO, "larger second mmap: %s",
	      q == MAP_FAILED ? strerror(errno) : "mapped");
	q = region_map(fd, PAGE, 16 * PAGE);
	CHECK(q == MAP_FAILED && errno == ENXIO, "offset at end: %s",
	      q == MAP_FAILED ? strerror(errno) : "mapped");
	q = region_map(fd, 2 * PAGE, 15 * PAGE);
	CHECK(q == MAP_FAILED && errno == ENXIO, "crossing the end: %s",
	      q == MAP_FAILED ? strerror(errno) : "mapped");
	q = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(q == MAP_FAILED && errno == EINVAL, "MAP_PRIVATE after sizing");
	CHECK(refused_count() - before == 6, "mmap_refused grew by %lld, expected 6",
	      refused_count() - before);

	/* A mapping cannot grow past its region. */
	q = mremap(m, 16 * PAGE, 32 * PAGE, 0);
	CHECK(q == MAP_FAILED, "mremap grow succeeded");
	q = mremap(m, 16 * PAGE, 32 * PAGE, MREMAP_MAYMOVE);
	CHECK(q == MAP_FAILED, "mremap grow (may move) succeeded");

	CHECK(ioctl(fd, _IO(KMIG_IOC_MAGIC, 0x7f)) < 0 && errno == ENOTTY,
	      "unknown ioctl: %s", strerror(errno));
	CHECK(ioctl(fd, KMIG_IOC_REGION_INFO, NULL) < 0 && errno == EFAULT,
	      "ioctl NULL: %s", strerror(errno));
	CHECK(ioctl(fd, KMIG_IOC_REGION_INFO, (void *)8) < 0 && errno == EFAULT,
	      "ioctl bad pointer: %s", strerror(errno));

	/* The region still works. */
	m[15 * PAGE + 7] = 42;
	CHECK(region_info(fd, &info) == 0 && info.populated_pages == 1,
	      "populated after refusals");
	munmap(m, 16 * PAGE);
	close(fd);

	/* And so does a new one. */
	fd2 = region_open();
	REQUIRE(fd2 >= 0, "open after refusals");
	m = region_map(fd2, PAGE, 0);
	REQUIRE(m != MAP_FAILED, "mmap after refusals");
	m[0] = 1;
	munmap(m, PAGE);
	close(fd2);
	return failures ? 1 : 0;
}

/* cap: needs the module loaded with max_region_size=64M. */
static int case_cap(void)
{
	long long max = sysfs_read_ll("/sys/kernel/kmig/max_region_size");
	void *p;
	int fd;

	if (max != 64 * (long long)MiB) {
		note("max_region_size is %lld, load with max_region_size=64M", max);
		return SKIP;
	}
	fd = region_open();
	REQUIRE(fd >= 0, "open");
	p = region_map(fd, 64 * MiB + PAGE, 0);
	CHECK(p == MAP_FAILED && errno == EFBIG, "over the cap: %s",
	      p == MAP_FAILED ? strerror(errno) : "mapped");
	p = region_map(fd, 64 * MiB, 0);
	CHECK(p != MAP_FAILED, "at the cap: %s", strerror(errno));
	if (p != MAP_FAILED)
		munmap(p, 64 * MiB);
	close(fd);
	return failures ? 1 : 0;
}

static long long global_populated(void)
{
	return sysfs_read_ll("/sys/kernel/kmig/stats/populated_pages");
}

/*
 * prealloc: KMIG_IOC_PREALLOC populates zero pages without faults; the
 * count is clipped to the end, a second call allocates nothing, and a
 * region without a size or a start past the end is refused.
 */
static int case_prealloc(void)
{
	struct kmig_prealloc pa = { .first = 10, .count = 100 };
	struct kmig_region_info info;
	char *m;
	int fd, i, nz = 0;

	fd = region_open();
	REQUIRE(fd >= 0, "open");
	CHECK(ioctl(fd, KMIG_IOC_PREALLOC, &pa) < 0 && errno == EINVAL,
	      "prealloc before mmap: %s", strerror(errno));
	m = region_map(fd, 1000 * PAGE, 0);
	REQUIRE(m != MAP_FAILED, "mmap");
	pa = (struct kmig_prealloc){ .first = 10, .count = 100 };
	REQUIRE(ioctl(fd, KMIG_IOC_PREALLOC, &pa) == 0, "prealloc: %s", strerror(errno));
	REQUIRE(region_info(fd, &info) == 0, "ioctl");
	CHECK(info.populated_pages == 100, "populated %llu", (unsigned long long)info.populated_pages);
	CHECK(sysfs_read_ll("/sys/kernel/kmig/regions/%u/faults", info.id) == 0,
	      "faults %lld", sysfs_read_ll("/sys/kernel/kmig/regions/%u/faults", info.id));
	pa = (struct kmig_prealloc){ .first = 50, .count = 1ULL << 40 };
	REQUIRE(ioctl(fd, KMIG_IOC_PREALLOC, &pa) == 0, "prealloc to the end: %s",
		strerror(errno));
	REQUIRE(region_info(fd, &info) == 0, "ioctl");
	CHECK(info.populated_pages == 1000 - 10, "clipped: populated %llu",
	      (unsigned long long)info.populated_pages);
	pa = (struct kmig_prealloc){ .first = 0, .count = 1000 };
	REQUIRE(ioctl(fd, KMIG_IOC_PREALLOC, &pa) == 0, "prealloc again");
	REQUIRE(region_info(fd, &info) == 0, "ioctl");
	CHECK(info.populated_pages == 1000, "again: populated %llu",
	      (unsigned long long)info.populated_pages);
	/* Reads fault the pages in (all exist now): zeros only. */
	for (i = 0; i < 1000 * (int)PAGE; i++)
		nz += m[i] != 0;
	CHECK(nz == 0, "%d non-zero bytes", nz);
	pa = (struct kmig_prealloc){ .first = 1000, .count = 1 };
	CHECK(ioctl(fd, KMIG_IOC_PREALLOC, &pa) < 0 && errno == ENXIO,
	      "prealloc past the end: %s", strerror(errno));
	munmap(m, 1000 * PAGE);
	close(fd);
	return failures ? 1 : 0;
}

/* close-frees: the last reference (fd or mapping) frees every page. */
static int case_close_frees(void)
{
	long long pop0 = global_populated();
	long long regions0 = sysfs_read_ll("/sys/kernel/kmig/stats/regions");
	struct kmig_region_info info;
	unsigned int id;
	char *m;
	int fd, i;

	fd = region_open();
	REQUIRE(fd >= 0, "open");
	REQUIRE(region_info(fd, &info) == 0, "ioctl");
	id = info.id;
	CHECK(stat_exists("/sys/kernel/kmig/regions/%u", id), "sysfs dir");
	m = region_map(fd, 4000 * PAGE, 0);
	REQUIRE(m != MAP_FAILED, "mmap");
	for (i = 0; i < 4000; i += 4)
		m[i * PAGE] = 1;
	CHECK(global_populated() == pop0 + 1000, "global populated %lld, expected %lld",
	      global_populated(), pop0 + 1000);

	/* The mapping keeps the region alive after close(). */
	close(fd);
	CHECK(stat_exists("/sys/kernel/kmig/regions/%u", id), "region gone with fd");
	CHECK(m[4 * PAGE] == 1, "content after close");
	munmap(m, 4000 * PAGE);

	CHECK(!stat_exists("/sys/kernel/kmig/regions/%u", id), "sysfs dir left");
	CHECK(global_populated() == pop0, "pages not freed: %lld, expected %lld",
	      global_populated(), pop0);
	CHECK(sysfs_read_ll("/sys/kernel/kmig/stats/regions") == regions0,
	      "regions count");
	return failures ? 1 : 0;
}

struct toucher {
	unsigned char *base;
	size_t npages;
	int idx;
};

static void *touch_thread(void *arg)
{
	struct toucher *t = arg;
	size_t p;

	for (p = 0; p < t->npages; p++)
		t->base[p * PAGE + t->idx * 8] = (unsigned char)(t->idx + 1);
	return NULL;
}

/* threads: concurrent first touches of the same pages allocate each once. */
static int case_threads(void)
{
	const size_t npages = 8192;
	struct kmig_region_info info;
	struct toucher t[8];
	pthread_t th[8];
	unsigned char *m;
	size_t p;
	int fd, i;

	fd = region_open();
	REQUIRE(fd >= 0, "open");
	m = region_map(fd, npages * PAGE, 0);
	REQUIRE(m != MAP_FAILED, "mmap");
	for (i = 0; i < 8; i++) {
		t[i] = (struct toucher){ m, npages, i };
		pthread_create(&th[i], NULL, touch_thread, &t[i]);
	}
	for (i = 0; i < 8; i++)
		pthread_join(th[i], NULL);
	REQUIRE(region_info(fd, &info) == 0, "ioctl");
	CHECK(info.populated_pages == npages, "populated %llu, expected %zu",
	      (unsigned long long)info.populated_pages, npages);
	for (p = 0; p < npages; p++)
		for (i = 0; i < 8; i++)
			if (m[p * PAGE + i * 8] != i + 1) {
				CHECK(0, "page %zu lost thread %d's write", p, i);
				p = npages;
				break;
			}
	munmap(m, npages * PAGE);
	close(fd);
	return failures ? 1 : 0;
}

/* fork: a child shares the region through the inherited mapping. */
static int case_fork(void)
{
	unsigned char *m;
	int fd, status;
	pid_t pid;

	fd = region_open();
	REQUIRE(fd >= 0, "open");
	m = region_map(fd, 64 * PAGE, 0);
	REQUIRE(m != MAP_FAILED, "mmap");
	m[0] = 0x11;
	pid = fork();
	if (!pid) {
		int ok = m[0] == 0x11;

		m[PAGE] = 0x22;
		_exit(ok ? 0 : 1);
	}
	REQUIRE(pid > 0, "fork");
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child saw parent's write");
	CHECK(m[PAGE] == 0x22, "parent saw child's write");
	munmap(m, 64 * PAGE);
	close(fd);
	return failures ? 1 : 0;
}

static int expect_err(struct kmig_nl *nl, struct nl_msg *m, int err,
		      const char *what)
{
	int ret = kmig_nl_call(nl, m, &reply);

	CHECK(ret == err, "%s: got %d (%s), expected %d", what, ret, reply.err.msg, err);
	if (ret == err && err)
		note("%s: %s (kernel: %s)", what, strerror(-err),
		     reply.err.msg[0] ? reply.err.msg : "-");
	return ret == err;
}

/* netlink: bounds, missing attributes, unknown attributes, errnos, extack. */
static int case_netlink(void)
{
	uint32_t channels, avail, u;
	struct nl_msg *m;
	struct kmig_nl nl;
	int i, fd, ret;
	uint64_t v;

	ret = nl_open(&nl);
	REQUIRE(ret == 0, "family");

	m = req(&nl, KMIG_CMD_PARAMS_GET, 0);
	ret = kmig_nl_call(&nl, m, &reply);
	REQUIRE(ret == 0, "PARAMS_GET %d", -reply.err.kerr);
	CHECK(reply_u32(&reply, KMIG_A_PARAMS_CHANNELS, &channels) == 0 &&
	      channels >= 1 && channels <= KMIG_CHANNELS_MAX, "channels");
	CHECK(reply_u32(&reply, KMIG_A_PARAMS_ZERO_CHECK_AVAILABLE, &avail) == 0 &&
	      (avail & 3) == 3, "available 0x%x", avail);
	CHECK(reply_u64(&reply, KMIG_A_PARAMS_REGION_SIZE_MAX, &v) == 0 && v,
	      "region-size-max");

	m = req(&nl, KMIG_CMD_REGION_GET, 0);
	expect_err(&nl, m, -EINVAL, "REGION_GET without id");
	CHECK(reply.err.msg[0], "no extack for a missing attribute");
	m = req(&nl, KMIG_CMD_REGION_GET, 0);
	nla_put_u32(m, KMIG_A_REGION_ID, 0);
	expect_err(&nl, m, -ERANGE, "REGION_GET id 0");
	m = req(&nl, KMIG_CMD_REGION_GET, 0);
	nla_put_u32(m, KMIG_A_REGION_ID, 0x7ffffff0);
	expect_err(&nl, m, -ENOENT, "REGION_GET unknown id");
	CHECK(strstr(reply.err.msg, "no region"), "extack '%s'", reply.err.msg);
	m = req(&nl, KMIG_CMD_REGION_GET, 0);
	nla_put(m, KMIG_A_REGION_ID, 1, "\1");
	expect_err(&nl, m, -EINVAL, "REGION_GET 1-byte id");

	m = req(&nl, KMIG_CMD_PARAMS_SET, 0);
	expect_err(&nl, m, -EINVAL, "PARAMS_SET nothing");
	CHECK(strstr(reply.err.msg, "no parameter"), "extack '%s'", reply.err.msg);
	for (i = 0; i < 3; i++) {
		static const uint32_t bad[] = { 0, KMIG_CHANNELS_MAX + 1, 0xffffffff };

		m = req(&nl, KMIG_CMD_PARAMS_SET, 0);
		nla_put_u32(m, KMIG_A_PARAMS_CHANNELS, bad[i]);
		expect_err(&nl, m, -ERANGE, "PARAMS_SET channels out of range");
		CHECK(reply.err.msg[0], "no extack");
	}
	m = req(&nl, KMIG_CMD_PARAMS_SET, 0);
	nla_put_u32(m, KMIG_A_PARAMS_ZERO_PAGE_DETECTION, 3);
	expect_err(&nl, m, -ERANGE, "PARAMS_SET zero-page-detection 3");
	m = req(&nl, KMIG_CMD_PARAMS_SET, 0);
	nla_put_u32(m, KMIG_A_PARAMS_ZERO_CHECK, 5);
	expect_err(&nl, m, -ERANGE, "PARAMS_SET zero-check 5");
	m = req(&nl, KMIG_CMD_PARAMS_SET, 0);
	nla_put_u32(m, KMIG_A_PARAMS_ZERO_CHECK_ACTIVE, 1);
	expect_err(&nl, m, -EINVAL, "PARAMS_SET read-only attribute");
	m = req(&nl, KMIG_CMD_PARAMS_SET, 0);
	nla_put_u32(m, 200, 1);
	expect_err(&nl, m, -EINVAL, "PARAMS_SET unknown attribute");
	/* A refused request changes nothing, even with a valid part. */
	m = req(&nl, KMIG_CMD_PARAMS_SET, 0);
	nla_put_u32(m, KMIG_A_PARAMS_ZERO_PAGE_DETECTION, KMIG_ZERO_DETECT_MAIN);
	nla_put_u32(m, KMIG_A_PARAMS_CHANNELS, 99);
	expect_err(&nl, m, -ERANGE, "PARAMS_SET half valid");
	{
		char mode[32];

		sysfs_read_str(mode, sizeof(mode), "/sys/kernel/kmig/zero_page_detection");
		CHECK(strcmp(mode, "main"), "a refused request changed zero_page_detection");
	}

	for (i = KMIG_ZERO_CHECK_GENERIC; i <= KMIG_ZERO_CHECK_AVX512; i++) {
		if (avail & (1u << i))
			continue;
		m = req(&nl, KMIG_CMD_PARAMS_SET, 0);
		nla_put_u32(m, KMIG_A_PARAMS_ZERO_CHECK, i);
		expect_err(&nl, m, -EOPNOTSUPP, "PARAMS_SET unavailable zero check");
	}

	/* Valid sets: the reply and sysfs agree. */
	m = req(&nl, KMIG_CMD_PARAMS_SET, 0);
	nla_put_u32(m, KMIG_A_PARAMS_CHANNELS, 8);
	nla_put_u32(m, KMIG_A_PARAMS_ZERO_PAGE_DETECTION, KMIG_ZERO_DETECT_MAIN);
	ret = kmig_nl_call(&nl, m, &reply);
	REQUIRE(ret == 0, "PARAMS_SET %d %s", -reply.err.kerr,
		reply.err.msg);
	CHECK(reply_u32(&reply, KMIG_A_PARAMS_CHANNELS, &u) == 0 && u == 8,
	      "reply channels");
	CHECK(sysfs_read_ll("/sys/kernel/kmig/channels") == 8, "sysfs channels");
	m = req(&nl, KMIG_CMD_PARAMS_SET, 0);
	nla_put_u32(m, KMIG_A_PARAMS_CHANNELS, channels);
	nla_put_u32(m, KMIG_A_PARAMS_ZERO_PAGE_DETECTION, KMIG_ZERO_DETECT_CHANNEL);
	CHECK(kmig_nl_call(&nl, m, &reply) == 0, "restore");

	/* sysfs writes are validated the same way. */
	CHECK(sysfs_write("/sys/kernel/kmig/channels", "65") == -ERANGE, "sysfs 65");
	CHECK(sysfs_write("/sys/kernel/kmig/channels", "x") == -EINVAL, "sysfs x");
	CHECK(sysfs_write("/sys/kernel/kmig/zero_page_detection", "sometimes") == -EINVAL,
	      "sysfs bad mode");
	CHECK(sysfs_write("/sys/kernel/kmig/zero_check", "avx1024") == -EINVAL,
	      "sysfs bad impl");
	CHECK(sysfs_read_ll("/sys/kernel/kmig/channels") == channels, "channels kept");

	m = req(&nl, KMIG_CMD_STATS_GET, 0);
	CHECK(kmig_nl_call(&nl, m, &reply) == 0, "STATS_GET");
	CHECK(reply_u32(&reply, KMIG_A_STATS_REGIONS, &u) == 0, "stats regions");

	/* Dump sees a region we hold. */
	fd = region_open();
	REQUIRE(fd >= 0, "open");
	m = req(&nl, KMIG_CMD_REGION_GET, NLM_F_DUMP);
	CHECK(kmig_nl_call(&nl, m, &reply) == 0 && reply.nmsgs >= 1, "dump: %d msgs",
	      reply.nmsgs);
	close(fd);

	/*
	 * Dumps take no request attributes, not even the do's id. 6.1 has
	 * no extended ack for a dump's start: the message only from 6.2 on.
	 */
	m = req(&nl, KMIG_CMD_REGION_GET, NLM_F_DUMP);
	nla_put_u32(m, KMIG_A_REGION_ID, 1);
	if (expect_err(&nl, m, -EINVAL, "REGION_GET dump with an id") &&
	    reply.err.msg[0])
		CHECK(strstr(reply.err.msg, "a dump takes no attributes"),
		      "dump extack '%s'", reply.err.msg);
	m = req(&nl, KMIG_CMD_MIG_GET, NLM_F_DUMP);
	nla_put_u32(m, KMIG_A_MIG_REGION_ID, 1);
	expect_err(&nl, m, -EINVAL, "MIG_GET dump with a region id");
	m = req(&nl, KMIG_CMD_MIG_GET, NLM_F_DUMP);
	CHECK(kmig_nl_call(&nl, m, &reply) == 0, "MIG_GET dump without attributes");

	/* A scan of a region that does not exist. */
	m = req(&nl, KMIG_CMD_REGION_SCAN, 0);
	nla_put_u32(m, KMIG_A_SCAN_REGION_ID, 0x7ffffff0);
	expect_err(&nl, m, -ENOENT, "REGION_SCAN unknown id");
	kmig_nl_close(&nl);
	return failures ? 1 : 0;
}

/* nonroot: without CAP_NET_ADMIN the mutating commands get EPERM. */
static int case_nonroot(void)
{
	long long channels = sysfs_read_ll("/sys/kernel/kmig/channels");
	int status;
	pid_t pid;

	pid = fork();
	REQUIRE(pid >= 0, "fork");
	if (!pid) {
		struct nl_msg *m;
		struct kmig_nl nl;
		int fd;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534)) {
			note("cannot drop privileges: %s", strerror(errno));
			_exit(1);
		}
		if (nl_open(&nl))
			_exit(1);
		m = req(&nl, KMIG_CMD_PARAMS_SET, 0);
		nla_put_u32(m, KMIG_A_PARAMS_CHANNELS, 4);
		expect_err(&nl, m, -EPERM, "PARAMS_SET as nobody");
		m = req(&nl, KMIG_CMD_REGION_SCAN, 0);
		nla_put_u32(m, KMIG_A_SCAN_REGION_ID, 1);
		expect_err(&nl, m, -EPERM, "REGION_SCAN as nobody");
		m = req(&nl, KMIG_CMD_PARAMS_GET, 0);
		expect_err(&nl, m, 0, "PARAMS_GET as nobody");
		m = req(&nl, KMIG_CMD_STATS_GET, 0);
		expect_err(&nl, m, 0, "STATS_GET as nobody");
		m = req(&nl, KMIG_CMD_REGION_GET, NLM_F_DUMP);
		expect_err(&nl, m, 0, "REGION_GET dump as nobody");
		fd = region_open();
		CHECK(fd < 0 && errno == EACCES, "open /dev/kmig as nobody: %s",
		      fd < 0 ? strerror(errno) : "opened");
		CHECK(sysfs_write("/sys/kernel/kmig/channels", "4") == -EACCES,
		      "sysfs write as nobody");
		_exit(failures ? 1 : 0);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "as nobody");
	CHECK(sysfs_read_ll("/sys/kernel/kmig/channels") == channels,
	      "channels changed by an unprivileged request");
	return failures ? 1 : 0;
}

static void fill_scan_region(unsigned char *m, size_t npages, size_t *data,
			     size_t *zero)
{
	size_t p;

	*data = *zero = 0;
	for (p = 0; p < npages; p++) {
		if (p % 27 == 0) {
			m[p * PAGE + (p * 131) % PAGE] = (unsigned char)(p | 1);
			(*data)++;
		} else if (p % 41 == 0) {
			m[p * PAGE + 17] = 0;	/* populated, stays zero */
			(*zero)++;
		}
	}
}

/* scan: every available implementation agrees on a region's zero split. */
static int case_scan(void)
{
	const size_t npages = 16384;
	struct kmig_region_info info;
	uint32_t avail = 0, used;
	size_t data, zero;
	struct nl_msg *m;
	unsigned char *r;
	struct kmig_nl nl;
	int fd, i, ret;
	uint64_t v;

	fd = region_open();
	REQUIRE(fd >= 0, "open");
	r = region_map(fd, npages * PAGE, 0);
	REQUIRE(r != MAP_FAILED, "mmap");
	fill_scan_region(r, npages, &data, &zero);
	REQUIRE(region_info(fd, &info) == 0, "ioctl");

	ret = nl_open(&nl);
	REQUIRE(ret == 0, "family");
	m = req(&nl, KMIG_CMD_PARAMS_GET, 0);
	ret = kmig_nl_call(&nl, m, &reply);
	REQUIRE(ret == 0, "PARAMS_GET");
	reply_u32(&reply, KMIG_A_PARAMS_ZERO_CHECK_AVAILABLE, &avail);

	for (i = KMIG_ZERO_CHECK_AUTO; i <= KMIG_ZERO_CHECK_AVX512; i++) {
		if (!(avail & (1u << i)))
			continue;
		m = req(&nl, KMIG_CMD_REGION_SCAN, 0);
		nla_put_u32(m, KMIG_A_SCAN_REGION_ID, info.id);
		nla_put_u32(m, KMIG_A_SCAN_ZERO_CHECK, i);
		if (kmig_nl_call(&nl, m, &reply)) {
			CHECK(0, "scan impl %d: %d %s", i, -reply.err.kerr, reply.err.msg);
			continue;
		}
		CHECK(reply_u64(&reply, KMIG_A_SCAN_POPULATED_PAGES, &v) == 0 &&
		      v == data + zero, "impl %d populated %llu", i, (unsigned long long)v);
		CHECK(reply_u64(&reply, KMIG_A_SCAN_NORMAL_PAGES, &v) == 0 &&
		      v == data, "impl %d normal %llu, expected %zu", i,
		      (unsigned long long)v, data);
		CHECK(reply_u64(&reply, KMIG_A_SCAN_ZERO_PAGES, &v) == 0 &&
		      v == npages - data, "impl %d zero %llu", i, (unsigned long long)v);
		CHECK(reply_u32(&reply, KMIG_A_SCAN_ZERO_CHECK_USED, &used) == 0 &&
		      (i == KMIG_ZERO_CHECK_AUTO ? used != 0 : used == (uint32_t)i),
		      "impl %d used %u", i, used);
		note("impl %d: %zu data, %zu zero-written, %zu untouched", i, data, zero,
		     npages - data - zero);
	}
	REQUIRE(region_info(fd, &info) == 0, "ioctl");
	CHECK(info.populated_pages == data + zero, "scan allocated pages");
	kmig_nl_close(&nl);
	munmap(r, npages * PAGE);
	close(fd);
	return failures ? 1 : 0;
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * hold SIZE_MB DATA_PAGES ZERO_PAGES: create a region, write DATA_PAGES
 * pages of data and ZERO_PAGES pages of zeros, print "id N", stay until
 * SIGTERM/SIGINT. For the demo and the migctl tests.
 */
static int case_hold(int argc, char **argv)
{
	size_t size, npages, data, zeros, total, p, stride;
	struct kmig_region_info info;
	unsigned char *m;
	int fd;

	if (argc < 3)
		return 2;
	size = strtoull(argv[0], NULL, 0) * MiB;
	data = strtoull(argv[1], NULL, 0);
	zeros = strtoull(argv[2], NULL, 0);
	npages = size / PAGE;
	total = data + zeros;
	if (!npages || total > npages)
		return 2;
	fd = region_open();
	REQUIRE(fd >= 0, "open: %s", strerror(errno));
	m = region_map(fd, size, 0);
	REQUIRE(m != MAP_FAILED, "mmap: %s", strerror(errno));
	/* Spread the touched pages over the region. */
	stride = npages / (total ? total : 1);
	for (p = 0; p < total; p++) {
		unsigned char *pg = m + p * stride * PAGE;

		if (p % 2 == 0 && data) {
			memset(pg, (int)(p % 251) + 1, PAGE);
			data--;
		} else if (zeros) {
			memset(pg, 0, PAGE);
			zeros--;
		} else {
			memset(pg, 0x5a, PAGE);
			data--;
		}
	}
	REQUIRE(region_info(fd, &info) == 0, "ioctl");
	printf("id %u\n", info.id);
	fflush(stdout);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	while (!stop)
		pause();
	munmap(m, size);
	close(fd);
	return 0;
}

static volatile sig_atomic_t want_hash;

static void on_usr1(int sig)
{
	(void)sig;
	want_hash = 1;
}

/*
 * Hash the region's contents (pagehash.h) reading only the pages
 * KMIG_IOC_PAGE_BITMAP reports populated, and write "hash H populated N
 * nonzero M" (or "error ...") to @out through a temporary file and rename.
 */
static void region_hash_write(int fd, const unsigned char *m, size_t npages,
			      const char *out)
{
	struct kmig_hash h;
	char tmp[4096], line[128];
	FILE *f;
	int ret;

	ret = kmig_region_hash(fd, m, npages, PAGE, &h);
	if (ret == -ENOMEM)
		snprintf(line, sizeof(line), "error out of memory\n");
	else if (ret)
		snprintf(line, sizeof(line), "error KMIG_IOC_PAGE_BITMAP: %s\n",
			 strerror(-ret));
	else
		kmig_hash_line(&h, line, sizeof(line));
	printf("%s", line);
	if (!out)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", out, getpid());
	f = fopen(tmp, "w");
	if (!f || fputs(line, f) < 0 || fclose(f) || rename(tmp, out))
		printf("# cannot write %s: %s\n", out, strerror(errno));
}

/*
 * region --size MB [--random N] [--zero N] [--seed S] [--out FILE]
 *        [--prealloc N]:
 * a region with N pages of pseudo-random data and N zero-written pages
 * at pseudo-random distinct positions; prints "id N" and stays until
 * SIGTERM/SIGINT; on SIGUSR1 writes its content hash to FILE (and
 * stdout). Without --random/--zero: an empty destination region.
 * --prealloc N: first populate pages 0..N-1 with zeros in the kernel
 * (KMIG_IOC_PREALLOC), without faulting them in.
 */
static int case_region(int argc, char **argv)
{
	size_t size = 0, npages, nrand = 0, nzero = 0, npre = 0, i;
	struct kmig_prealloc pa;
	uint64_t seed = 1;
	struct kmig_region_info info;
	const char *out = NULL;
	sigset_t block, old;
	unsigned char *m;
	int fd;

	for (i = 0; i < (size_t)argc; i++) {
		const char *a = argv[i], *v = i + 1 < (size_t)argc ? argv[i + 1] : NULL;

		if (!v)
			goto usage;
		if (!strcmp(a, "--size"))
			size = strtoull(v, NULL, 0) * MiB;
		else if (!strcmp(a, "--random"))
			nrand = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--zero"))
			nzero = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--seed"))
			seed = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--out"))
			out = v;
		else if (!strcmp(a, "--prealloc"))
			npre = strtoull(v, NULL, 0);
		else
			goto usage;
		i++;
	}
	npages = size / PAGE;
	if (!npages || nrand + nzero > npages || npre > npages)
		goto usage;

	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	signal(SIGUSR1, on_usr1);

	fd = region_open();
	REQUIRE(fd >= 0, "open: %s", strerror(errno));
	m = region_map(fd, size, 0);
	REQUIRE(m != MAP_FAILED, "mmap: %s", strerror(errno));
	if (npre) {
		pa = (struct kmig_prealloc){ .first = 0, .count = npre };
		REQUIRE(ioctl(fd, KMIG_IOC_PREALLOC, &pa) == 0,
			"KMIG_IOC_PREALLOC: %s", strerror(errno));
	}
	/* Distinct random positions: random data pages first, then zeros. */
	REQUIRE(kmig_pages_fill(m, npages, PAGE, nrand, nzero, seed) == 0, "fill");
	REQUIRE(region_info(fd, &info) == 0, "ioctl: %s", strerror(errno));
	/* Written pages inside the preallocated range were populated already. */
	CHECK(info.populated_pages >= nrand + nzero && info.populated_pages >= npre &&
	      info.populated_pages <= nrand + nzero + npre, "populated %llu, expected %zu..%zu",
	      (unsigned long long)info.populated_pages, nrand + nzero, nrand + nzero + npre);
	printf("id %u\n", info.id);
	printf("# region %u: %zu MiB, %zu random pages, %zu zero pages, seed %llu\n",
	       info.id, size / MiB, nrand, nzero, (unsigned long long)seed);
	fflush(stdout);
	while (!stop) {
		sigsuspend(&old);
		if (want_hash) {
			want_hash = 0;
			region_hash_write(fd, m, npages, out);
		}
	}
	munmap(m, size);
	close(fd);
	return 0;
usage:
	fprintf(stderr, "usage: kmig-systest region --size MB [--random N] [--zero N] "
		"[--seed S] [--out FILE] [--prealloc N]\n");
	return 2;
}

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

/*
 * hash-fd --pid PID [--fd N] [--out FILE]: the content hash of the region
 * another process (QEMU, say) has open on fd N, written like the region
 * case's (region_hash_write). Without --fd, the fd of PID whose
 * /proc/PID/fd link is /dev/kmig. The very same open file is taken with
 * pidfd_open + pidfd_getfd (a new open would make a new region) and mapped
 * shared, read-only; only populated pages are read.
 */
static int case_hash_fd(int argc, char **argv)
{
	struct kmig_region_info info;
	const char *out = NULL;
	int pid = 0, nfd = -1, pidfd, fd, i;
	unsigned char *m;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			goto usage;
		if (!strcmp(a, "--pid"))
			pid = atoi(v);
		else if (!strcmp(a, "--fd"))
			nfd = atoi(v);
		else if (!strcmp(a, "--out"))
			out = v;
		else
			goto usage;
		i++;
	}
	if (pid <= 0)
		goto usage;
	if (nfd < 0) {
		char path[64], link[256];
		ssize_t n;
		int k;

		/* The lowest fd linked to the device. */
		for (k = 0; k < 4096 && nfd < 0; k++) {
			snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, k);
			n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = 0;
			if (!strcmp(link, KMIG_DEVICE_PATH))
				nfd = k;
		}
		REQUIRE(nfd >= 0, "no fd of pid %d is %s", pid, KMIG_DEVICE_PATH);
	}
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	REQUIRE(pidfd >= 0, "pidfd_open(%d): %s", pid, strerror(errno));
	fd = syscall(SYS_pidfd_getfd, pidfd, nfd, 0);
	REQUIRE(fd >= 0, "pidfd_getfd(%d, %d): %s", pid, nfd, strerror(errno));
	close(pidfd);
	REQUIRE(region_info(fd, &info) == 0, "KMIG_IOC_REGION_INFO: %s", strerror(errno));
	REQUIRE(info.size > 0, "region %u is empty", info.id);
	printf("# pid %d fd %d: region %u, %llu bytes, %llu populated\n", pid, nfd,
	       info.id, (unsigned long long)info.size,
	       (unsigned long long)info.populated_pages);
	m = mmap(NULL, info.size, PROT_READ, MAP_SHARED, fd, 0);
	REQUIRE(m != MAP_FAILED, "mmap: %s", strerror(errno));
	region_hash_write(fd, m, info.size / PAGE, out);
	munmap(m, info.size);
	close(fd);
	return 0;
usage:
	fprintf(stderr, "usage: kmig-systest hash-fd --pid PID [--fd N] [--out FILE]\n");
	return 2;
}

/* hash-add HEX...: the sum mod 2^64 of region hashes (disjoint page sets). */
static int case_hash_add(int argc, char **argv)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < argc; i++)
		sum += strtoull(argv[i], NULL, 16);
	printf("%016llx\n", (unsigned long long)sum);
	return 0;
}

/* as-nobody CMD ARGS: run a command without privileges. */
static int case_as_nobody(int argc, char **argv)
{
	if (argc < 1)
		return 2;
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534)) {
		perror("drop privileges");
		return 1;
	}
	execvp(argv[0], argv);
	perror(argv[0]);
	return 127;
}

/*
 * limits: max_regions_per_user (EMFILE, per user, freed on close),
 * max_memory (SIGBUS at the fault over it, ENOSPC from KMIG_IOC_PREALLOC
 * with nothing allocated), the refusal counters, sysfs bounds, and that
 * raising a limit makes the refused operation work. Restores the limits.
 * Expects no other region of root's while it runs.
 */
#define LIMITS_SYSFS "/sys/kernel/kmig/"

static long long limit_read(const char *name)
{
	return sysfs_read_ll(LIMITS_SYSFS "%s", name);
}

static int limit_write(const char *name, long long v)
{
	char path[128], val[32];

	snprintf(path, sizeof(path), LIMITS_SYSFS "%s", name);
	snprintf(val, sizeof(val), "%lld", v);
	return sysfs_write(path, val);
}

static int limits_regions(void)
{
	long long max0 = limit_read("max_regions_per_user");
	long long ref0 = limit_read("stats/limit_regions_refused");
	long long regions0 = limit_read("stats/regions");
	int fd[4], extra, i, status;
	struct stat st;
	pid_t pid;

	REQUIRE(max0 >= 0 && ref0 >= 0 && regions0 == 0,
		"max %lld, refused %lld, regions %lld (none expected)", max0, ref0, regions0);
	REQUIRE(limit_write("max_regions_per_user", 3) == 0, "set max_regions_per_user");
	for (i = 0; i < 3; i++) {
		fd[i] = region_open();
		CHECK(fd[i] >= 0, "region %d under the limit: %s", i, strerror(errno));
	}
	errno = 0;
	fd[3] = region_open();
	CHECK(fd[3] < 0 && errno == EMFILE, "4th region: %s",
	      fd[3] < 0 ? strerror(errno) : "opened");
	CHECK(limit_read("stats/limit_regions_refused") == ref0 + 1, "refused %lld, expected %lld",
	      limit_read("stats/limit_regions_refused"), ref0 + 1);
	CHECK(limit_read("stats/regions") == 3, "regions %lld after a refusal",
	      limit_read("stats/regions"));

	/* Per user: nobody has regions of its own to open. */
	REQUIRE(stat(KMIG_DEVICE_PATH, &st) == 0, "stat");
	REQUIRE(chmod(KMIG_DEVICE_PATH, 0666) == 0, "chmod");
	pid = fork();
	REQUIRE(pid >= 0, "fork");
	if (!pid) {
		int f;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(2);
		f = region_open();
		_exit(f >= 0 ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	chmod(KMIG_DEVICE_PATH, st.st_mode & 07777);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "another user's region refused by root's count (status %d)", status);

	/* A closed region gives its place back. */
	close(fd[0]);
	fd[0] = region_open();
	CHECK(fd[0] >= 0, "region after a close: %s", strerror(errno));
	/* Raising the limit makes the refused open work. */
	CHECK(limit_write("max_regions_per_user", 4) == 0, "raise");
	fd[3] = region_open();
	CHECK(fd[3] >= 0, "4th region after raising the limit: %s", strerror(errno));
	CHECK(limit_write("max_regions_per_user", 0) == 0, "unlimited");
	extra = region_open();
	CHECK(extra >= 0, "5th region without a limit: %s", strerror(errno));
	/* Lowering below the regions open keeps them, refuses new ones. */
	CHECK(limit_write("max_regions_per_user", 1) == 0, "lower");
	i = region_open();
	CHECK(i < 0 && errno == EMFILE, "open over a lowered limit: %s",
	      i < 0 ? strerror(errno) : "opened");
	if (i >= 0)
		close(i);
	CHECK(limit_read("stats/limit_regions_refused") == ref0 + 2, "refused %lld, expected %lld",
	      limit_read("stats/limit_regions_refused"), ref0 + 2);
	for (i = 0; i < 4; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	if (extra >= 0)
		close(extra);
	CHECK(limit_read("stats/regions") == 0, "regions %lld after closing all",
	      limit_read("stats/regions"));
	CHECK(limit_write("max_regions_per_user", -1) == -EINVAL, "sysfs -1");
	CHECK(limit_write("max_regions_per_user", max0) == 0, "restore");
	return failures ? 1 : 0;
}

static int limits_prealloc(int fd, unsigned long long first,
			   unsigned long long count)
{
	struct kmig_prealloc pa = { .first = first, .count = count };

	return ioctl(fd, KMIG_IOC_PREALLOC, &pa) ? -errno : 0;
}

/* A child touches @npages pages of @m: its wait status. */
static int limits_touch(unsigned char *m, size_t npages)
{
	int status;
	size_t p;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		for (p = 0; p < npages; p++)
			m[p * PAGE] = 1;
		_exit(0);
	}
	waitpid(pid, &status, 0);
	return status;
}

static int limits_memory(void)
{
	const size_t npages = 256, cap = 64;
	long long max0 = limit_read("max_memory");
	long long ref0 = limit_read("stats/limit_memory_refused");
	long long fail0 = limit_read("stats/alloc_failures");
	long long pop0 = global_populated();
	struct kmig_region_info info;
	char buf[64];
	unsigned char *m;
	int fd, status;

	REQUIRE(max0 >= 0 && ref0 >= 0 && pop0 >= 0, "max %lld refused %lld populated %lld",
		max0, ref0, pop0);
	REQUIRE(limit_write("max_memory", (pop0 + cap) * PAGE) == 0, "set max_memory");
	CHECK(limit_read("max_memory") == (pop0 + (long long)cap) * (long long)PAGE, "max_memory %lld",
	      limit_read("max_memory"));
	fd = region_open();
	REQUIRE(fd >= 0, "open");
	m = region_map(fd, npages * PAGE, 0);
	REQUIRE(m != MAP_FAILED, "mmap");

	/* Faults up to the limit; the one after it gets SIGBUS. */
	status = limits_touch(m, npages);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS,
	      "toucher over max_memory: status %#x, expected SIGBUS", status);
	REQUIRE(region_info(fd, &info) == 0, "ioctl");
	CHECK(info.populated_pages == cap, "populated %llu, expected %zu",
	      (unsigned long long)info.populated_pages, cap);
	CHECK(limit_read("stats/limit_memory_refused") == ref0 + 1, "refused %lld, expected %lld",
	      limit_read("stats/limit_memory_refused"), ref0 + 1);
	CHECK(limit_read("stats/alloc_failures") == fail0,
	      "a limit refusal counted as an allocation failure");

	/* Prealloc: nothing over the limit, and nothing allocated. */
	CHECK(limits_prealloc(fd, cap, 16) == -ENOSPC, "prealloc over max_memory");
	CHECK(limits_prealloc(fd, 0, npages) == -ENOSPC, "prealloc of the region");
	REQUIRE(region_info(fd, &info) == 0, "ioctl");
	CHECK(info.populated_pages == cap, "refused prealloc allocated: populated %llu",
	      (unsigned long long)info.populated_pages);
	CHECK(limit_read("stats/limit_memory_refused") == ref0 + 3, "refused %lld, expected %lld",
	      limit_read("stats/limit_memory_refused"), ref0 + 3);
	/* Pages that exist cost nothing. */
	CHECK(limits_prealloc(fd, 0, cap) == 0, "prealloc of populated pages");
	status = limits_touch(m, cap);
	CHECK(WIFEXITED(status) && !WEXITSTATUS(status), "touching populated pages: %#x",
	      status);

	/* sysfs: sizes, percentages, bounds. */
	CHECK(sysfs_write(LIMITS_SYSFS "max_memory", "x") == -EINVAL, "max_memory x");
	CHECK(sysfs_write(LIMITS_SYSFS "max_memory", "101%") == -EINVAL, "max_memory 101%%");
	CHECK(sysfs_write(LIMITS_SYSFS "max_memory", "0%") == -EINVAL, "max_memory 0%%");
	CHECK(sysfs_write(LIMITS_SYSFS "max_memory", "50%") == 0 &&
	      limit_read("max_memory") > 0, "max_memory 50%%: %lld", limit_read("max_memory"));
	CHECK(sysfs_write(LIMITS_SYSFS "max_memory", "1M") == 0 &&
	      limit_read("max_memory") == (long long)MiB, "max_memory 1M: %lld",
	      limit_read("max_memory"));
	CHECK(sysfs_write(LIMITS_SYSFS "max_memory", "5000") == 0 &&
	      limit_read("max_memory") == PAGE, "max_memory rounds down to pages: %lld",
	      limit_read("max_memory"));

	/* Raised: what was refused works. */
	REQUIRE(limit_write("max_memory", (pop0 + npages) * PAGE) == 0, "raise");
	CHECK(limits_prealloc(fd, cap, npages - cap - 8) == 0, "prealloc after raising: %s",
	      strerror(errno));
	status = limits_touch(m, npages);
	CHECK(WIFEXITED(status) && !WEXITSTATUS(status), "touching every page after raising: %#x",
	      status);
	REQUIRE(region_info(fd, &info) == 0, "ioctl");
	CHECK(info.populated_pages == npages, "populated %llu, expected %zu",
	      (unsigned long long)info.populated_pages, npages);
	CHECK(limit_read("stats/limit_memory_refused") == ref0 + 3, "refused %lld, expected %lld",
	      limit_read("stats/limit_memory_refused"), ref0 + 3);
	munmap(m, npages * PAGE);
	close(fd);
	CHECK(global_populated() == pop0, "pages left: %lld, expected %lld", global_populated(),
	      pop0);
	snprintf(buf, sizeof(buf), "%lld", max0);
	CHECK(sysfs_write(LIMITS_SYSFS "max_memory", buf) == 0, "restore");
	return failures ? 1 : 0;
}

static int limits_channels(void)
{
	long long max0 = limit_read("max_channels");

	REQUIRE(max0 >= 1 && max0 <= KMIG_CHANNELS_MAX, "max_channels %lld", max0);
	CHECK(limit_write("max_channels", 0) == -ERANGE, "max_channels 0");
	CHECK(limit_write("max_channels", KMIG_CHANNELS_MAX + 1) == -ERANGE, "max_channels 65");
	CHECK(limit_read("max_channels") == max0, "changed by a refused write");
	return failures ? 1 : 0;
}

static int case_limits(void)
{
	limits_regions();
	limits_memory();
	limits_channels();
	return failures ? 1 : 0;
}

static const struct {
	const char *name;
	int (*fn)(void);
	const char *doc;
} cases[] = {
	{ "region-rw", case_region_rw, "1 GiB region, write, read back, counters" },
	{ "refuse", case_refuse, "refused mmap/ioctl errnos and counters" },
	{ "cap", case_cap, "max_region_size cap (load with max_region_size=64M)" },
	{ "close-frees", case_close_frees, "last reference frees every page" },
	{ "prealloc", case_prealloc, "KMIG_IOC_PREALLOC: zero pages without faults" },
	{ "threads", case_threads, "concurrent first touches" },
	{ "fork", case_fork, "shared across fork" },
	{ "netlink", case_netlink, "netlink bounds, errnos, extack, sysfs writes" },
	{ "nonroot", case_nonroot, "EPERM/EACCES without privileges" },
	{ "scan", case_scan, "zero scan with every implementation" },
	{ "limits", case_limits, "resource limits: regions per user, max_memory, sysfs" },
};

int main(int argc, char **argv)
{
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: %s CASE [ARGS]\ncases:\n", argv[0]);
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			fprintf(stderr, "  %-12s %s\n", cases[i].name, cases[i].doc);
		fprintf(stderr, "  hold SIZE_MB DATA ZERO\n  as-nobody CMD [ARGS]\n"
			"  region --size MB [--random N] [--zero N] [--seed S] [--out FILE] [--prealloc N]\n"
			"  hash-fd --pid PID [--fd N] [--out FILE]\n"
			"  hash-add HEX...\n"
			"  wire-peer --to HOST:PORT --case CASE [...] (wire-peer --help)\n"
			"  wire-sink --port PORT [...]\n");
		return 2;
	}
	if (!strcmp(argv[1], "hold"))
		return case_hold(argc - 2, argv + 2);
	if (!strcmp(argv[1], "region"))
		return case_region(argc - 2, argv + 2);
	if (!strcmp(argv[1], "hash-fd"))
		return case_hash_fd(argc - 2, argv + 2);
	if (!strcmp(argv[1], "hash-add"))
		return case_hash_add(argc - 2, argv + 2);
	if (!strcmp(argv[1], "wire-peer"))
		return wire_peer_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "wire-sink"))
		return wire_sink_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "as-nobody"))
		return case_as_nobody(argc - 2, argv + 2);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (!strcmp(argv[1], cases[i].name))
			return cases[i].fn();
	fprintf(stderr, "%s: unknown case '%s'\n", argv[0], argv[1]);
	return 2;
}
