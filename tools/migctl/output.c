// SPDX-License-Identifier: GPL-2.0
/*
 * Output helpers of migctl: JSON writer, human formatting, tables.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

/*
 * Length of the valid UTF-8 sequence at @p (1..4), or 0 when the bytes
 * there are not one (stray continuation byte, overlong form, surrogate,
 * beyond U+10FFFF, truncated).
 */
static size_t utf8_len(const unsigned char *p)
{
	unsigned char c = p[0];
	size_t n, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)	/* also stops at NUL */
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* ---- JSON writer ---- */

void json_put_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		unsigned char c = *p;
		size_t n;

		switch (c) {
		case '"':  fputs("\\\"", f); p++; continue;
		case '\\': fputs("\\\\", f); p++; continue;
		case '\b': fputs("\\b", f); p++; continue;
		case '\f': fputs("\\f", f); p++; continue;
		case '\n': fputs("\\n", f); p++; continue;
		case '\r': fputs("\\r", f); p++; continue;
		case '\t': fputs("\\t", f); p++; continue;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			p++;
			continue;
		}
		n = utf8_len(p);
		if (!n) {
			fputs("\\ufffd", f);	/* invalid byte */
			p++;
			continue;
		}
		fwrite(p, 1, n, f);
		p += n;
	}
	fputc('"', f);
}

void jw_init(struct jw *jw, FILE *f, bool pretty)
{
	memset(jw, 0, sizeof(*jw));
	jw->f = f;
	jw->pretty = pretty;
	jw->first[0] = true;
}

static void jw_indent(struct jw *jw)
{
	int i;

	if (!jw->pretty)
		return;
	fputc('\n', jw->f);
	for (i = 0; i < jw->depth; i++)
		fputs("  ", jw->f);
}

/* Separator before a value or a key. */
static void jw_sep(struct jw *jw)
{
	if (jw->after_key) {
		jw->after_key = false;
		return;
	}
	if (!jw->first[jw->depth])
		fputc(',', jw->f);
	jw->first[jw->depth] = false;
	if (jw->depth > 0)
		jw_indent(jw);
}

static void jw_open(struct jw *jw, char c)
{
	jw_sep(jw);
	fputc(c, jw->f);
	if (jw->depth + 1 < JW_MAX_DEPTH)
		jw->depth++;
	jw->first[jw->depth] = true;
}

static void jw_close(struct jw *jw, char c)
{
	bool empty = jw->first[jw->depth];

	if (jw->depth > 0)
		jw->depth--;
	if (!empty)
		jw_indent(jw);
	fputc(c, jw->f);
}

void jw_obj_open(struct jw *jw)  { jw_open(jw, '{'); }
void jw_obj_close(struct jw *jw) { jw_close(jw, '}'); }
void jw_arr_open(struct jw *jw)  { jw_open(jw, '['); }
void jw_arr_close(struct jw *jw) { jw_close(jw, ']'); }

void jw_key(struct jw *jw, const char *key)
{
	jw_sep(jw);
	json_put_string(jw->f, key);
	fputs(jw->pretty ? ": " : ":", jw->f);
	jw->after_key = true;
}

void jw_str(struct jw *jw, const char *s)
{
	jw_sep(jw);
	json_put_string(jw->f, s);
}

void jw_u64(struct jw *jw, uint64_t v)
{
	jw_sep(jw);
	fprintf(jw->f, "%" PRIu64, v);
}

void jw_i64(struct jw *jw, int64_t v)
{
	jw_sep(jw);
	fprintf(jw->f, "%" PRId64, v);
}

void jw_double(struct jw *jw, double v, int decimals)
{
	jw_sep(jw);
	if (!isfinite(v))
		fputs("null", jw->f);
	else
		fprintf(jw->f, "%.*f", decimals, v);
}

void jw_bool(struct jw *jw, bool v)
{
	jw_sep(jw);
	fputs(v ? "true" : "false", jw->f);
}

void jw_null(struct jw *jw)
{
	jw_sep(jw);
	fputs("null", jw->f);
}

void jw_finish(struct jw *jw)
{
	fputc('\n', jw->f);
}

/* ---- human formatting ---- */

