/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output helpers of migctl: a small JSON writer, human formatting of sizes,
 * durations and counts, and a text table with aligned columns.
 */
#ifndef MIGCTL_OUTPUT_H
#define MIGCTL_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- JSON writer ---- */

#define JW_MAX_DEPTH 32

struct jw {
	FILE *f;
	bool pretty;
	int depth;
	bool first[JW_MAX_DEPTH];	/* no element written yet at this depth */
	bool after_key;			/* a key was written, value comes next */
};

void jw_init(struct jw *jw, FILE *f, bool pretty);
void jw_obj_open(struct jw *jw);
void jw_obj_close(struct jw *jw);
void jw_arr_open(struct jw *jw);
void jw_arr_close(struct jw *jw);
void jw_key(struct jw *jw, const char *key);
void jw_str(struct jw *jw, const char *s);
void jw_u64(struct jw *jw, uint64_t v);
void jw_i64(struct jw *jw, int64_t v);
/* Fixed-point number with @decimals digits; null if not finite. */
void jw_double(struct jw *jw, double v, int decimals);
void jw_bool(struct jw *jw, bool v);
void jw_null(struct jw *jw);
/* Ends the document with a newline. */
void jw_finish(struct jw *jw);

static inline void jw_kv_u64(struct jw *jw, const char *k, uint64_t v)
{
	jw_key(jw, k);
	jw_u64(jw, v);
}

static inline void jw_kv_str(struct jw *jw, const char *k, const char *v)
{
	jw_key(jw, k);
	jw_str(jw, v);
}

/* Write @s as a JSON string literal (quotes, escapes, UTF-8 checked). */
void json_put_string(FILE *f, const char *s);

/* ---- human formatting ---- */

#define FMT_BUF 64

/* "0 B", "512 B", "1.0 KiB", "1.5 MiB", "1.0 GiB" ... up to EiB. */
char *fmt_size(char *buf, size_t len, uint64_t bytes);
/* "512 B" below 1 KiB, else "1.0 GiB (1073741824 bytes)". */
char *fmt_size_exact(char *buf, size_t len, uint64_t bytes);
/* "950 ns", "12.3 us", "1.234 ms", "2.345 s". */
char *fmt_duration_ns(char *buf, size_t len, uint64_t ns);
/*
 * Nanoseconds as milliseconds with @decimals (0..6) digits, rounded half
 * up, no unit: "20.100" (decimals 3), "31.2" (decimals 1). Exact for any
 * u64 (integer arithmetic).
 */
char *fmt_ms_dec(char *buf, size_t len, uint64_t ns, int decimals);
/* "999", "1.2k", "3.4M", "5.6G" (SI, for compact progress lines). */
char *fmt_count(char *buf, size_t len, uint64_t n);
/*
 * Copy @s replacing control characters and invalid UTF-8 by '?', so that
 * one value can never break a line of output.
 */
char *sanitize(char *buf, size_t len, const char *s);

/* ---- text table ---- */

struct table {
	unsigned int ncols;
	const char *const *headers;
	const bool *right;		/* right-align column i */
	char **cells;			/* nrows * ncols strings */
	size_t nrows, cap;
};

void table_init(struct table *t, unsigned int ncols,
		const char *const *headers, const bool *right);
/* Add a row of @ncols strings (copied). Returns -1 when out of memory. */
int table_add(struct table *t, const char *const *cells);
void table_print(const struct table *t, FILE *f);
void table_free(struct table *t);

#endif /* MIGCTL_OUTPUT_H */
