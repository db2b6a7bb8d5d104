/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/kmig.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_KMIG_H
#define _UAPI_LINUX_KMIG_H

#define KMIG_FAMILY_NAME	"kmig"
#define KMIG_FAMILY_VERSION	1

#define KMIG_CHANNELS_MAX		64
#define KMIG_CHANNELS_DEFAULT		2
#define KMIG_HANDSHAKES_MAX		256
#define KMIG_HANDSHAKE_TIMEOUT_MIN_MS	100
#define KMIG_HANDSHAKE_TIMEOUT_MAX_MS	600000

/**
 * enum kmig_zero_detect - Where zero pages are detected during a migration.
 * @KMIG_ZERO_DETECT_NONE: No detection, every populated page is sent as data.
 * @KMIG_ZERO_DETECT_MAIN: The dispatcher checks every page before queueing it.
 * @KMIG_ZERO_DETECT_CHANNEL: Each channel thread checks the pages of its own
 *   batches.
 */
enum kmig_zero_detect {
	KMIG_ZERO_DETECT_NONE,
	KMIG_ZERO_DETECT_MAIN,
	KMIG_ZERO_DETECT_CHANNEL,
};

/**
 * enum kmig_zero_check - Implementation of the zero-page check.
 * @KMIG_ZERO_CHECK_AUTO: The best implementation the CPU supports.
 * @KMIG_ZERO_CHECK_GENERIC: Portable C, 64-bit loads.
 * @KMIG_ZERO_CHECK_SSE2: 128-bit SSE2 loads.
 * @KMIG_ZERO_CHECK_AVX2: 256-bit AVX2 loads.
 * @KMIG_ZERO_CHECK_AVX512: 512-bit AVX-512 loads.
 */
enum kmig_zero_check {
	KMIG_ZERO_CHECK_AUTO,
	KMIG_ZERO_CHECK_GENERIC,
	KMIG_ZERO_CHECK_SSE2,
	KMIG_ZERO_CHECK_AVX2,
	KMIG_ZERO_CHECK_AVX512,
};

/**
 * enum kmig_mig_role - Side of a migration.
 * @KMIG_MIG_ROLE_NONE: No migration on this region.
 * @KMIG_MIG_ROLE_SOURCE: Sends the region.
 * @KMIG_MIG_ROLE_DESTINATION: Receives into the region.
 */
enum kmig_mig_role {
	KMIG_MIG_ROLE_NONE,
	KMIG_MIG_ROLE_SOURCE,
	KMIG_MIG_ROLE_DESTINATION,
};

/**
 * enum kmig_mig_state - State of a migration.
 * @KMIG_MIG_STATE_NONE: No migration on this region.
 * @KMIG_MIG_STATE_LISTENING: Destination waiting for its channels.
 * @KMIG_MIG_STATE_SETUP: Source connecting its channels and exchanging hellos.
 * @KMIG_MIG_STATE_ACTIVE: Pages are flowing.
 * @KMIG_MIG_STATE_COMPLETED: Every channel delivered COMPLETE (and the
 *   destination acknowledged it).
 * @KMIG_MIG_STATE_FAILED: Stopped on an error; the reason attribute says
 *   which.
 * @KMIG_MIG_STATE_CANCELLED: Stopped by a cancel command or by the region
 *   being closed.
 * @KMIG_MIG_STATE_COLO: COLO: the initial migration is committed as checkpoint
 *   0 and the two ends stay connected, taking checkpoints.
 * @KMIG_MIG_STATE_FAILOVER: COLO ended by the loss of the peer: a secondary
 *   holds the last committed checkpoint, a primary runs on alone.
 * @KMIG_MIG_STATE_POSTCOPY_ACTIVE: Postcopy: the destination runs the guest;
 *   pages it touches that are still on the source are fetched on demand, the
 *   rest are pushed.
 * @KMIG_MIG_STATE_POSTCOPY_PAUSED: Postcopy with its connections broken:
 *   neither side drops a page; the destination's faults on missing pages wait.
 *   mig-postcopy-resume on both sides reconnects; cancel, or
 *   postcopy-pause-timeout-ms without a resume, ends it with the guest lost.
 */
enum kmig_mig_state {
	KMIG_MIG_STATE_NONE,
	KMIG_MIG_STATE_LISTENING,
	KMIG_MIG_STATE_SETUP,
	KMIG_MIG_STATE_ACTIVE,
	KMIG_MIG_STATE_COMPLETED,
	KMIG_MIG_STATE_FAILED,
	KMIG_MIG_STATE_CANCELLED,
	KMIG_MIG_STATE_COLO,
	KMIG_MIG_STATE_FAILOVER,
	KMIG_MIG_STATE_POSTCOPY_ACTIVE,
	KMIG_MIG_STATE_POSTCOPY_PAUSED,
};

