// SPDX-License-Identifier: GPL-2.0
/*
 * Self-test of migctl's output helpers: size/duration/count formatting,
 * sanitizing, JSON escaping and structure, tables. Prints TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../output.h"

static int n_ok, n_fail;

static void check_str(const char *got, const char *want, const char *desc)
{
	int ok = !strcmp(got, want);

	if (ok)
		n_ok++;
	else
		n_fail++;
	printf("%sok %d - %s\n", ok ? "" : "not ", n_ok + n_fail, desc);
	if (!ok)
		printf("#   got  '%s'\n#   want '%s'\n", got, want);
}

/* Run @fn writing to a memory stream and return what it wrote. */
static char *capture(void (*fn)(FILE *f))
{
	static char *buf;
	size_t len;
	FILE *f;

	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	fn(f);
	fclose(f);
	return buf;
}

static void json_escapes(FILE *f)
{
	json_put_string(f, "a\"b\\c\n\t\x01\x7f\xc3\xa9\xff z");
}

static void json_compact(FILE *f)
{
	struct jw jw;

	jw_init(&jw, f, false);
	jw_arr_open(&jw);
	jw_obj_open(&jw);
	jw_kv_u64(&jw, "id", 1);
	jw_kv_str(&jw, "owner_comm", "qemu");
	jw_key(&jw, "list");
	jw_arr_open(&jw);
	jw_str(&jw, "auto");
	jw_u64(&jw, 7);
	jw_arr_close(&jw);
	jw_key(&jw, "empty");
	jw_arr_open(&jw);
	jw_arr_close(&jw);
	jw_key(&jw, "x");
	jw_double(&jw, 1.5, 3);
	jw_obj_close(&jw);
	jw_obj_open(&jw);
	jw_obj_close(&jw);
	jw_arr_close(&jw);
	jw_finish(&jw);
}

static void json_pretty(FILE *f)
{
	struct jw jw;

	jw_init(&jw, f, true);
	jw_obj_open(&jw);
	jw_kv_u64(&jw, "a", 1);
	jw_key(&jw, "b");
	jw_arr_open(&jw);
	jw_str(&jw, "x");
	jw_arr_close(&jw);
	jw_obj_close(&jw);
	jw_finish(&jw);
}

static void json_empty_array(FILE *f)
{
	struct jw jw;

	jw_init(&jw, f, false);
	jw_arr_open(&jw);
	jw_arr_close(&jw);
	jw_finish(&jw);
}

static void table(FILE *f)
{
	static const char *const h[] = { "ID", "NAME", "N" };
	static const bool right[] = { true, false, true };
	const char *r1[] = { "1", "alpha", "10" };
	const char *r2[] = { "12", "b", "3" };
	struct table t;

	table_init(&t, 3, h, right);
	table_add(&t, r1);
	table_add(&t, r2);
	table_print(&t, f);
	table_free(&t);
}

int main(void)
{
	char b[FMT_BUF];

	printf("TAP version 13\n");
	check_str(fmt_size(b, sizeof(b), 0), "0 B", "size 0");
	check_str(fmt_size(b, sizeof(b), 1023), "1023 B", "size 1023");
	check_str(fmt_size(b, sizeof(b), 1024), "1.0 KiB", "size 1 KiB");
	check_str(fmt_size(b, sizeof(b), 1536 * 1024), "1.5 MiB", "size 1.5 MiB");
	check_str(fmt_size(b, sizeof(b), 1ull << 30), "1.0 GiB", "size 1 GiB");
	check_str(fmt_size(b, sizeof(b), (1ull << 30) - 1), "1.0 GiB",
		  "size just below 1 GiB rounds up a unit");
	check_str(fmt_size(b, sizeof(b), 64ull << 30), "64.0 GiB", "size 64 GiB");
	check_str(fmt_size(b, sizeof(b), UINT64_MAX), "16.0 EiB", "size max");
	check_str(fmt_size_exact(b, sizeof(b), 1ull << 30),
		  "1.0 GiB (1073741824 bytes)", "size exact");
	check_str(fmt_size_exact(b, sizeof(b), 100), "100 B", "size exact small");
	check_str(fmt_duration_ns(b, sizeof(b), 950), "950 ns", "duration ns");
	check_str(fmt_duration_ns(b, sizeof(b), 12345), "12.3 us", "duration us");
	check_str(fmt_duration_ns(b, sizeof(b), 1234567), "1.235 ms", "duration ms");
	check_str(fmt_duration_ns(b, sizeof(b), 2345678901ull), "2.346 s",
		  "duration s");
	check_str(fmt_ms_dec(b, sizeof(b), 20100000, 3), "20.100", "ms 3 decimals");
	check_str(fmt_ms_dec(b, sizeof(b), 31249999, 1), "31.2", "ms 1 decimal, rounded down");
	check_str(fmt_ms_dec(b, sizeof(b), 31250000, 1), "31.3", "ms 1 decimal, half up");
	check_str(fmt_ms_dec(b, sizeof(b), 0, 3), "0.000", "ms zero");
	check_str(fmt_ms_dec(b, sizeof(b), 999, 3), "0.001", "ms below a microsecond rounds");
	check_str(fmt_ms_dec(b, sizeof(b), 1500000, 0), "2", "ms no decimals");
	check_str(fmt_ms_dec(b, sizeof(b), 123456789, 6), "123.456789", "ms 6 decimals");
	check_str(fmt_ms_dec(b, sizeof(b), UINT64_MAX, 3), "18446744073709.552",
		  "ms of U64_MAX, exact");
	check_str(fmt_count(b, sizeof(b), 999), "999", "count 999");
	check_str(fmt_count(b, sizeof(b), 1234), "1.2k", "count 1.2k");
	check_str(fmt_count(b, sizeof(b), 3456789), "3.5M", "count 3.5M");
	check_str(sanitize(b, sizeof(b), "a\nb\x01\xc3\xa9\xff"), "a?b?\xc3\xa9?",
		  "sanitize control chars and bad UTF-8");
	check_str(capture(json_escapes),
		  "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\xc3\xa9\\ufffd z\"",
		  "JSON string escaping");
	check_str(capture(json_compact),
		  "[{\"id\":1,\"owner_comm\":\"qemu\",\"list\":[\"auto\",7],\"empty\":[],\"x\":1.500},{}]\n",
		  "JSON compact structure");
	check_str(capture(json_pretty),
		  "{\n  \"a\": 1,\n  \"b\": [\n    \"x\"\n  ]\n}\n",
		  "JSON pretty structure");
	check_str(capture(json_empty_array), "[]\n", "JSON empty array");
	check_str(capture(table),
		  "ID  NAME    N\n 1  alpha  10\n12  b       3\n",
		  "table alignment");
	printf("# %d passed, %d failed\n", n_ok, n_fail);
	return n_fail ? 1 : 0;
}
