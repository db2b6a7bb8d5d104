// SPDX-License-Identifier: GPL-2.0
/* kmig-vmm command line. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/kmig.h>

#include "opts.h"

const char vmm_usage[] =
"usage: kmig-vmm source --size MB --to ADDR:PORT (--key-file FILE | --insecure)\n"
"                       [--integrity]\n"
"                       [--prealloc] [--fill-random N] [--fill-zero N]\n"
"                       [--seed S] [--channels N] [--writers N] [--rate PAGES_PER_SEC]\n"
"                       [--pattern random|sequential|hot:PCT] [--downtime-limit MS]\n"
"                       [--max-bandwidth BYTES_PER_SEC] [--max-passes N]\n"
"                       [--no-convergence continue|switchover|postcopy]\n"
"                       [--postcopy [--postcopy-after N]] [--hash-file FILE | --no-hash]\n"
"                       [--postcopy-pause-timeout MS]\n"
"                       [--resume|--exit] [--no-switchover | --pause-on-pass N]\n"
"                       [--colo [--checkpoint-interval MS] [--checkpoints N]\n"
"                        [--die-at before|during|after --die-checkpoint N\n"
"                         [--die-delay MS]]]\n"
"       kmig-vmm dest --size MB (--key-file FILE | --insecure) [--integrity]\n"
"                     [--port PORT] [--addr ADDR] [--channels N]\n"
"                     [--hash-file FILE | --no-hash] [(--colo | --postcopy) [--writers N]\n"
"                     [--rate PAGES_PER_SEC] [--pattern P] [--seed S]]\n"
"                     [--postcopy-pause-timeout MS]\n"
"\n"
"--key-file FILE: the migration key ('migctl keygen > FILE', mode 600; the\n"
"  same on both hosts): every channel proves it with HMAC-SHA256 both ways.\n"
"  --insecure: no key and no authentication. One of the two is required.\n"
"--integrity: a CRC-32C after every packet, checked before it is applied\n"
"  (source: ask for it; dest: require it).\n"
"source: map SIZE MiB of guest RAM from /dev/kmig, fill it, run WRITERS threads\n"
"  dirtying RATE pages/s in total (default 1 writer, 1000 pages/s; --rate 0: as\n"
"  fast as they can), live-migrate to ADDR:PORT; on switchover-ready pause the\n"
"  writers, write the RAM's content hash to FILE and switch over.\n"
"source --prealloc: populate every page of the guest RAM with zeros in the\n"
"  kernel (KMIG_IOC_PREALLOC, as QEMU's prealloc=on) before the fill.\n"
"--no-hash: no content hash (it reads every populated page: slow where page\n"
"  faults are, as in UML); the postcopy dest records no prior contents.\n"
"dest: map empty guest RAM, listen (port 0 picks one, printed as 'port N'),\n"
"  and when the migration completes write the content hash to FILE.\n"
"source --colo: a COLO primary. After the switchover the writers resume and\n"
"  kmig takes a checkpoint every MS ms (default 1000): the writers pause for\n"
"  each; with --hash-file one line 'checkpoint N hash ...' is appended per\n"
"  checkpoint (0: the switchover). After --checkpoints N the source cancels\n"
"  and exits. --die-at kills the source (SIGKILL) at checkpoint N: before it\n"
"  acknowledges the pause, --die-delay ms (default 50) after, or when the\n"
"  checkpoint is done.\n"
"source --postcopy: the switchover goes to postcopy after --postcopy-after N\n"
"  passes (default 1; 0: no pass at all) or by --no-convergence postcopy.\n"
"dest --postcopy: its writers (default none) start at postcopy-active, while\n"
"  missing pages are fetched; the hash file then gets 'postcopy hash H', the\n"
"  content each page had before their first write to it (the source's).\n"
"--postcopy-pause-timeout MS: how long postcopy may stay paused (its links\n"
"  broken) without a resume before it fails (module default 10 minutes).\n"
"dest --colo: a COLO secondary. Its own writers (default none) run between\n"
"  checkpoints; with --hash-file 'checkpoint N hash ...' is appended at each\n"
"  checkpoint-done, 'failover checkpoint N hash ...' at a failover.\n"
"Exit status: 0 migration completed (COLO: reached COLO, then ended by a\n"
"  cancel or a failover), 1 not completed or error, 2 usage.\n";

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* A whole decimal (or 0x hex) number within [min, max]. */
static int num(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno || *end || *v < min || *v > max)
		return -1;
	return 0;
}

