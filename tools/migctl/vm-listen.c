// SPDX-License-Identifier: GPL-2.0
/*
 * migctl vm listen: the destination side of 'migctl vm migrate'. A QEMU
 * started with -incoming defer, its guest RAM on kmig, waits for the
 * guest: kmig listens into each of its regions, QEMU listens for the
 * device state, and this command waits until the guest runs here.
 *
 * The guest must never run from a partial image. The source sends the
 * device state only after kmig has completed, so QEMU starts the guest
 * after kmig's last page; this command checks that when QEMU resumes,
 * and stops the guest if a source ever sent the device state early. A
 * QEMU started with -S makes the check strict: it waits paused after
 * the device state, and this command runs 'cont' only once every region
 * has completed. When the migration fails, this QEMU is quit: it never
 * ran, and the guest stays on the source.
 *
 * Postcopy is the exception, by design: a region whose kmig migration is
 * postcopy-active may run here before its last page, since kmig's fault
 * handler makes every access to a missing page wait for it; this
 * command then waits for kmig to complete before it reports the guest
 * running (a failure after that loses the guest).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/kmig.h>

#include "cmdline.h"
#include "mig.h"
#include "migctl.h"
#include "output.h"
#include "vm.h"

struct vlisten {
	struct vm vm;
	const char *qmp_path;
	char addr[64];			/* "" : any */
	uint16_t port[64];
	uint16_t devport;
	struct migs *ms;
	char err[512];			/* why a kmig request failed */
	int started;
	uint32_t channels;
	bool insecure;
	long long t0;
	uint64_t rejected;		/* connections kmig refused so far */
};

/*
 * Say so when kmig refused a connection (a wrong key, region size or
 * channel count; a stray client): kmig keeps waiting for the right one,
 * and the reason is in the source's error and the kernel log.
 */
static void note_rejected(struct vlisten *l)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < l->started; i++)
		if (l->ms[i].n)
			n += mig_num_or(&l->ms[i].m[0],
					KMIG_A_MIG_REJECTED_CONNECTIONS, 0);
	if (n > l->rejected)
		err_line("vm listen: kmig refused %" PRIu64 " connection%s (%" PRIu64 " so far: a wrong key, region size or channel count, or not a kmig source; the kernel log says why); still waiting",
			 n - l->rejected, n - l->rejected == 1 ? "" : "s", n);
	l->rejected = n;
}

static void kmig_cancel_all(struct vlisten *l)
{
	vm_cancel_regions(&l->vm, l->ms, l->started);
}

/*
 * Cancel kmig, quit QEMU (it never ran the guest), print the error line
 * (and the JSON result); returns EXIT_ERR.
 */
static int fail(struct vlisten *l, const char *stage, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct vlisten *l, const char *stage, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	kmig_cancel_all(l);
	if (!l->vm.q.closed)
		qmp_exec(&l->vm.q, "quit", NULL, NULL, VM_QMP_TIMEOUT_MS);
	err_line("vm listen: %s; the destination QEMU %s, it never ran the guest",
		 what, l->vm.q.closed ? "is gone" : "was quit");
	if (opts.json) {
		struct jw jw;

		jw_init(&jw, stdout, opts.pretty);
		jw_obj_open(&jw);
		jw_kv_str(&jw, "state", "failed");
		jw_kv_str(&jw, "stage", stage);
		jw_kv_str(&jw, "error", what);
		jw_obj_close(&jw);
		jw_finish(&jw);
	}
	return EXIT_ERR;
}

/*
 * MIG_GET every region: 1 when all completed (with @postcopy, or are in
 * postcopy), 0 when not yet, -1 when one ended otherwise (index in *@bad).
 */
static int kmig_poll_pc(struct vlisten *l, bool postcopy, int *bad)
{
	int i, done = 1;

	for (i = 0; i < l->started; i++) {
		uint64_t st;

		if (mig_get(&l->vm.nl, l->vm.reg[i].id, &l->ms[i]) < 0) {
			*bad = i;
			return -1;
		}
		st = mig_state(&l->ms[i].m[0]);
		if (st == KMIG_MIG_STATE_COMPLETED)
			continue;
		if (postcopy && (st == KMIG_MIG_STATE_POSTCOPY_ACTIVE ||
				 st == KMIG_MIG_STATE_POSTCOPY_PAUSED))
			continue;
		if (mig_ended(&l->ms[i].m[0])) {
			*bad = i;
			return -1;
		}
		if (done)
			*bad = i;	/* the first one not completed */
		done = 0;
	}
	return done;
}

