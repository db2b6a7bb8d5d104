// SPDX-License-Identifier: GPL-2.0
/*
 * Offline unit tests of kmig-vmm (no module, no root): the command line,
 * the writers' pause, the content hash and fill (libkmig's pagehash.h,
 * which kmig-systest uses too, pinned to known values), netlink
 * event parsing, the event reader on a fake socket, and COLO: the latency
 * nests, colo_step() and whole COLO sessions of either side against a
 * scripted fake kmig (NETLINK_USERSOCK sockets, a forked VMM).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* The example itself, for its static functions. */
#define main kmig_vmm_main
#include "../kmig-vmm.c"
#undef main

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

/* @o's strings point into a static buffer: valid until the next call. */
static int parse(struct vmm_opts *o, const char *line)
{
	static char buf[1024];
	char *argv[64], *t, err[256];
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
		/* COLO */
		"source --size 64 --to 1.2.3.4:5 --checkpoint-interval 100",	/* no --colo */
		"source --size 64 --to 1.2.3.4:5 --checkpoints 3",
		"source --size 64 --to 1.2.3.4:5 --die-at after --die-checkpoint 1",
		"source --size 64 --to 1.2.3.4:5 --colo --checkpoint-interval 9",
		"source --size 64 --to 1.2.3.4:5 --colo --checkpoint-interval 3600001",
		"source --size 64 --to 1.2.3.4:5 --colo --checkpoints 0",
		"source --size 64 --to 1.2.3.4:5 --colo --checkpoints 4294967296",
		"source --size 64 --to 1.2.3.4:5 --colo --no-switchover",
		"source --size 64 --to 1.2.3.4:5 --no-switchover --colo",
		"source --size 64 --to 1.2.3.4:5 --colo --die-at before",
		"source --size 64 --to 1.2.3.4:5 --colo --die-checkpoint 2",
		"source --size 64 --to 1.2.3.4:5 --colo --die-at sometime --die-checkpoint 2",
		"source --size 64 --to 1.2.3.4:5 --colo --die-at before --die-checkpoint 0",
		"source --size 64 --to 1.2.3.4:5 --colo --die-at before --die-checkpoint 2 --die-delay 10",
		"source --size 64 --to 1.2.3.4:5 --colo --die-delay 10",
		"source --size 64 --to 1.2.3.4:5 --colo --die-at during --die-checkpoint 2 --die-delay 60001",
		"source --size 64 --to 1.2.3.4:5 --colo --die-at during --die-checkpoint 5 --checkpoints 4",
		"dest --size 64 --colo --checkpoints 3",			/* source options */
		"dest --size 64 --colo --checkpoint-interval 100",
		"dest --size 64 --colo --die-at before --die-checkpoint 1",
		"dest --size 64 --colo --fill-random 5",
		"dest --size 64 --rate 5",					/* needs --colo */
		"dest --size 64 --pattern sequential",
		"dest --size 64 --seed 4",
		"dest --size 64 --colo --writers 1025",
		"dest --size 64 --colo --pattern hot:0",
		/* --prealloc is the source's; --no-hash excludes --hash-file */
		"dest --size 64 --prealloc",
		"source --size 64 --to 1.2.3.4:5 --no-hash --hash-file h",
		"dest --size 64 --hash-file h --no-hash",
	};
	struct vmm_opts o;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(parse(&o, bad[i]) == -1, "accepted '%s'", bad[i]);

	CHECK(parse(&o, "--help") == 1, "--help");
	CHECK(parse(&o, "source --size 64 --help") == 1, "source --help");

	CHECK(parse(&o, "source --size 64 --to 10.0.0.2:4444 --insecure") == 0, "minimal source");
	CHECK(o.mode == VMM_SOURCE && o.size == 64ULL << 20 &&
	      !strcmp(o.addr, "10.0.0.2") && o.port == 4444 && o.channels == 0 &&
	      o.writers == 1 && o.rate == 1000 && o.pattern == VCPU_RANDOM &&
	      o.seed == 1 && o.downtime_limit_ms == 0 && !o.has_max_bandwidth &&
	      o.max_passes == 0 && o.no_convergence == -1 && o.resume == 1 &&
	      !o.no_switchover && o.pause_on_pass == -1 && !o.hash_file &&
	      !o.colo && !o.checkpoint_interval_ms && !o.checkpoints &&
	      o.die_at == VMM_DIE_NONE && !o.die_checkpoint && o.die_delay_ms == 50,
	      "source defaults");

	CHECK(parse(&o, "source --size 1024 --fill-random 1000 --fill-zero 2000 --seed 7 --insecure "
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

	CHECK(parse(&o, "source --size 64 --to h:1 --exit --resume --no-switchover --insecure "
		    "--pattern sequential --no-convergence continue --writers 0 --rate 0") == 0,
	      "flags");
	CHECK(o.resume == 1 && o.no_switchover && o.pattern == VCPU_SEQUENTIAL &&
	      o.no_convergence == KMIG_NO_CONVERGENCE_CONTINUE && o.writers == 0 &&
	      o.rate == 0, "flags fields");
	CHECK(parse(&o, "source --size 64 --to 1.2.3.4:5 --fill-random 16000 --fill-zero 384 --insecure") == 0,
	      "fill exactly the pages");

	CHECK(!o.prealloc && !o.no_hash, "no prealloc, hash by default");
	CHECK(parse(&o, "source --size 64 --to 1.2.3.4:5 --prealloc --no-hash --fill-random 100 --insecure") == 0 &&
	      o.prealloc && o.no_hash && o.fill_random == 100 && !o.hash_file, "source --prealloc --no-hash");
	CHECK(parse(&o, "dest --size 64 --postcopy --writers 2 --no-hash --insecure") == 0 &&
	      o.no_hash && o.postcopy && o.writers == 2, "dest --postcopy --no-hash");

	CHECK(parse(&o, "dest --size 128 --insecure") == 0, "minimal dest");
	CHECK(o.mode == VMM_DEST && o.size == 128ULL << 20 && o.port == 0 &&
	      !o.addr[0] && !o.channels && !o.hash_file && !o.colo && o.writers == 0,
	      "dest defaults");

	/* COLO */
	CHECK(parse(&o, "source --size 64 --to 1.2.3.4:5 --colo --insecure") == 0, "colo source");
	CHECK(o.colo && !o.checkpoint_interval_ms && !o.checkpoints &&
	      o.die_at == VMM_DIE_NONE && o.writers == 1 && o.rate == 1000,
	      "colo source defaults");
	CHECK(parse(&o, "source --size 64 --to 1.2.3.4:5 --checkpoints 5 --die-delay 0 --insecure "
		    "--checkpoint-interval 10 --die-at during --die-checkpoint 5 --colo "
		    "--writers 3 --hash-file h") == 0, "full colo source (any order)");
	CHECK(o.colo && o.checkpoint_interval_ms == 10 && o.checkpoints == 5 &&
	      o.die_at == VMM_DIE_DURING && o.die_checkpoint == 5 && o.die_delay_ms == 0 &&
	      o.writers == 3 && !strcmp(o.hash_file, "h"), "full colo source fields");
	CHECK(parse(&o, "source --size 64 --to 1.2.3.4:5 --colo --checkpoint-interval 3600000 --insecure "
		    "--die-at after --die-checkpoint 7 --pause-on-pass 2") == 0,
	      "colo source, die without a checkpoint limit");
	CHECK(o.checkpoint_interval_ms == 3600000 && o.die_at == VMM_DIE_AFTER &&
	      o.die_checkpoint == 7 && o.die_delay_ms == 50 && o.pause_on_pass == 2,
	      "colo die-after fields");
	CHECK(parse(&o, "source --size 64 --to 1.2.3.4:5 --colo --die-at before --insecure "
		    "--die-checkpoint 4 --checkpoints 4") == 0 &&
	      o.die_at == VMM_DIE_BEFORE, "die at the last checkpoint");
	CHECK(parse(&o, "dest --size 64 --colo --insecure") == 0 && o.colo && o.writers == 0,
	      "colo dest");
	CHECK(parse(&o, "dest --size 64 --writers 3 --rate 200 --pattern hot:5 --seed 9 --insecure "
		    "--colo --port 4444") == 0, "colo dest writers (any order)");
	CHECK(o.colo && o.writers == 3 && o.rate == 200 && o.pattern == VCPU_HOT &&
	      o.hot_pct == 5 && o.seed == 9 && o.port == 4444, "colo dest fields");
	CHECK(parse(&o, "dest --size 128 --port 4444 --addr ::1 --channels 64 --hash-file d --insecure") == 0,
	      "full dest");
	CHECK(o.port == 4444 && !strcmp(o.addr, "::1") && o.channels == 64 &&
	      !strcmp(o.hash_file, "d"), "full dest fields");
}

/* ----------------------------------------------------------------- key */

static const char *tmpname(char *buf, size_t len, const char *what);
static struct nl_msg *gmsg(uint16_t family, uint8_t cmd);

/* opts_parse() of @line; its message in @err. */
static int parse_err(struct vmm_opts *o, const char *line, char *err, size_t len)
{
	static char buf[1024];
	char *argv[64], *t;
	int argc = 0;

	snprintf(buf, sizeof(buf), "kmig-vmm %s", line);
	for (t = strtok(buf, " "); t && argc < 63; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	err[0] = 0;
	return opts_parse(argc, argv, o, err, len);
}

static void write_file(const char *path, const char *text, int mode)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
	chmod(path, mode);
}

static void test_key(void)
{
	/* bytes 0x00..0x1f */
	static const char k64[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
	static const char *const bad[] = {
		"", "\n", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8==",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=A",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=",	/* stray bits */
		"AAECAwQFBgcICQoLDA0O DxAREhMUFRYXGBkaGxwdHh8=",
		"AAECAwQFBgcICQoLDA0O-xAREhMUFRYXGBkaGxwdHh8=",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",	/* 31 bytes */
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
	};
	struct nlattr *tb[KMIG_A_MIG_MAX + 1];
	char pb[64], err[256];
	const char *path = tmpname(pb, sizeof(pb), "key");
	uint8_t key[VMM_KEY_LEN], want[VMM_KEY_LEN];
	struct nlmsghdr *h;
	struct vmm_opts o;
	struct nl_msg *m;
	size_t i, len;
	int zero;

	/* exactly one of --key-file and --insecure, checked last */
	CHECK(parse_err(&o, "source --size 64 --to 1.2.3.4:5", err, sizeof(err)) == -1 &&
	      !strcmp(err, "a key is required: --key-file FILE (migctl keygen), or --insecure to run without authentication"),
	      "source without a key: '%s'", err);
	CHECK(parse_err(&o, "dest --size 64", err, sizeof(err)) == -1 &&
	      strstr(err, "a key is required"), "dest without a key: '%s'", err);
	CHECK(parse_err(&o, "dest --size 64 --insecure --key-file k", err, sizeof(err)) == -1 &&
	      !strcmp(err, "--key-file and --insecure exclude each other"),
	      "dest with both: '%s'", err);
	CHECK(parse_err(&o, "source --key-file k --size 64 --to 1.2.3.4:5 --insecure", err,
			sizeof(err)) == -1 && strstr(err, "exclude each other"),
	      "source with both: '%s'", err);
	CHECK(parse_err(&o, "source --size 0 --to 1.2.3.4:5", err, sizeof(err)) == -1 &&
	      strstr(err, "--size"), "other errors first: '%s'", err);
	CHECK(parse_err(&o, "dest --size 64 --key-file", err, sizeof(err)) == -1,
	      "--key-file without a file");
	CHECK(parse_err(&o, "source --size 64 --to 1.2.3.4:5 --key-file /k", err, sizeof(err)) == 0 &&
	      o.key_file && !strcmp(o.key_file, "/k") && !o.insecure, "--key-file: '%s'", err);
	CHECK(parse_err(&o, "dest --size 64 --insecure --colo", err, sizeof(err)) == 0 &&
	      !o.key_file && o.insecure, "--insecure: '%s'", err);

	/* the key file */
	for (i = 0; i < VMM_KEY_LEN; i++)
		want[i] = i;
	write_file(path, " \n\tAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\r\n\n", 0600);
	memset(key, 0xaa, sizeof(key));
	CHECK(opts_read_key(path, key, err, sizeof(err)) == 0 && !memcmp(key, want, sizeof(key)),
	      "key file with blanks: '%s'", err);
	write_file(path, "//////////////////////////////////////////8=\n", 0600);
	CHECK(opts_read_key(path, key, err, sizeof(err)) == 0 && key[0] == 0xff && key[31] == 0xff,
	      "key of 0xff bytes: '%s'", err);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(path, bad[i], 0600);
		CHECK(opts_read_key(path, key, err, sizeof(err)) == -1 &&
		      strstr(err, "is not a migration key") && (!bad[i][0] || !strstr(err, bad[i])),
		      "bad key %zu accepted or echoed: '%s'", i, err);
	}
	write_file(path, k64, 0600);
	unlink(path);
	CHECK(opts_read_key(path, key, err, sizeof(err)) == -1 && strstr(err, "cannot open"),
	      "no key file: '%s'", err);
	CHECK(opts_read_key("/tmp", key, err, sizeof(err)) == -1 && strstr(err, "directory"),
	      "a directory: '%s'", err);

	/* KMIG_A_MIG_KEY, sent once: the copy is wiped */
	memcpy(mig_key.b, want, sizeof(want));
	mig_key.set = 1;
	m = gmsg(0x42, KMIG_CMD_MIG_START);
	mig_put_auth(m);
	CHECK(!genlmsg_parse(nlmsg_hdr(m), 0, tb, KMIG_A_MIG_MAX, NULL), "parse");
	CHECK(tb[KMIG_A_MIG_KEY] && nla_len(tb[KMIG_A_MIG_KEY]) == VMM_KEY_LEN &&
	      !memcmp(nla_data(tb[KMIG_A_MIG_KEY]), want, VMM_KEY_LEN) &&
	      !tb[KMIG_A_MIG_INSECURE], "the key as KMIG_A_MIG_KEY");
	for (zero = 1, i = 0; i < VMM_KEY_LEN; i++)
		zero &= !mig_key.b[i];
	CHECK(zero && !mig_key.set, "the key wiped once put");
	h = nlmsg_hdr(m);
	len = h->nlmsg_len;
	nlmsg_get(m);		/* as run_source() does, to look after */
	kmig_nl_msg_wipe(m);
	for (zero = 1, i = 0; i < len; i++)
		zero &= !((unsigned char *)h)[i];
	CHECK(zero, "the request wiped");
	nlmsg_free(m);
	m = gmsg(0x42, KMIG_CMD_MIG_LISTEN);
	mig_put_auth(m);
	CHECK(!genlmsg_parse(nlmsg_hdr(m), 0, tb, KMIG_A_MIG_MAX, NULL), "parse");
	CHECK(!tb[KMIG_A_MIG_KEY] && tb[KMIG_A_MIG_INSECURE] &&
	      nla_len(tb[KMIG_A_MIG_INSECURE]) == 0, "--insecure: KMIG_A_MIG_INSECURE");
	nlmsg_free(m);
}

/* ---------------------------------------------------------------- hash */

/*
 * The fill and the hash are libkmig's (pagehash.h), shared with
 * kmig-systest region: pin them, as a change breaks the comparison of a
 * hash of one program with the other's of an older build.
 */
#define FILL_HASH 0xbbbf60257e353ef0ULL	/* of --random 300 --zero 200 --seed 5 */

static void test_hash(void)
{
	const size_t npages = 1000;
	unsigned char *a = calloc(npages, PG), *b = calloc(npages, PG);
	uint64_t *bits = calloc((npages + 63) / 64, 8), pop = 0, nz = 0, x = 0;
	struct kmig_hash h;
	char line[128];
	size_t i;

	CHECK(a && b && bits, "alloc");
	/* kmig-systest region --random 300 --zero 200 --seed 5. */
	CHECK(kmig_pages_fill(a, npages, PG, 300, 200, 5) == 0, "fill");
	kmig_pages_hash(a, npages, PG, NULL, &h);
	CHECK(h.hash == FILL_HASH && h.populated == npages && h.nonzero == 300,
	      "fill hash %016llx/%llu", (unsigned long long)h.hash,
	      (unsigned long long)h.nonzero);
	CHECK(kmig_pages_fill(a, npages, PG, 600, 401, 5) == -1, "overfill accepted");

	/* Some guest writes, then hash with a partial bitmap. */
	for (i = 0; i < 50; i++)
		vcpu_write_page(a + (i * 37 % npages) * PG, PG, i * 37 % npages, i + 1);
	for (i = 0; i < npages; i++) {
		if (i % 7 == 3)		/* pretend some pages are not populated */
			continue;
		bits[i / 64] |= 1ULL << (i % 64);
		pop++;
		if (!page_is_zero(a + i * PG, PG)) {
			nz++;
			x += page_hash(i, a + i * PG, PG);
		}
	}
	kmig_pages_hash(a, npages, PG, bits, &h);
	CHECK(h.hash == x && h.populated == pop && h.nonzero == nz,
	      "hash %016llx/%llu/%llu, expected %016llx/%llu/%llu",
	      (unsigned long long)h.hash, (unsigned long long)h.populated,
	      (unsigned long long)h.nonzero, (unsigned long long)x,
	      (unsigned long long)pop, (unsigned long long)nz);

	kmig_hash_line(&h, line, sizeof(line));
	snprintf((char *)b, 128, "hash %016llx populated %llu nonzero %llu\n",
		 (unsigned long long)x, (unsigned long long)pop,
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
	struct kmig_hash h;

	kmig_pages_hash(m, npages, PG, NULL, &h);
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
	/* A bound on hanging, not a speed test: loaded CI machines are slow. */
	CHECK(worst < 2000, "pause took %.1f ms", worst);
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

#define FAM 0x1234
#define REG 7

/*
 * Netlink without kmig: sockets of the NETLINK_USERSOCK protocol (unicast
 * between processes, no privilege needed). A fake's raw socket, bound;
 * a libkmig socket for the VMM sending to it, the fake's connected to it.
 */
static int fake_sock(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_USERSOCK);

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int vmm_sock(struct kmig_nl *k, int fake)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t sl = sizeof(sa);

	k->sk = nl_socket_alloc();
	if (!k->sk || nl_connect(k->sk, NETLINK_USERSOCK) ||
	    getsockname(fake, (struct sockaddr *)&sa, &sl))
		return -1;
	nl_socket_disable_auto_ack(k->sk);
	nl_socket_set_peer_port(k->sk, sa.nl_pid);
	k->family = FAM;
	k->name = KMIG_FAMILY_NAME;
	sa.nl_pid = nl_socket_get_local_port(k->sk);
	return connect(fake, (struct sockaddr *)&sa, sizeof(sa));
}

/* A generic netlink message of @family as kmig sends it. */
static struct nl_msg *gmsg(uint16_t family, uint8_t cmd)
{
	struct nl_msg *m = nlmsg_alloc();

	if (!m || !genlmsg_put(m, 0, 0, family, 0, 0, cmd, 1)) {
		printf("out of memory\n");
		exit(1);
	}
	return m;
}

/* Send @m (freed) on the fake's socket @fd. */
static void msend(int fd, struct nl_msg *m)
{
	send(fd, nlmsg_hdr(m), nlmsg_hdr(m)->nlmsg_len, 0);
	nlmsg_free(m);
}

static struct nl_msg *put_ev(uint16_t family, uint8_t cmd, uint32_t region,
			     uint32_t event, uint64_t pass)
{
	struct nl_msg *m = gmsg(family, cmd);

	nla_put_u32(m, KMIG_A_MIG_REGION_ID, region);
	nla_put_u32(m, KMIG_A_MIG_ROLE, KMIG_MIG_ROLE_SOURCE);
	nla_put_u32(m, KMIG_A_MIG_STATE, KMIG_MIG_STATE_ACTIVE);
	nla_put_string(m, KMIG_A_MIG_ADDR, "10.0.0.2");
	nla_put_u16(m, KMIG_A_MIG_PORT, 4444);
	nla_put_u32(m, KMIG_A_MIG_PASSES, pass + 1);
	nla_put_flag(m, KMIG_A_MIG_LIVE);
	nla_put_u64(m, KMIG_A_MIG_PASS, pass);
	nla_put_u64(m, KMIG_A_MIG_EXPECTED_DOWNTIME_NS, 12345678);
	nla_put_u64(m, KMIG_A_MIG_DOWNTIME_NS, 0);
	nla_put_string(m, KMIG_A_MIG_REASON, "because");
	nla_put_u32(m, KMIG_A_MIG_EVENT, event);
	return m;
}

static void test_netlink(void)
{
	struct kmig_nl_err err;
	struct vmm_nl k;
	struct nl_msg *m;
	struct mig_ev e;
	int fd;

	/* Event parsing and filtering. */
	fd = fake_sock();
	CHECK(fd >= 0 && !vmm_sock(&k.ev, fd), "netlink sockets: %s", strerror(errno));
	msend(fd, put_ev(FAM, KMIG_CMD_MIG_EVENT, 9, KMIG_MIG_EVENT_PASS_DONE, 1));
	/* other region */
	msend(fd, put_ev(FAM + 1, KMIG_CMD_MIG_EVENT, 7, KMIG_MIG_EVENT_COMPLETED, 1));
	/* other family */
	msend(fd, put_ev(FAM, KMIG_CMD_MIG_GET, 7, KMIG_MIG_EVENT_COMPLETED, 1));
	/* not an event */
	msend(fd, put_ev(FAM, KMIG_CMD_MIG_EVENT, 7, KMIG_MIG_EVENT_SWITCHOVER_READY, 4));
	memset(&e, 0, sizeof(e));
	CHECK(mig_event_wait(&k, 7, &e, 100) == 1, "event not read");
	CHECK(e.event == KMIG_MIG_EVENT_SWITCHOVER_READY && e.region == 7 &&
	      e.role == KMIG_MIG_ROLE_SOURCE && e.state == KMIG_MIG_STATE_ACTIVE &&
	      e.pass == 4 && e.passes == 5 && e.expected_ns == 12345678 &&
	      e.port == 4444 && !strcmp(e.reason, "because") && !final_event(&e),
	      "event fields");
	CHECK(mig_event_wait(&k, 7, &e, 50) == 0, "no more events");
	kmig_nl_close(&k.ev);
	close(fd);

	/* Attributes: sizes, defaults, strings. */
	m = gmsg(FAM, 1);
	nla_put_u16(m, 1, 0xbeef);
	nla_put_u64(m, 2, 0x0123456789abcdefULL);
	nla_put_string(m, 3, "abc");
	nla_put(m, 4, 3, "abc");				/* unterminated */
	{
		struct nlattr *tb[5];

		CHECK(!genlmsg_parse(nlmsg_hdr(m), 0, tb, 4, NULL), "parse");
		CHECK(kmig_attr_uint_or(tb[1], 0) == 0xbeef &&
		      kmig_attr_uint_or(tb[2], 0) == 0x0123456789abcdefULL &&
		      !strcmp(kmig_attr_str(tb[3]), "abc") &&
		      !strcmp(kmig_attr_str(tb[4]), "") &&
		      kmig_attr_uint_or(tb[0], 42) == 42 &&
		      kmig_attr_uint_or(tb[4], 7) == 7, "attributes");
	}
	nlmsg_free(m);

	/* The real controller, if this host has generic netlink. */
	if (kmig_nl_open_family(&k.ev, "nlctrl")) {
		printf("# no generic netlink here: resolve not tested\n");
		return;
	}
	CHECK(k.ev.family == GENL_ID_CTRL, "resolve nlctrl");
	CHECK(kmig_nl_subscribe(&k.ev, "no-such-group", &err) == -1 &&
	      err.nlerr == NLE_OBJ_NOTFOUND, "missing group");
	CHECK(kmig_nl_subscribe(&k.ev, "notify", &err) == 0, "join nlctrl/notify");
	kmig_nl_close(&k.ev);
	CHECK(kmig_nl_open_family(&k.ev, "no-such-family-kmig") == -1, "missing family");
}

static void test_append(void)
{
	char file[] = "/tmp/kmig-vmm-unit-XXXXXX", buf[256];	/* mkstemp: unique */
	FILE *f;
	size_t n;
	int fd = mkstemp(file);

	CHECK(fd >= 0, "mkstemp");
	close(fd);
	CHECK(ram_write_file(file, "") == 0, "truncate");
	CHECK(ram_append_file(file, "checkpoint 1 hash 0\n") == 0, "append 1");
	CHECK(ram_append_file(file, "checkpoint 2 hash 0\n") == 0, "append 2");
	f = fopen(file, "r");
	n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	buf[n] = 0;
	if (f)
		fclose(f);
	CHECK(!strcmp(buf, "checkpoint 1 hash 0\ncheckpoint 2 hash 0\n"), "appended '%s'", buf);
	unlink(file);
	CHECK(ram_append_file("/nonexistent-dir/x", "l\n") == -ENOENT, "append error");
}

/* Writers parked from the start (a secondary before COLO), generations. */
static void test_start_paused(void)
{
	const size_t npages = 64;
	unsigned char *m = aligned_alloc(PG, npages * PG);
	struct vcpu_cfg c = {
		.ram = m, .npages = npages, .page_size = PG, .threads = 3,
		.rate = 0, .pattern = VCPU_SEQUENTIAL, .seed = 3,
		.gen_base = 1ULL << 48, .start_paused = 1,
	};
	struct vcpus *v;
	uint64_t w;
	size_t i;

	memset(m, 0, npages * PG);
	v = vcpus_start(&c);
	CHECK(v, "vcpus_start paused");
	if (!v)
		return;
	usleep(50000);
	CHECK(vcpus_writes(v) == 0 && buf_hash(m, npages) == 0, "wrote before resume");
	vcpus_pause(v);			/* already parked: returns */
	vcpus_resume(v);
	usleep(20000);
	vcpus_pause(v);
	CHECK(vcpus_writes(v) > 0, "no writes after resume");
	for (i = 0; i < npages; i++) {
		memcpy(&w, m + i * PG + 8, 8);
		CHECK(w > 1ULL << 48, "page %zu generation %llu", i, (unsigned long long)w);
	}
	vcpus_stop(v);

	/* Paused from the start and stopped without a resume. */
	c.threads = 2;
	v = vcpus_start(&c);
	CHECK(v && vcpus_stop(v) == 0, "stop while parked");
	free(m);
}

/* ---------------------------------------------------------------- COLO */

static const uint64_t lat_ns[COLO_METRICS][6] = {	/* count last mean p50 p99 max */
	[KMIG_COLO_METRIC_TRANSFER] = { 3, 700000, 650000, 600000, 900000, 950000 },
	[KMIG_COLO_METRIC_FLUSH] = { 3, 200000, 210000, 200000, 300000, 310000 },
	[KMIG_COLO_METRIC_PAUSE] = { 3, 1500000, 1400000, 1300000, 2500000, 2600000 },
};

static void put_lat(struct nl_msg *m, uint32_t metric, const uint64_t *v)
{
	struct nlattr *n = nla_nest_start(m, KMIG_A_MIG_COLO_LATENCY);

	nla_put_u32(m, KMIG_A_COLO_LATENCY_METRIC, metric);
	nla_put_u64(m, KMIG_A_COLO_LATENCY_COUNT, v[0]);
	nla_put_u64(m, KMIG_A_COLO_LATENCY_LAST_NS, v[1]);
	nla_put_u64(m, KMIG_A_COLO_LATENCY_MEAN_NS, v[2]);
	nla_put_u64(m, KMIG_A_COLO_LATENCY_P50_NS, v[3]);
	nla_put_u64(m, KMIG_A_COLO_LATENCY_P99_NS, v[4]);
	nla_put_u64(m, KMIG_A_COLO_LATENCY_MAX_NS, v[5]);
	nla_nest_end(m, n);
}

/* A COLO event (@event -1: a status) as kmig sends it. */
static struct nl_msg *put_colo(uint16_t family, uint32_t region, int event,
			       uint32_t state, uint64_t ckpt, const char *reason)
{
	struct nl_msg *m;
	uint32_t mt;

	m = gmsg(family, event < 0 ? KMIG_CMD_MIG_GET : KMIG_CMD_MIG_EVENT);
	nla_put_u32(m, KMIG_A_MIG_REGION_ID, region);
	nla_put_u32(m, KMIG_A_MIG_ROLE, KMIG_MIG_ROLE_SOURCE);
	nla_put_u32(m, KMIG_A_MIG_STATE, state);
	nla_put_u32(m, KMIG_A_MIG_PASSES, 4);
	nla_put_flag(m, KMIG_A_MIG_LIVE);
	nla_put_flag(m, KMIG_A_MIG_COLO);
	nla_put_u32(m, KMIG_A_MIG_CHECKPOINT_INTERVAL_MS, 100);
	nla_put_u64(m, KMIG_A_MIG_CHECKPOINT, ckpt);
	nla_put_u64(m, KMIG_A_MIG_CHECKPOINTS, ckpt);
	nla_put_u64(m, KMIG_A_MIG_CKPT_PAGES, 100 + ckpt);
	nla_put_u64(m, KMIG_A_MIG_CKPT_BYTES, (100 + ckpt) * 4096);
	if (ckpt)
		for (mt = 0; mt < COLO_METRICS; mt++)
			put_lat(m, mt, lat_ns[mt]);
	if (reason)
		nla_put_string(m, KMIG_A_MIG_REASON, reason);
	if (event >= 0)
		nla_put_u32(m, KMIG_A_MIG_EVENT, event);
	return m;
}

static void test_colo_parse(void)
{
	struct colo_lat lat[COLO_METRICS];
	struct nl_msg *m;
	struct mig_ev e;
	int i;

	m = put_colo(0x1234, 7, KMIG_MIG_EVENT_CHECKPOINT_DONE, KMIG_MIG_STATE_COLO, 3, NULL);
	mig_ev_parse(nlmsg_hdr(m), &e);
	nlmsg_free(m);
	CHECK(e.event == KMIG_MIG_EVENT_CHECKPOINT_DONE && e.region == 7 && e.colo &&
	      e.state == KMIG_MIG_STATE_COLO && e.checkpoint == 3 && e.checkpoints == 3 &&
	      e.ckpt_pages == 103 && e.ckpt_bytes == 103 * 4096 && !e.lost &&
	      !final_event(&e), "checkpoint-done fields");
	for (i = 0; i < COLO_METRICS; i++)
		CHECK(e.lat[i].count == lat_ns[i][0] && e.lat[i].last_ns == lat_ns[i][1] &&
		      e.lat[i].mean_ns == lat_ns[i][2] && e.lat[i].p50_ns == lat_ns[i][3] &&
		      e.lat[i].p99_ns == lat_ns[i][4] && e.lat[i].max_ns == lat_ns[i][5],
		      "latency metric %d", i);

	/* Unknown metric, a nest without one, other attributes: skipped. */
	m = gmsg(0x1234, KMIG_CMD_MIG_EVENT);
	nla_put_u32(m, KMIG_A_MIG_REGION_ID, 7);
	put_lat(m, 9, lat_ns[0]);
	{
		struct nlattr *n = nla_nest_start(m, KMIG_A_MIG_COLO_LATENCY);

		nla_put_u64(m, KMIG_A_COLO_LATENCY_P99_NS, 5);
		nla_nest_end(m, n);
	}
	put_lat(m, KMIG_COLO_METRIC_FLUSH, lat_ns[KMIG_COLO_METRIC_PAUSE]);
	CHECK(colo_lat_parse(nlmsg_hdr(m), lat) == 1, "one known metric");
	CHECK(lat[KMIG_COLO_METRIC_FLUSH].p99_ns == lat_ns[KMIG_COLO_METRIC_PAUSE][4] &&
	      !lat[KMIG_COLO_METRIC_PAUSE].count && !lat[KMIG_COLO_METRIC_TRANSFER].count,
	      "metric by its attribute, not its position");
	nlmsg_free(m);
	m = gmsg(0x1234, KMIG_CMD_MIG_EVENT);
	CHECK(colo_lat_parse(nlmsg_hdr(m), lat) == 0, "empty");
	nlmsg_free(m);

	/* A live event has no COLO figures; failover ends the session. */
	m = put_ev(0x1234, KMIG_CMD_MIG_EVENT, 7, KMIG_MIG_EVENT_PASS_DONE, 1);
	mig_ev_parse(nlmsg_hdr(m), &e);
	nlmsg_free(m);
	CHECK(!e.colo && !e.checkpoint && !e.lat[0].count && !e.lat[2].count, "live event");
	m = put_colo(0x1234, 7, KMIG_MIG_EVENT_FAILOVER, KMIG_MIG_STATE_FAILOVER, 2, "peer lost");
	mig_ev_parse(nlmsg_hdr(m), &e);
	nlmsg_free(m);
	CHECK(final_event(&e) && e.checkpoint == 2 && !strcmp(e.reason, "peer lost"),
	      "failover event");
	CHECK(!strcmp(name_of(&kmig_mig_event_enum, e.event), "failover") &&
	      !strcmp(name_of(&kmig_mig_state_enum, e.state), "failover") &&
	      !strcmp(name_of(&kmig_mig_event_enum, KMIG_MIG_EVENT_CHECKPOINT_PAUSE), "checkpoint-pause") &&
	      !strcmp(name_of(&kmig_mig_event_enum, KMIG_MIG_EVENT_CHECKPOINT_DONE), "checkpoint-done") &&
	      !strcmp(name_of(&kmig_mig_state_enum, KMIG_MIG_STATE_COLO), "colo"), "names");
}

static enum colo_act step(struct colo_track *t, int event, uint32_t state,
			  uint64_t ckpt, int lost)
{
	struct mig_ev e = {
		.event = event, .state = state, .checkpoint = ckpt, .lost = lost,
	};

	return colo_step(t, &e);
}

#define ST(ev, st, n, lost, want, ...) do {				\
	enum colo_act got_ = step(&t, ev, st, n, lost);			\
	CHECK(got_ == (want), "colo_step(%s, %s, %d, lost %d) = %d, want %d (%s)", \
	      #ev, #st, (int)(n), lost, got_, want, __VA_ARGS__);	\
} while (0)

#define S_(x) KMIG_MIG_EVENT_##x
#define C_ KMIG_MIG_STATE_COLO

static void test_colo_step(void)
{
	struct colo_track t;

	/* A secondary: the initial migration, checkpoint 0, checkpoints. */
	memset(&t, 0, sizeof(t));
	ST(-1, KMIG_MIG_STATE_LISTENING, 0, 0, COLO_NOTHING, "listen reply");
	ST(S_(STATE), KMIG_MIG_STATE_LISTENING, 0, 0, COLO_NOTHING, "listening");
	ST(S_(STATE), KMIG_MIG_STATE_ACTIVE, 0, 0, COLO_NOTHING, "active");
	ST(-1, KMIG_MIG_STATE_ACTIVE, 0, 1, COLO_NOTHING, "status while active");
	ST(S_(STATE), C_, 0, 0, COLO_RUN, "state colo");
	CHECK(t.entered && !t.last && !t.paused, "entered");
	ST(S_(STATE), C_, 0, 0, COLO_NOTHING, "state colo again");
	ST(S_(CHECKPOINT_PAUSE), C_, 1, 0, COLO_PAUSE, "pause 1");
	CHECK(t.paused == 1, "paused for 1");
	ST(S_(CHECKPOINT_PAUSE), C_, 1, 0, COLO_NOTHING, "pause 1 twice");
	ST(-1, C_, 0, 0, COLO_NOTHING, "status during checkpoint 1");
	ST(S_(CHECKPOINT_DONE), C_, 1, 0, COLO_DONE, "done 1");
	CHECK(t.last == 1 && !t.paused, "committed 1");
	ST(S_(CHECKPOINT_DONE), C_, 1, 0, COLO_NOTHING, "done 1 twice");
	ST(S_(CHECKPOINT_PAUSE), C_, 1, 0, COLO_NOTHING, "stale pause 1");
	ST(-1, C_, 1, 0, COLO_NOTHING, "status after 1");
	/* Its checkpoint-done lost: the status shows the checkpoint. */
	ST(S_(CHECKPOINT_PAUSE), C_, 2, 0, COLO_PAUSE, "pause 2");
	ST(-1, C_, 2, 0, COLO_DONE, "status: 2 committed");
	CHECK(t.last == 2 && !t.paused, "committed 2 from the status");
	ST(S_(CHECKPOINT_DONE), C_, 2, 0, COLO_NOTHING, "done 2 read late");
	/* Its checkpoint-pause lost (ENOBUFS): a probe for 3. */
	ST(-1, C_, 2, 1, COLO_PROBE, "lost events");
	CHECK(t.paused == 3 && !t.probe, "probing 3");
	ST(-1, C_, 2, 0, COLO_NOTHING, "status while probing");
	ST(S_(CHECKPOINT_PAUSE), C_, 3, 0, COLO_NOTHING, "pause 3 after the probe");
	ST(S_(CHECKPOINT_DONE), C_, 3, 0, COLO_DONE, "done 3");
	/* Lost events while paused: the probe waits until it resumes. */
	ST(S_(CHECKPOINT_PAUSE), C_, 4, 0, COLO_PAUSE, "pause 4");
	ST(-1, C_, 3, 1, COLO_NOTHING, "lost events while paused");
	CHECK(t.probe, "probe pending");
	ST(S_(CHECKPOINT_DONE), C_, 4, 0, COLO_DONE, "done 4");
	ST(-1, C_, 4, 0, COLO_PROBE, "the pending probe");
	CHECK(t.paused == 5, "probing 5");
	t.paused = 0;			/* refused: colo_session() resumes */
	ST(-1, C_, 4, 0, COLO_NOTHING, "one probe only");
	/* Both lost: a higher checkpoint in the status. */
	ST(-1, C_, 6, 0, COLO_DONE, "status jumps to 6");
	CHECK(t.last == 6, "committed 6");
	ST(S_(FAILOVER), KMIG_MIG_STATE_FAILOVER, 6, 0, COLO_END, "failover");
	ST(-1, KMIG_MIG_STATE_FAILOVER, 6, 0, COLO_NOTHING, "a failover status is no event");

	/* Ends before COLO. */
	memset(&t, 0, sizeof(t));
	ST(S_(FAILED), KMIG_MIG_STATE_FAILED, 0, 0, COLO_END, "failed");
	ST(S_(CANCELLED), KMIG_MIG_STATE_CANCELLED, 0, 0, COLO_END, "cancelled");
	ST(S_(COMPLETED), KMIG_MIG_STATE_COMPLETED, 0, 0, COLO_END, "completed");
	CHECK(!t.entered, "not entered");

	/* State colo lost: entered from the status, then a probe. */
	memset(&t, 0, sizeof(t));
	ST(-1, C_, 0, 1, COLO_RUN, "status colo after lost events");
	CHECK(t.entered && t.probe && !t.last, "entered, probe pending");
	ST(-1, C_, 0, 0, COLO_PROBE, "probe 1");
	CHECK(t.paused == 1, "probing 1");

	/* State colo lost: entered on a checkpoint event. */
	memset(&t, 0, sizeof(t));
	ST(S_(CHECKPOINT_PAUSE), C_, 1, 0, COLO_PAUSE, "pause 1 first");
	CHECK(t.entered && t.paused == 1, "entered on pause 1");
	ST(S_(CHECKPOINT_DONE), C_, 1, 0, COLO_DONE, "done 1");
	memset(&t, 0, sizeof(t));
	ST(S_(CHECKPOINT_DONE), KMIG_MIG_STATE_ACTIVE, 1, 0, COLO_DONE,
	   "done whatever the state");
}

/*
 * A scripted fake kmig on netlink sockets (NETLINK_USERSOCK, see
 * fake_sock()), for a forked VMM running a COLO
 * session: it sends the events, answers colo-paused (only for the
 * checkpoint it waits for), mig-get (the status) and mig-cancel.
 */
struct fake {
	int ev, cmd;			/* the fake's ends */
	int primary;
	uint64_t last, pending;		/* committed, waiting for colo-paused */
	uint64_t acked[16];		/* colo-paused accepted, in order */
	int nacked, refused, gets, cancels, ended;
	uint64_t drop_done;		/* this checkpoint-done is "lost" */
	pid_t child;
	int status;			/* the child's wait status, once exited */
	int exited;
};

static void fake_event(struct fake *f, int event, uint32_t state, uint64_t ckpt,
		       const char *reason)
{
	msend(f->ev, put_colo(FAM, REG, event, state, ckpt, reason));
}

static void fake_ack(struct fake *f, const struct nlmsghdr *rq, int error)
{
	struct {
		struct nlmsghdr n;
		struct nlmsgerr e;
	} a = {
		.n = { .nlmsg_len = sizeof(a), .nlmsg_type = NLMSG_ERROR,
		       .nlmsg_flags = NLM_F_CAPPED, .nlmsg_seq = rq->nlmsg_seq },
		.e = { .error = error, .msg = *rq },
	};

	send(f->cmd, &a, sizeof(a), 0);
}

/* Serve requests for up to @ms; returns early once the child exited. */
static void fake_serve(struct fake *f, int ms)
{
	struct nlattr *tb[KMIG_A_MIG_MAX + 1];
	struct pollfd p = { .fd = f->cmd, .events = POLLIN };
	double end = mono_ms() + ms;
	char buf[8192];
	struct nlmsghdr *n = (void *)buf;
	struct genlmsghdr *g;
	struct nl_msg *m;
	uint64_t ck;
	ssize_t len;

	while (!f->exited && mono_ms() < end) {
		if (waitpid(f->child, &f->status, WNOHANG) == f->child) {
			f->exited = 1;
			break;
		}
		if (poll(&p, 1, 10) <= 0)
			continue;
		len = recv(f->cmd, buf, sizeof(buf), 0);
		if (len < (ssize_t)(NLMSG_HDRLEN + GENL_HDRLEN))
			continue;
		g = NLMSG_DATA(n);
		if (genlmsg_parse(n, 0, tb, KMIG_A_MIG_MAX, NULL))
			continue;
		switch (g->cmd) {
		case KMIG_CMD_COLO_PAUSED:
			ck = kmig_attr_uint_or(tb[KMIG_A_MIG_CHECKPOINT], 0);
			if (kmig_attr_uint_or(tb[KMIG_A_MIG_REGION_ID], 0) != REG ||
			    !f->pending || ck != f->pending) {
				f->refused++;
				fake_ack(f, n, -EINVAL);
				break;
			}
			if (f->nacked < 16)
				f->acked[f->nacked++] = ck;
			f->pending = 0;
			fake_ack(f, n, 0);
			break;
		case KMIG_CMD_MIG_GET:
			f->gets++;
			m = put_colo(FAM, REG, -1, f->ended ? KMIG_MIG_STATE_CANCELLED :
				     KMIG_MIG_STATE_COLO, f->last, NULL);
			nlmsg_hdr(m)->nlmsg_seq = n->nlmsg_seq;
			msend(f->cmd, m);
			fake_ack(f, n, 0);
			break;
		case KMIG_CMD_MIG_CANCEL:
			f->cancels++;
			fake_ack(f, n, 0);
			f->ended = 1;
			fake_event(f, KMIG_MIG_EVENT_CANCELLED, KMIG_MIG_STATE_CANCELLED,
				   f->last, "cancelled by the user");
			break;
		default:
			fake_ack(f, n, -EOPNOTSUPP);
		}
	}
}

/* Checkpoint @n: pause, wait for colo-paused, commit. 0 if acknowledged. */
static int fake_checkpoint(struct fake *f, uint64_t n)
{
	f->pending = n;
	fake_event(f, KMIG_MIG_EVENT_CHECKPOINT_PAUSE, KMIG_MIG_STATE_COLO, n, NULL);
	for (int i = 0; i < 300 && f->pending && !f->exited && !f->ended; i++)
		fake_serve(f, 10);
	if (f->pending)
		return -1;
	f->last = n;
	if (n != f->drop_done)
		fake_event(f, KMIG_MIG_EVENT_CHECKPOINT_DONE, KMIG_MIG_STATE_COLO, n, NULL);
	/* Stale and duplicate events, as after a status read. */
	fake_event(f, KMIG_MIG_EVENT_CHECKPOINT_PAUSE, KMIG_MIG_STATE_COLO, n, NULL);
	if (n != f->drop_done)
		fake_event(f, KMIG_MIG_EVENT_CHECKPOINT_DONE, KMIG_MIG_STATE_COLO, n, NULL);
	fake_serve(f, n == f->drop_done ? 2600 : 30);	/* the VMM's mig-get */
	return 0;
}

/*
 * Fork a VMM that runs the COLO session of @argline (its stdout in @out,
 * its hash file @hash) against the fake.
 */
static void fake_start(struct fake *f, const char *argline, const char *out)
{
	struct vmm_nl k = { 0 };

	f->ev = fake_sock();
	f->cmd = fake_sock();
	CHECK(f->ev >= 0 && f->cmd >= 0 && !vmm_sock(&k.ev, f->ev) &&
	      !vmm_sock(&k.cmd, f->cmd), "netlink sockets: %s", strerror(errno));
	fflush(stdout);
	f->child = fork();
	if (!f->child) {
		static unsigned char ram[16 * PG] __attribute__((aligned(4096)));
		struct guest_ram r = { .fd = -1, .mem = ram, .size = sizeof(ram),
				       .page_size = PG, .region = REG };
		struct vcpu_cfg vc = { .ram = ram, .npages = 16, .page_size = PG,
				       .start_paused = 1 };
		struct colo_ctx c;
		struct vmm_opts o;
		struct mig_ev e;

		if (!freopen(out, "w", stdout) || parse(&o, argline))
			_exit(99);
		vc.threads = o.writers;
		vc.rate = o.rate;
		c = (struct colo_ctx){ .o = &o, .r = &r, .k = &k,
				       .v = vcpus_start(&vc),
				       .primary = o.mode == VMM_SOURCE };
		memset(&e, 0, sizeof(e));
		if (!c.primary) {
			e.event = -1;		/* the mig-listen reply */
			e.state = KMIG_MIG_STATE_LISTENING;
			_exit(run_secondary(&c, &e));
		}
		/* The primary, switched over, writers paused. */
		vcpus_pause(c.v);
		if (next_event(&k, REG, &e))
			_exit(98);
		_exit(run_primary(&c, &e, 0));
	}
	kmig_nl_close(&k.ev);
	kmig_nl_close(&k.cmd);
}

static void fake_wait(struct fake *f)
{
	fake_serve(f, 10000);
	if (!f->exited) {
		kill(f->child, SIGKILL);
		waitpid(f->child, &f->status, 0);
		CHECK(0, "the VMM did not end");
	}
	close(f->ev);
	close(f->cmd);
}

/* /tmp/kmig-vmm-unit-PID-WHAT: runs in parallel don't share files. */
static const char *tmpname(char *buf, size_t len, const char *what)
{
	snprintf(buf, len, "/tmp/kmig-vmm-unit-%d-%s", (int)getpid(), what);
	return buf;
}

static char *slurp(const char *file)
{
	static char buf[16384];
	FILE *fp = fopen(file, "r");
	size_t n = fp ? fread(buf, 1, sizeof(buf) - 1, fp) : 0;

	buf[n] = 0;
	if (fp)
		fclose(fp);
	return buf;
}

static int count_lines(const char *text, const char *prefix)
{
	const char *p = text;
	int n = 0;

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		n += !strncmp(p, prefix, strlen(prefix));
	return n;
}

static void test_colo_primary(void)
{
	char ob[64], hb[64], args[256];
	const char *out = tmpname(ob, sizeof(ob), "primary.out");
	const char *hash = tmpname(hb, sizeof(hb), "primary.hash");
	struct fake f = { .primary = 1 };
	char *o;
	int n;

	ram_write_file(hash, "");
	snprintf(args, sizeof(args), "source --size 1 --to 1.2.3.4:5 --insecure --colo --checkpoints 3 "
		 "--writers 2 --rate 2000 --hash-file %s", hash);
	fake_start(&f, args, out);
	fake_event(&f, KMIG_MIG_EVENT_STATE, KMIG_MIG_STATE_COLO, 0, NULL);
	for (n = 1; n <= 4 && !f.ended && !f.exited; n++)
		CHECK(fake_checkpoint(&f, n) == 0, "checkpoint %d not acknowledged", n);
	fake_wait(&f);
	o = slurp(out);
	CHECK(WIFEXITED(f.status) && WEXITSTATUS(f.status) == 0, "primary exit %#x:\n%s",
	      f.status, o);
	CHECK(f.nacked == 3 && f.acked[0] == 1 && f.acked[1] == 2 && f.acked[2] == 3 &&
	      f.cancels == 1 && !f.refused, "acked %d, cancels %d, refused %d",
	      f.nacked, f.cancels, f.refused);
	CHECK(strstr(o, "\ncheckpoint 1 pages 101 bytes 413696 pause-ms 1.500 "
		     "transfer-ms 0.700 flush-ms 0.200\n") &&
	      count_lines(o, "checkpoint ") == 6,	/* 3 figures, 3 hashes */
	      "checkpoint lines:\n%s", o);
	CHECK(strstr(o, "\ncolo-cancel after checkpoint 3: sent\n") &&
	      strstr(o, "\nsummary result=cancelled passes=4 checkpoints=3 writes=") &&
	      strstr(o, "\ncolo-summary checkpoints=3 pause-p50-ms=1.300 pause-p99-ms=2.500 "
		     "pause-max-ms=2.600 transfer-p99-ms=0.900\n"), "summary:\n%s", o);
	CHECK(strstr(o, "event checkpoint-done region=7 state=colo ") &&
	      strstr(o, " checkpoint=3 checkpoints=3"), "event lines:\n%s", o);
	o = slurp(hash);
	CHECK(count_lines(o, "checkpoint 1 ") == 1 && count_lines(o, "checkpoint 2 ") == 1 &&
	      count_lines(o, "checkpoint 3 ") == 1 && count_lines(o, "") == 3,
	      "hash file:\n%s", o);
	unlink(out);
	unlink(hash);
}

static void test_colo_secondary(void)
{
	char ob[64], hb[64], args[256];
	const char *out = tmpname(ob, sizeof(ob), "secondary.out");
	const char *hash = tmpname(hb, sizeof(hb), "secondary.hash");
	struct fake f = { .drop_done = 2 };
	char *o;
	int n;

	ram_write_file(hash, "");
	snprintf(args, sizeof(args), "dest --size 1 --insecure --colo --writers 2 --rate 5000 "
		 "--hash-file %s", hash);
	fake_start(&f, args, out);
	fake_event(&f, KMIG_MIG_EVENT_STATE, KMIG_MIG_STATE_LISTENING, 0, NULL);
	fake_event(&f, KMIG_MIG_EVENT_STATE, KMIG_MIG_STATE_ACTIVE, 0, NULL);
	fake_event(&f, KMIG_MIG_EVENT_STATE, KMIG_MIG_STATE_COLO, 0, NULL);
	for (n = 1; n <= 3; n++)
		CHECK(fake_checkpoint(&f, n) == 0, "checkpoint %d not acknowledged", n);
	fake_event(&f, KMIG_MIG_EVENT_FAILOVER, KMIG_MIG_STATE_FAILOVER, 3, "primary lost");
	fake_wait(&f);
	o = slurp(out);
	CHECK(WIFEXITED(f.status) && WEXITSTATUS(f.status) == 0, "secondary exit %#x:\n%s",
	      f.status, o);
	CHECK(f.nacked == 3 && !f.refused && f.gets >= 1, "acked %d, refused %d, gets %d",
	      f.nacked, f.refused, f.gets);
	/* checkpoint-done 2 was lost: committed from the status. */
	CHECK(strstr(o, "\ncheckpoint 2 pages 102 bytes ") &&
	      strstr(o, "\nstatus status region=7 state=colo "), "status fallback:\n%s", o);
	CHECK(strstr(o, "\nfailover checkpoint 3 reason primary lost\n") &&
	      strstr(o, "\nsummary result=failover passes=4 checkpoints=3 writes="),
	      "failover lines:\n%s", o);
	o = slurp(hash);
	CHECK(!strncmp(o, "checkpoint 0 ", 13) && count_lines(o, "checkpoint 1 ") == 1 &&
	      count_lines(o, "checkpoint 2 ") == 1 && count_lines(o, "checkpoint 3 ") == 1 &&
	      count_lines(o, "failover checkpoint 3 ") == 1 && count_lines(o, "") == 5,
	      "hash file:\n%s", o);
	unlink(out);
	unlink(hash);
}

/* Ends the primary did not ask for: exit 0 after COLO, 1 before. */
static void test_colo_ends(void)
{
	char ob[64];
	const char *out = tmpname(ob, sizeof(ob), "ends.out");
	struct fake f = { .primary = 1 };
	char *o;

	fake_start(&f, "source --size 1 --to 1.2.3.4:5 --colo --insecure", out);
	fake_event(&f, KMIG_MIG_EVENT_STATE, KMIG_MIG_STATE_COLO, 0, NULL);
	CHECK(fake_checkpoint(&f, 1) == 0, "checkpoint 1");
	fake_event(&f, KMIG_MIG_EVENT_FAILOVER, KMIG_MIG_STATE_FAILOVER, 1, "secondary lost");
	fake_wait(&f);
	o = slurp(out);
	CHECK(WIFEXITED(f.status) && WEXITSTATUS(f.status) == 0 && !f.cancels &&
	      strstr(o, "\nfailover checkpoint 1 reason secondary lost\n") &&
	      strstr(o, "\nsummary result=failover ") &&
	      strstr(o, "\ncolo-summary checkpoints=1 "), "primary failover %#x:\n%s",
	      f.status, o);

	memset(&f, 0, sizeof(f));
	fake_start(&f, "dest --size 1 --colo --key-file /nonexistent", out);
	fake_event(&f, KMIG_MIG_EVENT_FAILED, KMIG_MIG_STATE_FAILED, 0, "peer closed channel 0");
	fake_wait(&f);
	o = slurp(out);
	CHECK(WIFEXITED(f.status) && WEXITSTATUS(f.status) == 1 &&
	      strstr(o, "\nsummary result=failed passes=4 checkpoints=0 writes=0\n"),
	      "secondary failed before COLO %#x:\n%s", f.status, o);

	memset(&f, 0, sizeof(f));
	fake_start(&f, "dest --size 1 --colo --key-file /nonexistent", out);
	fake_event(&f, KMIG_MIG_EVENT_STATE, KMIG_MIG_STATE_COLO, 0, NULL);
	fake_event(&f, KMIG_MIG_EVENT_CANCELLED, KMIG_MIG_STATE_CANCELLED, 0, "cancelled by the peer");
	fake_wait(&f);
	o = slurp(out);
	CHECK(WIFEXITED(f.status) && WEXITSTATUS(f.status) == 0 &&
	      strstr(o, "\ncancelled checkpoint 0 reason cancelled by the peer\n"),
	      "secondary cancelled in COLO %#x:\n%s", f.status, o);
	unlink(out);
}

/* --die-at before|during|after --die-checkpoint 2. */
static void test_colo_die(const char *when)
{
	char ob[64], hb[64], args[256], line[64];
	const char *out = tmpname(ob, sizeof(ob), "die.out");
	const char *hash = tmpname(hb, sizeof(hb), "die.hash");
	struct fake f = { .primary = 1 };
	double t0;
	char *o;

	ram_write_file(hash, "");
	snprintf(args, sizeof(args), "source --size 1 --to 1.2.3.4:5 --insecure --colo --die-at %s "
		 "--die-checkpoint 2 --hash-file %s%s", when, hash,
		 !strcmp(when, "during") ? " --die-delay 300" : "");
	fake_start(&f, args, out);
	fake_event(&f, KMIG_MIG_EVENT_STATE, KMIG_MIG_STATE_COLO, 0, NULL);
	CHECK(fake_checkpoint(&f, 1) == 0, "%s: checkpoint 1", when);
	t0 = mono_ms();
	fake_checkpoint(&f, 2);
	fake_wait(&f);
	o = slurp(out);
	snprintf(line, sizeof(line), "\ndying at %s checkpoint 2\n", when);
	CHECK(WIFSIGNALED(f.status) && WTERMSIG(f.status) == SIGKILL && strstr(o, line),
	      "%s: status %#x:\n%s", when, f.status, o);
	CHECK(f.nacked == (!strcmp(when, "before") ? 1 : 2), "%s: %d acknowledged", when,
	      f.nacked);
	if (!strcmp(when, "during"))
		CHECK(mono_ms() - t0 >= 250, "during: died after %.0f ms", mono_ms() - t0);
	if (!strcmp(when, "after"))
		CHECK(strstr(o, "\ncheckpoint 2 pages 102 "), "after: no figures:\n%s", o);
	else
		CHECK(!strstr(o, "\ncheckpoint 2 pages"), "%s: checkpoint 2 done:\n%s", when, o);
	CHECK(!strstr(o, "summary"), "%s: a summary", when);
	o = slurp(hash);
	CHECK(count_lines(o, "checkpoint 2 ") == 1 && count_lines(o, "") == 2,
	      "%s: hash file:\n%s", when, o);
	unlink(out);
	unlink(hash);
}

int main(void)
{
	test_opts();
	test_key();
	test_hash();
	test_pause(VCPU_RANDOM, 4, 0);
	test_pause(VCPU_HOT, 3, 0);
	test_pause(VCPU_SEQUENTIAL, 2, 20000);
	test_pause(VCPU_RANDOM, 8, 500);
	test_pause(VCPU_RANDOM, 0, 0);
	test_rate();
	test_netlink();
	test_append();
	test_start_paused();
	test_colo_parse();
	test_colo_step();
	test_colo_primary();
	test_colo_secondary();
	test_colo_ends();
	test_colo_die("before");
	test_colo_die("during");
	test_colo_die("after");
	printf("%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