/**
 * enum kmig_mig_event - What a migration event notification reports.
 * @KMIG_MIG_EVENT_STATE: The state changed (listening, setup, active).
 * @KMIG_MIG_EVENT_PASS_DONE: A precopy pass ended on every channel; its
 *   figures are in the message.
 * @KMIG_MIG_EVENT_SWITCHOVER_READY: The expected downtime is within the limit
 *   (or the pass limit was reached with the force policy): pause the vCPUs and
 *   send mig-switchover.
 * @KMIG_MIG_EVENT_COMPLETED: The migration completed.
 * @KMIG_MIG_EVENT_FAILED: The migration failed; see the reason.
 * @KMIG_MIG_EVENT_CANCELLED: The migration was cancelled.
 * @KMIG_MIG_EVENT_CHECKPOINT_PAUSE: COLO: checkpoint N begins; pause the vCPUs
 *   and send colo-paused with this checkpoint number.
 * @KMIG_MIG_EVENT_CHECKPOINT_DONE: COLO: checkpoint N is committed (a
 *   secondary's region holds it); resume the vCPUs. Its figures are in the
 *   message.
 * @KMIG_MIG_EVENT_FAILOVER: COLO: the peer is lost. A secondary's region holds
 *   the checkpoint in the checkpoint attribute; either side resumes its vCPUs
 *   and runs alone.
 * @KMIG_MIG_EVENT_POSTCOPY_ACTIVE: Postcopy began: on the destination, resume
 *   the vCPUs now (the missing pages are fetched as they are touched); on the
 *   source, the destination acknowledged it and the downtime is in the
 *   message.
 * @KMIG_MIG_EVENT_POSTCOPY_PAUSED: Postcopy lost its connections (the reason
 *   says how) and waits for mig-postcopy-resume on both sides; the guest's
 *   faults on missing pages wait meanwhile.
 */
enum kmig_mig_event {
	KMIG_MIG_EVENT_STATE,
	KMIG_MIG_EVENT_PASS_DONE,
	KMIG_MIG_EVENT_SWITCHOVER_READY,
	KMIG_MIG_EVENT_COMPLETED,
	KMIG_MIG_EVENT_FAILED,
	KMIG_MIG_EVENT_CANCELLED,
	KMIG_MIG_EVENT_CHECKPOINT_PAUSE,
	KMIG_MIG_EVENT_CHECKPOINT_DONE,
	KMIG_MIG_EVENT_FAILOVER,
	KMIG_MIG_EVENT_POSTCOPY_ACTIVE,
	KMIG_MIG_EVENT_POSTCOPY_PAUSED,
};

/**
 * enum kmig_colo_metric - A COLO checkpoint latency with a histogram.
 * @KMIG_COLO_METRIC_TRANSFER: Memory transfer: the secondary's time from the
 *   checkpoint's CHECKPOINT packet to its last SYNC.
 * @KMIG_COLO_METRIC_FLUSH: The secondary's time to flush the COLO cache into
 *   the region.
 * @KMIG_COLO_METRIC_PAUSE: The primary's pause: from checkpoint-pause to
 *   checkpoint-done (VMM pause latency, transfer, flush and acknowledgment).
 */
enum kmig_colo_metric {
	KMIG_COLO_METRIC_TRANSFER,
	KMIG_COLO_METRIC_FLUSH,
	KMIG_COLO_METRIC_PAUSE,
};

/**
 * enum kmig_no_convergence - What a live migration does when the pass limit is
 *   reached without converging.
 * @KMIG_NO_CONVERGENCE_CONTINUE: Keep sending passes until the VMM switches
 *   over or cancels.
 * @KMIG_NO_CONVERGENCE_SWITCHOVER: Announce switchover-ready anyway (the
 *   downtime will exceed the limit).
 * @KMIG_NO_CONVERGENCE_POSTCOPY: Announce switchover-ready and switch to
 *   postcopy at the switchover (needs postcopy).
 */
enum kmig_no_convergence {
	KMIG_NO_CONVERGENCE_CONTINUE,
	KMIG_NO_CONVERGENCE_SWITCHOVER,
	KMIG_NO_CONVERGENCE_POSTCOPY,
};

