/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Benchmark hooks in debugfs (kmig/tcp_loopback): the in-kernel TCP
 * loopback throughput of the channels' send and receive path.
 */
#ifndef _KMIG_BENCH_H
#define _KMIG_BENCH_H

void kmig_bench_init(void);
void kmig_bench_uninit(void);

#endif /* _KMIG_BENCH_H */
