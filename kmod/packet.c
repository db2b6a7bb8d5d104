// SPDX-License-Identifier: GPL-2.0
/*
 * A channel's packet I/O that both directions share (packet.h): the
 * CRC-32C after a packet with integrity, and header-only packets
 * (acknowledgments, controls). A CRC mismatch fails the migration.
 */
#include <linux/kernel.h>
#include <linux/net.h>

#include "packet.h"
#include "channel.h"
#include "mig.h"
#include "sock.h"
#include "crc.h"
#include "wire.h"

int kmig_packet_put_crc(struct kmig_channel *ch, u8 *at, const void *a,
			size_t alen, const void *b, size_t blen)
{
	__be32 be;
	u32 crc;
	int ret;

	ret = kmig_crc_calc(&ch->mig->crc, a, alen, b, blen, &crc);
	if (ret)
		return ret;
	be = cpu_to_be32(crc);
	memcpy(at, &be, sizeof(be));
	return 0;
}

int kmig_packet_check_crc(struct kmig_channel *ch, const void *a,
			  size_t alen, const void *b, size_t blen)
{
	struct kmig_mig *mig = ch->mig;
	u32 want, got;
	__be32 be;
	int ret;

	ret = kmig_sock_recv(ch->ks.sock, &be, sizeof(be));
	if (ret)
		return ret;
	atomic64_add(sizeof(be), &ch->bytes);
	ret = kmig_crc_calc(&mig->crc, a, alen, b, blen, &got);
	if (ret)
		return ret;
	want = be32_to_cpu(be);
	if (want == got)
		return 0;
	kmig_mig_count_integrity(mig);
	kmig_mig_fail(mig,
		      "channel %u packet %llu: CRC-32C mismatch (sent %08x, computed %08x)",
		      ch->id, ch->seq, want, got);
	return -EILSEQ;
}

/* A packet without data (header only) from @buf, room for a CRC after. */
int kmig_packet_send_small(struct kmig_channel *ch, u8 *buf, size_t len)
{
	int ret;

	if (ch->crc) {
		ret = kmig_packet_put_crc(ch, buf + len, buf, len, NULL, 0);
		if (ret)
			return ret;
		len += KMIG_WIRE_CRC_SIZE;
	}
	ret = kmig_sock_send(ch->ks.sock, buf, len, false);
	if (!ret)
		atomic64_add(len, &ch->bytes);
	return ret;
}

/* Receive a header-only packet into @buf and check its CRC. */
int kmig_packet_recv_small(struct kmig_channel *ch, u8 *buf, size_t len)
{
	int ret;

	ret = kmig_sock_recv(ch->ks.sock, buf, len);
	if (ret)
		return ret;
	atomic64_add(len, &ch->bytes);
	return ch->crc ? kmig_packet_check_crc(ch, buf, len, NULL, 0) : 0;
}
