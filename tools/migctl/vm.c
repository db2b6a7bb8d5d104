// SPDX-License-Identifier: GPL-2.0
/*
 * migctl vm: what both sides of a QEMU VM migration share (see vm.h).
 *
 * QEMU is found through its QMP socket: the socket's peer credentials
 * (SO_PEERCRED) give QEMU's pid, and kmig names the owner pid of each
 * region. QMP's query-memdev and qom-get (mem-path) tell whether every
 * memory backend is on /dev/kmig; a backend that is not would be left to
 * QEMU's own RAM migration, which x-ignore-shared does not cover, so it
 * is refused before anything moves.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <linux/kmig.h>

#include "mig.h"
#include "migctl.h"
#include "output.h"
#include "vm.h"

#define KMIG_DEV	"/dev/kmig"

volatile int vm_interrupted;

static void on_signal(int sig)
{
	vm_interrupted = sig;
}

void vm_signals(bool on)
{
	static struct sigaction oint, oterm;
	struct sigaction sa = { .sa_handler = on_signal };

	if (on) {
		vm_interrupted = 0;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, &oint);
		sigaction(SIGTERM, &sa, &oterm);
	} else {
		sigaction(SIGINT, &oint, NULL);
		sigaction(SIGTERM, &oterm, NULL);
	}
}

long long vm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double vm_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

uint64_t vm_ram_size(const struct vm *vm)
{
	uint64_t s = 0;
	int i;

	for (i = 0; i < vm->nreg; i++)
		s += vm->reg[i].size;
	return s;
}

int vm_status(struct vm *vm, char *buf, size_t len)
{
	json_object *r;
	const char *s;

	if (qmp_exec(&vm->q, "query-status", NULL, &r, VM_QMP_TIMEOUT_MS) < 0) {
		err_line("%s: QEMU query-status: %s", vm->cmd, vm->q.err);
		return -1;
	}
	s = qmp_str(r, "status");
	snprintf(buf, len, "%s", s ? s : "unknown");
	json_object_put(r);
	return 0;
}

void vm_cancel_regions(struct vm *vm, const struct migs *ms, int n)
{
	struct mig_req req = { .zero_detect = -1, .no_convergence = -1 };
	char err[512];
	struct migs c = { .what = vm->cmd, .err = err, .errlen = sizeof(err) };
	int i;

	for (i = 0; i < n; i++) {
		if (ms[i].n && mig_ended(&ms[i].m[0]))
			continue;
		req.region = vm->reg[i].id;
		/* One that ended meanwhile answers ENOENT or so: fine. */
		mig_do(&vm->nl, KMIG_CMD_MIG_CANCEL, &req, &c);
		migs_free(&c);
	}
}

void vm_migs_free(struct migs *ms, int n)
{
	int i;

	if (!ms)
		return;
	for (i = 0; i < n; i++) {
		free((char *)ms[i].what);
		migs_free(&ms[i]);
	}
	free(ms);
}

const char *vm_region_reason(const struct migs *ms, const char *err)
{
	const struct mig *m = ms->n ? &ms->m[0] : NULL;
	const char *r = m ? mig_str(m, KMIG_A_MIG_REASON) : NULL;

	if (r && *r)
		return r;
	if (m && mig_state(m) == KMIG_MIG_STATE_CANCELLED)
		return "cancelled";
	if (!m && err && err[0])
		return err;	/* the request itself failed */
	return "no reason given";
}

