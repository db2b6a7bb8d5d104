// SPDX-License-Identifier: GPL-2.0
/*
 * Offline tests of qmp.c against a scripted QMP peer: a child process
 * listening on a UNIX socket in a temporary directory, which answers
 * each command with the next scripted lines. Covers the greeting and
 * negotiation, answers matched by id, events queued while waiting for an
 * answer (with their timestamps), QMP errors, and peers that are not QEMU
 * (garbage, silence, a closed socket, an answer to another id).
 * Output: TAP, then "# N passed, N failed"; exit status 1 on any failure.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../qmp.h"

static int n, failed;

static void ok(int cond, const char *what, const struct qmp *q)
{
	n++;
	if (cond) {
		printf("ok %d - %s\n", n, what);
		return;
	}
	failed++;
	printf("not ok %d - %s\n", n, what);
	if (q && q->err[0])
		printf("#   err: %s\n", q->err);
}

static char dir[64], path[128];

/*
 * Serve one connection: send @greeting (NULL: nothing), then for each
 * line received send the next entry of @script ("" for no answer; an
 * entry may hold several lines; "%ID%" is replaced by the command's id;
 * "CLOSE" closes the socket, "HOLD" keeps it open without reading until
 * killed). Exits when the script is done.
 */
static pid_t serve(const char *greeting, const char *const *script)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int ls, fd;
	pid_t pid;

	unlink(path);
	strcpy(sa.sun_path, path);
	ls = socket(AF_UNIX, SOCK_STREAM, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(ls, 1) < 0) {
		perror("fake QMP listen");
		exit(1);
	}
	pid = fork();
	if (pid) {
		close(ls);
		return pid;
	}
	fd = accept(ls, NULL, NULL);
	if (fd < 0)
		_exit(1);
	if (greeting && write(fd, greeting, strlen(greeting)) < 0)
		_exit(1);
	for (; *script; script++) {
		char buf[4096], out[8192], id[32] = "0", *p;
		ssize_t r;
		size_t o = 0;
		const char *s;

		if (!strcmp(*script, "CLOSE"))
			break;
		if (!strcmp(*script, "HOLD"))
			pause();
		/* One line: a command. */
		r = 0;
		while ((size_t)r < sizeof(buf) - 1) {
			ssize_t k = read(fd, buf + r, 1);

			if (k <= 0)
				_exit(0);
			if (buf[r++] == '\n')
				break;
		}
		buf[r] = '\0';
		p = strstr(buf, "\"id\":");
		if (p)
			sscanf(p + 5, " %31[0-9]", id);
		for (s = *script; *s && o < sizeof(out) - 40; ) {
			if (!strncmp(s, "%ID%", 4)) {
				o += snprintf(out + o, sizeof(out) - o, "%s", id);
				s += 4;
			} else {
				out[o++] = *s++;
			}
		}
		if (o && write(fd, out, o) < 0)
			_exit(1);
	}
	close(fd);
	_exit(0);
}