static int kmig_poll(struct vlisten *l, int *bad)
{
	return kmig_poll_pc(l, false, bad);
}

/*
 * kmig has completed every region, or does within a few seconds: the
 * destination acknowledges a channel's COMPLETE (every page applied)
 * before it marks the channel done, so QEMU can have the device state a
 * moment before kmig's state says completed. 1 when completed, 0 or -1
 * (index in *@bad) when not.
 */
static int kmig_completed(struct vlisten *l, int *bad)
{
	long long end = vm_now_ms() + 5000;
	int r;

	while ((r = kmig_poll(l, bad)) == 0 && vm_now_ms() < end)
		usleep(10000);
	return r;
}

static const char *kmig_reason(struct vlisten *l, int i)
{
	return vm_region_reason(&l->ms[i], l->err);
}

static int kmig_listen_all(struct vlisten *l, struct mig_req *tmpl,
			   const uint8_t key[KEY_LEN], uint16_t base)
{
	uint8_t k[KEY_LEN];
	int i;

	for (i = 0; i < l->vm.nreg; i++) {
		struct mig_req req = *tmpl;
		char what[64];

		req.region = l->vm.reg[i].id;
		req.have_port = true;
		req.port = base ? base + i : 0;
		if (tmpl->key) {
			memcpy(k, key, KEY_LEN);
			req.key = k;
		}
		snprintf(what, sizeof(what), "vm listen: region %u", req.region);
		l->ms[i].what = strdup(what);
		l->ms[i].err = l->err;
		l->ms[i].errlen = sizeof(l->err);
		if (!l->ms[i].what ||
		    mig_do(&l->vm.nl, KMIG_CMD_MIG_LISTEN, &req, &l->ms[i]) < 0) {
			key_wipe(k, sizeof(k));
			return -1;
		}
		l->port[i] = (uint16_t)mig_num_or(&l->ms[i].m[0], KMIG_A_MIG_PORT, 0);
		if (!l->channels)
			l->channels = (uint32_t)mig_num_or(&l->ms[i].m[0],
							   KMIG_A_MIG_CHANNELS, 0);
		l->started++;
	}
	return 0;
}

/* QEMU's device-state port from query-migrate's socket-address. */
static int qemu_incoming_port(struct vlisten *l)
{
	json_object *r, *sa, *a, *p;
	int port = -1;

	if (qmp_exec(&l->vm.q, "query-migrate", NULL, &r, VM_QMP_TIMEOUT_MS) < 0)
		return -1;
	if (json_object_object_get_ex(r, "socket-address", &sa) &&
	    json_object_is_type(sa, json_type_array) &&
	    json_object_array_length(sa) > 0) {
		a = json_object_array_get_idx(sa, 0);
		if (json_object_object_get_ex(a, "port", &p))
			port = atoi(json_object_get_string(p));
	}
	json_object_put(r);
	return port;
}

