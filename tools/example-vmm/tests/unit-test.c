// SPDX-License-Identifier: GPL-2.0
/*
 * Offline unit tests of kmig-vmm (no module, no root): the command line,
 * the writers' pause, the content hash and fill against
 * tests/system/pagehash.h (the definition kmig-systest uses), netlink
 * message building and parsing, and the event reader on a fake socket.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

/* The example itself, for its static functions. */
#define main kmig_vmm_main
#include "../kmig-vmm.c"
#undef main

#include "../../../tests/system/pagehash.h"

static int failures, checks;

#define CHECK(cond, ...) do {						\
	checks++;							\
	if (!(cond)) {							\
		failures++;						\
		printf("FAIL %s:%d: ", __FILE__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
	}								\
} while (0)

#define PG 4096UL

/* ---------------------------------------------------------------- opts */

static int parse(struct vmm_opts *o, const char *line)
{
	char buf[1024], *argv[64], *t, err[256];
	int argc = 0;

	snprintf(buf, sizeof(buf), "kmig-vmm %s", line);
	for (t = strtok(buf, " "); t && argc < 63; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	return opts_parse(argc, argv, o, err, sizeof(err));
}

static void test_opts(void)
{
	static const char *const bad[] = {
		"",
		"migrate --size 1",
		"source --to 10.0.0.1:4444",			/* no size */
		"source --size 64",				/* no --to */
		"source --size 0 --to 1.2.3.4:5",
		"source --size 64 --to 1.2.3.4",		/* no port */
		"source --size 64 --to 1.2.3.4:0",
		"source --size 64 --to 1.2.3.4:65536",
		"source --size 64 --to ::1:5000",		/* v6 needs [] */
		"source --size 64 --to :5000",
		"source --size 64 --to 1.2.3.4:5 --channels 0",
		"source --size 64 --to 1.2.3.4:5 --channels 65",
		"source --size 64 --to 1.2.3.4:5 --rate -1",
		"source --size 64 --to 1.2.3.4:5 --rate 10x",
		"source --size 64 --to 1.2.3.4:5 --rate",
		"source --size 64 --to 1.2.3.4:5 --pattern hot:0",
		"source --size 64 --to 1.2.3.4:5 --pattern hot:101",
		"source --size 64 --to 1.2.3.4:5 --pattern hot:",
		"source --size 64 --to 1.2.3.4:5 --pattern zigzag",
		"source --size 64 --to 1.2.3.4:5 --downtime-limit 0",
		"source --size 64 --to 1.2.3.4:5 --downtime-limit 3600001",
		"source --size 64 --to 1.2.3.4:5 --no-convergence maybe",
		"source --size 64 --to 1.2.3.4:5 --fill-random 16385",
		"source --size 64 --to 1.2.3.4:5 --fill-random 16000 --fill-zero 385",
		"source --size 64 --to 1.2.3.4:5 --no-switchover --pause-on-pass 2",
		"source --size 64 --to 1.2.3.4:5 --port 5",	/* dest option */
		"source --size 64 --to 1.2.3.4:5 --bogus 1",
		"dest --size 64 --to 1.2.3.4:5",		/* source option */
		"dest --size 64 --writers 2",
		"dest --size 64 --resume",
		"dest --size 64 --port 70000",
		"dest --port 5",
	};
	struct vmm_opts o;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(parse(&o, bad[i]) == -1, "accepted '%s'", bad[i]);

	CHECK(parse(&o, "--help") == 1, "--help");
	CHECK(parse(&o, "source --size 64 --help") == 1, "source --help");

	CHECK(parse(&o, "source --size 64 --to 10.0.0.2:4444") == 0, "minimal source");
	CHECK(o.mode == VMM_SOURCE && o.size == 64ULL << 20 &&
	      !strcmp(o.addr, "10.0.0.2") && o.port == 4444 && o.channels == 0 &&
	      o.writers == 1 && o.rate == 1000 && o.pattern == VCPU_RANDOM &&
	      o.seed == 1 && o.downtime_limit_ms == 0 && !o.has_max_bandwidth &&
	      o.max_passes == 0 && o.no_convergence == -1 && o.resume == 1 &&
	      !o.no_switchover && o.pause_on_pass == -1 && !o.hash_file,
	      "source defaults");

	CHECK(parse(&o, "source --size 1024 --fill-random 1000 --fill-zero 2000 --seed 7 "
		    "--to [fe80::1]:5000 --channels 8 --writers 4 --rate 50000 "
		    "--pattern hot:10 --downtime-limit 50 --max-bandwidth 0 "
		    "--max-passes 30 --no-convergence switchover --hash-file /tmp/h "
		    "--exit --pause-on-pass 3") == 0, "full source");
	CHECK(o.size == 1ULL << 30 && o.fill_random == 1000 && o.fill_zero == 2000 &&
	      o.seed == 7 && !strcmp(o.addr, "fe80::1") && o.port == 5000 &&
	      o.channels == 8 && o.writers == 4 && o.rate == 50000 &&
	      o.pattern == VCPU_HOT && o.hot_pct == 10 && o.downtime_limit_ms == 50 &&
	      o.has_max_bandwidth && o.max_bandwidth == 0 && o.max_passes == 30 &&
	      o.no_convergence == KMIG_NO_CONVERGENCE_SWITCHOVER &&
	      !strcmp(o.hash_file, "/tmp/h") && o.resume == 0 && o.pause_on_pass == 3,
	      "full source fields");

	CHECK(parse(&o, "source --size 64 --to h:1 --exit --resume --no-switchover "
		    "--pattern sequential --no-convergence continue --writers 0 --rate 0") == 0,
	      "flags");
	CHECK(o.resume == 1 && o.no_switchover && o.pattern == VCPU_SEQUENTIAL &&
	      o.no_convergence == KMIG_NO_CONVERGENCE_CONTINUE && o.writers == 0 &&
	      o.rate == 0, "flags fields");
	CHECK(parse(&o, "source --size 64 --to 1.2.3.4:5 --fill-random 16000 --fill-zero 384") == 0,
	      "fill exactly the pages");

	CHECK(parse(&o, "dest --size 128") == 0, "minimal dest");
	CHECK(o.mode == VMM_DEST && o.size == 128ULL << 20 && o.port == 0 &&
	      !o.addr[0] && !o.channels && !o.hash_file, "dest defaults");
	CHECK(parse(&o, "dest --size 128 --port 4444 --addr ::1 --channels 64 --hash-file d") == 0,
	      "full dest");
	CHECK(o.port == 4444 && !strcmp(o.addr, "::1") && o.channels == 64 &&
	      !strcmp(o.hash_file, "d"), "full dest fields");
}

/* ---------------------------------------------------------------- hash */

/* kmig-systest region's fill, with pagehash.h. */
static void ref_fill(unsigned char *m, size_t npages, size_t nrand, size_t nzero,
		     uint64_t seed)
{
	uint64_t s = mix64(seed) | 1, *used = calloc((npages + 63) / 64, 8);
	size_t i, p;

	for (i = 0; i < nrand + nzero; i++) {
		do
			p = xorshift64(&s) % npages;
		while (used[p / 64] & (1ULL << (p % 64)));
		used[p / 64] |= 1ULL << (p % 64);
		if (i < nrand)
			page_fill(m + p * PG, PG, seed, p, 0);
		else
			memset(m + p * PG, 0, PG);
	}
	free(used);
}

/* kmig-systest's region_hash_write() loop, with pagehash.h. */
static uint64_t ref_hash(const unsigned char *m, size_t npages,
			 const uint64_t *bits, uint64_t *pop, uint64_t *nz)
{
	size_t words = (npages + 63) / 64, w, b;
	uint64_t hash = 0;

	*pop = *nz = 0;
	for (w = 0; w < words; w++) {
		for (b = 0; b < 64 && bits[w]; b++) {
			size_t p = w * 64 + b;
			const unsigned char *pg = m + p * PG;

			if (!(bits[w] & (1ULL << b)) || p >= npages)
				continue;
			(*pop)++;
			if (page_is_zero(pg, PG))
				continue;
			(*nz)++;
			hash += page_hash(p, pg, PG);
		}
	}
	return hash;
}

static void test_hash(void)
{
	const size_t npages = 1000;
	unsigned char *a = calloc(npages, PG), *b = calloc(npages, PG);
	uint64_t *bits = calloc((npages + 63) / 64, 8), pop, nz, s = 99, x, y;
	struct ram_hash h;
	char line[128];
	size_t i;

	CHECK(a && b && bits, "alloc");
	for (i = 0; i < 100; i++) {
		x = xorshift64(&s);
		y = x;
		CHECK(ram_mix64(x) == mix64(x), "mix64");
		CHECK(ram_xorshift64(&x) == xorshift64(&y) && x == y, "xorshift64");
	}

	/* Same fill as kmig-systest region --random 300 --zero 200 --seed 5. */
	CHECK(ram_fill(a, npages, PG, 300, 200, 5) == 0, "fill");
	ref_fill(b, npages, 300, 200, 5);
	CHECK(!memcmp(a, b, npages * PG), "fill differs from kmig-systest region's");
	CHECK(ram_fill(a, npages, PG, 600, 401, 5) == -1, "overfill accepted");

	/* Some guest writes, then hash with a partial bitmap. */
	for (i = 0; i < 50; i++)
		vcpu_write_page(a + (i * 37 % npages) * PG, PG, i * 37 % npages, i + 1);
	for (i = 0; i < npages; i++)
		if (i % 7 != 3)		/* pretend some pages are not populated */
			bits[i / 64] |= 1ULL << (i % 64);
	x = ref_hash(a, npages, bits, &pop, &nz);
	ram_hash_pages(a, npages, PG, bits, &h);
	CHECK(h.hash == x && h.populated == pop && h.nonzero == nz,
	      "hash %016llx/%llu/%llu, pagehash.h %016llx/%llu/%llu",
	      (unsigned long long)h.hash, (unsigned long long)h.populated,
	      (unsigned long long)h.nonzero, (unsigned long long)x,
	      (unsigned long long)pop, (unsigned long long)nz);

	/* NULL bitmap: every page. Zero pages don't count. */
	memset(bits, 0xff, (npages + 63) / 64 * 8);
	x = ref_hash(a, npages, bits, &pop, &nz);
	ram_hash_pages(a, npages, PG, NULL, &h);
	CHECK(h.hash == x && h.populated == npages && h.nonzero == nz, "hash of all");
	for (i = 0; i < npages; i++)
		CHECK(ram_page_hash(i, a + i * PG, PG) == page_hash(i, a + i * PG, PG),
		      "page_hash %zu", i);

	ram_hash_line(&h, line, sizeof(line));
	snprintf((char *)b, 128, "hash %016llx populated %llu nonzero %llu\n",
		 (unsigned long long)x, (unsigned long long)npages,
		 (unsigned long long)nz);
	CHECK(!strcmp(line, (char *)b), "hash line '%s'", line);

	/* Every write changes the page. */
	memcpy(b, a, PG);
	vcpu_write_page(a, PG, 0, 1000);
	CHECK(memcmp(a, b, PG), "write 1000 left the page as it was");
	memcpy(b, a, PG);
	vcpu_write_page(a, PG, 0, 1001);
	CHECK(memcmp(a, b, PG) && !page_is_zero(a, PG), "write 1001");

	free(a);
	free(b);
	free(bits);
}

/* --------------------------------------------------------------- pause */

static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static uint64_t buf_hash(const unsigned char *m, size_t npages)
{
	struct ram_hash h;

	ram_hash_pages(m, npages, PG, NULL, &h);
	return h.hash;
}

static void test_pause(enum vcpu_pattern pat, unsigned int threads, uint64_t rate)
{
	const size_t npages = 256;
	unsigned char *m = aligned_alloc(PG, npages * PG);
	struct vcpu_cfg c = {
		.ram = m, .npages = npages, .page_size = PG, .threads = threads,
		.rate = rate, .pattern = pat, .hot_pct = 25, .seed = 3,
	};
	struct vcpus *v;
	uint64_t w0, h0, moved = 0;
	double t, worst = 0;
	int i;

	memset(m, 0, npages * PG);
	v = vcpus_start(&c);
	CHECK(v, "vcpus_start");
	if (!v)
		return;
	for (i = 0; i < 200; i++) {
		usleep(i % 10 ? 300 : 3000);
		t = mono_ms();
		vcpus_pause(v);
		t = mono_ms() - t;
		if (t > worst)
			worst = t;
		CHECK(vcpus_in_write(v) == 0, "a writer is inside a write after pause");
		w0 = vcpus_writes(v);
		h0 = buf_hash(m, npages);
		usleep(1000);
		CHECK(vcpus_writes(v) == w0, "writes went on while paused");
		CHECK(buf_hash(m, npages) == h0, "RAM changed while paused");
		if (i)
			moved += w0 > 0;
		vcpus_resume(v);
	}
	CHECK(!threads || moved, "the writers never wrote");
	CHECK(worst < 100, "pause took %.1f ms", worst);
	if (pat == VCPU_HOT) {
		/* Only the first quarter is written. */
		for (i = npages / 4; i < (int)npages; i++)
			CHECK(page_is_zero(m + i * PG, PG), "hot pattern wrote page %d", i);
	}
	printf("# pause %u writers, rate %llu, pattern %d: %llu writes, worst pause %.3f ms\n",
	       threads, (unsigned long long)rate, pat,
	       (unsigned long long)vcpus_stop(v), worst);
	free(m);
}

static void test_rate(void)
{
	const size_t npages = 64;
	unsigned char *m = aligned_alloc(PG, npages * PG);
	struct vcpu_cfg c = {
		.ram = m, .npages = npages, .page_size = PG, .threads = 3,
		.rate = 3000, .pattern = VCPU_SEQUENTIAL, .seed = 3,
	};
	struct vcpus *v = vcpus_start(&c);
	uint64_t n;
	size_t i;

	usleep(500000);
	vcpus_pause(v);
	n = vcpus_writes(v);
	CHECK(n > 1000 && n < 2000, "3000 pages/s for 0.5 s gave %llu writes",
	      (unsigned long long)n);
	/* Paused for 0.5 s: no burst to catch up after resume. */
	usleep(500000);
	vcpus_resume(v);
	usleep(100000);
	n = vcpus_writes(v) - n;
	CHECK(n < 600, "%llu writes in 0.1 s after resume", (unsigned long long)n);
	vcpus_stop(v);
	/* Sequential: every page was written. */
	for (i = 0; i < npages; i++)
		CHECK(!page_is_zero(m + i * PG, PG), "sequential skipped page %zu", i);
	free(m);
}

/* ------------------------------------------------------------- netlink */

static void put_ev(struct nl_msg *m, uint16_t family, uint8_t cmd, uint32_t region,
		   uint32_t event, uint64_t pass)
{
	nl_msg_init(m, family, cmd);
	nl_put_u32(m, KMIG_A_MIG_REGION_ID, region);
	nl_put_u32(m, KMIG_A_MIG_ROLE, KMIG_MIG_ROLE_SOURCE);
	nl_put_u32(m, KMIG_A_MIG_STATE, KMIG_MIG_STATE_ACTIVE);
	nl_put_str(m, KMIG_A_MIG_ADDR, "10.0.0.2");
	nl_put_u16(m, KMIG_A_MIG_PORT, 4444);
	nl_put_u32(m, KMIG_A_MIG_PASSES, pass + 1);
	nl_put_flag(m, KMIG_A_MIG_LIVE);
	nl_put_u64(m, KMIG_A_MIG_PASS, pass);
	nl_put_u64(m, KMIG_A_MIG_EXPECTED_DOWNTIME_NS, 12345678);
	nl_put_u64(m, KMIG_A_MIG_DOWNTIME_NS, 0);
	nl_put_str(m, KMIG_A_MIG_REASON, "because");
	nl_put_u32(m, KMIG_A_MIG_EVENT, event);
	((struct nlmsghdr *)m->buf)->nlmsg_len = m->len;
}

static void test_netlink(void)
{
	struct kmig_nl k = { .family = 0x1234 };
	struct nl_msg m;
	struct mig_ev e;
	int sv[2], fd, i;
	uint16_t fam;
	uint32_t grp;

	/* Event parsing and filtering, on a datagram socket pair. */
	CHECK(!socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), "socketpair");
	k.ev = sv[0];
	put_ev(&m, 0x1234, KMIG_CMD_MIG_EVENT, 9, KMIG_MIG_EVENT_PASS_DONE, 1);
	send(sv[1], m.buf, m.len, 0);				/* other region */
	put_ev(&m, 0x1235, KMIG_CMD_MIG_EVENT, 7, KMIG_MIG_EVENT_COMPLETED, 1);
	send(sv[1], m.buf, m.len, 0);				/* other family */
	put_ev(&m, 0x1234, KMIG_CMD_MIG_GET, 7, KMIG_MIG_EVENT_COMPLETED, 1);
	send(sv[1], m.buf, m.len, 0);				/* not an event */
	put_ev(&m, 0x1234, KMIG_CMD_MIG_EVENT, 7, KMIG_MIG_EVENT_SWITCHOVER_READY, 4);
	send(sv[1], m.buf, m.len, 0);
	memset(&e, 0, sizeof(e));
	CHECK(mig_event_wait(&k, 7, &e, 100) == 1, "event not read");
	CHECK(e.event == KMIG_MIG_EVENT_SWITCHOVER_READY && e.region == 7 &&
	      e.role == KMIG_MIG_ROLE_SOURCE && e.state == KMIG_MIG_STATE_ACTIVE &&
	      e.pass == 4 && e.passes == 5 && e.expected_ns == 12345678 &&
	      e.port == 4444 && !strcmp(e.reason, "because") && !final_event(&e),
	      "event fields");
	CHECK(mig_event_wait(&k, 7, &e, 50) == 0, "no more events");
	close(sv[0]);
	close(sv[1]);

	/* Attributes: sizes, strings, truncated input. */
	nl_msg_init(&m, 0x1234, 1);
	nl_put_u16(&m, 1, 0xbeef);
	nl_put_u64(&m, 2, 0x0123456789abcdefULL);
	nl_put_str(&m, 3, "abc");
	nl_put(&m, 4, "abc", 3);				/* unterminated */
	{
		const struct nlattr *tb[5];
		size_t hdr = NLMSG_HDRLEN + GENL_HDRLEN;

		nl_parse(m.buf + hdr, m.len - hdr, tb, 4);
		CHECK(nl_uint(tb[1], 0) == 0xbeef && nl_uint(tb[2], 0) == 0x0123456789abcdefULL &&
		      !strcmp(nl_str(tb[3]), "abc") && !strcmp(nl_str(tb[4]), "") &&
		      nl_uint(tb[0], 42) == 42 && nl_uint(tb[4], 7) == 7, "attributes");
		nl_parse(m.buf + hdr, m.len - hdr - 2, tb, 4);	/* cut short */
		CHECK(tb[1] && tb[3] && !tb[4], "truncated attributes");
	}

	/* The real controller, if this host has generic netlink. */
	fd = nl_open();
	if (fd < 0) {
		printf("# no generic netlink here (%s): resolve not tested\n", strerror(-fd));
		return;
	}
	CHECK(nl_resolve(fd, "nlctrl", "notify", &fam, &grp) == 0 && fam == GENL_ID_CTRL && grp,
	      "resolve nlctrl/notify");
	CHECK(nl_resolve(fd, "nlctrl", "no-such-group", &fam, &grp) == -ENOENT, "missing group");
	i = nl_resolve(fd, "no-such-family-kmig", NULL, &fam, NULL);
	CHECK(i < 0, "missing family: %d", i);
	k.ev = nl_open();
	CHECK(!setsockopt(k.ev, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)),
	      "join nlctrl/notify: %s", strerror(errno));
	close(k.ev);
	close(fd);
}

int main(void)
{
	test_opts();
	test_hash();
	test_pause(VCPU_RANDOM, 4, 0);
	test_pause(VCPU_HOT, 3, 0);
	test_pause(VCPU_SEQUENTIAL, 2, 20000);
	test_pause(VCPU_RANDOM, 8, 500);
	test_pause(VCPU_RANDOM, 0, 0);
	test_rate();
	test_netlink();
	printf("%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
