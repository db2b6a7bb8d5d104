/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The receive path of a destination channel: its thread checks every
 * header and offset block before it reads any page data, then writes the
 * pages through a page sink (sink.h).
 */
#ifndef _KMIG_RECEIVE_H
#define _KMIG_RECEIVE_H

struct kmig_channel;

/*
 * Start a destination channel's thread (its hello accepted: ch->lim and
 * ch->crc are set); its pages go into the region until COLO.
 */
int kmig_receive_start(struct kmig_channel *ch);

#endif /* _KMIG_RECEIVE_H */
