// SPDX-License-Identifier: GPL-2.0
/*
 * A QMP client on a UNIX socket (see qmp.h). QEMU sends one JSON object
 * per line: the greeting, then answers ("return" or "error", with the id
 * of the command) and events ("event", "data", "timestamp"). Each line is
 * parsed with json-c; answers are matched to commands by id, and events
 * are queued until qmp_event_wait() takes them.
 */
#define _GNU_SOURCE	/* struct ucred */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "qmp.h"

/* A QMP line longer than this is not QEMU talking. */
#define QMP_LINE_MAX	(4 << 20)

static void qmp_fail(struct qmp *q, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void qmp_fail(struct qmp *q, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q->err, sizeof(q->err), fmt, ap);
	va_end(ap);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left until @deadline (-1: none), for poll(). */
static int left_ms(long long deadline)
{
	long long l;

	if (deadline < 0)
		return -1;
	l = deadline - now_ms();
	return l < 0 ? 0 : (int)(l > 1 << 30 ? 1 << 30 : l);
}

const char *qmp_str(json_object *obj, const char *key)
{
	json_object *v;

	if (!obj || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

void qmp_event_free(struct qmp_event *ev)
{
	free(ev->name);
	json_object_put(ev->data);
	memset(ev, 0, sizeof(*ev));
}

/* Queue the event @obj (not consumed). */
static int queue_event(struct qmp *q, json_object *obj)
{
	json_object *data = NULL, *ts, *v;
	struct qmp_event *e;
	const char *name = qmp_str(obj, "event");

	if (q->nev == q->evcap) {
		size_t cap = q->evcap ? q->evcap * 2 : 16;

		e = realloc(q->ev, cap * sizeof(*e));
		if (!e)
			return -1;
		q->ev = e;
		q->evcap = cap;
	}
	e = &q->ev[q->nev];
	memset(e, 0, sizeof(*e));
	e->name = strdup(name);
	if (!e->name)
		return -1;
	if (json_object_object_get_ex(obj, "data", &data))
		e->data = json_object_get(data);
	if (json_object_object_get_ex(obj, "timestamp", &ts)) {
		if (json_object_object_get_ex(ts, "seconds", &v))
			e->ts = (double)json_object_get_int64(v);
		if (json_object_object_get_ex(ts, "microseconds", &v))
			e->ts += json_object_get_int64(v) / 1e6;
	}
	q->nev++;
	return 0;
}

/*
 * The next whole message from QEMU into *@obj, waiting until @deadline
 * (-1: none). Returns 1, 0 on timeout, -1 on error or a closed socket.
 */
static int read_msg(struct qmp *q, long long deadline, json_object **obj)
{
	for (;;) {
		char *nl = q->len ? memchr(q->buf, '\n', q->len) : NULL;
		struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
		enum json_tokener_error jerr;
		ssize_t n;
		int r;

		if (nl) {
			size_t used = nl - q->buf + 1;

			*nl = '\0';
			*obj = json_tokener_parse_verbose(q->buf, &jerr);
			memmove(q->buf, nl + 1, q->len - used);
			q->len -= used;
			if (!*obj) {
				/* An empty line is not a message. */
				if (jerr == json_tokener_continue)
					continue;
				qmp_fail(q, "%s: not QMP (invalid JSON: %s)",
					 q->path, json_tokener_error_desc(jerr));
				return -1;
			}
			if (!json_object_is_type(*obj, json_type_object)) {
				json_object_put(*obj);
				qmp_fail(q, "%s: not QMP (a message that is not a JSON object)",
					 q->path);
				return -1;
			}
			return 1;
		}
		if (q->closed) {
			qmp_fail(q, "%s: QEMU closed the QMP connection", q->path);
			return -1;
		}
		r = poll(&pfd, 1, left_ms(deadline));
		if (r < 0 && errno == EINTR)
			return 0;	/* the caller looks at its signal flag */
		if (r < 0) {
			qmp_fail(q, "%s: poll: %s", q->path, strerror(errno));
			return -1;
		}
		if (!r)
			return 0;
		if (q->cap - q->len < 4096) {
			size_t cap = q->cap ? q->cap * 2 : 16384;
			char *b;

			if (cap > QMP_LINE_MAX) {
				qmp_fail(q, "%s: not QMP (a line over %d bytes)",
					 q->path, QMP_LINE_MAX);
				return -1;
			}
			b = realloc(q->buf, cap);
			if (!b) {
				qmp_fail(q, "out of memory");
				return -1;
			}
			q->buf = b;
			q->cap = cap;
		}
		n = recv(q->fd, q->buf + q->len, q->cap - q->len - 1, 0);
		if (n < 0 && errno == EINTR)
			return 0;
		if (n < 0) {
			qmp_fail(q, "%s: %s", q->path, strerror(errno));
			return -1;
		}
		if (!n)
			q->closed = true;	/* a last line may be queued */
		q->len += n;
	}
}

/* @obj and a newline, in one send (one line, one message). */
static int send_obj(struct qmp *q, json_object *obj)
{
	const char *s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(s), off = 0;
	char *line = malloc(len + 2);

	if (!line) {
		qmp_fail(q, "out of memory");
		return -1;
	}
	memcpy(line, s, len);
	line[len++] = '\n';
	while (off < len) {
		ssize_t n = send(q->fd, line + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			qmp_fail(q, "%s: %s", q->path, strerror(errno));
			free(line);
			return -1;
		}
		off += n;
	}
	free(line);
	return 0;
}

int qmp_exec(struct qmp *q, const char *cmd, json_object *args,
	     json_object **ret, int timeout_ms)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	json_object *req = json_object_new_object(), *msg = NULL, *v;
	unsigned long id = ++q->next_id;
	int r;

	if (ret)
		*ret = NULL;
	if (!req) {
		json_object_put(args);
		qmp_fail(q, "out of memory");
		return -1;
	}
	json_object_object_add(req, "execute", json_object_new_string(cmd));
	if (args)
		json_object_object_add(req, "arguments", args);
	json_object_object_add(req, "id", json_object_new_int64((int64_t)id));
	r = send_obj(q, req);
	json_object_put(req);
	if (r < 0)
		return -1;
	for (;;) {
		r = read_msg(q, deadline, &msg);
		if (r <= 0) {
			if (!r)
				qmp_fail(q, "%s: no answer to '%s' within %d ms",
					 q->path, cmd, timeout_ms);
			return -1;
		}
		if (qmp_str(msg, "event")) {
			if (queue_event(q, msg) < 0) {
				json_object_put(msg);
				qmp_fail(q, "out of memory");
				return -1;
			}
			json_object_put(msg);
			continue;
		}
		if (!json_object_object_get_ex(msg, "id", &v) ||
		    json_object_get_int64(v) != (int64_t)id) {
			json_object_put(msg);	/* an answer to someone else */
			continue;
		}
		break;
	}
	if (json_object_object_get_ex(msg, "error", &v)) {
		const char *cls = qmp_str(v, "class"), *desc = qmp_str(v, "desc");

		qmp_fail(q, "%s: %s", cls ? cls : "error",
			 desc ? desc : "no description");
		json_object_put(msg);
		return -1;
	}
	if (!json_object_object_get_ex(msg, "return", &v)) {
		json_object_put(msg);
		qmp_fail(q, "%s: not QMP (an answer to '%s' without return or error)",
			 q->path, cmd);
		return -1;
	}
	if (ret)
		*ret = json_object_get(v);
	json_object_put(msg);
	return 0;
}

int qmp_event_wait(struct qmp *q, const char *name, int timeout_ms,
		   struct qmp_event *ev)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	size_t i;

	for (;;) {
		json_object *msg;
		int r;

		for (i = 0; i < q->nev; i++) {
			if (name && strcmp(q->ev[i].name, name))
				continue;
			*ev = q->ev[i];
			memmove(&q->ev[i], &q->ev[i + 1],
				(q->nev - i - 1) * sizeof(*q->ev));
			q->nev--;
			return 1;
		}
		if (!timeout_ms)
			return 0;
		r = read_msg(q, deadline, &msg);
		if (r < 0)
			return -1;
		if (!r)
			return 0;
		if (qmp_str(msg, "event") && queue_event(q, msg) < 0) {
			json_object_put(msg);
			qmp_fail(q, "out of memory");
			return -1;
		}
		json_object_put(msg);
		if (left_ms(deadline) == 0 && timeout_ms > 0)
			timeout_ms = 0;	/* one more look at the queue */
	}
}

int qmp_open(struct qmp *q, const char *path, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	json_object *greeting = NULL;
	int r;

	memset(q, 0, sizeof(*q));
	q->fd = -1;
	q->path = strdup(path);
	if (!q->path) {
		qmp_fail(q, "out of memory");
		return -1;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		qmp_fail(q, "%s: path too long for a UNIX socket", path);
		goto fail;
	}
	strcpy(sa.sun_path, path);
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (q->fd < 0) {
		qmp_fail(q, "socket: %s", strerror(errno));
		goto fail;
	}
	if (connect(q->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		qmp_fail(q, "%s: %s%s", path, strerror(errno),
			 errno == ECONNREFUSED || errno == ENOENT ?
			 " (is QEMU running with -qmp unix:PATH,server=on,wait=off?)" : "");
		goto fail;
	}
	if (getsockopt(q->fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0) {
		qmp_fail(q, "%s: SO_PEERCRED: %s", path, strerror(errno));
		goto fail;
	}
	q->pid = cred.pid;
	r = read_msg(q, deadline, &greeting);
	if (r <= 0) {
		if (!r)
			qmp_fail(q, "%s: no QMP greeting within %d ms (not a QMP socket, or another client holds it)",
				 path, timeout_ms);
		goto fail;
	}
	if (!json_object_object_get_ex(greeting, "QMP", NULL)) {
		json_object_put(greeting);
		qmp_fail(q, "%s: not a QMP socket (no QMP greeting)", path);
		goto fail;
	}
	json_object_put(greeting);
	if (qmp_exec(q, "qmp_capabilities", NULL, NULL, left_ms(deadline)) < 0)
		goto fail;
	return 0;
fail:
	qmp_close(q);
	return -1;
}

void qmp_close(struct qmp *q)
{
	size_t i;

	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	for (i = 0; i < q->nev; i++)
		qmp_event_free(&q->ev[i]);
	free(q->ev);
	q->ev = NULL;
	q->nev = 0;
	q->evcap = 0;
	free(q->buf);
	q->buf = NULL;
	q->len = 0;
	q->cap = 0;
	free(q->path);
	q->path = NULL;
}
