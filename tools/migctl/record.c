// SPDX-License-Identifier: GPL-2.0
/*
 * Records of reply attributes and their printing.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kmig.h>

#include "migctl.h"
#include "nl.h"
#include "record.h"

/* Every attribute of the sets kept in records fits one (record.h). */
_Static_assert(KMIG_A_REGION_MAX <= RECORD_MAX_ATTR, "RECORD_MAX_ATTR");
_Static_assert(KMIG_A_PARAMS_MAX <= RECORD_MAX_ATTR, "RECORD_MAX_ATTR");
_Static_assert(KMIG_A_STATS_MAX <= RECORD_MAX_ATTR, "RECORD_MAX_ATTR");
_Static_assert(KMIG_A_SCAN_MAX <= RECORD_MAX_ATTR, "RECORD_MAX_ATTR");
_Static_assert(KMIG_A_MIG_MAX <= RECORD_MAX_ATTR, "RECORD_MAX_ATTR");

char *hex_string(char *buf, const void *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		buf[2 * i] = digits[p[i] >> 4];
		buf[2 * i + 1] = digits[p[i] & 0xf];
	}
	buf[2 * len] = '\0';
	return buf;
}

int record_parse(struct record *r, struct nlattr **tb,
		 const struct field *f, size_t n)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < n; i++) {
		const struct nlattr *a = tb[f[i].attr];
		int t = f[i].attr;

		if (!a || t > RECORD_MAX_ATTR)
			continue;
		if (f[i].fmt == FF_STR) {
			size_t len = nla_len(a);
			const char *d = nla_data(a);
			const char *z = memchr(d, '\0', len);

			if (z)
				len = z - d;
			r->str[t] = strndup(d, len);
			if (!r->str[t])
				return -1;
		} else if (f[i].fmt == FF_HEX) {
			size_t len = nla_len(a);

			if (!len || len > RECORD_HEX_MAX)
				continue;
			r->str[t] = malloc(2 * len + 1);
			if (!r->str[t])
				return -1;
			hex_string(r->str[t], nla_data(a), len);
		} else if (f[i].fmt == FF_FLAG) {
			r->num[t] = 1;
		} else if (!kmig_attr_uint(a, &r->num[t])) {
			continue;
		}
		r->present[t / 64] |= 1ull << (t % 64);
	}
	return 0;
}

void record_free(struct record *r)
{
	int i;

	for (i = 0; i <= RECORD_MAX_ATTR; i++) {
		free(r->str[i]);
		r->str[i] = NULL;
	}
	memset(r->present, 0, sizeof(r->present));
}

bool record_has(const struct record *r, int attr)
{
	return attr >= 0 && attr <= RECORD_MAX_ATTR &&
	       (r->present[attr / 64] & (1ull << (attr % 64)));
}

void record_unset(struct record *r, int attr)
{
	if (attr >= 0 && attr <= RECORD_MAX_ATTR)
		r->present[attr / 64] &= ~(1ull << (attr % 64));
}

bool record_num(const struct record *r, int attr, uint64_t *v)
{
	if (!record_has(r, attr))
		return false;
	*v = r->num[attr];
	return true;
}

char *field_format(const struct field *f, const struct record *r,
		   uint64_t page_size, char *buf, size_t len)
{
	char h[FMT_BUF];
	const char *name;
	size_t o;
	unsigned int bit;
	uint64_t v;

	if (f->fmt == FF_FLAG) {
		snprintf(buf, len, "%s", record_has(r, f->attr) ? "yes" : "no");
		return buf;
	}
	if (!record_has(r, f->attr)) {
		snprintf(buf, len, "-");
		return buf;
	}
	v = r->num[f->attr];
	switch (f->fmt) {
	case FF_NUM:
		snprintf(buf, len, "%" PRIu64, v);
		break;
	case FF_BYTES:
		fmt_size_exact(buf, len, v);
		break;
	case FF_FLAG:	/* handled above */
		break;
	case FF_PAGES:
		if (page_size && v <= UINT64_MAX / page_size)
			snprintf(buf, len, "%" PRIu64 " (%s)", v,
				 fmt_size(h, sizeof(h), v * page_size));
		else
			snprintf(buf, len, "%" PRIu64, v);
		break;
	case FF_STR:
	case FF_HEX:
		sanitize(buf, len, r->str[f->attr]);
		break;
	case FF_ENUM:
		name = kmig_enum_name(f->e, v);
		if (name)
			snprintf(buf, len, "%s", name);
		else
			snprintf(buf, len, "unknown(%" PRIu64 ")", v);
		break;
	case FF_ENUMSET:
		buf[0] = '\0';
		o = 0;
		for (bit = 0; bit < 64 && o < len; bit++) {
			if (!(v & (1ull << bit)))
				continue;
			name = kmig_enum_name(f->e, bit);
			if (name)
				o += snprintf(buf + o, len - o, "%s%s",
					      o ? " " : "", name);
			else
				o += snprintf(buf + o, len - o, "%sunknown(%u)",
					      o ? " " : "", bit);
		}
		if (!o)
			snprintf(buf, len, "(none)");
		break;
	}
	return buf;
}

