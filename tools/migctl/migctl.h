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

/*
 * Parse a decimal u32 in [min, max]; false when not a plain number in range
 * (cmdline.c, as parse_u64() and parse_size()).
 */
bool parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);
bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/*
 * A size: decimal, optionally with one suffix of @suffixes ("KMG",
 * "KMGT"; either case), powers of 1024. false on anything else or an
 * overflow.
 */
bool parse_size(const char *s, const char *suffixes, uint64_t *out);

#define STR_(x) #x
#define STR(x) STR_(x)

/*
 * A subcommand, defined in the file that implements it with its help text
 * beside its code; migctl.c holds the table of them. @fn gets argv[0] =
 * the command name, global options removed.
 */
struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

/*
 * SUBCOMMAND(x, "name") defines subcmd_x: "name", run by cmd_x(), its help
 * text usage_x, all three beside each other in the command's file.
 */
#define SUBCOMMAND(x, cmdname)				\
	const struct subcommand subcmd_##x = {		\
		.name = cmdname,			\
		.fn = cmd_##x,				\
		.help = usage_##x,			\
	}

extern const struct subcommand subcmd_regions;		/* regions.c */
extern const struct subcommand subcmd_params;		/* params.c */
extern const struct subcommand subcmd_set;		/* params.c */
extern const struct subcommand subcmd_stats;		/* stats.c */
extern const struct subcommand subcmd_scan;		/* scan.c */
extern const struct subcommand subcmd_listen;		/* listen.c */
extern const struct subcommand subcmd_start;		/* start.c */
extern const struct subcommand subcmd_status;		/* status.c */
extern const struct subcommand subcmd_cancel;		/* control.c */
extern const struct subcommand subcmd_switchover;	/* control.c */
extern const struct subcommand subcmd_postcopy;	/* control.c */
extern const struct subcommand subcmd_postcopy_resume;	/* control.c */
extern const struct subcommand subcmd_dirty_push;	/* control.c */
extern const struct subcommand subcmd_checkpoint;	/* control.c */
extern const struct subcommand subcmd_colo_paused;	/* control.c */
extern const struct subcommand subcmd_monitor;		/* monitor.c */
extern const struct subcommand subcmd_keygen;		/* key.c */
extern const struct subcommand subcmd_vm;		/* vm.c */

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
