/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The receive path of a destination channel: its thread checks every
 * header and offset block before it reads any page data, then writes the
 * pages through a page sink (sink.h).
 */
#ifndef _KMIG_RECEIVE_H
#define _KMIG_RECEIVE_H

/* The destination channel thread (kthread function, @data: the channel). */
int kmig_receive_thread(void *data);

#endif /* _KMIG_RECEIVE_H */