static void reap(pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

#define GREETING "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\r\n"
#define CAPS_OK "{\"return\": {}, \"id\": %ID%}\r\n"

int main(void)
{
	struct qmp_event ev;
	struct qmp q;
	json_object *r;
	pid_t pid;
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/qmp-selftest.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/qmp.sock", dir);

	/* Negotiation, an answer after two events, an event wait. */
	{
		static const char *const s[] = {
			CAPS_OK,
			"{\"event\": \"STOP\", \"timestamp\": {\"seconds\": 1700000000, \"microseconds\": 250000}}\r\n"
			"{\"event\": \"MIGRATION\", \"data\": {\"status\": \"pre-switchover\"}, \"timestamp\": {\"seconds\": 1700000001, \"microseconds\": 5}}\r\n"
			"{\"return\": {\"status\": \"paused\", \"running\": false}, \"id\": %ID%}\r\n",
			"{\"return\": {}, \"id\": 9999}\r\n{\"error\": {\"class\": \"GenericError\", \"desc\": \"no such thing\"}, \"id\": %ID%}\r\n",
			"",
			"HOLD",
			NULL,
		};
		pid = serve(GREETING, s);
		rc = qmp_open(&q, path, 2000);
		ok(rc == 0, "qmp_open: greeting and qmp_capabilities", &q);
		/* The credentials of whoever called listen(): QEMU, or here us. */
		ok(q.pid == getpid(), "qmp_open: the listener's pid from SO_PEERCRED", NULL);
		rc = qmp_exec(&q, "query-status", NULL, &r, 2000);
		ok(rc == 0 && r && !strcmp(qmp_str(r, "status"), "paused"),
		   "qmp_exec: the answer with our id, after two events", &q);
		json_object_put(r);
		ok(q.nev == 2, "qmp_exec: the events before the answer are queued", NULL);
		rc = qmp_exec(&q, "frobnicate", NULL, NULL, 2000);
		ok(rc < 0 && !strcmp(q.err, "GenericError: no such thing"),
		   "qmp_exec: a QMP error is 'CLASS: desc'; an answer to another id is skipped", &q);
		rc = qmp_event_wait(&q, "MIGRATION", 0, &ev);
		ok(rc == 1 && !strcmp(qmp_str(ev.data, "status"), "pre-switchover") &&
		   ev.ts > 1700000000.99 && ev.ts < 1700000001.01,
		   "qmp_event_wait: a queued event by name, with its timestamp", &q);
		if (rc == 1)
			qmp_event_free(&ev);
		rc = qmp_event_wait(&q, NULL, 0, &ev);
		ok(rc == 1 && !strcmp(ev.name, "STOP") && ev.ts > 1700000000.24 &&
		   ev.ts < 1700000000.26 && !ev.data,
		   "qmp_event_wait: the other event, any name", &q);
		if (rc == 1)
			qmp_event_free(&ev);
		rc = qmp_exec(&q, "query-silence", NULL, NULL, 200);
		ok(rc < 0 && strstr(q.err, "no answer to 'query-silence' within 200 ms"),
		   "qmp_exec: a timeout", &q);
		rc = qmp_event_wait(&q, "RESUME", 100, &ev);
		ok(rc == 0, "qmp_event_wait: nothing within the timeout", &q);
		qmp_close(&q);
		reap(pid);
	}

	/* A peer closing the socket. */
	{
		static const char *const s[] = { CAPS_OK, "CLOSE", NULL };

		pid = serve(GREETING, s);
		rc = qmp_open(&q, path, 2000);
		ok(rc == 0, "qmp_open (then the peer closes)", &q);
		rc = qmp_event_wait(&q, "SHUTDOWN", 2000, &ev);
		ok(rc < 0 && strstr(q.err, "closed the QMP connection"),
		   "qmp_event_wait: a closed socket is an error", &q);
		rc = qmp_exec(&q, "query-status", NULL, NULL, 1000);
		ok(rc < 0, "qmp_exec after the close fails", &q);
		qmp_close(&q);
		reap(pid);
	}

	/* Not QEMU: no greeting, garbage, a JSON greeting without "QMP". */
	{
		static const char *const none[] = { "", NULL };

		pid = serve(NULL, none);
		rc = qmp_open(&q, path, 300);
		ok(rc < 0 && strstr(q.err, "no QMP greeting within 300 ms"),
		   "qmp_open: a silent socket", &q);
		reap(pid);
		pid = serve("HTTP/1.0 400 Bad Request\r\n", none);
		rc = qmp_open(&q, path, 2000);
		ok(rc < 0 && strstr(q.err, "not QMP (invalid JSON"),
		   "qmp_open: garbage is not QMP", &q);
		reap(pid);
		pid = serve("{\"hello\": 1}\n", none);
		rc = qmp_open(&q, path, 2000);
		ok(rc < 0 && strstr(q.err, "not a QMP socket"),
		   "qmp_open: JSON without the QMP greeting", &q);
		reap(pid);
		pid = serve("[1, 2]\n", none);
		rc = qmp_open(&q, path, 2000);
		ok(rc < 0 && strstr(q.err, "not a JSON object"),
		   "qmp_open: a JSON array is not a message", &q);
		reap(pid);
	}

	/* Nobody listening. */
	unlink(path);
	rc = qmp_open(&q, path, 500);
	ok(rc < 0 && strstr(q.err, "No such file") && strstr(q.err, "-qmp unix:"),
	   "qmp_open: no socket at the path, with a hint", &q);

	rmdir(dir);
	printf("# %d passed, %d failed\n", n - failed, failed);
	return failed ? 1 : 0;
}