enum {
	KMIG_A_REGION_ID = 1,
	KMIG_A_REGION_SIZE,
	KMIG_A_REGION_POPULATED_PAGES,
	KMIG_A_REGION_OWNER_PID,
	KMIG_A_REGION_OWNER_COMM,
	KMIG_A_REGION_MAPPINGS,
	KMIG_A_REGION_FAULTS,
	KMIG_A_REGION_ALLOC_FAILURES,
	KMIG_A_REGION_ZERO_PAGES,
	KMIG_A_REGION_ZERO_BYTES,
	KMIG_A_REGION_NORMAL_PAGES,
	KMIG_A_REGION_NORMAL_BYTES,
	KMIG_A_REGION_PAGE_SIZE,
	KMIG_A_REGION_PAD,

	__KMIG_A_REGION_MAX,
	KMIG_A_REGION_MAX = (__KMIG_A_REGION_MAX - 1)
};

enum {
	KMIG_A_PARAMS_CHANNELS = 1,
	KMIG_A_PARAMS_ZERO_PAGE_DETECTION,
	KMIG_A_PARAMS_ZERO_CHECK,
	KMIG_A_PARAMS_ZERO_CHECK_ACTIVE,
	KMIG_A_PARAMS_ZERO_CHECK_AVAILABLE,
	KMIG_A_PARAMS_REGION_SIZE_MAX,
	KMIG_A_PARAMS_PAD,
	KMIG_A_PARAMS_MAX_REGIONS_PER_USER,
	KMIG_A_PARAMS_MAX_MEMORY,
	KMIG_A_PARAMS_MAX_CHANNELS,
	KMIG_A_PARAMS_MAX_MIGRATIONS,
	KMIG_A_PARAMS_MAX_HANDSHAKES,
	KMIG_A_PARAMS_HANDSHAKE_TIMEOUT_MS,

	__KMIG_A_PARAMS_MAX,
	KMIG_A_PARAMS_MAX = (__KMIG_A_PARAMS_MAX - 1)
};

enum {
	KMIG_A_STATS_REGIONS = 1,
	KMIG_A_STATS_POPULATED_PAGES,
	KMIG_A_STATS_FAULTS,
	KMIG_A_STATS_ALLOC_FAILURES,
	KMIG_A_STATS_MMAP_REFUSED,
	KMIG_A_STATS_REGIONS_CREATED,
	KMIG_A_STATS_SCANS,
	KMIG_A_STATS_MIGRATIONS_STARTED,
	KMIG_A_STATS_MIGRATIONS_COMPLETED,
	KMIG_A_STATS_MIGRATIONS_FAILED,
	KMIG_A_STATS_MIGRATIONS_CANCELLED,
	KMIG_A_STATS_REJECTED_CONNECTIONS,
	KMIG_A_STATS_MALFORMED_PACKETS,
	KMIG_A_STATS_SPLICE_FALLBACKS,
	KMIG_A_STATS_MIGRATIONS_FAILED_OVER,
	KMIG_A_STATS_PAD,
	KMIG_A_STATS_AUTH_FAILURES,
	KMIG_A_STATS_INTEGRITY_ERRORS,
	KMIG_A_STATS_LIMIT_REGIONS_REFUSED,
	KMIG_A_STATS_LIMIT_MEMORY_REFUSED,
	KMIG_A_STATS_LIMIT_CHANNELS_REFUSED,
	KMIG_A_STATS_LIMIT_MIGRATIONS_REFUSED,
	KMIG_A_STATS_MIGRATIONS_RUNNING,
	KMIG_A_STATS_LIMIT_HANDSHAKES_REACHED,

	__KMIG_A_STATS_MAX,
	KMIG_A_STATS_MAX = (__KMIG_A_STATS_MAX - 1)
};

enum {
	KMIG_A_SCAN_REGION_ID = 1,
	KMIG_A_SCAN_ZERO_CHECK,
	KMIG_A_SCAN_PAGES,
	KMIG_A_SCAN_POPULATED_PAGES,
	KMIG_A_SCAN_ZERO_PAGES,
	KMIG_A_SCAN_NORMAL_PAGES,
	KMIG_A_SCAN_TIME_NS,
	KMIG_A_SCAN_ZERO_CHECK_USED,
	KMIG_A_SCAN_PAD,

	__KMIG_A_SCAN_MAX,
	KMIG_A_SCAN_MAX = (__KMIG_A_SCAN_MAX - 1)
};

