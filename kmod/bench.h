/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Benchmark hooks in debugfs (kmig/tcp_loopback): the in-kernel TCP
 * loopback throughput of the channels' send and receive path. Built only
 * with CONFIG_KMIG_BENCH (the modules of the bench kernel, see Kbuild);
 * without it the hooks do nothing.
 */
#ifndef _KMIG_BENCH_H
#define _KMIG_BENCH_H

#ifdef KMIG_BENCH
void kmig_bench_init(void);
void kmig_bench_uninit(void);
#else
static inline void kmig_bench_init(void)
{
}

static inline void kmig_bench_uninit(void)
{
}
#endif

#endif /* _KMIG_BENCH_H */
