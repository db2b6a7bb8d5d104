// SPDX-License-Identifier: GPL-2.0
/*
 * libkmig's names of the kmig enum values (names.h).
 */
#include <stdio.h>
#include <string.h>

#include <linux/kmig.h>

#include "names.h"

static const char *const zero_detect_names[] = {
	[KMIG_ZERO_DETECT_NONE]		= "none",
	[KMIG_ZERO_DETECT_MAIN]		= "main",
	[KMIG_ZERO_DETECT_CHANNEL]	= "channel",
};

static const char *const zero_check_names[] = {
	[KMIG_ZERO_CHECK_AUTO]		= "auto",
	[KMIG_ZERO_CHECK_GENERIC]	= "generic",
	[KMIG_ZERO_CHECK_SSE2]		= "sse2",
	[KMIG_ZERO_CHECK_AVX2]		= "avx2",
	[KMIG_ZERO_CHECK_AVX512]	= "avx512",
};

static const char *const mig_role_names[] = {
	[KMIG_MIG_ROLE_NONE]		= "none",
	[KMIG_MIG_ROLE_SOURCE]		= "source",
	[KMIG_MIG_ROLE_DESTINATION]	= "destination",
};

static const char *const mig_state_names[] = {
	[KMIG_MIG_STATE_NONE]		= "none",
	[KMIG_MIG_STATE_LISTENING]	= "listening",
	[KMIG_MIG_STATE_SETUP]		= "setup",
	[KMIG_MIG_STATE_ACTIVE]		= "active",
	[KMIG_MIG_STATE_COMPLETED]	= "completed",
	[KMIG_MIG_STATE_FAILED]		= "failed",
	[KMIG_MIG_STATE_CANCELLED]	= "cancelled",
	[KMIG_MIG_STATE_COLO]		= "colo",
	[KMIG_MIG_STATE_FAILOVER]	= "failover",
	[KMIG_MIG_STATE_POSTCOPY_ACTIVE]	= "postcopy-active",
	[KMIG_MIG_STATE_POSTCOPY_PAUSED]	= "postcopy-paused",
};

static const char *const mig_event_names[] = {
	[KMIG_MIG_EVENT_STATE]			= "state",
	[KMIG_MIG_EVENT_PASS_DONE]		= "pass-done",
	[KMIG_MIG_EVENT_SWITCHOVER_READY]	= "switchover-ready",
	[KMIG_MIG_EVENT_COMPLETED]		= "completed",
	[KMIG_MIG_EVENT_FAILED]			= "failed",
	[KMIG_MIG_EVENT_CANCELLED]		= "cancelled",
	[KMIG_MIG_EVENT_CHECKPOINT_PAUSE]	= "checkpoint-pause",
	[KMIG_MIG_EVENT_CHECKPOINT_DONE]	= "checkpoint-done",
	[KMIG_MIG_EVENT_FAILOVER]		= "failover",
	[KMIG_MIG_EVENT_POSTCOPY_ACTIVE]	= "postcopy-active",
	[KMIG_MIG_EVENT_POSTCOPY_PAUSED]	= "postcopy-paused",
};

static const char *const colo_metric_names[] = {
	[KMIG_COLO_METRIC_TRANSFER]	= "transfer",
	[KMIG_COLO_METRIC_FLUSH]	= "flush",
	[KMIG_COLO_METRIC_PAUSE]	= "pause",
};

static const char *const no_convergence_names[] = {
	[KMIG_NO_CONVERGENCE_CONTINUE]		= "continue",
	[KMIG_NO_CONVERGENCE_SWITCHOVER]	= "switchover",
	[KMIG_NO_CONVERGENCE_POSTCOPY]		= "postcopy",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* kmig_<x>_enum: the table <x>_names above. */
#define KMIG_ENUM(x) \
	const struct kmig_enum kmig_##x##_enum = { x##_names, ARRAY_SIZE(x##_names) }

KMIG_ENUM(zero_detect);
KMIG_ENUM(zero_check);
KMIG_ENUM(mig_role);
KMIG_ENUM(mig_state);
KMIG_ENUM(mig_event);
KMIG_ENUM(colo_metric);
KMIG_ENUM(no_convergence);

int kmig_enum_parse(const struct kmig_enum *e, const char *name)
{
	unsigned int i;

	for (i = 0; i < e->n; i++)
		if (e->names[i] && !strcmp(e->names[i], name))
			return (int)i;
	return -1;
}

const char *kmig_enum_name(const struct kmig_enum *e, uint64_t v)
{
	return v < e->n ? e->names[v] : NULL;
}

char *kmig_enum_list(const struct kmig_enum *e, char *buf, size_t len)
{
	size_t o = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < e->n && o < len; i++)
		o += snprintf(buf + o, len - o, "%s%s", i ? ", " : "",
			      e->names[i]);
	return buf;
}