static void print_listening(struct vlisten *l, const char *key_file)
{
	const char *host = l->addr[0] ? l->addr : "HOST";
	char sz[FMT_BUF], ports[512];
	size_t o = 0;
	int i;

	for (i = 0; i < l->started && o < sizeof(ports); i++)
		o += snprintf(ports + o, sizeof(ports) - o, "%s%u", i ? "," : "",
			      l->port[i]);
	if (opts.json) {
		struct jw jw;

		jw_init(&jw, stdout, false);
		jw_obj_open(&jw);
		jw_kv_str(&jw, "state", "listening");
		jw_kv_u64(&jw, "qemu_pid", (uint64_t)l->vm.q.pid);
		jw_kv_str(&jw, "addr", l->addr[0] ? l->addr : "");
		jw_kv_str(&jw, "ports", ports);
		jw_kv_u64(&jw, "device_port", l->devport);
		jw_kv_u64(&jw, "channels", l->channels);
		jw_key(&jw, "regions");
		jw_arr_open(&jw);
		for (i = 0; i < l->started; i++) {
			jw_obj_open(&jw);
			jw_kv_u64(&jw, "region_id", l->vm.reg[i].id);
			jw_kv_u64(&jw, "size", l->vm.reg[i].size);
			jw_kv_u64(&jw, "port", l->port[i]);
			jw_obj_close(&jw);
		}
		jw_arr_close(&jw);
		jw_obj_close(&jw);
		jw_finish(&jw);
		fflush(stdout);
		return;
	}
	printf("Waiting for the guest of QEMU pid %d (%s of guest RAM in %d region%s):\n",
	       (int)l->vm.q.pid, fmt_size(sz, sizeof(sz), vm_ram_size(&l->vm)),
	       l->started, l->started == 1 ? "" : "s");
	for (i = 0; i < l->started; i++)
		printf("  kmig:          %s:%u (region %u, %s, %u channels)\n",
		       l->addr[0] ? l->addr : "*", l->port[i], l->vm.reg[i].id,
		       fmt_size(sz, sizeof(sz), l->vm.reg[i].size), l->channels);
	printf("  device state:  %s:%u\n", l->addr[0] ? l->addr : "*", l->devport);
	printf("On the source host, run:\n");
	printf("  migctl vm migrate --qmp SOCKET --to %s:%s --device-port %u --channels %u %s%s\n",
	       host, ports, l->devport, l->channels,
	       l->insecure ? "--insecure" : "--key-file ",
	       l->insecure ? "" : key_file);
	fflush(stdout);
}

static void print_running(struct vlisten *l, double resume_ts, bool started_here)
{
	uint64_t pages = 0, zero = 0, tns = 0;
	int i;

	for (i = 0; i < l->started; i++) {
		const struct mig *m = &l->ms[i].m[0];
		uint64_t x = mig_num_or(m, KMIG_A_MIG_TIME_NS, 0);

		pages += mig_num_or(m, KMIG_A_MIG_PAGES_DONE, 0);
		zero += mig_num_or(m, KMIG_A_MIG_ZERO_PAGES, 0);
		if (x > tns)
			tns = x;
	}
	if (opts.json) {
		struct jw jw;

		jw_init(&jw, stdout, opts.pretty);
		jw_obj_open(&jw);
		jw_kv_str(&jw, "state", "running");
		jw_kv_u64(&jw, "qemu_pid", (uint64_t)l->vm.q.pid);
		jw_kv_u64(&jw, "pages_received", pages);
		jw_kv_u64(&jw, "zero_pages", zero);
		jw_kv_u64(&jw, "kmig_time_ms", tns / 1000000);
		jw_key(&jw, "resume_timestamp");
		jw_double(&jw, resume_ts, 6);
		jw_key(&jw, "cont_sent");
		jw_bool(&jw, started_here);
		jw_obj_close(&jw);
		jw_finish(&jw);
		return;
	}
	printf("The guest runs here: QEMU pid %d; kmig received %" PRIu64 " pages (%" PRIu64 " zero) in %.2f s%s\n",
	       (int)l->vm.q.pid, pages, zero, tns / 1e9,
	       started_here ? "; resumed with 'cont' (QEMU started with -S)" : "");
}

