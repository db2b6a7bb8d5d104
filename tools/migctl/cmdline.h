/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command-line parsing shared by the migration commands (cmdline.c):
 * --name VALUE options, and the values they take (region ids, HOST:PORT,
 * addresses, rates, migration ids, the key).
 */
#ifndef MIGCTL_CMDLINE_H
#define MIGCTL_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "migctl.h"

struct kmig_enum;
struct mig_req;

/* The help of the options parse_auth() and parse_interval() take. */
#define MIG_KEY_HELP \
"  --key-file FILE the migration key, as 'migctl keygen' printed it (one\n" \
"                  base64 line; keep the file mode 600, migctl warns when\n" \
"                  group or others may read it). Both ends need the same\n" \
"                  key: every channel proves it both ways (HMAC-SHA256)\n" \
"                  before a page moves, and one without it is dropped\n" \
"  --insecure      no key, no authentication: anyone who reaches the port\n" \
"                  can write the region (only with a peer that has no key,\n" \
"                  on a network you trust). One of --key-file and\n" \
"                  --insecure is required\n"

#define MIG_WAIT_HELP \
"  --wait          wait until the migration has completed, failed or been\n" \
"                  cancelled (COLO: or failed over), then print its final\n" \
"                  status (see 'migctl status --watch')\n" \
"  --interval MS   poll period of --wait in milliseconds (default 200)\n"

#define INTERVAL_DEFAULT	200
#define INTERVAL_MAX		3600000
#define DOWNTIME_LIMIT_MAX	3600000	/* the spec's check of downtime-limit-ms */
#define CKPT_INTERVAL_MIN	10	/* the spec's check of checkpoint-interval-ms */
#define CKPT_INTERVAL_MAX	3600000	/* the kernel's upper limit */

struct opt {
	const char *name;	/* "--region" */
	const char **val;	/* NULL: a flag */
	bool *flag;
	bool seen;
};

#define OPT_VAL(n, v)	{ .name = (n), .val = (v) }
#define OPT_FLAG(n, f)	{ .name = (n), .flag = (f) }

/*
 * Parse "--name VALUE", "--name=VALUE" and "--flag" of argv[1..] into @o;
 * anything else is a usage error of @cmd. Returns 0 or EXIT_USAGE.
 */
int parse_opts(const char *cmd, int argc, char **argv, struct opt *o,
	       size_t n);
/*
 * "--region ID" or "--region=ID" at argv[*i], for the commands that also
 * take the region as a plain ID (regions, scan): 1 when argv[*i] is one
 * (*i then on its last word, its value in *@val), 0 when it is not, -1
 * after the usage error of @cmd (no value, or a region already in *@val).
 */
int take_region_opt(const char *cmd, int argc, char **argv, int *i,
		    const char **val);
/* Each: 0, or EXIT_USAGE after the one-line usage error of @cmd. */
/* A number @min..@max: "invalid @what 'S' (expected @unit MIN..MAX)". */
int parse_u32_arg(const char *cmd, const char *what, const char *unit,
		  const char *s, uint32_t min, uint32_t max, uint32_t *out);
int parse_region(const char *cmd, const char *s, uint32_t *id);
/* The same for the --region ID a command requires: @s NULL is missing. */
int parse_region_req(const char *cmd, const char *s, uint32_t *id);
int parse_interval(const char *cmd, const char *s, unsigned int *ms);
int parse_channels_arg(const char *cmd, const char *s, uint32_t *n);
/* The name of a value of @e, "invalid @what '@s' (valid: ...)" if not. */
int parse_enum_arg(const char *cmd, const char *what,
		   const struct kmig_enum *e, const char *s, int *out);
/*
 * What listen and start take alike, each optional: --channels N and
 * --id HEX32 into @req, --interval MS into @ms.
 */
int parse_mig_args(const char *cmd, const char *chans, const char *id,
		   const char *interval, struct mig_req *req, unsigned int *ms);
/* Bytes per second, with an optional suffix K, M or G (powers of 1024). */
int parse_rate(const char *cmd, const char *s, uint64_t *out);
/* 32 hex digits, dashes allowed between them (a UUID). */
int parse_id(const char *cmd, const char *s, uint8_t id[16]);
/* A numeric IPv4 or IPv6 address, IPv6 maybe in brackets, into @buf. */
int parse_addr(const char *cmd, const char *s, char *buf, size_t len);
/* HOST:PORT or [IPv6]:PORT, numeric hosts only. */
int parse_to(const char *cmd, const char *s, char *host, size_t len,
	     uint16_t *port);
/*
 * --key-file FILE or --insecure, exactly one: the key read into @key
 * (the caller wipes it) for @req. Returns 0, EXIT_USAGE or EXIT_ERR.
 */
int parse_auth(const char *cmd, const char *key_file, bool insecure,
	       struct mig_req *req, uint8_t key[KEY_LEN]);

#endif /* MIGCTL_CMDLINE_H */