enum {
	KMIG_A_MIG_CHANNEL_ID = 1,
	KMIG_A_MIG_CHANNEL_CPU,
	KMIG_A_MIG_CHANNEL_PAGES,
	KMIG_A_MIG_CHANNEL_ZERO_PAGES,
	KMIG_A_MIG_CHANNEL_BYTES,
	KMIG_A_MIG_CHANNEL_PACKETS,
	KMIG_A_MIG_CHANNEL_PAD,

	__KMIG_A_MIG_CHANNEL_MAX,
	KMIG_A_MIG_CHANNEL_MAX = (__KMIG_A_MIG_CHANNEL_MAX - 1)
};

enum {
	KMIG_A_MIG_REGION_ID = 1,
	KMIG_A_MIG_ROLE,
	KMIG_A_MIG_STATE,
	KMIG_A_MIG_ADDR,
	KMIG_A_MIG_PORT,
	KMIG_A_MIG_CHANNELS,
	KMIG_A_MIG_ZERO_PAGE_DETECTION,
	KMIG_A_MIG_MIGRATION_ID,
	KMIG_A_MIG_PAGES_TOTAL,
	KMIG_A_MIG_PAGES_DONE,
	KMIG_A_MIG_ZERO_PAGES,
	KMIG_A_MIG_ZERO_BYTES,
	KMIG_A_MIG_NORMAL_PAGES,
	KMIG_A_MIG_NORMAL_BYTES,
	KMIG_A_MIG_PACKETS,
	KMIG_A_MIG_BYTES,
	KMIG_A_MIG_SPLICE_FALLBACKS,
	KMIG_A_MIG_SETUP_NS,
	KMIG_A_MIG_TIME_NS,
	KMIG_A_MIG_THROUGHPUT,
	KMIG_A_MIG_REASON,
	KMIG_A_MIG_REJECTED_CONNECTIONS,
	KMIG_A_MIG_MALFORMED_PACKETS,
	KMIG_A_MIG_PASSES,
	KMIG_A_MIG_CHANNEL,
	KMIG_A_MIG_LIVE,
	KMIG_A_MIG_DOWNTIME_LIMIT_MS,
	KMIG_A_MIG_MAX_BANDWIDTH,
	KMIG_A_MIG_MAX_PASSES,
	KMIG_A_MIG_NO_CONVERGENCE,
	KMIG_A_MIG_EVENT,
	KMIG_A_MIG_PASS,
	KMIG_A_MIG_DIRTY_RATE,
	KMIG_A_MIG_EXPECTED_DOWNTIME_NS,
	KMIG_A_MIG_REMAINING_BYTES,
	KMIG_A_MIG_DOWNTIME_NS,
	KMIG_A_MIG_DIRTY_SYNCS,
	KMIG_A_MIG_SWITCHOVER_READY,
	KMIG_A_MIG_DIRTY_FIRST,
	KMIG_A_MIG_DIRTY_BITMAP,
	KMIG_A_MIG_COLO,
	KMIG_A_MIG_CHECKPOINT_INTERVAL_MS,
	KMIG_A_MIG_CHECKPOINT,
	KMIG_A_MIG_CHECKPOINTS,
	KMIG_A_MIG_CKPT_PAGES,
	KMIG_A_MIG_CKPT_BYTES,
	KMIG_A_MIG_COLO_CACHE_PAGES,
	KMIG_A_MIG_COLO_LATENCY,
	KMIG_A_MIG_PAD,
	KMIG_A_MIG_KEY,
	KMIG_A_MIG_INSECURE,
	KMIG_A_MIG_AUTH,
	KMIG_A_MIG_AUTH_FAILURES,
	KMIG_A_MIG_INTEGRITY,
	KMIG_A_MIG_INTEGRITY_ERRORS,
	KMIG_A_MIG_POSTCOPY,
	KMIG_A_MIG_POSTCOPY_AFTER,
	KMIG_A_MIG_POSTCOPY_PREFETCH,
	KMIG_A_MIG_POSTCOPY_REQUESTS,
	KMIG_A_MIG_POSTCOPY_REQUESTED_PAGES,
	KMIG_A_MIG_POSTCOPY_SERVED_PAGES,
	KMIG_A_MIG_POSTCOPY_PUSHED_PAGES,
	KMIG_A_MIG_POSTCOPY_MISSING_PAGES,
	KMIG_A_MIG_POSTCOPY_FAULTS,
	KMIG_A_MIG_POSTCOPY_LATENCY,
	KMIG_A_MIG_POSTCOPY_DISCARDED_PAGES,
	KMIG_A_MIG_POSTCOPY_PAUSE_TIMEOUT_MS,
	KMIG_A_MIG_POSTCOPY_PAUSES,