int vm_set_caps(struct vm *vm, const char *const *caps)
{
	json_object *args = json_object_new_object();
	json_object *list = json_object_new_array();
	char names[256] = "";
	size_t o = 0;

	for (; *caps; caps++) {
		json_object *c = json_object_new_object();

		json_object_object_add(c, "capability",
				       json_object_new_string(*caps));
		json_object_object_add(c, "state", json_object_new_boolean(1));
		json_object_array_add(list, c);
		if (o < sizeof(names))
			o += snprintf(names + o, sizeof(names) - o, "%s%s",
				      o ? ", " : "", *caps);
	}
	json_object_object_add(args, "capabilities", list);
	if (qmp_exec(&vm->q, "migrate-set-capabilities", args, NULL,
		     VM_QMP_TIMEOUT_MS) < 0) {
		err_line("%s: QEMU refused the migration capabilities %s: %s",
			 vm->cmd, names, vm->q.err);
		return -1;
	}
	return 0;
}

/* Whether @path is the kmig device (the same character device). */
static bool is_kmig_dev(const char *path)
{
	struct stat a, b;

	if (stat(path, &a) < 0 || !S_ISCHR(a.st_mode))
		return false;
	if (stat(KMIG_DEV, &b) < 0)
		return !strcmp(path, KMIG_DEV);
	return a.st_rdev == b.st_rdev;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Every memory backend of QEMU is a file backend on /dev/kmig with
 * share=on; their sizes, sorted, into @sizes (at most @max). Returns the
 * number of backends, or -1 after one error line.
 */
static int check_backends(struct vm *vm, uint64_t *sizes, int max)
{
	json_object *list = NULL;
	size_t i, n;
	int ret = -1;

	if (qmp_exec(&vm->q, "query-memdev", NULL, &list, VM_QMP_TIMEOUT_MS) < 0) {
		err_line("%s: QEMU query-memdev: %s", vm->cmd, vm->q.err);
		return -1;
	}
	n = json_object_is_type(list, json_type_array) ?
	    json_object_array_length(list) : 0;
	if (!n) {
		err_line("%s: QEMU (pid %d) reports no memory backend: give it -object memory-backend-file,id=ram0,size=SIZE,mem-path=" KMIG_DEV ",share=on -machine memory-backend=ram0",
			 vm->cmd, (int)vm->q.pid);
		goto out;
	}
	if (n > (size_t)max) {
		err_line("%s: QEMU has %zu memory backends; migctl vm moves at most %d",
			 vm->cmd, n, max);
		goto out;
	}
	for (i = 0; i < n; i++) {
		json_object *m = json_object_array_get_idx(list, i), *v, *args, *r;
		const char *id = qmp_str(m, "id"), *path;
		char path_buf[4096], sz[FMT_BUF];
		uint64_t size = 0;
		bool share = false;

		if (json_object_object_get_ex(m, "size", &v))
			size = (uint64_t)json_object_get_int64(v);
		if (json_object_object_get_ex(m, "share", &v))
			share = json_object_get_boolean(v);
		fmt_size(sz, sizeof(sz), size);
		if (!id) {
			err_line("%s: QEMU reports a memory backend (%s) without an id; give every backend an id",
				 vm->cmd, sz);
			goto out;
		}
		args = json_object_new_object();
		snprintf(path_buf, sizeof(path_buf), "/objects/%s", id);
		json_object_object_add(args, "path", json_object_new_string(path_buf));
		json_object_object_add(args, "property",
				       json_object_new_string("mem-path"));
		if (qmp_exec(&vm->q, "qom-get", args, &r, VM_QMP_TIMEOUT_MS) < 0) {
			err_line("%s: QEMU's memory backend '%s' (%s) is not on " KMIG_DEV " (it has no mem-path: anonymous RAM, which kmig cannot move); use -object memory-backend-file,mem-path=" KMIG_DEV ",share=on for every backend",
				 vm->cmd, id, sz);
			goto out;
		}
		path = json_object_get_string(r);
		snprintf(path_buf, sizeof(path_buf), "%s", path ? path : "");
		json_object_put(r);
		if (!is_kmig_dev(path_buf)) {
			err_line("%s: QEMU's memory backend '%s' (%s) is on '%s', not " KMIG_DEV "; kmig can only move RAM it holds",
				 vm->cmd, id, sz, path_buf);
			goto out;
		}
		if (!share) {
			err_line("%s: QEMU's memory backend '%s' is on " KMIG_DEV " with share=off (a private copy kmig does not see); use share=on",
				 vm->cmd, id);
			goto out;
		}
		sizes[i] = size;
	}
	qsort(sizes, n, sizeof(*sizes), cmp_u64);
	ret = (int)n;
out:
	json_object_put(list);
	return ret;
}

#define VM_BACKENDS_MAX	64

int vm_open(struct vm *vm, const char *cmd, const char *qmp_path)
{
	uint64_t bsizes[VM_BACKENDS_MAX], rsizes[VM_BACKENDS_MAX];
	int nb, i;

	memset(vm, 0, sizeof(*vm));
	vm->cmd = cmd;
	if (qmp_open(&vm->q, qmp_path, VM_QMP_TIMEOUT_MS) < 0) {
		err_line("%s: QMP: %s", cmd, vm->q.err);
		return -1;
	}
	if (kmig_nl_open(&vm->nl) < 0)
		goto fail;
	vm->nl_open = true;
	if (vm_status(vm, vm->status, sizeof(vm->status)) < 0)
		goto fail;
	nb = check_backends(vm, bsizes, VM_BACKENDS_MAX);
	if (nb < 0)
		goto fail;
	vm->nreg = regions_of_pid(&vm->nl, vm->q.pid, &vm->reg);
	if (vm->nreg < 0)
		goto fail;
	if (vm->nreg != nb) {
		err_line("%s: QEMU (pid %d) has %d memory backend%s on " KMIG_DEV " but owns %d kmig region%s; is this QMP socket that QEMU's?",
			 cmd, (int)vm->q.pid, nb, nb == 1 ? "" : "s",
			 vm->nreg, vm->nreg == 1 ? "" : "s");
		goto fail;
	}
	for (i = 0; i < vm->nreg; i++)
		rsizes[i] = vm->reg[i].size;
	qsort(rsizes, vm->nreg, sizeof(*rsizes), cmp_u64);
	for (i = 0; i < nb; i++) {
		if (rsizes[i] != bsizes[i]) {
			err_line("%s: the sizes of QEMU's kmig regions differ from its memory backends' (is the guest RAM mapped yet?)",
				 cmd);
			goto fail;
		}
	}
	return 0;
fail:
	vm_close(vm);
	return -1;
}

void vm_close(struct vm *vm)
{
	qmp_close(&vm->q);
	if (vm->nl_open)
		kmig_nl_close(&vm->nl);
	vm->nl_open = false;
	free(vm->reg);
	vm->reg = NULL;
	vm->nreg = 0;
}

static const char usage_vm[] =
"Usage: migctl vm listen --qmp SOCKET --key-file FILE|--insecure [OPTIONS]\n"
"       migctl vm migrate --qmp SOCKET --to HOST:PORT --device-port PORT\n"
"                         --key-file FILE|--insecure [OPTIONS]\n"
"\n"
"Move a running QEMU VM to another host: kmig moves the guest RAM, QEMU\n"
"its device state. Both QEMUs take every memory backend from kmig\n"
"(-object memory-backend-file,id=ram0,size=SIZE,mem-path=/dev/kmig,share=on)\n"
"and have a QMP socket (-qmp unix:SOCKET,server=on,wait=off); the\n"
"destination QEMU has the same command line plus -incoming defer.\n"
"\n"
"On the destination host, first:\n"
"  migctl vm listen --qmp SOCKET --key-file FILE [--addr ADDR] [--port PORT]\n"
"                   [--device-port PORT] [--channels N] [--integrity]\n"
"                   [--timeout SECONDS] [--interval MS]\n"
"  finds the QEMU of SOCKET (its pid, from the socket) and its regions,\n"
"  listens with kmig for each region (QEMU's regions by id, the first on\n"
"  PORT, the next on PORT+1, ...; default: ports the kernel picks), sets\n"
"  QEMU's migration capabilities, starts its incoming migration on the\n"
"  device port (default: one QEMU picks), prints the ports and the\n"
"  source's command, then waits until the guest runs here. --timeout:\n"
"  give up (and quit QEMU) when the guest does not run here within\n"
"  SECONDS (default: wait as long as it takes).\n"
"\n"
"Then, on the source host:\n"
"  migctl vm migrate --qmp SOCKET --to HOST:PORT[,PORT...] --device-port PORT\n"
"                    --key-file FILE [--channels N] [--downtime-limit MS]\n"
"                    [--max-bandwidth RATE] [--max-passes N]\n"
"                    [--no-convergence continue|switchover|postcopy]\n"
"                    [--integrity]\n"
"                    [--postcopy [--postcopy-after N]] [--interval MS]\n"
"  migrates each region of the QEMU of SOCKET live with kmig (the first\n"
"  to the first port, and so on; a single PORT means PORT, PORT+1, ...),\n"
"  with a progress line (pass, remaining, expected downtime, rate). Once\n"
"  every region is ready for its switchover, it starts QEMU's migration\n"
"  of the device state (x-ignore-shared, pause-before-switchover,\n"
"  return-path): QEMU pauses the guest and waits; kmig sends the last\n"
"  dirty pages of every region; then QEMU sends the device state and the\n"
"  guest runs on the destination. --channels must equal the\n"
"  destination's (default: the module's channels parameter on each\n"
"  side). --max-bandwidth is the total of all regions (each gets an equal\n"
"  share). --downtime-limit, --max-passes and --no-convergence are kmig's\n"
"  (see 'migctl start --help'). Prints a summary: total time, passes,\n"
"  pages sent, zero pages, and the downtime from QEMU's stop to the\n"
"  guest running on the destination (QEMU's own figure, with the return\n"
"  path on), split into kmig's part (its final pass) and the rest\n"
"  (QEMU's device state and resume).\n"
"  --postcopy (--postcopy-after N, or --no-convergence postcopy: see\n"
"  'migctl start --help') for a guest that dirties memory faster than the\n"
"  link: kmig's switchover completes at once, QEMU sends the device state,\n"
"  the guest runs on the destination while kmig fetches the pages it\n"
"  touches and pushes the rest; the command ends when kmig has them all.\n"
"\n"
"Failures leave the guest running on exactly one host: before the\n"
"switchover the source guest was never paused; a kmig failure at the\n"
"switchover cancels QEMU's migration and the source guest resumes; a\n"
"device-state failure after kmig completed resumes the source guest (its\n"
"RAM is intact). The destination QEMU never runs from a partial image:\n"
"vm listen quits it when the migration fails (with postcopy it runs\n"
"from kmig's postcopy-active on, the missing pages served by kmig; a\n"
"failure after that loses the guest). Exit status 1 then, with one line\n"
"saying what failed and where the guest runs.\n"
"\n"
"--interval MS (both): how often, in milliseconds, the command looks at\n"
"kmig's migrations and QEMU's events meanwhile (default 200).\n"
"\n"
"JSON (-j): vm listen prints one object when listening (kmig ports,\n"
"device port, regions) and one at the end; vm migrate one at the end\n"
"(result, times in ms, pages, per-region figures).\n";

static int cmd_vm(int argc, char **argv)
{
	if (argc < 2)
		return usage_err("vm", "missing subcommand: listen or migrate (try 'migctl vm --help')");
	if (!strcmp(argv[1], "listen"))
		return cmd_vm_listen(argc - 1, argv + 1);
	if (!strcmp(argv[1], "migrate"))
		return cmd_vm_migrate(argc - 1, argv + 1);
	return usage_err("vm", "unknown subcommand '%s' (expected listen or migrate)",
			 argv[1]);
}

SUBCOMMAND(vm, "vm");
