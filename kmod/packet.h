/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A channel's packet I/O that both directions (send.c, receive.c) and the
 * COLO loops share: the CRC-32C that follows a packet with integrity, and
 * header-only packets.
 */
#ifndef _KMIG_PACKET_H
#define _KMIG_PACKET_H

#include <linux/types.h>

struct kmig_channel;

/*
 * A header-only packet (an acknowledgment) of @len bytes in @buf, which
 * has room for KMIG_WIRE_CRC_SIZE more: with integrity its CRC-32C is
 * appended, sent, or received and checked (-EILSEQ on a mismatch, after
 * failing the migration).
 */
int kmig_packet_send_small(struct kmig_channel *ch, u8 *buf, size_t len);
int kmig_packet_recv_small(struct kmig_channel *ch, u8 *buf, size_t len);

/*
 * Integrity (ch->crc): the CRC-32C of a packet follows it. @at gets the
 * CRC of @a and @b, big-endian.
 */
int kmig_packet_put_crc(struct kmig_channel *ch, u8 *at, const void *a,
			size_t alen, const void *b, size_t blen);
/*
 * Read the CRC-32C after a packet (@a and @b) and check it before anything
 * of the packet is used. 0 when it matches; on a mismatch the migration
 * fails (reason, counter) and -EILSEQ is returned; another negative errno
 * when the receive failed.
 */
int kmig_packet_check_crc(struct kmig_channel *ch, const void *a,
			  size_t alen, const void *b, size_t blen);

#endif /* _KMIG_PACKET_H */
