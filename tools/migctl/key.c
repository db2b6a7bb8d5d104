// SPDX-License-Identifier: GPL-2.0
/*
 * The migration key: 32 secret bytes that both ends prove with
 * HMAC-SHA256 on every channel (KMIG_A_MIG_KEY of listen and start).
 *
 * migctl keygen: 32 random bytes from getrandom(), printed as base64 (44
 *                characters, like 'wg genkey'); written to a file by the
 *                user ('migctl keygen > mig.key').
 * --key-file:    reads such a file back (key_read_file()).
 *
 * The key is never printed by anything but keygen, and wiped from memory
 * once sent.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "migctl.h"

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The 44 characters of @key (KEY_B64_LEN + 1 bytes with the NUL). */
static void key_to_base64(char *out, const uint8_t key[KEY_LEN])
{
	unsigned int i, v;
	char *o = out;

	for (i = 0; i + 3 <= KEY_LEN; i += 3) {
		v = key[i] << 16 | key[i + 1] << 8 | key[i + 2];
		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = b64[v >> 6 & 63];
		*o++ = b64[v & 63];
	}
	/* 32 = 30 + 2: two bytes left, one '=' */
	v = key[i] << 16 | key[i + 1] << 8;
	*o++ = b64[v >> 18 & 63];
	*o++ = b64[v >> 12 & 63];
	*o++ = b64[v >> 6 & 63];
	*o++ = '=';
	*o = '\0';
}

static int b64_val(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;

	return p ? (int)(p - b64) : -1;
}

/*
 * Exactly 44 base64 characters, the last one '=', that decode to 32
 * bytes (no stray bits in the last character). Returns 0 or -1.
 */
static int key_from_base64(uint8_t key[KEY_LEN], const char *s, size_t len)
{
	unsigned int i, o = 0, v;
	int d[4], k;

	if (len != KEY_B64_LEN || s[KEY_B64_LEN - 1] != '=')
		return -1;
	for (i = 0; i < KEY_B64_LEN; i += 4) {
		for (k = 0; k < 4; k++) {
			if (i + k == KEY_B64_LEN - 1) {
				d[k] = 0;
				continue;
			}
			d[k] = b64_val(s[i + k]);
			if (d[k] < 0)
				return -1;
		}
		v = d[0] << 18 | d[1] << 12 | d[2] << 6 | d[3];
		key[o++] = v >> 16;
		key[o++] = v >> 8;
		if (o < KEY_LEN)
			key[o++] = v;
		else if (v & 0xff)
			return -1;	/* bits beyond the 32nd byte */
	}
	return 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	       c == '\v' || c == '\f';
}

int key_read_file(const char *cmd, const char *path, uint8_t key[KEY_LEN])
{
	char buf[256];
	size_t len = 0;
	const char *s;
	struct stat st;
	ssize_t n;
	int fd, ret = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err_line("%s: cannot open key file '%s': %s", cmd, path,
			 strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		err_line("%s: cannot read key file '%s': %s", cmd, path,
			 strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) &&
	    !S_ISCHR(st.st_mode)) {
		err_line("%s: cannot read key file '%s': not a regular file",
			 cmd, path);
		goto out;
	}
	/* Only a warning, like wg: the key works, but others may have it. */
	if (S_ISREG(st.st_mode) && (st.st_mode & (S_IRGRP | S_IROTH)))
		err_line("%s: warning: key file '%s' is readable by group or others (chmod 600 '%s')",
			 cmd, path, path);
	while (len < sizeof(buf)) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_line("%s: cannot read key file '%s': %s", cmd,
				 path, strerror(errno));
			goto out;
		}
		if (!n)
			break;
		len += n;
	}
	/* Surrounding blanks (the newline keygen prints) do not count. */
	s = buf;
	while (len && is_blank(*s)) {
		s++;
		len--;
	}
	while (len && is_blank(s[len - 1]))
		len--;
	if (len == sizeof(buf) || key_from_base64(key, s, len) < 0) {
		err_line("%s: invalid key file '%s' (expected one 32-byte key in base64, as 'migctl keygen' prints)",
			 cmd, path);
		key_wipe(key, KEY_LEN);
		goto out;
	}
	ret = 0;
out:
	key_wipe(buf, sizeof(buf));
	close(fd);
	return ret;
}

void key_wipe(void *p, size_t len)
{
	explicit_bzero(p, len);
}

static const char usage_keygen[] =
"Usage: migctl keygen\n"
"\n"
"Print a new migration key: 32 random bytes (getrandom) in base64, one\n"
"line of 44 characters, like 'wg genkey'. Write it to a file only you can\n"
"read, copy it to the other host the same way, and give the file to both\n"
"ends with --key-file:\n"
"  (umask 077; migctl keygen > mig.key)\n"
"  migctl listen --region ID --key-file mig.key ...\n"
"  migctl start --region ID --to HOST:PORT --key-file mig.key ...\n"
"Warns on stderr when standard output is a file that group or others may\n"
"read. No other command prints the key, in text or JSON.\n";

static int cmd_keygen(int argc, char **argv)
{
	uint8_t key[KEY_LEN];
	char text[KEY_B64_LEN + 1];
	struct stat st;
	size_t got = 0;
	ssize_t n;

	(void)argv;
	if (argc > 1)
		return usage_err("keygen", "too many arguments (usage: migctl keygen > FILE)");
	if (opts.json)
		return usage_err("keygen", "no JSON output: the key is printed as one base64 line");
	while (got < sizeof(key)) {
		n = getrandom(key + got, sizeof(key) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_line("keygen: getrandom: %s", strerror(errno));
			key_wipe(key, sizeof(key));
			return EXIT_ERR;
		}
		got += n;
	}
	/* Like wg genkey: a warning when others could read the key file. */
	if (fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & (S_IRGRP | S_IROTH)))
		err_line("keygen: warning: writing the key to a file readable by group or others (chmod 600 it, or run with umask 077)");
	key_to_base64(text, key);
	key_wipe(key, sizeof(key));
	printf("%s\n", text);
	key_wipe(text, sizeof(text));
	return EXIT_OK;
}

SUBCOMMAND(keygen, "keygen");
