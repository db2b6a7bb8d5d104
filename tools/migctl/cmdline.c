// SPDX-License-Identifier: GPL-2.0
/*
 * Command-line parsing shared by the commands: see cmdline.h, and
 * parse_u32(), parse_u64(), parse_size() of migctl.h.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kmig.h>

#include "cmdline.h"
#include "mig.h"
#include "migctl.h"
#include "names.h"

/*
 * Parse "--name VALUE", "--name=VALUE" and "--flag" into @o; anything else
 * is a usage error. Returns 0 or EXIT_USAGE.
 */
int parse_opts(const char *cmd, int argc, char **argv, struct opt *o,
		      size_t n)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *eq = strchr(a, '=');
		size_t len = eq ? (size_t)(eq - a) : strlen(a);
		struct opt *p = NULL;
		size_t j;

		for (j = 0; j < n; j++)
			if (strlen(o[j].name) == len && !strncmp(a, o[j].name, len))
				p = &o[j];
		if (!p) {
			if (a[0] == '-')
				return usage_err(cmd, "unknown option '%s' (try 'migctl %s --help')",
						 a, cmd);
			return usage_err(cmd, "unexpected argument '%s' (try 'migctl %s --help')",
					 a, cmd);
		}
		if (p->seen)
			return usage_err(cmd, "%s given more than once", p->name);
		p->seen = true;
		if (!p->val) {
			if (eq)
				return usage_err(cmd, "%s takes no value", p->name);
			*p->flag = true;
		} else if (eq) {
			*p->val = eq + 1;
		} else if (i + 1 < argc) {
			*p->val = argv[++i];
		} else {
			return usage_err(cmd, "%s needs a value (try 'migctl %s --help')",
					 p->name, cmd);
		}
	}
	return 0;
}

int take_region_opt(const char *cmd, int argc, char **argv, int *i,
		    const char **val)
{
	const char *a = argv[*i], *v;

	if (!strcmp(a, "--region")) {
		if (*i + 1 >= argc) {
			usage_err(cmd, "--region needs a value (try 'migctl %s --help')",
				  cmd);
			return -1;
		}
		v = argv[++*i];
	} else if (!strncmp(a, "--region=", 9)) {
		v = a + 9;
	} else {
		return 0;
	}
	if (*val) {
		usage_err(cmd, "region given more than once (ID or --region ID)");
		return -1;
	}
	*val = v;
	return 1;
}

int parse_u32_arg(const char *cmd, const char *what, const char *unit,
		  const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	if (!parse_u32(s, min, max, out))
		return usage_err(cmd, "invalid %s '%s' (expected %s %u..%u)",
				 what, s, unit, min, max);
	return 0;
}

int parse_region(const char *cmd, const char *s, uint32_t *id)
{
	return parse_u32_arg(cmd, "region id", "a number", s, 1, UINT32_MAX, id);
}

int parse_region_req(const char *cmd, const char *s, uint32_t *id)
{
	if (!s)
		return usage_err(cmd, "missing --region ID (try 'migctl %s --help')",
				 cmd);
	return parse_region(cmd, s, id);
}

int parse_interval(const char *cmd, const char *s, unsigned int *ms)
{
	uint32_t v = INTERVAL_DEFAULT;

	if (s && parse_u32_arg(cmd, "interval", "milliseconds", s, 1,
			       INTERVAL_MAX, &v))
		return EXIT_USAGE;
	*ms = v;
	return 0;
}

int parse_channels_arg(const char *cmd, const char *s, uint32_t *n)
{
	return parse_u32_arg(cmd, "channel count", "a number", s, 1,
			     KMIG_CHANNELS_MAX, n);
}

int parse_enum_arg(const char *cmd, const char *what,
		   const struct kmig_enum *e, const char *s, int *out)
{
	char list[128];
	int v = kmig_enum_parse(e, s);

	if (v < 0)
		return usage_err(cmd, "invalid %s '%s' (valid: %s)", what, s,
				 kmig_enum_list(e, list, sizeof(list)));
	*out = v;
	return 0;
}

int parse_mig_args(const char *cmd, const char *chans, const char *id,
		   const char *interval, struct mig_req *req, unsigned int *ms)
{
	int ret = 0;

	if (chans)
		ret = parse_channels_arg(cmd, chans, &req->channels);
	if (!ret && id)
		ret = parse_id(cmd, id, req->id);
	if (!ret)
		ret = parse_interval(cmd, interval, ms);
	req->have_id = id != NULL;
	return ret;
}

/*
 * --max-bandwidth: bytes per second, plain or with a suffix K, M or G
 * (powers of 1024): 100M is 104857600 bytes/s. 0 is no limit.
 */