void record_print_kv(FILE *out, const struct field *f, size_t n,
		     const struct record *r, uint64_t page_size)
{
	char buf[512];
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(out, "%s: %s\n", f[i].name,
			field_format(&f[i], r, page_size, buf, sizeof(buf)));
}

char *json_key(char *buf, size_t len, const char *name)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < len; i++)
		buf[i] = name[i] == '-' ? '_' : name[i];
	buf[i] = '\0';
	return buf;
}

void record_json(struct jw *jw, const struct field *f, size_t n,
		 const struct record *r)
{
	char key[64];
	const char *name;
	unsigned int bit;
	uint64_t v;
	size_t i;

	for (i = 0; i < n; i++) {
		if (f[i].fmt == FF_FLAG) {
			jw_key(jw, json_key(key, sizeof(key), f[i].name));
			jw_bool(jw, record_has(r, f[i].attr));
			continue;
		}
		if (!record_has(r, f[i].attr))
			continue;
		v = r->num[f[i].attr];
		jw_key(jw, json_key(key, sizeof(key), f[i].name));
		switch (f[i].fmt) {
		case FF_NUM:
		case FF_BYTES:
		case FF_PAGES:
		case FF_FLAG:	/* handled above */
			jw_u64(jw, v);
			break;
		case FF_STR:
		case FF_HEX:
			jw_str(jw, r->str[f[i].attr]);
			break;
		case FF_ENUM:
			/* Values newer than this tool stay numbers. */
			name = kmig_enum_name(f[i].e, v);
			if (name)
				jw_str(jw, name);
			else
				jw_u64(jw, v);
			break;
		case FF_ENUMSET:
			jw_arr_open(jw);
			for (bit = 0; bit < 64; bit++) {
				if (!(v & (1ull << bit)))
					continue;
				name = kmig_enum_name(f[i].e, bit);
				if (name)
					jw_str(jw, name);
				else
					jw_u64(jw, bit);
			}
			jw_arr_close(jw);
			break;
		}
	}
}

int record_reply_cb(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct record_reply *rr = arg;

	(void)nlh;
	if (rr->count++)
		record_free(&rr->r);
	if (record_parse(&rr->r, tb, rr->f, rr->nf) < 0) {
		err_line("%s: out of memory", rr->what);
		return -1;
	}
	return 0;
}

void record_reply_free(struct record_reply *rr)
{
	if (rr->count)
		record_free(&rr->r);
	rr->count = 0;
}

int record_get_print(const char *what, uint8_t cmd, int maxattr,
		     const struct field *f, size_t nf)
{
	struct record_reply o = { .f = f, .nf = nf, .what = what };
	struct kmig_nl_err err;
	struct kmig_nl nl;
	struct nl_msg *msg;
	int ret = EXIT_ERR;

	if (kmig_nl_open(&nl) < 0)
		return EXIT_ERR;

	msg = kmig_nl_msg(&nl, cmd, 0);
	if (!msg) {
		err_line("%s: out of memory", what);
		goto out;
	}
	if (kmig_nl_do(&nl, msg, maxattr, record_reply_cb, &o, &err) < 0) {
		kmig_nl_report(what, &err, NULL);
		goto out;
	}
	if (!o.count) {
		err_line("%s: no reply from the kernel", what);
		goto out;
	}
	if (opts.json) {
		struct jw jw;

		jw_init(&jw, stdout, opts.pretty);
		jw_obj_open(&jw);
		record_json(&jw, f, nf, &o.r);
		jw_obj_close(&jw);
		jw_finish(&jw);
	} else {
		record_print_kv(stdout, f, nf, &o.r, 0);
	}
	ret = EXIT_OK;
out:
	record_reply_free(&o);
	kmig_nl_close(&nl);
	return ret;
}

int record_cmd(int argc, const char *what, uint8_t cmd, int maxattr,
	       const struct field *f, size_t nf)
{
	if (argc > 1)
		return usage_err(what, "too many arguments (usage: migctl %s)",
				 what);
	return record_get_print(what, cmd, maxattr, f, nf);
}
