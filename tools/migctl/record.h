/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Records: the attributes of one reply, described by a table of fields
 * (attribute type, spec name, how to print it), printed as "key: value"
 * lines or as JSON members. Missing attributes print as "-" and are left
 * out of JSON.
 */
#ifndef MIGCTL_RECORD_H
#define MIGCTL_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include <linux/kmig.h>

#include "names.h"
#include "output.h"

enum field_fmt {
	FF_NUM,		/* number */
	FF_BYTES,	/* byte count: human size with exact bytes */
	FF_PAGES,	/* page count, with its size when the page size is known */
	FF_STR,		/* string */
	FF_ENUM,	/* enum value, printed by name */
	FF_ENUMSET,	/* bitmask, bit N = enum value N, printed as names */
	FF_HEX,		/* binary, printed as lower-case hex (a string in JSON) */
	FF_FLAG,	/* flag: "yes"/"no", JSON true/false (absent is false) */
};

struct field {
	int attr;			/* attribute type */
	const char *name;		/* spec name; JSON key has '_' for '-' */
	enum field_fmt fmt;
	const struct kmig_enum *e;	/* FF_ENUM, FF_ENUMSET */
};

#define FIELD(a, n, f)		{ .attr = (a), .name = (n), .fmt = (f) }
#define FIELD_ENUM(a, n, f, en)	{ .attr = (a), .name = (n), .fmt = (f), .e = (en) }

/* Largest attribute type a record holds (mig.c checks its sets). */
#define RECORD_MAX_ATTR 127
#define RECORD_HEX_MAX 64

struct record {
	uint64_t present[(RECORD_MAX_ATTR + 64) / 64];	/* bit per type */
	uint64_t num[RECORD_MAX_ATTR + 1];
	char *str[RECORD_MAX_ATTR + 1];
};

/*
 * Fill @r from a parsed reply. Attributes of the wrong size are treated as
 * absent (FF_HEX: empty or longer than RECORD_HEX_MAX bytes). Returns -1
 * when out of memory.
 */
int record_parse(struct record *r, struct nlattr **tb,
		 const struct field *f, size_t n);
void record_free(struct record *r);

bool record_has(const struct record *r, int attr);
/* Forget @attr (it is then absent; its string, if any, stays allocated). */
void record_unset(struct record *r, int attr);
/* Number of @attr; false when absent. */
bool record_num(const struct record *r, int attr, uint64_t *v);

/*
 * Human value of field @f into @buf ("-" when absent). @page_size converts
 * FF_PAGES to bytes (0: unknown).
 */
char *field_format(const struct field *f, const struct record *r,
		   uint64_t page_size, char *buf, size_t len);

/* "name: value" lines for every field. */
void record_print_kv(FILE *out, const struct field *f, size_t n,
		     const struct record *r, uint64_t page_size);

/* One JSON member per present field (inside an open object). */
void record_json(struct jw *jw, const struct field *f, size_t n,
		 const struct record *r);

/*
 * Reply callback (kmig_nl_cb) for requests answered by one message: keeps
 * the last reply parsed in @r and counts the replies.
 */
struct record_reply {
	const struct field *f;
	size_t nf;
	const char *what;	/* for the out-of-memory line */
	struct record r;
	int count;
};

int record_reply_cb(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg);
void record_reply_free(struct record_reply *rr);

/*
 * Send the attribute-less do-command @cmd, print its one reply as
 * "key: value" lines or a JSON object. Returns the exit status.
 */
int record_get_print(const char *what, uint8_t cmd, int maxattr,
		     const struct field *f, size_t nf);

/*
 * A command without arguments (params, stats) that is record_get_print()
 * of @cmd; @argc counts the command name. Returns the exit status.
 */
int record_cmd(int argc, const char *what, uint8_t cmd, int maxattr,
	       const struct field *f, size_t nf);

/* Lower-case hex of @len bytes at @data into @buf (2 * len + 1 bytes). */
char *hex_string(char *buf, const void *data, size_t len);

/* JSON key of a spec name: '-' becomes '_'. */
char *json_key(char *buf, size_t len, const char *name);

#endif /* MIGCTL_RECORD_H */
