/* SPDX-License-Identifier: GPL-2.0 */
/* kmig-systest wire-peer / wire-sink (wire-peer.c). */
#ifndef KMIG_SYSTEST_WIRE_PEER_H
#define KMIG_SYSTEST_WIRE_PEER_H

int wire_peer_main(int argc, char **argv);
int wire_sink_main(int argc, char **argv);

#endif
