// SPDX-License-Identifier: GPL-2.0
/*
 * migctl: control tool of kmig, in-kernel live migration of VM memory.
 *
 * main(), global options, the command table and the help texts. Each
 * command group lives in its own file (regions.c, params.c, stats.c,
 * scan.c, migration.c); netlink plumbing is in nl.c, output helpers in output.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kmig.h>

#include "migctl.h"

#ifndef MIGCTL_VERSION
#define MIGCTL_VERSION "unknown"
#endif

struct migctl_opts opts;

#define STR_(x) #x
#define STR(x) STR_(x)

static const char usage_main[] =
"Usage: migctl [OPTIONS] COMMAND [ARGS]\n"
"       migctl help [COMMAND]\n"
"       migctl COMMAND --help\n"
"\n"
"Control the kmig kernel module (in-kernel live migration of VM memory)\n"
"through its generic netlink family \"" KMIG_FAMILY_NAME "\".\n"
"\n"
"Options (before or after COMMAND):\n"
"  -j, --json      print JSON instead of text\n"
"  -p, --pretty    indent the JSON output (with --json)\n"
"  -h, --help      print help (of COMMAND, if given after it) and exit\n"
"  -V, --version   print the version and exit\n"
"\n"
"Commands:\n"
"  regions [ID]                  list the regions, or show region ID\n"
"  params                        show the migration parameters\n"
"  set KEY VALUE [KEY VALUE]...  change migration parameters\n"
"  stats                         show the module-wide counters\n"
"  scan ID [--zero-check IMPL]   check the pages of a region for zero\n"
"  keygen                        print a new migration key (base64)\n"
"  vm listen|migrate --qmp SOCKET [OPTIONS]\n"
"                                move a running QEMU VM (kmig: RAM, QEMU:\n"
"                                device state), one command per host\n"
"  listen --region ID --key-file FILE|--insecure [OPTIONS]\n"
"                                receive a migration into a region\n"
"  start --region ID --to HOST:PORT --key-file FILE|--insecure [OPTIONS]\n"
"                                migrate a region to a listening host\n"
"  status [--region ID] [--watch]\n"
"                                show the migrations (or wait for them)\n"
"  cancel --region ID            cancel the migration of a region\n"
"  switchover --region ID [--wait]\n"
"                                end a live migration (guest paused)\n"
"  dirty-push --region ID --pages LIST\n"
"                                mark pages dirty in a live migration\n"
"  checkpoint --region ID        take a COLO checkpoint now\n"
"  colo-paused --region ID --checkpoint N\n"
"                                report the guest paused for COLO checkpoint N\n"
"  monitor [--region ID] [--count N]\n"
"                                print the migration events as they come\n"
"  help [COMMAND]                print help\n"
"\n"
"Exit status: 0 on success, 1 on error, 2 on usage error. An error is\n"
"reported as one line on stderr: \"migctl: <what>: <reason>\", with the\n"
"kernel's message appended as \"(kernel: <message>)\" when it gave one.\n"
"In JSON, attributes the module does not report are left out; in text\n"
"they are printed as \"-\". An enum value unknown to this migctl is\n"
"printed as unknown(N) in text and as the number N in JSON.\n";

static const char usage_regions[] =
"Usage: migctl [-j] regions [ID]\n"
"\n"
"Without ID, list all regions (one per open of /dev/kmig) as a table;\n"
"nothing is printed when there is none:\n"
"  ID         region id\n"
"  SIZE       region size (0 B before the first mmap)\n"
"  POPULATED  pages allocated so far, and their size\n"
"  OWNER      pid/comm of the process that opened /dev/kmig\n"
"  MAPPINGS   live mappings of the region\n"
"  FAULTS     page faults served\n"
"\n"
"With ID, print all attributes of region ID as \"key: value\" lines:\n"
"  id, size, populated-pages, owner-pid, owner-comm, mappings, faults,\n"
"  alloc-failures, zero-pages, zero-bytes, normal-pages, normal-bytes,\n"
"  page-size\n"
"\n"
"JSON: an array of objects, one per region (a single object with ID),\n"
"with the keys id, size, populated_pages, owner_pid, owner_comm,\n"
"mappings, faults, alloc_failures, zero_pages, zero_bytes, normal_pages,\n"
"normal_bytes, page_size. Sizes are in bytes.\n";

static const char usage_params[] =
"Usage: migctl [-j] params\n"
"\n"
"Show the migration parameters:\n"
"  channels              channels of the next migration (1.." STR(KMIG_CHANNELS_MAX) ")\n"
"  zero-page-detection   where zero pages are detected: none, main, channel\n"
"  zero-check            requested zero-check implementation\n"
"  zero-check-active     zero-check implementation in use\n"
"  zero-check-available  implementations this CPU can run\n"
"  region-size-max       largest region size\n"
"  max-regions-per-user  regions one user may have at once (0: no limit)\n"
"  max-memory            memory all regions together may use (0: no limit)\n"
"  max-channels          channels one migration may use\n"
"  max-migrations        migrations that may run at once (0: no limit)\n"
"\n"
"JSON: one object with the keys channels, zero_page_detection,\n"
"zero_check, zero_check_active (names), zero_check_available (array of\n"
"names), region_size_max (bytes), max_regions_per_user, max_memory\n"
"(bytes), max_channels, max_migrations.\n";

static const char usage_set[] =
"Usage: migctl set [-f|--force] KEY VALUE [KEY VALUE]...\n"
"\n"
"Change migration parameters, all in one request (needs CAP_NET_ADMIN):\n"
"  channels N                                 1.." STR(KMIG_CHANNELS_MAX) "\n"
"  zero-page-detection none|main|channel\n"
"  zero-check auto|generic|sse2|avx2|avx512\n"
"and the resource limits (lowering one refuses new allocations only):\n"
"  max-regions-per-user N                     0 (no limit) or more\n"
"  max-memory SIZE                            0 (no limit), bytes with K/M/G/T,\n"
"                                             or N% of this machine's RAM\n"
"  max-channels N                             1.." STR(KMIG_CHANNELS_MAX) "\n"
"  max-migrations N                           0 (no limit) or more\n"
"Example: migctl set channels 4 zero-check avx2\n"
"\n"
"Values are checked here first; the module has the last word (it refuses\n"
"an implementation the CPU lacks, for instance). Prints nothing on success.\n"
"  -f, --force   skip the local checks: send any 32-bit channel count and\n"
"                accept enum values as numbers (to exercise the module's\n"
"                own checks)\n";

static const char usage_stats[] =
"Usage: migctl [-j] stats\n"
"\n"
"Show the module-wide counters:\n"
"  regions               regions that exist now\n"
"  populated-pages       pages allocated in all regions now\n"
"  faults                page faults served since load\n"
"  alloc-failures        faults that could not allocate a page since load\n"
"  mmap-refused          mmap calls refused since load\n"
"  regions-created       regions created since load\n"
"  scans                 region scans run since load\n"
"  migrations-started    migrations started (listen or start) since load\n"
"  migrations-completed  migrations completed since load\n"
"  migrations-failed     migrations failed since load\n"
"  migrations-cancelled  migrations cancelled since load\n"
"  rejected-connections  incoming channels rejected at the hello since load\n"
"  malformed-packets     packets that failed validation since load\n"
"  splice-fallbacks      data pages copied instead of spliced since load\n"
"  migrations-failed-over COLO migrations failed over since load\n"
"  auth-failures         channels that failed authentication since load (no\n"
"                        key, a wrong key, or a stall before the key was\n"
"                        proven; either side)\n"
"  integrity-errors      packets whose CRC-32C did not match since load\n"
"  limit-*-refused       refusals by max-regions-per-user (regions),\n"
"                        max-memory, max-channels, max-migrations since load\n"
"  migrations-running    migrations running now\n"
"\n"
"JSON: one object with the keys regions, populated_pages, faults,\n"
"alloc_failures, mmap_refused, regions_created, scans,\n"
"migrations_started, migrations_completed, migrations_failed,\n"
"migrations_cancelled, rejected_connections, malformed_packets,\n"
"splice_fallbacks, migrations_failed_over, auth_failures,\n"
"integrity_errors, limit_regions_refused, limit_memory_refused,\n"
"limit_channels_refused, limit_migrations_refused, migrations_running.\n";

static const char usage_scan[] =
"Usage: migctl [-j] scan ID [--zero-check IMPL]\n"
"\n"
"Check every populated page of region ID for zero (needs CAP_NET_ADMIN),\n"
"with implementation IMPL: auto, generic, sse2, avx2, avx512 (default:\n"
"the active one), and print:\n"
"  region      region id\n"
"  pages       pages of the region, populated or not\n"
"  populated   populated pages checked, and their size\n"
"  zero        zero pages (never-touched pages included)\n"
"  normal      pages holding data\n"
"  time        time spent checking\n"
"  throughput  populated bytes / time, in GiB/s\n"
"  zero-check  implementation that ran\n"
"\n"
"JSON: one object with the keys region_id, pages, populated_pages,\n"
"zero_pages, normal_pages, time_ns, zero_check_used (name), and the\n"
"derived page_size, populated_bytes, throughput_bytes_per_sec and\n"
"throughput_gib_per_sec (the last two left out when time_ns is 0).\n";

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

static const char usage_listen[] =
"Usage: migctl [-j] listen --region ID (--key-file FILE | --insecure)\n"
"                          [--addr ADDR] [--port PORT]\n"
"                          [--channels N] [--id HEX32] [--wait] [--interval MS]\n"
"                          [--colo] [--integrity]\n"
"\n"
"Make region ID the destination of a migration (needs CAP_NET_ADMIN): the\n"
"module listens on TCP ADDR:PORT, in migctl's network namespace, for the\n"
"channels of one migration and writes the pages they bring into the region.\n"
"  --region ID     region to receive into (see 'migctl regions')\n"
MIG_KEY_HELP
"  --addr ADDR     numeric IPv4 or IPv6 address to listen on (default: any\n"
"                  IPv4 address)\n"
"  --port PORT     TCP port 0..65535 (default 0: the module picks a free one)\n"
"  --channels N    channels to accept, 1.." STR(KMIG_CHANNELS_MAX) " (default: the channels parameter)\n"
"  --id HEX32      migration id, 32 hex digits (dashes allowed, as in a\n"
"                  UUID): accept only channels carrying it (default: adopt\n"
"                  the id of the first channel accepted)\n"
MIG_WAIT_HELP
"  --colo          accept a COLO primary ('migctl start --live --colo'):\n"
"                  after the switchover the region becomes the COLO\n"
"                  secondary, holding the last committed checkpoint (see\n"
"                  'migctl start --help')\n"
"  --integrity     require a CRC-32C on every packet ('migctl start\n"
"                  --integrity'); without it a source that asks still gets it\n"
"\n"
"Prints the status of the new migration as 'migctl status' does: state\n"
"listening, the address and port listened on (the port the module picked\n"
"when PORT is 0), the migration id when given. With --wait, the text output\n"
"is this status at once, then the final one; JSON is only the final one.\n"
"Exit status with --wait: 0 when the migration completed, 1 when it failed\n"
"or was cancelled, with \"migctl: migration failed: REASON\" on stderr, or\n"
"failed over (COLO), with \"migctl: COLO failover: REASON (last committed\n"
"checkpoint N)\" on stderr.\n";

static const char usage_start[] =
"Usage: migctl [-j] start --region ID --to HOST:PORT\n"
"                         (--key-file FILE | --insecure) [--channels N]\n"
"                         [--zero-page-detection none|main|channel]\n"
"                         [--id HEX32] [--wait] [--interval MS]\n"
"                         [--live] [--downtime-limit MS] [--max-bandwidth RATE]\n"
"                         [--max-passes N] [--no-convergence continue|switchover]\n"
"                         [--colo] [--checkpoint-interval MS] [--integrity]\n"
"\n"
"Migrate region ID to a destination started with 'migctl listen' (needs\n"
"CAP_NET_ADMIN), over TCP from migctl's network namespace. Returns once\n"
"the migration is set up; it runs in the background ('migctl status').\n"
"  --region ID     region to send (see 'migctl regions')\n"
"  --to HOST:PORT  where the destination listens: 192.0.2.7:4444 or\n"
"                  [2001:db8::7]:4444; HOST must be a numeric address\n"
"                  (names are not resolved), PORT 1..65535\n"
MIG_KEY_HELP
"  --channels N    channels (TCP connections, one kernel thread each),\n"
"                  1.." STR(KMIG_CHANNELS_MAX) " (default: the channels parameter)\n"
"  --zero-page-detection none|main|channel\n"
"                  where zero pages are found: not at all, by the\n"
"                  dispatcher, or by each channel thread (default: the\n"
"                  zero-page-detection parameter)\n"
"  --id HEX32      migration id sent in every channel's hello, 32 hex\n"
"                  digits (default: a random one)\n"
"  --integrity     a CRC-32C after every packet, checked before anything of\n"
"                  it is applied; a mismatch fails the migration (pages are\n"
"                  then copied on both sides instead of spliced)\n"
MIG_WAIT_HELP
"\n"
"Live migration (the guest keeps running; without --live a single pass is\n"
"sent and the guest is expected to be paused already):\n"
"  --live          track the pages written meanwhile and send them again in\n"
"                  further passes until the expected downtime is within the\n"
"                  limit; the module then reports switchover-ready and the\n"
"                  migration goes on until 'migctl switchover' (or the VMM's\n"
"                  own mig-switchover) after the guest has been paused\n"
"  --downtime-limit MS\n"
"                  largest acceptable downtime, 1..3600000 ms (default: the\n"
"                  module's, 300)\n"
"  --max-bandwidth RATE\n"
"                  bandwidth limit of all channels together in bytes per\n"
"                  second, with an optional suffix K, M or G (powers of\n"
"                  1024): 104857600 or 100M; 0 for none (the default)\n"
"  --max-passes N  passes after which the --no-convergence policy applies\n"
"                  (default 0: no limit)\n"
"  --no-convergence continue|switchover\n"
"                  at --max-passes without convergence: keep sending\n"
"                  passes (continue, the default) or report switchover-ready\n"
"                  anyway (the downtime will exceed the limit)\n"
"The options after --live require it.\n"
"\n"
"COLO (coarse-grained lock-stepping; needs --live, and a destination\n"
"listening with 'migctl listen --colo'):\n"
"  --colo          after the switchover the migration does not complete:\n"
"                  both sides enter state colo with checkpoint 0 committed\n"
"                  (this host the COLO primary, the destination the\n"
"                  secondary) and stay connected; a checkpoint is taken\n"
"                  every interval: on each side the module reports\n"
"                  checkpoint-pause N, the VMM pauses its guest and answers\n"
"                  with colo-paused N within 10 s (else the checkpoint\n"
"                  fails and both sides fail over), the pages written since\n"
"                  the last checkpoint go out, and checkpoint-done N tells\n"
"                  it to resume. State colo lasts until 'migctl cancel' or\n"
"                  a failover (the peer is lost): the secondary then holds\n"
"                  the last committed checkpoint, the primary runs on alone\n"
"  --checkpoint-interval MS\n"
"                  time between checkpoints, 10..3600000 ms (default: the\n"
"                  module's, 1000); requires --colo\n"
"\n"
"Prints the status of the new migration as 'migctl status' does (with\n"
"--wait, only the final one). Exit status with --wait: 0 when the\n"
"migration completed, 1 when it failed or was cancelled, with\n"
"\"migctl: migration failed: REASON\" on stderr, or failed over (COLO,\n"
"which never completes), with \"migctl: COLO failover: REASON (last\n"
"committed checkpoint N)\" on stderr.\n"
"\n"
"A live migration completes only after its switchover: 'start --live\n"
"--wait' waits for it, printing once on stderr \"migctl: switchover ready:\n"
"pause the guest and run 'migctl switchover --region ID'\" when the module\n"
"reports switchover-ready; run that (from another shell, or the VMM) to let\n"
"it complete, or 'migctl cancel --region ID' to give up.\n";

static const char usage_status[] =
"Usage: migctl [-j] status [--region ID] [--watch] [--interval MS]\n"
"\n"
"Show the migration of region ID, or of every region that has one (the\n"
"last migration of a region stays visible after it ended). One block per\n"
"migration, like QEMU's 'info migrate'; lines the module does not report\n"
"are left out:\n"
"  Region ID: ROLE, STATE    source or destination; listening, setup,\n"
"                            active, completed, failed, cancelled, colo\n"
"                            or failover\n"
"  Migration id              16 bytes in hex, carried in every hello\n"
"  Peer / Listening on       destination address and port\n"
"  Channels                  channels, and where zero pages are detected\n"
"  Auth                      hmac-sha256 (channels prove the key) or none\n"
"                            (insecure)\n"
"  Total time                time since start, or until the end (setup:\n"
"                            until every channel was connected)\n"
"  Throughput                wire megabits per second while active\n"
"  Transferred               wire bytes and packets, all channels\n"
"  Pages                     pages sent (of the pages to send; live: every\n"
"                            resend counts) or received\n"
"  Zero pages, Normal pages  pages sent as zero / with data, and their size\n"
"  Splice fallbacks          data pages copied instead of spliced (source)\n"
"  Passes                    passes over the region completed\n"
"  Live                      yes, with the downtime limit, bandwidth limit,\n"
"                            pass limit and no-convergence policy\n"
"  COLO                      yes, with the checkpoint interval (primary)\n"
"  Pass                      live: pass being sent (0: the full first one)\n"
"  Dirty rate                live: pages dirtied per second in the last pass\n"
"  Expected downtime         live: remaining bytes / measured bandwidth\n"
"  Remaining                 live: dirty bytes still to send\n"
"  Dirty syncs               live: dirty bitmap collections\n"
"  Switchover ready          live: yes once switchover-ready was reported\n"
"  Downtime                  live: real downtime, switchover to completion\n"
"  Committed checkpoint      COLO: the last checkpoint committed (the one\n"
"                            a secondary holds)\n"
"  Checkpoints               COLO: checkpoints committed after checkpoint 0\n"
"  Last checkpoint           COLO: pages and wire bytes of the last one\n"
"  COLO cache                COLO secondary: pages held in the COLO cache\n"
"  Rejected connections      channels refused at the hello (destination)\n"
"  Malformed packets         packets that failed validation (destination)\n"
"  Auth failures             channels that failed authentication (a\n"
"                            destination: dropped before a page; a source:\n"
"                            the destination lacks the key)\n"
"  Reason                    why it failed, was cancelled or failed over\n"
"  Latency table             COLO: per checkpoint latency (transfer, flush:\n"
"                            the secondary's; pause: the primary's), the\n"
"                            count, last, mean, p50, p99 and max in ms\n"
"  Channel table             per channel: CPU, pages, zero pages, packets,\n"
"                            bytes\n"
"\n"
"  --region ID     only the migration of region ID\n"
"  --watch         poll until the migration (every migration, without\n"
"                  --region) has completed, failed, been cancelled or\n"
"                  failed over (COLO: state colo goes on), then print the\n"
"                  final status. When stdout and stderr are terminals a\n"
"                  progress line is redrawn on stderr meanwhile: state,\n"
"                  pass (live), percent, pages, expected downtime (live),\n"
"                  throughput, time; in state colo the committed checkpoint\n"
"                  and the last pause. A live migration ready for\n"
"                  its switchover is announced once on stderr: \"migctl:\n"
"                  switchover ready: pause the guest and run 'migctl\n"
"                  switchover --region ID'\"\n"
"  --interval MS   poll period of --watch in milliseconds (default 200)\n"
"\n"
"Exit status with --watch: 0 when every migration completed, 1 when one\n"
"failed or was cancelled, with \"migctl: migration failed: REASON\" (one\n"
"line each; \"REGION: REASON\" without --region) on stderr, or failed\n"
"over, with \"migctl: COLO failover: REASON (last committed checkpoint\n"
"N)\".\n"
"\n"
"JSON: one object (an array of objects without --region) with the keys\n"
"region_id, role, state (names), addr, port, channels,\n"
"zero_page_detection (name), migration_id (hex string), pages_total,\n"
"pages_done, zero_pages, zero_bytes, normal_pages, normal_bytes, packets,\n"
"bytes, splice_fallbacks, setup_ns, time_ns, throughput (wire bytes per\n"
"second), reason, rejected_connections, malformed_packets, passes,\n"
"live (true or false), downtime_limit_ms, max_bandwidth (bytes per\n"
"second, 0: none), max_passes, no_convergence (name), pass, dirty_rate\n"
"(pages per second), expected_downtime_ns (18446744073709551615 while\n"
"unknown), remaining_bytes, downtime_ns, dirty_syncs, switchover_ready\n"
"(0 or 1), colo (true or false), checkpoint_interval_ms, checkpoint,\n"
"checkpoints, ckpt_pages, ckpt_bytes, colo_cache_pages, auth (1: the\n"
"channels authenticate with the key, 0: insecure), auth_failures,\n"
"colo_latency: an\n"
"object with one key per metric reported (transfer, flush, pause; a\n"
"metric unknown to migctl as its number), each an object with the keys\n"
"count, last_ns, mean_ns, p50_ns, p99_ns, max_ns, and channel: an array\n"
"of objects with the keys id, cpu, pages, zero_pages, bytes, packets.\n"
"Keys of attributes the module did not report are left out (live and\n"
"colo are always there).\n";

static const char usage_cancel[] =
"Usage: migctl [-j] cancel --region ID\n"
"\n"
"Cancel the migration of region ID, on either side (needs CAP_NET_ADMIN),\n"
"and print its status as 'migctl status' does.\n";

static const char usage_switchover[] =
"Usage: migctl [-j] switchover --region ID [--wait] [--interval MS]\n"
"\n"
"Tell the module that the guest of a live migration ('migctl start --live')\n"
"has been paused (needs CAP_NET_ADMIN): it sends the pages still dirty,\n"
"completes the migration and measures the downtime. Only for the source\n"
"side of a live migration; pause the vCPUs first, or pages written after\n"
"the switchover are lost.\n"
"  --region ID     region of the live migration (source side)\n"
MIG_WAIT_HELP
"\n"
"Prints the status as 'migctl status' does (with --wait, only the final\n"
"one, with the downtime). Exit status with --wait: 0 when the migration\n"
"completed, 1 when it failed or was cancelled, with \"migctl: migration\n"
"failed: REASON\" on stderr. A COLO migration enters state colo at its\n"
"switchover and does not complete: --wait then waits for its end (cancel\n"
"or failover).\n";

static const char usage_dirty_push[] =
"Usage: migctl [-j] dirty-push --region ID --pages LIST\n"
"\n"
"Mark pages of region ID dirty in its live migration (source side; needs\n"
"CAP_NET_ADMIN), as a VMM that collects KVM's dirty log itself does with\n"
"mig-dirty-push: the pages are merged into kmig's own dirty bitmap and go\n"
"out again in the next pass. Meant for testing and for VMM authors.\n"
"  --pages LIST    page indexes and inclusive ranges, e.g. 0-99,4096,8000-8191\n"
"                  (at most 256 items)\n"
"\n"
"Prints \"region ID: N pages marked dirty\" (JSON: {\"region\":ID,\"pages\":N}).\n"
"Fails when the region has no live migration running, or a page is past\n"
"the end of the region.\n";

static const char usage_checkpoint[] =
"Usage: migctl [-j] checkpoint --region ID\n"
"\n"
"Take a COLO checkpoint now on region ID, the primary of a COLO migration\n"
"('migctl start --live --colo') in state colo (needs CAP_NET_ADMIN),\n"
"instead of waiting for the rest of the checkpoint interval. The request\n"
"only starts the checkpoint, which runs as usual: checkpoint-pause N,\n"
"which the VMMs answer with colo-paused N, then checkpoint-done N\n"
"('migctl monitor' shows them). Asked during a checkpoint, the next one\n"
"starts as soon as it is committed.\n"
"\n"
"Prints the status of the migration as 'migctl status' does.\n";

static const char usage_colo_paused[] =
"Usage: migctl [-j] colo-paused --region ID --checkpoint N\n"
"\n"
"Tell the module that the guest of region ID is paused for COLO\n"
"checkpoint N (needs CAP_NET_ADMIN), as a VMM does after the\n"
"checkpoint-pause N event ('migctl monitor'): the checkpoint's pages then\n"
"go out, and checkpoint-done N says when the guest may run again. Both\n"
"sides' VMMs answer their own checkpoint-pause events; without the answer\n"
"within 10 s the checkpoint fails and the migration fails over. Meant for\n"
"testing, for manual operation and for VMM authors.\n"
"  --region ID     region of the COLO migration, either side\n"
"  --checkpoint N  the checkpoint of the checkpoint-pause event,\n"
"                  0..18446744073709551615\n"
"\n"
"Prints nothing (JSON: {\"region\":ID,\"checkpoint\":N}). Fails when the\n"
"region has no COLO migration in state colo, or no pause was asked for\n"
"checkpoint N (or it was already acknowledged). N is always the status's\n"
"checkpoint + 1 ('migctl status' shows it as Committed checkpoint).\n";

static const char usage_monitor[] =
"Usage: migctl [-j] monitor [--region ID] [--count N]\n"
"\n"
"Print the migration events of the module as they come (multicast group\n"
"\"" KMIG_MCGRP_EVENTS "\"), one line each, until interrupted:\n"
"  region 3 source setup                              (state changes)\n"
"  region 3 source pass-done pass 2: 1234 dirty pages, dirty rate 5000\n"
"      pages/s, expected downtime 12 ms, remaining 4.8 MiB\n"
"  region 3 source switchover-ready (expected downtime 12 ms <= 300 ms)\n"
"  region 3 source completed (downtime 45 ms)\n"
"  region 3 destination completed\n"
"  region 3 source failed: REASON\n"
"  region 3 source cancelled: REASON\n"
"  region 3 source checkpoint-pause 12                (COLO)\n"
"  region 3 source checkpoint-done 12: 1234 pages, 4.8 MiB, pause 31.2 ms\n"
"      (transfer 20.1 ms, flush 2.3 ms)\n"
"  region 4 destination checkpoint-done 12: 1234 pages, 4.8 MiB,\n"
"      transfer 20.1 ms, flush 2.3 ms\n"
"  region 4 destination failover: REASON (holds checkpoint 11)\n"
"  region 3 source failover: REASON (last committed checkpoint 11)\n"
"Dirty pages are the remaining bytes in pages of this host's page size.\n"
"A checkpoint's pause (primary) runs from checkpoint-pause to\n"
"checkpoint-done; transfer and flush are the secondary's part of it.\n"
"Standard output is flushed after each event (for pipes).\n"
"  --region ID     only the events of region ID\n"
"  --count N       exit after N events (those of --region), 1..4294967295\n"
"\n"
"JSON: one object per line (JSON lines, --pretty is ignored) with the keys\n"
"of 'migctl status --json' and event: state, pass-done, switchover-ready,\n"
"completed, failed, cancelled, checkpoint-pause, checkpoint-done or\n"
"failover.\n";

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

static const char usage_help[] =
"Usage: migctl help [COMMAND]\n"
"\n"
"Print the help of migctl, or of COMMAND.\n";

static int cmd_help(int argc, char **argv);

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "regions",	cmd_regions,	usage_regions },
	{ "params",	cmd_params,	usage_params },
	{ "set",	cmd_set,	usage_set },
	{ "stats",	cmd_stats,	usage_stats },
	{ "scan",	cmd_scan,	usage_scan },
	{ "listen",	cmd_listen,	usage_listen },
	{ "start",	cmd_start,	usage_start },
	{ "status",	cmd_status,	usage_status },
	{ "cancel",	cmd_cancel,	usage_cancel },
	{ "switchover",	cmd_switchover,	usage_switchover },
	{ "dirty-push",	cmd_dirty_push,	usage_dirty_push },
	{ "checkpoint",	cmd_checkpoint,	usage_checkpoint },
	{ "colo-paused", cmd_colo_paused, usage_colo_paused },
	{ "monitor",	cmd_monitor,	usage_monitor },
	{ "keygen",	cmd_keygen,	usage_keygen },
	{ "vm",		cmd_vm,		usage_vm },
	{ "help",	cmd_help,	usage_help },
};

/* Accepted other spellings. */
static const struct {
	const char *alias, *name;
} aliases[] = {
	{ "region", "regions" },
	{ "param", "params" },
	{ "stat", "stats" },
};


