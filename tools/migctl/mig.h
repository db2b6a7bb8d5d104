/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The migrations as migctl sees them (mig.c): the KMIG_CMD_MIG_* replies
 * parsed into records, the listen/start request, and the accessors the
 * printers and the VM commands use.
 */
#ifndef MIGCTL_MIG_H
#define MIGCTL_MIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nl.h"
#include "record.h"

/*
 * The attributes of a migration, of one channel and of one latency (COLO,
 * postcopy).
 */
extern const struct field mig_fields[];
extern const size_t mig_nfields;
extern const struct field mig_chan_fields[];
extern const size_t mig_nchan_fields;
extern const struct field mig_lat_fields[];
extern const size_t mig_nlat_fields;

/*
 * One migration: its attributes, one record per channel, one per COLO
 * latency metric (sorted by metric) and the postcopy fault latency of a
 * destination (a colo-latency nest without metric; npclat is 0 or 1).
 */
struct mig {
	struct record r;
	struct record *ch;
	size_t nch;
	struct record *lat;
	size_t nlat;
	struct record *pclat;
	size_t npclat;
};

/*
 * The replies of one request. With @err set, a failed request's reason
 * goes there (@errlen bytes) instead of to an error line.
 */
struct migs {
	const char *what;
	char *err;
	size_t errlen;
	struct mig *m;
	size_t n, cap;
};


/* What listen and start send; unset members are left out. */
struct mig_req {
	uint32_t region;
	const char *addr;
	bool have_port;
	uint16_t port;
	uint32_t channels;		/* 0: not sent */
	int zero_detect;		/* -1: not sent */
	bool have_id;
	uint8_t id[16];
	bool live;
	uint32_t downtime_limit;	/* 0: not sent */
	bool have_bandwidth;
	uint64_t max_bandwidth;
	bool have_max_passes;
	uint32_t max_passes;
	int no_convergence;		/* -1: not sent */
	bool colo;
	uint32_t checkpoint_interval;	/* 0: not sent */
	uint8_t *key;			/* KEY_LEN bytes; NULL: not sent */
	bool insecure;
	bool integrity;
	bool postcopy;
	bool have_postcopy_after;
	uint32_t postcopy_after;
	bool have_prefetch;
	uint32_t prefetch;
	uint32_t pc_pause_timeout;	/* ms, 0: not sent */
};

/* --postcopy-pause-timeout of listen and start. */
#define PC_PAUSE_HELP \
"  --postcopy-pause-timeout MS\n" \
"                  how long postcopy may stay paused (its links broken)\n" \
"                  before it fails with the guest lost, 1000 ms or more\n" \
"                  (default 600000, 10 minutes)\n"


void migs_free(struct migs *ms);

/*
 * Reply callback (kmig_nl_cb) of KMIG_CMD_MIG_* requests and events:
 * appends the migration of @nlh to the struct migs @arg.
 */
int mig_reply_cb(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg);

/*
 * The error line of a failed request @cmd on @region ("no region with id
 * N", "no migration on region N" for ENOENT).
 */
void mig_report(const char *what, const struct kmig_nl_err *err,
		uint8_t cmd, uint32_t region);
/* The same reason into @buf, without "migctl: <what>: ". */
char *mig_strerror(char *buf, size_t len, const struct kmig_nl_err *err,
		   uint8_t cmd, uint32_t region);

/* Number @attr of @m, or @dflt when absent. */
uint64_t mig_num_or(const struct mig *m, int attr, uint64_t dflt);
/* String @attr of @m, or NULL when absent. */
const char *mig_str(const struct mig *m, int attr);
/* State of @m; KMIG_MIG_STATE_NONE when absent. */
uint64_t mig_state(const struct mig *m);
/* Whether @m will not change any more (see mig.c). */
bool mig_ended(const struct mig *m);
bool mig_is_live(const struct mig *m);
bool mig_is_colo(const struct mig *m);
/*
 * Whether @m reports postcopy: a source started with it, a destination
 * that granted it (postcopy attributes present).
 */
bool mig_has_postcopy(const struct mig *m);
/* The postcopy fault latency of @m (a destination's), NULL when absent. */
const struct record *mig_postcopy_latency(const struct mig *m);

/*
 * Do-request @cmd for @req; the one reply replaces the contents of @ms.
 * Returns 0, or -1 after printing the error line (named ms->what).
 */
int mig_do(struct kmig_nl *nl, uint8_t cmd, const struct mig_req *req,
	   struct migs *ms);
/* MIG_GET of @region, or the dump of all migrations when @region is 0. */
int mig_get(struct kmig_nl *nl, uint32_t region, struct migs *ms);

/*
 * Exit status once the migrations of @ms have ended: 0 when all completed,
 * else 1 with one error line per migration that did not.
 */
int mig_ended_status(const struct migs *ms, bool one);

#endif /* MIGCTL_MIG_H */
