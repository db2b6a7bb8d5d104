/* SPDX-License-Identifier: GPL-2.0 */
/* kmig-vmm command line. */
#ifndef KMIG_VMM_OPTS_H
#define KMIG_VMM_OPTS_H

#include <stddef.h>
#include <stdint.h>

#include "vcpu.h"

enum vmm_mode { VMM_SOURCE, VMM_DEST };

/* --die-at: where a COLO primary kills itself (fault injection). */
enum vmm_die {
	VMM_DIE_NONE,
	VMM_DIE_BEFORE,		/* checkpoint-pause N: paused, before colo-paused */
	VMM_DIE_DURING,		/* colo-paused N sent, --die-delay ms later */
	VMM_DIE_AFTER,		/* checkpoint-done N */
};

struct vmm_opts {
	enum vmm_mode mode;
	uint64_t size;			/* bytes */
	const char *hash_file;		/* NULL: none */
	int no_hash;			/* --no-hash: no content hash at all */
	char addr[64];			/* source: --to address; dest: --addr ("" any) */
	uint16_t port;			/* source: --to port; dest: --port (0 picks) */
	uint32_t channels;		/* 0: the module's default */
	int colo;			/* COLO primary (source), secondary (dest) */
	const char *key_file;		/* --key-file; NULL with --insecure */
	int insecure;			/* --insecure: no key (one of the two) */
	int integrity;			/* --integrity: CRC-32C per packet */
	/*
	 * --postcopy: source, allow the switch to postcopy (at the
	 * switchover after --postcopy-after N passes, default 1; 0: pure
	 * postcopy); dest, run its writers from postcopy-active on.
	 */
	int postcopy;
	int64_t postcopy_after;		/* -1: not sent */
	uint32_t pc_pause_timeout_ms;	/* 0: not sent (module default) */

	/* the writers: source, and dest with --colo (default 0 writers there) */
	uint64_t seed;
	unsigned int writers;
	uint64_t rate;
	enum vcpu_pattern pattern;
	unsigned int hot_pct;

	/* source only */
	int prealloc;			/* --prealloc: every page populated first */
	uint64_t fill_random, fill_zero;
	uint32_t downtime_limit_ms;	/* 0: not sent (module default) */
	uint64_t max_bandwidth;		/* sent if has_max_bandwidth */
	int has_max_bandwidth;
	uint32_t max_passes;		/* 0: not sent */
	int no_convergence;		/* -1: not sent, else KMIG_NO_CONVERGENCE_* */
	int resume;			/* resume writers after the end (default) */
	int no_switchover;		/* never send mig-switchover */
	int64_t pause_on_pass;		/* -1: off; switch over after pass N */

	/* source with --colo only */
	uint32_t checkpoint_interval_ms; /* 0: not sent (module default) */
	uint64_t checkpoints;		/* cancel after N; 0: run to the end */
	enum vmm_die die_at;
	uint64_t die_checkpoint;	/* >= 1 with die_at */
	uint32_t die_delay_ms;		/* VMM_DIE_DURING, default 50 */
};

/*
 * Parse argv[1..argc-1] ("source ..." or "dest ..."). Returns 0, 1 for
 * --help, or -1 with a message in @err.
 */
int opts_parse(int argc, char **argv, struct vmm_opts *o, char *err,
	       size_t errlen);

extern const char vmm_usage[];

#define VMM_KEY_LEN	32	/* KMIG_A_MIG_KEY */

/*
 * Read the migration key of --key-file @path (one base64 line as 'migctl
 * keygen' prints it, surrounding blanks trimmed) into @key. Warns on
 * stderr when group or others may read the file. Returns 0, or -1 with a
 * message in @err (never the file's content).
 */
int opts_read_key(const char *path, uint8_t key[VMM_KEY_LEN], char *err,
		  size_t errlen);

#endif