static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(aliases); i++)
		if (!strcmp(name, aliases[i].alias))
			name = aliases[i].name;
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

static void print_full_help(void)
{
	size_t i;

	fputs(usage_main, stdout);
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		if (commands[i].fn == cmd_help)
			continue;
		fputc('\n', stdout);
		fputs(commands[i].help, stdout);
	}
}

static int cmd_help(int argc, char **argv)
{
	const struct command *c;

	if (argc == 1) {
		print_full_help();
		return EXIT_OK;
	}
	if (argc > 2)
		return usage_err("help", "too many arguments (usage: migctl help [COMMAND])");
	c = find_command(argv[1]);
	if (!c)
		return usage_err("help", "unknown command '%s' (try 'migctl help')",
				 argv[1]);
	fputs(c->help, stdout);
	return EXIT_OK;
}

static void verr_line(const char *fmt, va_list ap)
{
	char buf[1024];
	char *p;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	/* One line, whatever the kernel or a string attribute holds. */
	for (p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	fflush(stdout);
	fprintf(stderr, "migctl: %s\n", buf);
}

void err_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr_line(fmt, ap);
	va_end(ap);
}

int usage_err(const char *cmd, const char *fmt, ...)
{
	char buf[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (cmd)
		err_line("%s: %s", cmd, buf);
	else
		err_line("%s", buf);
	return EXIT_USAGE;
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

/* Global options, anywhere on the command line. */
static bool is_opt(const char *a, const char *s, const char *l)
{
	return !strcmp(a, s) || !strcmp(a, l);
}

/* Flush stdout and turn a failed write into an error. */
static int finish(int ret)
{
	if (fflush(stdout) || ferror(stdout)) {
		int e = errno;

		err_line("write error: %s", strerror(e ? e : EIO));
		return EXIT_ERR;
	}
	return ret;
}

int main(int argc, char **argv)
{
	const struct command *cmd;
	bool want_help = false;
	char **sub;
	int i, n;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-' || !a[1])
			break;
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (is_opt(a, "-j", "--json")) {
			opts.json = true;
		} else if (is_opt(a, "-p", "--pretty")) {
			opts.pretty = true;
		} else if (is_opt(a, "-h", "--help")) {
			print_full_help();
			return finish(EXIT_OK);
		} else if (is_opt(a, "-V", "--version")) {
			printf("migctl %s (kmig generic netlink family version %d)\n",
			       MIGCTL_VERSION, KMIG_FAMILY_VERSION);
			return finish(EXIT_OK);
		} else {
			return usage_err(a, "unknown option (try 'migctl help')");
		}
	}
	if (i == argc)
		return usage_err(NULL, "no command given (try 'migctl help')");

	cmd = find_command(argv[i]);
	if (!cmd)
		return usage_err(argv[i], "unknown command (try 'migctl help')");

	/* The command's arguments, global options taken out. */
	sub = calloc(argc - i + 1, sizeof(*sub));
	if (!sub) {
		err_line("out of memory");
		return EXIT_ERR;
	}
	sub[0] = (char *)cmd->name;
	n = 1;
	for (i++; i < argc; i++) {
		const char *a = argv[i];

		if (is_opt(a, "-j", "--json"))
			opts.json = true;
		else if (is_opt(a, "-p", "--pretty"))
			opts.pretty = true;
		else if (is_opt(a, "-h", "--help"))
			want_help = true;
		else
			sub[n++] = argv[i];
	}
	sub[n] = NULL;

	if (want_help) {
		free(sub);
		fputs(cmd->help, stdout);
		return finish(EXIT_OK);
	}
	i = cmd->fn(n, sub);
	free(sub);
	return finish(i);
}