/* ADDR:PORT, [V6ADDR]:PORT. */
static int parse_to(const char *s, char *addr, size_t alen, uint16_t *port)
{
	const char *colon = strrchr(s, ':'), *a = s;
	size_t n;
	uint64_t p;

	if (!colon || num(colon + 1, 1, 65535, &p))
		return -1;
	n = colon - s;
	if (*s == '[') {
		if (n < 2 || s[n - 1] != ']')
			return -1;
		a = s + 1;
		n -= 2;
	} else if (memchr(s, ':', n)) {
		return -1;	/* an IPv6 address needs brackets */
	}
	if (!n || n >= alen)
		return -1;
	memcpy(addr, a, n);
	addr[n] = 0;
	*port = p;
	return 0;
}

/* Exactly one of --key-file and --insecure: checked after the others. */
static int auth_check(const struct vmm_opts *o, char *err, size_t errlen)
{
	if (o->key_file && o->insecure)
		return fail(err, errlen, "--key-file and --insecure exclude each other");
	if (!o->key_file && !o->insecure)
		return fail(err, errlen, "a key is required: --key-file FILE (migctl keygen), or --insecure to run without authentication");
	return 0;
}

int opts_parse(int argc, char **argv, struct vmm_opts *o, char *err,
	       size_t errlen)
{
	const uint64_t page = sysconf(_SC_PAGESIZE);
	const char *writer_opt = NULL, *colo_opt = NULL;
	int have_size = 0, have_to = 0, have_die_delay = 0, i;
	uint64_t v;

	memset(o, 0, sizeof(*o));
	o->writers = 1;
	o->rate = 1000;
	o->pattern = VCPU_RANDOM;
	o->seed = 1;
	o->no_convergence = -1;
	o->resume = 1;
	o->pause_on_pass = -1;
	o->postcopy_after = -1;
	o->die_delay_ms = 50;

	if (argc < 2)
		return fail(err, errlen, "missing mode (source or dest)");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return 1;
	if (!strcmp(argv[1], "source"))
		o->mode = VMM_SOURCE;
	else if (!strcmp(argv[1], "dest"))
		o->mode = VMM_DEST;
	else
		return fail(err, errlen, "unknown mode '%s'", argv[1]);
	if (o->mode == VMM_DEST)
		o->writers = 0;		/* a COLO secondary idles by default */

	for (i = 2; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		int src = o->mode == VMM_SOURCE;

		/* Options without a value. */
		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return 1;
		if (src && !strcmp(a, "--resume")) {
			o->resume = 1;
			continue;
		}
		if (src && !strcmp(a, "--exit")) {
			o->resume = 0;
			continue;
		}
		if (src && !strcmp(a, "--no-switchover")) {
			o->no_switchover = 1;
			continue;
		}
		if (src && !strcmp(a, "--prealloc")) {
			o->prealloc = 1;
			continue;
		}
		if (!strcmp(a, "--no-hash")) {
			o->no_hash = 1;
			continue;
		}
		if (!strcmp(a, "--colo")) {
			o->colo = 1;
			continue;
		}
		if (!strcmp(a, "--postcopy")) {
			o->postcopy = 1;
			continue;
		}
		if (!strcmp(a, "--insecure")) {
			o->insecure = 1;
			continue;
		}
		if (!strcmp(a, "--integrity")) {
			o->integrity = 1;
			continue;
		}

		/* Options with a value. */
		if (!val)
			return fail(err, errlen, "%s: missing value (or unknown option)", a);
		i++;
		if (!strcmp(a, "--size")) {
			if (num(val, 1, UINT64_MAX >> 20, &v))
				return fail(err, errlen, "--size: bad size in MiB '%s'", val);
			o->size = v << 20;
			have_size = 1;
		} else if (!strcmp(a, "--channels")) {
			if (num(val, 1, KMIG_CHANNELS_MAX, &v))
				return fail(err, errlen, "--channels: 1 to %d, not '%s'",
					    KMIG_CHANNELS_MAX, val);
			o->channels = v;
		} else if (!strcmp(a, "--hash-file")) {
			o->hash_file = val;
		} else if (!strcmp(a, "--key-file")) {
			if (!*val)
				return fail(err, errlen, "--key-file: empty file name");
			o->key_file = val;
		} else if (!src && !strcmp(a, "--port")) {
			if (num(val, 0, 65535, &v))
				return fail(err, errlen, "--port: bad port '%s'", val);
			o->port = v;
		} else if (!src && !strcmp(a, "--addr")) {
			if (!*val || strlen(val) >= sizeof(o->addr))
				return fail(err, errlen, "--addr: bad address '%s'", val);
			strcpy(o->addr, val);
		} else if (src && !strcmp(a, "--to")) {
			if (parse_to(val, o->addr, sizeof(o->addr), &o->port))
				return fail(err, errlen, "--to: want ADDR:PORT or [ADDR]:PORT, not '%s'", val);
			have_to = 1;
		} else if (src && !strcmp(a, "--fill-random")) {
			if (num(val, 0, UINT64_MAX, &o->fill_random))
				return fail(err, errlen, "--fill-random: bad count '%s'", val);
		} else if (src && !strcmp(a, "--fill-zero")) {
			if (num(val, 0, UINT64_MAX, &o->fill_zero))
				return fail(err, errlen, "--fill-zero: bad count '%s'", val);
		} else if (!strcmp(a, "--seed")) {
			if (!src && !writer_opt)
				writer_opt = a;
			if (num(val, 0, UINT64_MAX, &o->seed))
				return fail(err, errlen, "--seed: bad seed '%s'", val);
		} else if (!strcmp(a, "--writers")) {
			if (!src && !writer_opt)
				writer_opt = a;
			if (num(val, 0, 1024, &v))
				return fail(err, errlen, "--writers: 0 to 1024, not '%s'", val);
			o->writers = v;
		} else if (!strcmp(a, "--rate")) {
			if (!src && !writer_opt)
				writer_opt = a;
			if (num(val, 0, 1000000000, &o->rate))
				return fail(err, errlen, "--rate: bad pages per second '%s'", val);
		} else if (!strcmp(a, "--pattern")) {
			if (!src && !writer_opt)
				writer_opt = a;
			if (!strcmp(val, "random")) {
				o->pattern = VCPU_RANDOM;
			} else if (!strcmp(val, "sequential")) {
				o->pattern = VCPU_SEQUENTIAL;
			} else if (!strncmp(val, "hot:", 4) && !num(val + 4, 1, 100, &v)) {
				o->pattern = VCPU_HOT;
				o->hot_pct = v;
			} else {
				return fail(err, errlen, "--pattern: random, sequential or hot:PCT (1-100), not '%s'", val);
			}
		} else if (src && !strcmp(a, "--downtime-limit")) {
			if (num(val, 1, 3600000, &v))
				return fail(err, errlen, "--downtime-limit: 1 to 3600000 ms, not '%s'", val);
			o->downtime_limit_ms = v;
		} else if (src && !strcmp(a, "--max-bandwidth")) {
			if (num(val, 0, UINT64_MAX, &o->max_bandwidth))
				return fail(err, errlen, "--max-bandwidth: bad bytes per second '%s'", val);
			o->has_max_bandwidth = 1;
		} else if (src && !strcmp(a, "--max-passes")) {
			if (num(val, 0, UINT32_MAX, &v))
				return fail(err, errlen, "--max-passes: bad count '%s'", val);
			o->max_passes = v;
		} else if (src && !strcmp(a, "--no-convergence")) {
			if (!strcmp(val, "continue"))
				o->no_convergence = KMIG_NO_CONVERGENCE_CONTINUE;
			else if (!strcmp(val, "switchover"))
				o->no_convergence = KMIG_NO_CONVERGENCE_SWITCHOVER;
			else if (!strcmp(val, "postcopy"))
				o->no_convergence = KMIG_NO_CONVERGENCE_POSTCOPY;
			else
				return fail(err, errlen, "--no-convergence: continue, switchover or postcopy, not '%s'", val);
		} else if (!strcmp(a, "--postcopy-pause-timeout")) {
			if (num(val, 1000, UINT32_MAX, &v))
				return fail(err, errlen, "--postcopy-pause-timeout: 1000 ms or more, not '%s'", val);
			o->pc_pause_timeout_ms = v;
		} else if (src && !strcmp(a, "--postcopy-after")) {
			if (num(val, 0, UINT32_MAX - 1, &v))
				return fail(err, errlen, "--postcopy-after: bad pass count '%s'", val);
			o->postcopy_after = v;
		} else if (src && !strcmp(a, "--pause-on-pass")) {
			if (num(val, 0, INT64_MAX, &v))
				return fail(err, errlen, "--pause-on-pass: bad pass '%s'", val);
			o->pause_on_pass = v;
		} else if (src && !strcmp(a, "--checkpoint-interval")) {
			if (num(val, 10, 3600000, &v))
				return fail(err, errlen, "--checkpoint-interval: 10 to 3600000 ms, not '%s'", val);
			o->checkpoint_interval_ms = v;
			colo_opt = colo_opt ? colo_opt : a;
		} else if (src && !strcmp(a, "--checkpoints")) {
			if (num(val, 1, UINT32_MAX, &o->checkpoints))
				return fail(err, errlen, "--checkpoints: 1 to %u, not '%s'", UINT32_MAX, val);
			colo_opt = colo_opt ? colo_opt : a;
		} else if (src && !strcmp(a, "--die-at")) {
			if (!strcmp(val, "before"))
				o->die_at = VMM_DIE_BEFORE;
			else if (!strcmp(val, "during"))
				o->die_at = VMM_DIE_DURING;
			else if (!strcmp(val, "after"))
				o->die_at = VMM_DIE_AFTER;
			else
				return fail(err, errlen, "--die-at: before, during or after, not '%s'", val);
			colo_opt = colo_opt ? colo_opt : a;
		} else if (src && !strcmp(a, "--die-checkpoint")) {
			if (num(val, 1, UINT32_MAX, &o->die_checkpoint))
				return fail(err, errlen, "--die-checkpoint: 1 to %u, not '%s'", UINT32_MAX, val);
			colo_opt = colo_opt ? colo_opt : a;
		} else if (src && !strcmp(a, "--die-delay")) {
			if (num(val, 0, 60000, &v))
				return fail(err, errlen, "--die-delay: 0 to 60000 ms, not '%s'", val);
			o->die_delay_ms = v;
			have_die_delay = 1;
			colo_opt = colo_opt ? colo_opt : a;
		} else {
			return fail(err, errlen, "unknown option '%s' for %s", a, argv[1]);
		}
	}

	if (!have_size)
		return fail(err, errlen, "--size is required");
	if (o->no_hash && o->hash_file)
		return fail(err, errlen, "--no-hash and --hash-file exclude each other");
	if (o->mode == VMM_DEST) {
		if (writer_opt && !o->colo && !o->postcopy)
			return fail(err, errlen, "%s: a dest has writers only with --colo or --postcopy", writer_opt);
		if (o->colo && o->postcopy)
			return fail(err, errlen, "--colo and --postcopy exclude each other");
		return auth_check(o, err, errlen);
	}
	if (!have_to)
		return fail(err, errlen, "--to ADDR:PORT is required");
	if (o->fill_random > o->size / page ||
	    o->fill_zero > o->size / page - o->fill_random)
		return fail(err, errlen, "--fill-random + --fill-zero exceed the %llu pages",
			    (unsigned long long)(o->size / page));
	if (o->no_switchover && o->pause_on_pass >= 0)
		return fail(err, errlen, "--no-switchover and --pause-on-pass exclude each other");
	if (colo_opt && !o->colo)
		return fail(err, errlen, "%s needs --colo", colo_opt);
	if (o->colo && o->postcopy)
		return fail(err, errlen, "--colo and --postcopy exclude each other");
	if (o->postcopy_after >= 0 && !o->postcopy)
		return fail(err, errlen, "--postcopy-after needs --postcopy");
	if (o->postcopy && o->postcopy_after < 0 &&
	    o->no_convergence != KMIG_NO_CONVERGENCE_POSTCOPY)
		o->postcopy_after = 1;
	if (o->colo && o->no_switchover)
		return fail(err, errlen, "--colo needs the switchover: not with --no-switchover");
	if (!o->die_at != !o->die_checkpoint)
		return fail(err, errlen, "--die-at and --die-checkpoint go together");
	if (have_die_delay && o->die_at != VMM_DIE_DURING)
		return fail(err, errlen, "--die-delay is for --die-at during");
	if (o->die_at && o->checkpoints && o->die_checkpoint > o->checkpoints)
		return fail(err, errlen, "--die-checkpoint %llu is after the last of --checkpoints %llu",
			    (unsigned long long)o->die_checkpoint,
			    (unsigned long long)o->checkpoints);
	return auth_check(o, err, errlen);
}

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* 44 base64 characters ending in '=', exactly 32 bytes (no stray bits). */
static int key_decode(uint8_t key[VMM_KEY_LEN], const char *s, size_t len)
{
	unsigned int i, o = 0, v, d;
	const char *p;
	int k;

	if (len != 44 || s[43] != '=')
		return -1;
	for (i = 0; i < 44; i += 4) {
		v = 0;
		for (k = 0; k < 4; k++) {
			d = 0;
			if (i + k != 43) {
				p = s[i + k] ? strchr(b64, s[i + k]) : NULL;
				if (!p)
					return -1;
				d = p - b64;
			}
			v = v << 6 | d;
		}
		key[o++] = v >> 16;
		key[o++] = v >> 8;
		if (o < VMM_KEY_LEN)
			key[o++] = v;
		else if (v & 0xff)
			return -1;
	}
	return 0;
}