char *fmt_size(char *buf, size_t len, uint64_t bytes)
{
	static const char *const units[] = {
		"KiB", "MiB", "GiB", "TiB", "PiB", "EiB",
	};
	double v = (double)bytes;
	unsigned int u = 0;

	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64 " B", bytes);
		return buf;
	}
	v /= 1024;
	/* Move up while the value would print as 1024.0 or more. */
	while (v >= 1023.95 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

char *fmt_size_exact(char *buf, size_t len, uint64_t bytes)
{
	char h[FMT_BUF];

	if (bytes < 1024)
		return fmt_size(buf, len, bytes);
	snprintf(buf, len, "%s (%" PRIu64 " bytes)",
		 fmt_size(h, sizeof(h), bytes), bytes);
	return buf;
}

char *fmt_duration_ns(char *buf, size_t len, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, len, "%" PRIu64 " ns", ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.1f us", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.3f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.3f s", ns / 1e9);
	return buf;
}

char *fmt_ms_dec(char *buf, size_t len, uint64_t ns, int decimals)
{
	uint64_t unit = 1000000, scale = 1, q;
	int i;

	if (decimals < 0)
		decimals = 0;
	if (decimals > 6)
		decimals = 6;
	for (i = 0; i < decimals; i++) {
		unit /= 10;
		scale *= 10;
	}
	/* ns / unit rounded half up, without overflowing near U64_MAX */
	q = ns / unit + (ns % unit >= (unit + 1) / 2 && unit > 1);
	if (decimals)
		snprintf(buf, len, "%" PRIu64 ".%0*" PRIu64, q / scale,
			 decimals, q % scale);
	else
		snprintf(buf, len, "%" PRIu64, q);
	return buf;
}

char *fmt_count(char *buf, size_t len, uint64_t n)
{
	static const char units[] = "kMGTPE";
	double v = (double)n;
	unsigned int u = 0;

	if (n < 1000) {
		snprintf(buf, len, "%" PRIu64, n);
		return buf;
	}
	v /= 1000;
	while (v >= 999.95 && u + 1 < sizeof(units) - 1) {
		v /= 1000;
		u++;
	}
	snprintf(buf, len, "%.1f%c", v, units[u]);
	return buf;
}

char *sanitize(char *buf, size_t len, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;

	if (!len)
		return buf;
	while (*p && o + 1 < len) {
		size_t n = utf8_len(p);

		if (!n || *p < 0x20 || *p == 0x7f) {
			buf[o++] = '?';
			p++;
			continue;
		}
		if (o + n >= len)
			break;
		memcpy(buf + o, p, n);
		o += n;
		p += n;
	}
	buf[o] = '\0';
	return buf;
}

/* ---- text table ---- */

void table_init(struct table *t, unsigned int ncols,
		const char *const *headers, const bool *right)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->headers = headers;
	t->right = right;
}

int table_add(struct table *t, const char *const *cells)
{
	unsigned int i;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **c = realloc(t->cells, cap * t->ncols * sizeof(*c));

		if (!c)
			return -1;
		t->cells = c;
		t->cap = cap;
	}
	for (i = 0; i < t->ncols; i++) {
		char *s = strdup(cells[i] ? cells[i] : "-");

		if (!s) {
			while (i--)
				free(t->cells[t->nrows * t->ncols + i]);
			return -1;
		}
		t->cells[t->nrows * t->ncols + i] = s;
	}
	t->nrows++;
	return 0;
}

/* Display width: count UTF-8 lead bytes (cells are sanitized). */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static void print_cell(FILE *f, const char *s, size_t w, bool right, bool last)
{
	size_t n = width(s), pad = w > n ? w - n : 0;

	if (right)
		fprintf(f, "%*s%s", (int)pad, "", s);
	else if (last)
		fputs(s, f);
	else
		fprintf(f, "%s%*s", s, (int)pad, "");
}

void table_print(const struct table *t, FILE *f)
{
	size_t w[t->ncols ? t->ncols : 1];
	unsigned int c;
	size_t r;

	for (c = 0; c < t->ncols; c++) {
		w[c] = width(t->headers[c]);
		for (r = 0; r < t->nrows; r++) {
			size_t n = width(t->cells[r * t->ncols + c]);

			if (n > w[c])
				w[c] = n;
		}
	}
	for (c = 0; c < t->ncols; c++) {
		if (c)
			fputs("  ", f);
		print_cell(f, t->headers[c], w[c], t->right && t->right[c],
			   c + 1 == t->ncols);
	}
	fputc('\n', f);
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			if (c)
				fputs("  ", f);
			print_cell(f, t->cells[r * t->ncols + c], w[c],
				   t->right && t->right[c], c + 1 == t->ncols);
		}
		fputc('\n', f);
	}
}

void table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->cap = 0;
}