int cmd_vm_listen(int argc, char **argv)
{
	static const char *const caps[] = {
		"x-ignore-shared", "return-path", "events", NULL,
	};
	const char *qmp = NULL, *addr = NULL, *port = NULL, *devport = NULL;
	const char *chans = NULL, *key_file = NULL, *timeout = NULL;
	const char *interval = NULL;
	bool insecure = false, integrity = false, running = false;
	bool cont_sent = false;
	struct opt o[] = {
		OPT_VAL("--qmp", &qmp), OPT_VAL("--addr", &addr),
		OPT_VAL("--port", &port), OPT_VAL("--device-port", &devport),
		OPT_VAL("--channels", &chans), OPT_VAL("--key-file", &key_file),
		OPT_FLAG("--insecure", &insecure), OPT_FLAG("--integrity", &integrity),
		OPT_VAL("--timeout", &timeout), OPT_VAL("--interval", &interval),
	};
	struct mig_req req = { .zero_detect = -1, .no_convergence = -1 };
	struct vlisten l = { 0 };
	uint32_t base = 0, dport = 0, tmo = 0;
	unsigned int period;
	uint8_t key[KEY_LEN];
	char st[64], uri[128];
	json_object *args;
	double resume_ts = 0;
	int ret, bad = 0, i, kdone = 0;

	ret = parse_opts("vm listen", argc, argv, o, ARRAY_SIZE(o));
	if (ret)
		return ret;
	if (!qmp)
		return usage_err("vm listen", "missing --qmp SOCKET (try 'migctl vm --help')");
	if (addr && parse_addr("vm listen", addr, l.addr, sizeof(l.addr)))
		return EXIT_USAGE;
	if (port && !parse_u32(port, 1, 65535, &base))
		return usage_err("vm listen", "invalid port '%s' (expected 1..65535)", port);
	if (devport && !parse_u32(devport, 0, 65535, &dport))
		return usage_err("vm listen", "invalid device port '%s' (expected 0..65535)",
				 devport);
	if (chans && parse_channels_arg("vm listen", chans, &req.channels))
		return EXIT_USAGE;
	if (timeout && !parse_u32(timeout, 1, 86400 * 365, &tmo))
		return usage_err("vm listen", "invalid timeout '%s' (expected seconds)",
				 timeout);
	if (parse_interval("vm listen", interval, &period))
		return EXIT_USAGE;
	if (l.addr[0])
		req.addr = l.addr;
	req.integrity = integrity;
	l.insecure = insecure;
	l.channels = req.channels;
	ret = parse_auth("vm listen", key_file, insecure, &req, key);
	if (ret)
		return ret;

	if (vm_open(&l.vm, "vm listen", qmp) < 0) {
		key_wipe(key, sizeof(key));
		return EXIT_ERR;
	}
	ret = EXIT_ERR;
	l.t0 = vm_now_ms();
	l.ms = calloc(l.vm.nreg, sizeof(*l.ms));
	if (!l.ms) {
		err_line("vm listen: out of memory");
		goto out;
	}
	if (strcmp(l.vm.status, "inmigrate")) {
		err_line("vm listen: QEMU (pid %d) is '%s', not waiting for an incoming migration: start the destination QEMU with -incoming defer",
			 (int)l.vm.q.pid, l.vm.status);
		goto out;
	}
	for (i = 0; i < l.vm.nreg; i++) {
		if (l.vm.reg[i].populated) {
			err_line("vm listen: QEMU's region %u already holds %" PRIu64 " pages; a destination QEMU must not have run its guest",
				 l.vm.reg[i].id, l.vm.reg[i].populated);
			goto out;
		}
	}
	if (base && base + l.vm.nreg - 1 > 65535) {
		err_line("vm listen: port %u + %d regions runs past 65535", base,
			 l.vm.nreg);
		goto out;
	}
	if (vm_set_caps(&l.vm, caps) < 0)
		goto out;

	vm_signals(true);
	if (kmig_listen_all(&l, &req, key, (uint16_t)base) < 0) {
		ret = fail(&l, "kmig", "kmig could not listen for region %u: %s",
			   l.vm.reg[l.started].id, l.err);
		goto out_sig;
	}
	key_wipe(key, sizeof(key));
	if (strchr(l.addr, ':'))
		snprintf(uri, sizeof(uri), "tcp:[%s]:%u", l.addr, dport);
	else
		snprintf(uri, sizeof(uri), "tcp:%s:%u",
			 l.addr[0] ? l.addr : "0.0.0.0", dport);
	args = json_object_new_object();
	json_object_object_add(args, "uri", json_object_new_string(uri));
	if (qmp_exec(&l.vm.q, "migrate-incoming", args, NULL, VM_QMP_TIMEOUT_MS) < 0) {
		ret = fail(&l, "device-state", "QEMU migrate-incoming %s: %s", uri,
			   l.vm.q.err);
		goto out_sig;
	}
	i = qemu_incoming_port(&l);
	if (i <= 0) {
		ret = fail(&l, "device-state", "QEMU does not say which port it listens on for %s",
			   uri);
		goto out_sig;
	}
	l.devport = (uint16_t)i;
	print_listening(&l, key_file);

	for (;;) {
		struct qmp_event ev;
		int r;

		if (!kdone) {
			kdone = kmig_poll(&l, &bad);
			if (kdone >= 0)
				note_rejected(&l);
			if (kdone < 0) {
				ret = fail(&l, "kmig", "kmig migration of region %u ended: %s",
					   l.vm.reg[bad].id, kmig_reason(&l, bad));
				goto out_sig;
			}
		}
		if (vm_interrupted) {
			ret = fail(&l, "interrupted", "interrupted");
			goto out_sig;
		}
		if (tmo && vm_now_ms() - l.t0 > (long long)tmo * 1000) {
			ret = fail(&l, "timeout", "the guest did not arrive within %u s",
				   tmo);
			goto out_sig;
		}
		r = qmp_event_wait(&l.vm.q, NULL, (int)period, &ev);
		if (r < 0) {
			ret = fail(&l, "device-state", "QEMU exited before the guest ran here (%s)%s",
				   l.vm.q.err,
				   kdone ? "; kmig had completed, the device state failed" : "");
			goto out_sig;
		}
		if (!r)
			continue;
		if (!strcmp(ev.name, "RESUME")) {
			resume_ts = ev.ts;
			running = true;
		} else if (!strcmp(ev.name, "MIGRATION")) {
			const char *s = qmp_str(ev.data, "status");

			snprintf(st, sizeof(st), "%s", s ? s : "");
			if (!strcmp(st, "failed")) {
				qmp_event_free(&ev);
				ret = fail(&l, "device-state", "QEMU's incoming migration failed");
				goto out_sig;
			}
		}
		qmp_event_free(&ev);
		if (running)
			break;
		/* With -S QEMU stays paused after the device state: cont. */
		if (!strcmp(st, "completed")) {
			if (vm_status(&l.vm, st, sizeof(st)) < 0) {
				ret = fail(&l, "device-state", "QEMU query-status failed");
				goto out_sig;
			}
			if (!strcmp(st, "paused")) {
				kdone = kmig_poll_pc(&l, true, &bad) == 1 ? 1 :
					kmig_completed(&l, &bad);
				if (kdone != 1) {
					ret = fail(&l, "kmig", "QEMU has the device state but kmig has not completed every region");
					goto out_sig;
				}
				if (qmp_exec(&l.vm.q, "cont", NULL, NULL, VM_QMP_TIMEOUT_MS) < 0) {
					ret = fail(&l, "device-state", "QEMU cont: %s", l.vm.q.err);
					goto out_sig;
				}
				cont_sent = true;
			}
			st[0] = '\0';
		}
	}
	/*
	 * QEMU resumed by itself: kmig must have completed before, or be in
	 * postcopy (then wait for its last page: a failure loses the guest).
	 */
	if (kmig_poll_pc(&l, true, &bad) == 1) {
		while ((kdone = kmig_poll(&l, &bad)) == 0 && !vm_interrupted)
			usleep(period * 1000);
		if (kdone < 0) {
			ret = fail(&l, "kmig", "kmig migration of region %u failed in postcopy, the guest is lost: %s",
				   l.vm.reg[bad].id, kmig_reason(&l, bad));
			goto out_sig;
		}
	}
	kdone = kmig_completed(&l, &bad);
	if (kdone != 1) {
		qmp_exec(&l.vm.q, "stop", NULL, NULL, VM_QMP_TIMEOUT_MS);
		ret = fail(&l, "kmig", "QEMU resumed the guest before kmig completed region %u (the source sent the device state early): guest stopped",
			   l.vm.reg[bad].id);
		goto out_sig;
	}
	/* And QEMU says so (query-status). */
	if (vm_status(&l.vm, st, sizeof(st)) < 0 || strcmp(st, "running")) {
		ret = fail(&l, "device-state", "QEMU resumed the guest, then reports '%s'",
			   st);
		goto out_sig;
	}
	print_running(&l, resume_ts, cont_sent);
	ret = EXIT_OK;
out_sig:
	vm_signals(false);
out:
	key_wipe(key, sizeof(key));
	vm_migs_free(l.ms, l.vm.nreg);
	vm_close(&l.vm);
	return ret;
}