int opts_read_key(const char *path, uint8_t key[VMM_KEY_LEN], char *err,
		  size_t errlen)
{
	char buf[256];
	size_t len = 0, b = 0;
	struct stat st;
	ssize_t n;
	int fd, ret = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, errlen, "--key-file: cannot open '%s': %s", path,
			    strerror(errno));
	if (fstat(fd, &st) || S_ISDIR(st.st_mode)) {
		fail(err, errlen, "--key-file: cannot read '%s': %s", path,
		     S_ISDIR(st.st_mode) ? "a directory" : strerror(errno));
		goto out;
	}
	if (S_ISREG(st.st_mode) && (st.st_mode & (S_IRGRP | S_IROTH)))
		fprintf(stderr, "kmig-vmm: warning: key file '%s' is readable by group or others (chmod 600 '%s')\n",
			path, path);
	while (len < sizeof(buf)) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fail(err, errlen, "--key-file: cannot read '%s': %s", path,
			     strerror(errno));
			goto out;
		}
		if (!n)
			break;
		len += n;
	}
	while (b < len && strchr(" \t\r\n\v\f", buf[b]) && buf[b])
		b++;
	while (len > b && strchr(" \t\r\n\v\f", buf[len - 1]) && buf[len - 1])
		len--;
	if (len == sizeof(buf) || key_decode(key, buf + b, len - b)) {
		memset(key, 0, VMM_KEY_LEN);
		fail(err, errlen, "--key-file: '%s' is not a migration key (one 32-byte key in base64, as 'migctl keygen' prints)",
		     path);
		goto out;
	}
	ret = 0;
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return ret;
}