	__KMIG_A_MIG_MAX,
	KMIG_A_MIG_MAX = (__KMIG_A_MIG_MAX - 1)
};

enum {
	KMIG_A_COLO_LATENCY_METRIC = 1,
	KMIG_A_COLO_LATENCY_COUNT,
	KMIG_A_COLO_LATENCY_LAST_NS,
	KMIG_A_COLO_LATENCY_MEAN_NS,
	KMIG_A_COLO_LATENCY_P50_NS,
	KMIG_A_COLO_LATENCY_P99_NS,
	KMIG_A_COLO_LATENCY_MAX_NS,
	KMIG_A_COLO_LATENCY_PAD,

	__KMIG_A_COLO_LATENCY_MAX,
	KMIG_A_COLO_LATENCY_MAX = (__KMIG_A_COLO_LATENCY_MAX - 1)
};

enum {
	KMIG_CMD_REGION_GET = 1,
	KMIG_CMD_PARAMS_GET,
	KMIG_CMD_PARAMS_SET,
	KMIG_CMD_STATS_GET,
	KMIG_CMD_REGION_SCAN,
	KMIG_CMD_MIG_LISTEN,
	KMIG_CMD_MIG_START,
	KMIG_CMD_MIG_GET,
	KMIG_CMD_MIG_CANCEL,
	KMIG_CMD_MIG_SWITCHOVER,
	KMIG_CMD_MIG_DIRTY_PUSH,
	KMIG_CMD_COLO_CHECKPOINT,
	KMIG_CMD_COLO_PAUSED,
	KMIG_CMD_MIG_EVENT,
	KMIG_CMD_MIG_POSTCOPY,
	KMIG_CMD_MIG_POSTCOPY_RESUME,

	__KMIG_CMD_MAX,
	KMIG_CMD_MAX = (__KMIG_CMD_MAX - 1)
};

#define KMIG_MCGRP_EVENTS	"events"

/* kmig: hand-written part begin (not described by the YNL spec) */
#include <linux/ioctl.h>
#include <linux/types.h>

#define KMIG_DEVICE_PATH	"/dev/kmig"

/**
 * struct kmig_region_info - answer of KMIG_IOC_REGION_INFO
 * @id: region id (the KMIG_A_REGION_ID of netlink and the sysfs directory)
 * @page_size: page size of the region in bytes
 * @size: region size in bytes, 0 until the first mmap
 * @populated_pages: pages allocated so far
 * @reserved: zero
 */
struct kmig_region_info {
	__u32 id;
	__u32 page_size;
	__u64 size;
	__u64 populated_pages;
	__u64 reserved[5];
};

#define KMIG_IOC_MAGIC		0xb7
#define KMIG_IOC_REGION_INFO	_IOR(KMIG_IOC_MAGIC, 0x01, struct kmig_region_info)

/**
 * struct kmig_page_bitmap - argument of KMIG_IOC_PAGE_BITMAP
 * @first: first page index to report, a multiple of 64
 * @count: pages to report, a multiple of 64, at most 1 << 24 per call;
 *	   clipped to the region's end (rounded up to 64)
 * @bitmap: user pointer to count / 8 bytes; bit N of 64-bit word W (host
 *	    byte order) is set when page first + 64 * W + N is populated
 * @populated: out, bits set in the reported range
 *
 * Lets a VMM (or a test) read only the pages that exist, e.g. to hash a
 * region without faulting in the pages that were never touched.
 */
struct kmig_page_bitmap {
	__u64 first;
	__u64 count;
	__u64 bitmap;
	__u64 populated;
};

#define KMIG_IOC_PAGE_BITMAP	_IOWR(KMIG_IOC_MAGIC, 0x02, struct kmig_page_bitmap)

/**
 * struct kmig_prealloc - argument of KMIG_IOC_PREALLOC
 * @first: first page index
 * @count: pages, clipped to the region's end
 * @reserved: zero
 *
 * Populate pages with zeros without faulting them in, as a VMM does for
 * guest RAM that must not be allocated lazily (QEMU's -mem-prealloc). The
 * pages count as populated (and are migrated) like written ones. The
 * region must have its size (mmap first). Interrupted by a fatal signal.
 */
struct kmig_prealloc {
	__u64 first;
	__u64 count;
	__u64 reserved;
};

#define KMIG_IOC_PREALLOC	_IOW(KMIG_IOC_MAGIC, 0x03, struct kmig_prealloc)
/* kmig: hand-written part end */

#endif /* _UAPI_LINUX_KMIG_H */
