/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Benchmark hooks in debugfs, directory kmig: tcp_loopback (bench.c), the
 * in-kernel TCP loopback throughput of the channels' send and receive
 * path; scan_limit (bench_scan.c), the in-kernel memory read limit over a
 * region's pages; fill (bench_fill.c), random bytes into a region's pages
 * from the kernel. Built only with CONFIG_KMIG_BENCH (the modules of the
 * bench kernel, see Kbuild); without it the hooks do nothing.
 */
#ifndef _KMIG_BENCH_H
#define _KMIG_BENCH_H

#ifdef KMIG_BENCH
struct dentry;

void kmig_bench_init(void);
void kmig_bench_uninit(void);

/* The files of bench_scan.c and bench_fill.c, in the directory @dir. */
void kmig_bench_scan_init(struct dentry *dir);
void kmig_bench_fill_init(struct dentry *dir);
#else
static inline void kmig_bench_init(void)
{
}

static inline void kmig_bench_uninit(void)
{
}
#endif

#endif /* _KMIG_BENCH_H */
