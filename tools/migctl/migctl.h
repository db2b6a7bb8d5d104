/* SPDX-License-Identifier: GPL-2.0 */
/*
 * migctl: control tool of the kmig kernel module.
 */
#ifndef MIGCTL_H
#define MIGCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define EXIT_OK		0
#define EXIT_ERR	1
#define EXIT_USAGE	2

struct migctl_opts {
	bool json;
	bool pretty;
};

extern struct migctl_opts opts;

/*
 * Print "migctl: <formatted text>" as one line on stderr (newlines and
 * control characters in the text are replaced).
 */
void err_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Usage error of @cmd: prints one line ending with a pointer to the help of
 * the command and returns EXIT_USAGE.
 */
int usage_err(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Parse a decimal u32 in [min, max]; false when not a plain number in range. */
bool parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);
bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/*
 * A size: decimal, optionally with one suffix of @suffixes ("KMG",
 * "KMGT"; either case), powers of 1024. false on anything else or an
 * overflow.
 */
bool parse_size(const char *s, const char *suffixes, uint64_t *out);

/* Subcommands: argv[0] is the command name, global options removed. */
int cmd_regions(int argc, char **argv);
int cmd_params(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_listen(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_cancel(int argc, char **argv);
int cmd_switchover(int argc, char **argv);
int cmd_dirty_push(int argc, char **argv);
int cmd_checkpoint(int argc, char **argv);
int cmd_colo_paused(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_vm(int argc, char **argv);

/* Help of a command kept beside its code. */
extern const char usage_vm[];

/* The migration key (key.c): 32 bytes, 44 characters in base64. */
#define KEY_LEN		32
#define KEY_B64_LEN	44

/*
 * Read the base64 key of file @path into @key (surrounding blanks
 * trimmed); warns when others may read the file. Returns 0, or -1 after
 * a one-line error naming @cmd.
 */
int key_read_file(const char *cmd, const char *path, uint8_t key[KEY_LEN]);
/* Wipe a secret (not optimised away). */
void key_wipe(void *p, size_t len);

#endif /* MIGCTL_H */
