/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A QMP client (QEMU Machine Protocol) on a UNIX socket, with json-c for
 * the JSON: connect and negotiate, run commands, and collect the events
 * QEMU sends in between, each with QEMU's own timestamp.
 */
#ifndef MIGCTL_QMP_H
#define MIGCTL_QMP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <json-c/json.h>

/* An event QEMU sent: its name, data (may be NULL) and timestamp. */
struct qmp_event {
	char *name;
	json_object *data;
	double ts;		/* seconds since the epoch, QEMU's clock */
};

struct qmp {
	int fd;
	pid_t pid;		/* QEMU's pid (SO_PEERCRED) */
	char *path;
	char *buf;		/* received, not yet a whole line */
	size_t len, cap;
	struct qmp_event *ev;	/* events not taken yet, oldest first */
	size_t nev, evcap;
	unsigned long next_id;
	bool closed;		/* QEMU closed the socket */
	char err[256];		/* what went wrong, for one error line */
};

/*
 * Connect to the QMP socket @path, read QEMU's greeting and leave the
 * capabilities negotiation mode, within @timeout_ms. Returns 0, or -1
 * with q->err set (and the socket closed).
 */
int qmp_open(struct qmp *q, const char *path, int timeout_ms);
void qmp_close(struct qmp *q);

/*
 * Run @cmd with the arguments @args (an object, consumed; NULL for none)
 * and wait up to @timeout_ms for its answer. On success returns 0 and,
 * when @ret is not NULL, the "return" value in *@ret (the caller puts it).
 * On a QMP error returns -1 with q->err "CLASS: description"; on a
 * timeout, a closed socket or garbage, -1 with q->err saying so. Events
 * that arrive meanwhile are queued.
 */
int qmp_exec(struct qmp *q, const char *cmd, json_object *args,
	     json_object **ret, int timeout_ms);

/*
 * Take the oldest queued event named @name (any when NULL), waiting up to
 * @timeout_ms (0: only what has arrived; < 0: no limit) for one to
 * arrive. Returns 1 with *@ev filled (free it with qmp_event_free()), 0
 * on timeout, -1 when the socket closed or failed (q->err set).
 */
int qmp_event_wait(struct qmp *q, const char *name, int timeout_ms,
		   struct qmp_event *ev);
void qmp_event_free(struct qmp_event *ev);

/* Member @key of @obj as a string, or NULL. */
const char *qmp_str(json_object *obj, const char *key);

#endif /* MIGCTL_QMP_H */