int parse_rate(const char *cmd, const char *s, uint64_t *out)
{
	if (parse_size(s, "KMG", out))
		return 0;
	return usage_err(cmd, "invalid bandwidth '%s' (expected bytes per second, optionally with a suffix K, M or G: 100M)",
			 s);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 32 hex digits, dashes allowed between them (a UUID). */
int parse_id(const char *cmd, const char *s, uint8_t id[16])
{
	unsigned int n = 0;
	const char *p;

	for (p = s; *p; p++) {
		int v = hexval(*p);

		if (*p == '-' && p != s && p[1])
			continue;
		if (v < 0 || n == 32)
			goto bad;
		if (n % 2)
			id[n / 2] |= v;
		else
			id[n / 2] = v << 4;
		n++;
	}
	if (n == 32)
		return 0;
bad:
	return usage_err(cmd, "invalid migration id '%s' (expected 32 hex digits)", s);
}

static bool is_ipv4(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

static bool is_ipv6(const char *s)
{
	struct in6_addr a;

	return inet_pton(AF_INET6, s, &a) == 1;
}

/* --addr: numeric IPv4 or IPv6, IPv6 maybe in brackets. */
int parse_addr(const char *cmd, const char *s, char *buf, size_t len)
{
	size_t n = strlen(s);

	if (n >= 2 && n < len && s[0] == '[' && s[n - 1] == ']') {
		memcpy(buf, s + 1, n - 2);
		buf[n - 2] = '\0';
		if (is_ipv6(buf))
			return 0;
	} else if (n < len && (is_ipv4(s) || is_ipv6(s))) {
		strcpy(buf, s);
		return 0;
	}
	return usage_err(cmd, "invalid address '%s' (expected a numeric IPv4 or IPv6 address)",
			 s);
}

/* --to HOST:PORT: 1.2.3.4:5000 or [::1]:5000, numeric hosts only. */
int parse_to(const char *cmd, const char *s, char *host, size_t len,
		    uint16_t *port)
{
	const char *colon, *h = s;
	size_t hlen;
	uint32_t p;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end)
			return usage_err(cmd, "invalid --to '%s' (missing ']' after the IPv6 address)",
					 s);
		h = s + 1;
		hlen = end - h;
		if (end[1] != ':')
			return usage_err(cmd, "invalid --to '%s' (expected [ADDR]:PORT)", s);
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return usage_err(cmd, "invalid --to '%s' (expected HOST:PORT)", s);
		hlen = colon - s;
		if (memchr(s, ':', hlen))
			return usage_err(cmd, "invalid --to '%s' (write an IPv6 address in brackets: [ADDR]:PORT)",
					 s);
	}
	if (!hlen || hlen >= len)
		return usage_err(cmd, "invalid --to '%s' (expected HOST:PORT)", s);
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (s[0] == '[' ? !is_ipv6(host) : !is_ipv4(host))
		return usage_err(cmd, "invalid host '%s' in --to (expected a numeric IPv4 address or [IPv6] address; names are not resolved)",
				 host);
	if (!parse_u32(colon + 1, 1, 65535, &p))
		return usage_err(cmd, "invalid port '%s' in --to (expected a number 1..65535)",
				 colon + 1);
	*port = (uint16_t)p;
	return 0;
}

/*
 * --key-file FILE or --insecure, exactly one (checked last, before the
 * kernel is asked): the key read into @key (the caller wipes it) for
 * @req. Returns 0, EXIT_USAGE or EXIT_ERR (the key file).
 */
int parse_auth(const char *cmd, const char *key_file, bool insecure,
		      struct mig_req *req, uint8_t key[KEY_LEN])
{
	if (key_file && insecure)
		return usage_err(cmd, "--key-file and --insecure exclude each other");
	if (!key_file && !insecure)
		return usage_err(cmd, "a key is required: --key-file FILE (migctl keygen), or --insecure to run without authentication");
	if (insecure) {
		req->insecure = true;
		return 0;
	}
	if (key_read_file(cmd, key_file, key) < 0)
		return EXIT_ERR;
	req->key = key;
	return 0;
}
bool parse_size(const char *s, const char *suffixes, uint64_t *out)
{
	static const char units[] = "KMGT";
	unsigned long long v;
	unsigned int shift = 0;
	const char *u;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return false;
	if (*end) {
		u = strchr(units, toupper((unsigned char)*end));
		if (!u || end[1] || !strchr(suffixes, *u))
			return false;
		shift = 10 * (unsigned int)(u - units + 1);
	}
	if (v > (UINT64_MAX >> shift))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (!parse_u64(s, min, max, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}
