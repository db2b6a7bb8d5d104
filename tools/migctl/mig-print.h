/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The status printer of the migration commands (mig-print.c): a migration
 * as an "info migrate"-like text block or as one JSON object, and the
 * formatting helpers the progress line and the event lines share.
 */
#ifndef MIGCTL_MIG_PRINT_H
#define MIGCTL_MIG_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mig.h"
#include "output.h"

/* Enum attribute @attr of @m by name, "unknown(N)", or "-" when absent. */
char *mig_enum_text(char *buf, size_t len, const struct mig *m, int attr,
		    const struct kmig_enum *e);
/* "10.0.0.2:4444", "[::1]:4444", "10.0.0.2", "port 4444"; NULL if neither. */
char *mig_endpoint(char *buf, size_t len, const struct mig *m);
/* The last value of COLO latency @metric; false when none was measured. */
bool mig_lat_last(const struct mig *m, uint64_t metric, uint64_t *ns);

/* Milliseconds like QEMU's "total time: 1234 ms"; finer below 10 ms. */
char *fmt_ms(char *buf, size_t len, uint64_t ns);
/* An expected downtime: "unknown" while nothing was measured (U64_MAX). */
char *fmt_expected(char *buf, size_t len, uint64_t ns);
/* A checkpoint latency: "31.2 ms", "0.450 ms" below a millisecond. */
char *fmt_ms_short(char *buf, size_t len, uint64_t ns);

/* @m as one JSON object (the keys of 'migctl status --json'). */
void mig_json(struct jw *jw, const struct mig *m);
/*
 * The migrations of @ms on stdout, in text or JSON (opts.json): one
 * block/object (@one), or a list/array. Returns 0, or -1 after the error
 * line (out of memory).
 */
int migs_print(const struct migs *ms, bool one);

#endif /* MIGCTL_MIG_PRINT_H */
