// SPDX-License-Identifier: GPL-2.0
/*
 * A hand-made peer of wire protocol v1 (Documentation/kmig/protocol.rst),
 * built on the module's own codec (kmod/wire.c, compiled unchanged):
 *
 *   kmig-systest wire-peer --to HOST:PORT --case CASE [--id HEX32]
 *       [--channels N] [--channel-id I] [--region-size BYTES]
 *       [--page-size BYTES] [--max-pages N] [--seed S] [--prefix N]
 *       [--expect-status S] [--timeout SEC] [--packets N] [--interval-ms MS]
 *       [--hold]
 *
 * Neither side authenticates (no AUTH feature, no HMAC): the kmig end of a
 * test against wire-peer or wire-sink runs without a key (migctl listen or
 * start --insecure); a keyed kmig destination refuses wire-peer's hello
 * with status 12 (authentication), a keyed kmig source wire-sink's reply.
 *
 * A source that connects, sends a hello, reads the 64-byte reply and
 * prints "reply status S reason '...'", then sends what CASE asks for
 * (valid traffic or one malformed item, see peer_cases[]). It exits 0 when
 * it could send what the case needs (the test judges the kernel side with
 * migctl status), 1 when not, 2 on bad usage.
 *
 * Case "slow" is a valid but slow source for the mid-transfer tests: N
 * DATA packets (--packets, default 1200) of two data pages each, distinct
 * pages throughout, one every MS milliseconds (--interval-ms, default
 * 50), never a SYNC or COMPLETE. Between packets it watches the
 * connection: when the destination closes or resets it, it prints "peer
 * closed[: error]" and exits 0. After the last packet it waits --timeout
 * seconds for that close ("no close within Ns", exit 0) and closes.
 *
 * Cases "future" and "future-only" play a later kmig (protocol.rst,
 * "Compatibility between kmig versions"): a hello offering versions 1..9
 * (future) or 2..9 (future-only), asking for CRC and the unknown feature
 * bits 40 and 63. An accepting reply prints "granted version V features
 * 0xF" (the reply decoder has refused a reply granting an unknown bit or
 * a version we do not speak); future then sends the valid traffic, with
 * a CRC-32C after each packet (and checks the one after the ack) when
 * CRC was granted.
 *
 * --hold: a source that dies in the handshake. After sending its hello
 * (the whole of it, or 10 bytes with case short-hello) it prints "holding
 * after the hello" and does nothing more, reading no reply, until it is
 * killed.
 *
 *   kmig-systest wire-sink --port PORT [--addr ADDR] [--id HEX32]
 *       [--channels N] [--region-size BYTES] [--page-size BYTES]
 *       [--conns N] [--timeout SEC] [--stall-after N] [--no-reply]
 *       [--grant HEX] [--reply-version V]
 *
 * A userspace reference destination with the same codec, to check the
 * peer (and its bytes) without the module: it prints "listening PORT",
 * then for each of N connections (default 1) one line: "conn K: short
 * hello", "conn K: reject S 'reason'", "conn K: error 'wire error text'",
 * "conn K: closed before COMPLETE" or "conn K: complete pass P ack sent",
 * and at the end "sink hash H populated N nonzero M" over what it
 * received. Connections are handshaken one at a time in accept order, then
 * each one's packets are read by a thread of its own.
 *
 * --stall-after N: a slow reader for the mid-transfer tests. Each
 * connection reads and validates N packets, prints "conn K: stalled after
 * N packets" and then reads nothing more but keeps the connection open,
 * so that a sender blocks on a full window (receive buffers are made
 * small for this); the process stays until it is killed.
 *
 * --no-reply: a destination that dies in the handshake. It reads the first
 * connection's hello, prints "conn 0: hello read, no reply" and then
 * neither replies nor reads, until it is killed.
 *
 * --grant HEX, --reply-version V: a later (or broken) destination, for a
 * kmig source's checks of the reply: an accepting reply grants the bits
 * HEX (whatever the hello asked for) and names version V (default: the
 * highest common one).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "wire.h"
#include "pagehash.h"
#include "wire-peer.h"

#define DEFAULT_ID	"6b6d69672d737973746573742d696430"	/* "kmig-systest-id0" */

struct peer_opts {
	const char *to;
	const char *addr;
	const char *kase;
	u8 id[KMIG_WIRE_MIGRATION_ID_LEN];
	int have_id;
	unsigned int channels;
	unsigned int channel_id;
	u64 region_size;
	u32 page_size;
	u32 max_pages;
	u64 seed;
	unsigned int prefix;
	int expect_status;
	unsigned int timeout;
	unsigned int port;
	unsigned int conns;
	unsigned int packets;
	unsigned int interval_ms;
	unsigned int stall_after;
	int hold;
	int no_reply;
	u64 grant;
	unsigned int reply_version;
};

static int parse_id(const char *s, u8 *id)
{
	unsigned int i, v;

	if (strlen(s) != 2 * KMIG_WIRE_MIGRATION_ID_LEN)
		return -1;
	for (i = 0; i < KMIG_WIRE_MIGRATION_ID_LEN; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		id[i] = (u8)v;
	}
	return 0;
}

static void set_timeout(int fd, unsigned int sec)
{
	struct timeval tv = { .tv_sec = sec };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* 0, or -errno; a short send (peer gone) is -EPIPE. */
static int send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!n)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Bytes received (< len at EOF), or -errno. */
static ssize_t recv_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = recv(fd, p + got, len - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return got ? (ssize_t)got : -errno;
		}
		if (!n)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/*
 * HOST:PORT or [V6]:PORT with a numeric address ("localhost" too): no
 * name resolution, which a static binary cannot do reliably.
 */
static int peer_connect(const char *to, unsigned int timeout)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	char host[256], *port, *end;
	unsigned long pn;
	int fd, v6;

	snprintf(host, sizeof(host), "%s", to);
	port = strrchr(host, ':');
	if (!port) {
		fprintf(stderr, "wire-peer: --to wants HOST:PORT\n");
		return -1;
	}
	*port++ = 0;
	pn = strtoul(port, &end, 10);
	if (host[0] == '[' && port - host >= 3 && port[-2] == ']') {
		port[-2] = 0;
		memmove(host, host + 1, strlen(host));
	}
	if (!strcmp(host, "localhost"))
		strcpy(host, "127.0.0.1");
	v6 = inet_pton(AF_INET6, host, &a6.sin6_addr) == 1;
	if ((!v6 && inet_pton(AF_INET, host, &a4.sin_addr) != 1) || *end || !pn ||
	    pn > 65535) {
		fprintf(stderr, "wire-peer: %s: want a numeric address and a port\n", to);
		return -1;
	}
	a4.sin_port = a6.sin6_port = htons((u16)pn);
	fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("socket");
		return -1;
	}
	set_timeout(fd, timeout);
	if (v6 ? connect(fd, (void *)&a6, sizeof(a6)) : connect(fd, (void *)&a4, sizeof(a4))) {
		printf("connect %s: %s\n", to, strerror(errno));
		close(fd);
		return -1;
	}
	printf("connected to %s\n", to);
	return fd;
}

/* CRC-32C (protocol.rst, "Integrity"): reflected, init and final XOR ~0. */
static u32 crc32c(const void *buf, size_t len)
{
	const unsigned char *b = buf;
	u32 crc = ~0U;
	int k;

	while (len--) {
		crc ^= *b++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78U & -(crc & 1));
	}
	return ~crc;
}

/* ----- source side ----- */

struct peer {
	int fd;
	int crc;	/* CRC granted: a CRC-32C after every packet */
	struct peer_opts *o;
	u64 npages;
	u64 seq;
	unsigned char *buf;
	size_t bufsize;
	/* what a destination region that was empty holds afterwards */
	unsigned char *page;
	u64 exp_hash, exp_populated, exp_nonzero;
};

/*
 * Build a packet in p->buf: header, then the offsets of @nd data and @nz
 * zero pages (@idx: page indexes, or byte offsets with @raw), then the
 * data of the data pages (content version @ver). Returns its length.
 */
static size_t build(struct peer *p, u16 type, u64 pass, const u64 *idx,
		    u32 nd, u32 nz, u64 ver, int raw)
{
	struct kmig_wire_hdr h = {
		.type = type, .seq = p->seq, .pass = pass,
		.data_pages = nd, .zero_pages = nz,
	};
	u64 offs[KMIG_WIRE_MAX_PAGES_LIMIT + 1];
	size_t need, len = 0;
	u32 i, n = nd + nz;

	need = KMIG_WIRE_HDR_SIZE + (size_t)n * 8 + (size_t)nd * p->o->page_size;
	if (need > p->bufsize) {
		free(p->buf);
		p->buf = malloc(need);
		p->bufsize = p->buf ? need : 0;
		if (!p->buf) {
			perror("malloc");
			exit(1);
		}
	}
	len += kmig_wire_hdr_encode(p->buf, p->bufsize, &h);
	for (i = 0; i < n && i <= KMIG_WIRE_MAX_PAGES_LIMIT; i++)
		offs[i] = raw ? idx[i] : idx[i] * p->o->page_size;
	len += kmig_wire_offsets_encode(p->buf + len, p->bufsize - len, offs, n);
	for (i = 0; i < nd; i++) {
		page_fill(p->buf + len, p->o->page_size, p->o->seed,
			  raw ? idx[i] / p->o->page_size : idx[i], ver);
		len += p->o->page_size;
	}
	p->seq++;
	return len;
}

static int send_pkt(struct peer *p, size_t len, const char *what)
{
	__be32 crc = cpu_to_be32(crc32c(p->buf, len));
	int err = send_all(p->fd, p->buf, len);

	if (!err && p->crc)
		err = send_all(p->fd, &crc, sizeof(crc));

	if (err)
		printf("send %s (seq %llu): %s\n", what, p->seq - 1, strerror(-err));
	else
		printf("sent %s seq %llu (%zu bytes)\n", what, p->seq - 1, len);
	return err;
}

/* After the malformed item: the destination should close the connection. */
static void wait_close(struct peer *p)
{
	char c[4096];
	ssize_t n;

	shutdown(p->fd, SHUT_WR);
	for (;;) {
		n = recv(p->fd, c, sizeof(c), 0);
		if (n > 0) {
			printf("peer sent %zd unexpected bytes\n", n);
			continue;
		}
		if (!n)
			printf("peer closed\n");
		else if (errno == EAGAIN || errno == EWOULDBLOCK)
			printf("peer did not close within %us\n", p->o->timeout);
		else
			printf("peer closed: %s\n", strerror(errno));
		return;
	}
}

/* Expected contents: track a small map of page -> version (0 = zero). */
#define VALID_MAX 64
struct expect {
	u64 idx[VALID_MAX];
	int ver[VALID_MAX];	/* -1: zero page on an empty page, 0: cleared */
	int n;
};

static void expect_set(struct expect *e, u64 idx, int ver)
{
	int i;

	for (i = 0; i < e->n; i++)
		if (e->idx[i] == idx)
			break;
	if (i == e->n) {
		if (e->n == VALID_MAX)
			return;
		e->idx[e->n++] = idx;
		e->ver[i] = -1;
	}
	/* A zero page leaves an unpopulated page unpopulated. */
	if (ver == 0 && e->ver[i] == -1)
		return;
	e->ver[i] = ver;
}

static void expect_sum(struct peer *p, struct expect *e)
{
	int i;

	for (i = 0; i < e->n; i++) {
		if (e->ver[i] < 0)
			continue;
		p->exp_populated++;
		if (!e->ver[i])
			continue;
		page_fill(p->page, p->o->page_size, p->o->seed, e->idx[i],
			  (u64)e->ver[i]);
		p->exp_hash += page_hash(e->idx[i], p->page, p->o->page_size);
		p->exp_nonzero++;
	}
}

static int read_ack(struct peer *p, u64 pass)
{
	struct kmig_wire_limits lim = {
		.page_size = p->o->page_size, .max_pages = p->o->max_pages,
		.region_size = p->o->region_size, .channel_count = (u16)p->o->channels,
	};
	unsigned char b[KMIG_WIRE_HDR_SIZE + KMIG_WIRE_CRC_SIZE];
	size_t len = KMIG_WIRE_HDR_SIZE + (p->crc ? KMIG_WIRE_CRC_SIZE : 0);
	struct kmig_wire_hdr h;
	__be32 crc;
	ssize_t n;
	int err;

	n = recv_all(p->fd, b, len);
	if (n != (ssize_t)len) {
		printf("ack: %s (%zd bytes)\n", n < 0 ? strerror((int)-n) : "connection closed", n);
		return 1;
	}
	err = kmig_wire_hdr_decode(b, KMIG_WIRE_HDR_SIZE, &lim, 0, &h);
	if (err) {
		printf("ack malformed: %s\n", kmig_wire_strerror(err));
		return 1;
	}
	memcpy(&crc, b + KMIG_WIRE_HDR_SIZE, sizeof(crc));
	if (p->crc && be32_to_cpu(crc) != crc32c(b, KMIG_WIRE_HDR_SIZE)) {
		printf("ack: CRC-32C %08x, computed %08x\n", be32_to_cpu(crc),
		       crc32c(b, KMIG_WIRE_HDR_SIZE));
		return 1;
	}
	if (h.type != KMIG_WIRE_COMPLETE || h.pass != pass) {
		printf("ack: type %u pass %llu, expected COMPLETE pass %llu\n",
		       h.type, h.pass, pass);
		return 1;
	}
	printf("ack ok\n");
	n = recv_all(p->fd, b, 1);
	printf("after ack: %s\n", n == 0 ? "peer closed" : n > 0 ? "extra bytes" : strerror((int)-n));
	return 0;
}

/* Page index k of this channel's private set (spread per channel). */
static u64 chidx(struct peer *p, u64 k)
{
	return (1 + (u64)p->o->channel_id * 16 + k) % p->npages;
}

/*
 * valid: pass 0 with data and zero pages (the region's last page too),
 * SYNC, pass 1 rewriting one page and clearing another, SYNC, COMPLETE,
 * then the COMPLETE acknowledgement.
 */
static int case_valid(struct peer *p)
{
	struct expect e = { .n = 0 };
	u64 idx[8];
	size_t len;

	idx[0] = chidx(p, 0); idx[1] = chidx(p, 1); idx[2] = chidx(p, 2);
	idx[3] = chidx(p, 3); idx[4] = chidx(p, 4);
	len = build(p, KMIG_WIRE_DATA, 0, idx, 3, 2, 1, 0);
	expect_set(&e, idx[0], 1); expect_set(&e, idx[1], 1); expect_set(&e, idx[2], 1);
	expect_set(&e, idx[3], 0); expect_set(&e, idx[4], 0);
	if (send_pkt(p, len, "DATA 3+2"))
		return 1;

	idx[0] = chidx(p, 5);
	idx[1] = p->npages - 1 - (p->o->channel_id % p->npages);
	len = build(p, KMIG_WIRE_DATA, 0, idx, 2, 0, 1, 0);
	expect_set(&e, idx[0], 1); expect_set(&e, idx[1], 1);
	if (send_pkt(p, len, "DATA 2+0 (last page)"))
		return 1;

	idx[0] = chidx(p, 6); idx[1] = chidx(p, 7); idx[2] = chidx(p, 8);
	len = build(p, KMIG_WIRE_DATA, 0, idx, 0, 3, 1, 0);
	expect_set(&e, idx[0], 0); expect_set(&e, idx[1], 0); expect_set(&e, idx[2], 0);
	if (send_pkt(p, len, "DATA 0+3"))
		return 1;

	len = build(p, KMIG_WIRE_SYNC, 0, NULL, 0, 0, 0, 0);
	if (send_pkt(p, len, "SYNC pass 0"))
		return 1;

	idx[0] = chidx(p, 1); idx[1] = chidx(p, 2);
	len = build(p, KMIG_WIRE_DATA, 1, idx, 1, 1, 2, 0);
	expect_set(&e, idx[0], 2); expect_set(&e, idx[1], 0);
	if (send_pkt(p, len, "DATA 1+1 pass 1"))
		return 1;

	len = build(p, KMIG_WIRE_SYNC, 1, NULL, 0, 0, 0, 0);
	if (send_pkt(p, len, "SYNC pass 1"))
		return 1;
	len = build(p, KMIG_WIRE_COMPLETE, 1, NULL, 0, 0, 0, 0);
	if (send_pkt(p, len, "COMPLETE pass 1"))
		return 1;

	expect_sum(p, &e);
	printf("expect hash %016llx populated %llu nonzero %llu\n",
	       p->exp_hash, p->exp_populated, p->exp_nonzero);
	return read_ack(p, 1);
}

/*
 * Wait up to @ms for the destination to close or reset the connection:
 * 1 and a "peer closed" line if it did, 0 if not, -1 on unexpected bytes.
 */
static int peer_gone(struct peer *p, int ms)
{
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
	char c[256];
	ssize_t n;

	if (poll(&pfd, 1, ms) <= 0)
		return 0;
	n = recv(p->fd, c, sizeof(c), MSG_DONTWAIT);
	if (n > 0) {
		printf("peer sent %zd unexpected bytes\n", n);
		return -1;
	}
	if (!n)
		printf("peer closed\n");
	else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return 0;
	else
		printf("peer closed: %s\n", strerror(errno));
	return 1;
}

/*
 * slow: --packets DATA packets of 2 new data pages each, --interval-ms
 * apart, never COMPLETE; stop when the destination closes.
 */
static int case_slow(struct peer *p)
{
	unsigned int i;
	u64 idx[2];
	int gone;

	if (2ULL * p->o->packets + 1 > p->npages) {
		printf("slow: %u packets need %u pages, region has %llu\n",
		       p->o->packets, 2 * p->o->packets + 1, p->npages);
		return 1;
	}
	for (i = 0; i < p->o->packets; i++) {
		idx[0] = 1 + 2 * (u64)i;
		idx[1] = 2 + 2 * (u64)i;
		if (send_pkt(p, build(p, KMIG_WIRE_DATA, 0, idx, 2, 0, 1, 0), "DATA 2+0"))
			return 0;	/* the destination went away: what the test wants */
		gone = peer_gone(p, (int)p->o->interval_ms);
		if (gone)
			return gone < 0;
	}
	printf("sent %u packets, waiting %us for the destination to close\n",
	       p->o->packets, p->o->timeout);
	gone = peer_gone(p, (int)p->o->timeout * 1000);
	if (!gone)
		printf("no close within %us\n", p->o->timeout);
	return gone < 0;
}

/* --prefix N: valid DATA packets (one data page each) before the bad one. */
static int send_prefix(struct peer *p)
{
	unsigned int i;
	u64 idx;

	for (i = 0; i < p->o->prefix; i++) {
		idx = chidx(p, 9 + i % 7);
		if (send_pkt(p, build(p, KMIG_WIRE_DATA, 0, &idx, 1, 0, 1, 0), "valid DATA 1+0"))
			return 1;
	}
	return 0;
}

/*
 * Send the malformed packet: the part up to @must bytes has to go out;
 * the destination may close before the rest.
 */
static int send_bad(struct peer *p, size_t len, size_t must, const char *what)
{
	int err = send_all(p->fd, p->buf, must);

	if (err) {
		printf("send %s: %s\n", what, strerror(-err));
		return 1;
	}
	if (len > must) {
		err = send_all(p->fd, p->buf + must, len - must);
		if (err)
			printf("sent %s; rest: %s (destination closed)\n", what, strerror(-err));
	}
	if (!err)
		printf("sent %s (%zu bytes)\n", what, len);
	wait_close(p);
	return 0;
}

static int case_packet(struct peer *p, const char *c)
{
	struct kmig_wire_hdr_be *w = (void *)0;
	u64 P = p->o->page_size, idx[KMIG_WIRE_MAX_PAGES_LIMIT + 1];
	size_t len, must = KMIG_WIRE_HDR_SIZE;
	u32 i;

	if (send_prefix(p))
		return 1;
	idx[0] = chidx(p, 0); idx[1] = chidx(p, 1); idx[2] = chidx(p, 2);
	if (!strcmp(c, "bad-magic")) {
		len = build(p, KMIG_WIRE_DATA, 0, idx, 2, 1, 1, 0);
		w = (void *)p->buf;
		w->magic = cpu_to_be32(0x4b4d4751);	/* "KMGQ" */
	} else if (!strcmp(c, "bad-type")) {
		len = build(p, 0x7f, 0, idx, 2, 1, 1, 0);
	} else if (!strcmp(c, "bad-flags")) {
		len = build(p, KMIG_WIRE_DATA, 0, idx, 2, 1, 1, 0);
		w = (void *)p->buf;
		w->flags = cpu_to_be16(1);
	} else if (!strcmp(c, "reserved")) {
		len = build(p, KMIG_WIRE_DATA, 0, idx, 2, 1, 1, 0);
		w = (void *)p->buf;
		w->reserved[7] = 0x01;
	} else if (!strcmp(c, "bad-seq")) {
		p->seq++;
		len = build(p, KMIG_WIRE_DATA, 0, idx, 2, 1, 1, 0);
	} else if (!strcmp(c, "zero-count")) {
		len = build(p, KMIG_WIRE_DATA, 0, idx, 0, 0, 1, 0);
	} else if (!strcmp(c, "oversized-count")) {
		/* max_pages data pages and one zero page */
		for (i = 0; i <= p->o->max_pages; i++)
			idx[i] = (1 + i) % p->npages;
		len = build(p, KMIG_WIRE_DATA, 0, idx, p->o->max_pages, 1, 1, 0);
	} else if (!strcmp(c, "sync-counts")) {
		len = build(p, KMIG_WIRE_SYNC, 0, NULL, 0, 0, 0, 0);
		w = (void *)p->buf;
		w->zero_pages = cpu_to_be32(1);
	} else if (!strcmp(c, "bad-offset")) {
		/* a good page, then one at the region's size */
		idx[0] = chidx(p, 0) * P;
		idx[1] = p->o->region_size;
		len = build(p, KMIG_WIRE_DATA, 0, idx, 2, 0, 1, 1);
		must = len - 2 * P;
	} else if (!strcmp(c, "unaligned")) {
		idx[0] = chidx(p, 0) * P;
		idx[1] = chidx(p, 1) * P + 8;
		len = build(p, KMIG_WIRE_DATA, 0, idx, 2, 0, 1, 1);
		must = len - 2 * P;
	} else if (!strcmp(c, "dup-offset")) {
		/* data pages A, B and zero page A: duplicate across the lists */
		idx[2] = idx[0];
		len = build(p, KMIG_WIRE_DATA, 0, idx, 2, 1, 1, 0);
		must = len - 2 * P;
	} else if (!strcmp(c, "truncated")) {
		/* 4 data pages announced, 1.5 sent, then close */
		idx[3] = chidx(p, 3);
		len = build(p, KMIG_WIRE_DATA, 0, idx, 4, 0, 1, 0);
		must = len = KMIG_WIRE_HDR_SIZE + 4 * 8 + P + P / 2;
	} else if (!strcmp(c, "close")) {
		/* valid packets, then close without COMPLETE */
		len = build(p, KMIG_WIRE_DATA, 0, idx, 2, 1, 1, 0);
		if (send_pkt(p, len, "DATA 2+1"))
			return 1;
		printf("closing without COMPLETE\n");
		close(p->fd);
		p->fd = -1;
		return 0;
	} else {
		return 2;
	}
	return send_bad(p, len, must, c);
}

static int hello_send(struct peer *p, const char *c)
{
	struct peer_opts *o = p->o;
	struct kmig_wire_hello h = {
		.version_min = KMIG_WIRE_VERSION_MIN,
		.version_max = KMIG_WIRE_VERSION_MAX,
		.channel_id = (u16)o->channel_id,
		.channel_count = (u16)o->channels,
		.page_size = o->page_size,
		.region_size = o->region_size,
		.max_pages = o->max_pages,
	};
	unsigned char b[KMIG_WIRE_HELLO_SIZE];
	uint64_t s = o->seed | 1;
	size_t len = sizeof(b);
	int err, i;

	memcpy(h.migration_id, o->id, sizeof(h.migration_id));
	if (!strcmp(c, "wrong-id"))
		h.migration_id[15] ^= 0x5a;
	else if (!strcmp(c, "wrong-size"))
		h.region_size += o->page_size;
	else if (!strcmp(c, "wrong-channels"))
		h.channel_count = (u16)(o->channels < KMIG_WIRE_MAX_CHANNELS ?
					o->channels + 1 : o->channels - 1);
	else if (!strcmp(c, "bad-version"))
		h.version_min = h.version_max = KMIG_WIRE_VERSION_MAX + 1;
	else if (!strcmp(c, "bad-page-size"))
		h.page_size = o->page_size * 2;
	else if (!strcmp(c, "bad-max-pages"))
		h.max_pages = KMIG_WIRE_MAX_PAGES_LIMIT + 1;
	else if (!strcmp(c, "bad-channel-id"))
		h.channel_id = h.channel_count;
	if (!strncmp(c, "future", 6)) {
		h.version_min = strcmp(c, "future") ? 2 : 1;
		h.version_max = 9;
		h.features = KMIG_WIRE_FEAT_CRC | 1ULL << 40 | 1ULL << 63;
		printf("hello versions %u..%u features %#llx\n", h.version_min,
		       h.version_max, h.features);
	}
	kmig_wire_hello_encode(b, sizeof(b), &h);
	if (!strcmp(c, "hello-reserved"))
		b[60] = 1;
	else if (!strcmp(c, "hello-bad-magic"))
		b[3] ^= 0x20;
	else if (!strcmp(c, "garbage-hello"))
		for (i = 0; i < (int)sizeof(b); i++)
			b[i] = (unsigned char)xorshift64(&s);
	else if (!strcmp(c, "short-hello"))
		len = 10;
	err = send_all(p->fd, b, len);
	if (err) {
		printf("send hello: %s\n", strerror(-err));
		return 1;
	}
	printf("sent hello (%zu bytes)\n", len);
	return 0;
}

static const struct {
	const char *name;
	int kind;	/* 0 valid, 1 hello case, 2 packet case, 3 slow */
	const char *doc;
} peer_cases[] = {
	{ "valid", 0, "DATA (data and zero pages), SYNC, pass 1, COMPLETE; waits for the ack" },
	{ "future", 0, "valid, from a hello offering versions 1..9, CRC, bits 40 and 63" },
	{ "close", 2, "one valid DATA packet, then close without COMPLETE" },
	{ "slow", 3, "DATA packets of 2 pages every --interval-ms, no COMPLETE, until closed" },
	{ "bad-magic", 2, "packet magic KMGQ" },
	{ "bad-type", 2, "packet type 127" },
	{ "bad-flags", 2, "packet flags 1" },
	{ "reserved", 2, "non-zero reserved byte in the header" },
	{ "bad-seq", 2, "first packet numbered 1" },
	{ "zero-count", 2, "DATA with no page" },
	{ "oversized-count", 2, "DATA with max_pages + 1 pages" },
	{ "sync-counts", 2, "SYNC with a zero page count" },
	{ "bad-offset", 2, "second offset = region size" },
	{ "unaligned", 2, "second offset not page aligned" },
	{ "dup-offset", 2, "a data page offset again as zero page" },
	{ "truncated", 2, "4 data pages announced, 1.5 sent, close" },
	{ "garbage-hello", 1, "64 random bytes as hello" },
	{ "short-hello", 1, "10 bytes of a hello, then close" },
	{ "hello-bad-magic", 1, "hello magic KMGh" },
	{ "hello-reserved", 1, "hello with a non-zero reserved byte" },
	{ "bad-version", 1, "hello offering only version 2" },
	{ "bad-page-size", 1, "hello with twice the page size" },
	{ "bad-max-pages", 1, "hello with max_pages 513" },
	{ "bad-channel-id", 1, "hello with channel id = channel count" },
	{ "wrong-id", 1, "hello with another migration id than --id" },
	{ "wrong-size", 1, "hello with region size + one page" },
	{ "wrong-channels", 1, "hello with channel count + 1" },
	{ "future-only", 1, "hello offering versions 2..9, CRC, bits 40 and 63" },
};

static void peer_usage(void)
{
	size_t i;

	fprintf(stderr,
		"usage: kmig-systest wire-peer --to HOST:PORT --case CASE [--id HEX32]\n"
		"         [--channels N] [--channel-id I] [--region-size BYTES]\n"
		"         [--page-size BYTES] [--max-pages N] [--seed S] [--prefix N]\n"
		"         [--expect-status S] [--timeout SEC] [--packets N] [--interval-ms MS]\n"
		"         [--hold]\n"
		"cases:\n");
	for (i = 0; i < sizeof(peer_cases) / sizeof(peer_cases[0]); i++)
		fprintf(stderr, "  %-16s %s\n", peer_cases[i].name, peer_cases[i].doc);
}

enum {
	OPT_TO = 1, OPT_CASE, OPT_ID, OPT_CHANNELS, OPT_CHANNEL_ID, OPT_REGION_SIZE,
	OPT_PAGE_SIZE, OPT_MAX_PAGES, OPT_SEED, OPT_PREFIX, OPT_EXPECT, OPT_TIMEOUT,
	OPT_PORT, OPT_ADDR, OPT_CONNS, OPT_PACKETS, OPT_INTERVAL, OPT_STALL,
	OPT_HOLD, OPT_NO_REPLY, OPT_GRANT, OPT_REPLY_VERSION,
};

static const struct option long_opts[] = {
	{ "to", required_argument, NULL, OPT_TO },
	{ "case", required_argument, NULL, OPT_CASE },
	{ "id", required_argument, NULL, OPT_ID },
	{ "channels", required_argument, NULL, OPT_CHANNELS },
	{ "channel-id", required_argument, NULL, OPT_CHANNEL_ID },
	{ "region-size", required_argument, NULL, OPT_REGION_SIZE },
	{ "page-size", required_argument, NULL, OPT_PAGE_SIZE },
	{ "max-pages", required_argument, NULL, OPT_MAX_PAGES },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "prefix", required_argument, NULL, OPT_PREFIX },
	{ "expect-status", required_argument, NULL, OPT_EXPECT },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "addr", required_argument, NULL, OPT_ADDR },
	{ "conns", required_argument, NULL, OPT_CONNS },
	{ "packets", required_argument, NULL, OPT_PACKETS },
	{ "interval-ms", required_argument, NULL, OPT_INTERVAL },
	{ "stall-after", required_argument, NULL, OPT_STALL },
	{ "hold", no_argument, NULL, OPT_HOLD },
	{ "no-reply", no_argument, NULL, OPT_NO_REPLY },
	{ "grant", required_argument, NULL, OPT_GRANT },
	{ "reply-version", required_argument, NULL, OPT_REPLY_VERSION },
	{ NULL, 0, NULL, 0 },
};

static int parse_opts(int argc, char **argv, struct peer_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	parse_id(DEFAULT_ID, o->id);
	o->channels = 1;
	o->region_size = 1ULL << 30;
	o->page_size = (u32)sysconf(_SC_PAGESIZE);
	o->max_pages = KMIG_WIRE_DEFAULT_MAX_PAGES;
	o->seed = 0x6b6d6967;
	o->expect_status = -1;
	o->timeout = 10;
	o->conns = 1;
	o->packets = 1200;
	o->interval_ms = 50;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_TO: o->to = optarg; break;
		case OPT_CASE: o->kase = optarg; break;
		case OPT_ID:
			if (parse_id(optarg, o->id)) {
				fprintf(stderr, "--id wants 32 hex digits\n");
				return -1;
			}
			o->have_id = 1;
			break;
		case OPT_CHANNELS: o->channels = (unsigned int)strtoul(optarg, NULL, 0); break;
		case OPT_CHANNEL_ID: o->channel_id = (unsigned int)strtoul(optarg, NULL, 0); break;
		case OPT_REGION_SIZE: o->region_size = strtoull(optarg, NULL, 0); break;
		case OPT_PAGE_SIZE: o->page_size = (u32)strtoul(optarg, NULL, 0); break;
		case OPT_MAX_PAGES: o->max_pages = (u32)strtoul(optarg, NULL, 0); break;
		case OPT_SEED: o->seed = strtoull(optarg, NULL, 0); break;
		case OPT_PREFIX: o->prefix = (unsigned int)strtoul(optarg, NULL, 0); break;
		case OPT_EXPECT: o->expect_status = (int)strtol(optarg, NULL, 0); break;
		case OPT_TIMEOUT: o->timeout = (unsigned int)strtoul(optarg, NULL, 0); break;
		case OPT_PORT: o->port = (unsigned int)strtoul(optarg, NULL, 0); break;
		case OPT_ADDR: o->addr = optarg; break;
		case OPT_CONNS: o->conns = (unsigned int)strtoul(optarg, NULL, 0); break;
		case OPT_PACKETS: o->packets = (unsigned int)strtoul(optarg, NULL, 0); break;
		case OPT_INTERVAL: o->interval_ms = (unsigned int)strtoul(optarg, NULL, 0); break;
		case OPT_STALL: o->stall_after = (unsigned int)strtoul(optarg, NULL, 0); break;
		case OPT_HOLD: o->hold = 1; break;
		case OPT_NO_REPLY: o->no_reply = 1; break;
		case OPT_GRANT: o->grant = strtoull(optarg, NULL, 0); break;
		case OPT_REPLY_VERSION:
			o->reply_version = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		default: return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (!o->channels || o->channels > KMIG_WIRE_MAX_CHANNELS ||
	    o->page_size < KMIG_WIRE_PAGE_SIZE_MIN || o->page_size > KMIG_WIRE_PAGE_SIZE_MAX ||
	    (o->page_size & (o->page_size - 1)) || !o->region_size ||
	    o->region_size % o->page_size || o->region_size / o->page_size < 2 ||
	    !o->max_pages || o->max_pages > KMIG_WIRE_MAX_PAGES_LIMIT || !o->timeout) {
		fprintf(stderr, "bad --channels, --page-size, --region-size, --max-pages or --timeout\n");
		return -1;
	}
	return 0;
}

int wire_peer_main(int argc, char **argv)
{
	unsigned char b[KMIG_WIRE_REPLY_SIZE];
	struct kmig_wire_reply r;
	struct peer_opts o;
	struct peer p = { .fd = -1 };
	int kind = -1, err, ret;
	size_t i;
	ssize_t n;

	if (parse_opts(argc, argv, &o) || !o.to || !o.kase) {
		peer_usage();
		return 2;
	}
	for (i = 0; i < sizeof(peer_cases) / sizeof(peer_cases[0]); i++)
		if (!strcmp(o.kase, peer_cases[i].name))
			kind = peer_cases[i].kind;
	if (kind < 0) {
		fprintf(stderr, "wire-peer: unknown case '%s'\n", o.kase);
		peer_usage();
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	p.o = &o;
	p.npages = o.region_size / o.page_size;
	p.page = malloc(o.page_size);
	if (!p.page)
		return 1;
	printf("case %s: channel %u of %u, region %llu bytes, page %u, max_pages %u\n",
	       o.kase, o.channel_id, o.channels, o.region_size, o.page_size, o.max_pages);
	p.fd = peer_connect(o.to, o.timeout);
	if (p.fd < 0)
		return 1;
	if (hello_send(&p, o.kase))
		return 1;
	if (o.hold) {
		printf("holding after the hello\n");
		for (;;)
			pause();
	}
	if (!strcmp(o.kase, "short-hello")) {
		close(p.fd);
		printf("closed after a short hello\n");
		return 0;
	}
	n = recv_all(p.fd, b, sizeof(b));
	if (n != (ssize_t)sizeof(b)) {
		printf("reply: %s (%zd bytes)\n", n < 0 ? strerror((int)-n) : "connection closed", n);
		return 1;
	}
	err = kmig_wire_reply_decode(b, sizeof(b), &r);
	if (err) {
		printf("reply malformed: %s\n", kmig_wire_strerror(err));
		return 1;
	}
	printf("reply status %u reason '%s'\n", r.status, r.reason);
	printf("# status %u: %s, version %u\n", r.status, kmig_wire_status_str(r.status),
	       r.version);
	if (o.expect_status >= 0 && r.status != (unsigned int)o.expect_status) {
		printf("expected status %d (%s)\n", o.expect_status,
		       kmig_wire_status_str((unsigned int)o.expect_status));
		return 1;
	}
	if (r.status == KMIG_WIRE_ACCEPT) {
		printf("granted version %u features %#llx\n", r.version, r.features);
		p.crc = !!(r.features & KMIG_WIRE_FEAT_CRC);
	}
	if (kind == 1 || r.status != KMIG_WIRE_ACCEPT) {
		if (kind != 1) {
			printf("rejected: cannot send case %s\n", o.kase);
			return 1;
		}
		wait_close(&p);
		close(p.fd);
		return 0;
	}
	ret = kind == 0 ? case_valid(&p) : kind == 3 ? case_slow(&p) : case_packet(&p, o.kase);
	if (p.fd >= 0)
		close(p.fd);
	free(p.buf);
	free(p.page);
	return ret;
}

/* ----- userspace reference destination ----- */

struct sink {
	struct peer_opts *o;
	unsigned char *mem;	/* the region, anonymous NORESERVE mapping */
	unsigned char *pop;	/* populated bitmap, one byte per page */
	u64 npages;
	int have_id;
	u8 id[KMIG_WIRE_MIGRATION_ID_LEN];
};

static void reject(int fd, unsigned int k, u16 status, const char *why)
{
	unsigned char b[KMIG_WIRE_REPLY_SIZE];
	struct kmig_wire_reply r;

	kmig_wire_reply_init(&r, 0, status, 0, why);
	kmig_wire_reply_encode(b, sizeof(b), &r);
	send_all(fd, b, sizeof(b));
	printf("conn %u: reject %u '%s'\n", k, status, r.reason);
}

/* One accepted channel: its packets are read by sink_recv_fn(). */
struct sink_conn {
	struct sink *s;
	int fd;
	unsigned int k;
	struct kmig_wire_limits lim;
	pthread_t th;
	int started;
};

/* Hello and reply; 0 when the channel is accepted. */
static int sink_handshake(struct sink *s, struct sink_conn *c)
{
	unsigned char b[KMIG_WIRE_HELLO_SIZE];
	struct kmig_wire_hello h;
	struct kmig_wire_reply r;
	unsigned int k = c->k;
	int fd = c->fd, err;
	ssize_t n;

	n = recv_all(fd, b, sizeof(b));
	if (n != (ssize_t)sizeof(b)) {
		printf("conn %u: short hello (%zd bytes), dropped\n", k, n);
		return -1;
	}
	if (s->o->no_reply) {
		printf("conn %u: hello read, no reply\n", k);
		for (;;)
			pause();
	}
	err = kmig_wire_hello_decode(b, sizeof(b), s->o->page_size, &h);
	if (err) {
		reject(fd, k, kmig_wire_err_to_status(err), kmig_wire_strerror(err));
		return -1;
	}
	if (s->have_id && memcmp(h.migration_id, s->id, sizeof(s->id))) {
		reject(fd, k, KMIG_WIRE_REJ_MIGRATION_ID, "wrong migration id");
		return -1;
	}
	if (h.channel_count != s->o->channels) {
		reject(fd, k, KMIG_WIRE_REJ_CHANNEL_COUNT, "wrong channel count");
		return -1;
	}
	if (h.region_size != s->o->region_size) {
		reject(fd, k, KMIG_WIRE_REJ_REGION_SIZE, "region size mismatch");
		return -1;
	}
	if (!s->have_id) {
		memcpy(s->id, h.migration_id, sizeof(s->id));
		s->have_id = 1;
	}
	kmig_wire_reply_init(&r, s->o->reply_version ? (u16)s->o->reply_version :
			     kmig_wire_hello_version(&h), KMIG_WIRE_ACCEPT, s->o->grant, "");
	kmig_wire_reply_encode(b, sizeof(b), &r);
	if (send_all(fd, b, sizeof(b)))
		return -1;
	kmig_wire_hello_limits(&h, &c->lim);
	return 0;
}

static void *sink_recv_fn(void *arg)
{
	struct sink_conn *c = arg;
	struct sink *s = c->s;
	struct kmig_wire_limits *lim = &c->lim;
	unsigned char b[KMIG_WIRE_HDR_SIZE], *offb, *tmp;
	struct kmig_wire_hdr hdr;
	u64 seq = 0, cur = 0, offs[KMIG_WIRE_MAX_PAGES_LIMIT], dlen;
	unsigned int k = c->k;
	int fd = c->fd, err;
	ssize_t n;
	u32 i;

	offb = malloc(KMIG_WIRE_MAX_PAGES_LIMIT * 8);
	tmp = malloc((size_t)KMIG_WIRE_MAX_PAGES_LIMIT * lim->page_size);
	if (!offb || !tmp) {
		printf("conn %u: out of memory\n", k);
		goto out;
	}
	for (;;) {
		cur = seq;
		if (s->o->stall_after && seq == s->o->stall_after) {
			printf("conn %u: stalled after %llu packets\n", k, seq);
			for (;;)
				pause();
		}
		n = recv_all(fd, b, KMIG_WIRE_HDR_SIZE);
		if (n == 0) {
			printf("conn %u: closed before COMPLETE\n", k);
			break;
		}
		err = n == KMIG_WIRE_HDR_SIZE ? kmig_wire_hdr_decode(b, KMIG_WIRE_HDR_SIZE,
							lim, seq, &hdr) : KMIG_WIRE_ESHORT;
		if (err)
			goto bad;
		seq++;
		if (hdr.type == KMIG_WIRE_COMPLETE) {
			struct kmig_wire_hdr ack = { .type = KMIG_WIRE_COMPLETE, .pass = hdr.pass };

			kmig_wire_hdr_encode(b, KMIG_WIRE_HDR_SIZE, &ack);
			send_all(fd, b, KMIG_WIRE_HDR_SIZE);
			printf("conn %u: complete pass %llu ack sent\n", k, hdr.pass);
			break;
		}
		if (hdr.type != KMIG_WIRE_DATA)
			continue;
		n = recv_all(fd, offb, kmig_wire_offsets_len(&hdr));
		err = n == (ssize_t)kmig_wire_offsets_len(&hdr) ?
			kmig_wire_offsets_decode(offb, (size_t)n, &hdr, lim, offs) :
			KMIG_WIRE_ESHORT;
		if (err)
			goto bad;
		dlen = kmig_wire_data_len(&hdr, lim);
		if (recv_all(fd, tmp, dlen) != (ssize_t)dlen) {
			err = KMIG_WIRE_ESHORT;
			goto bad;
		}
		/* Only a complete, valid packet reaches the region. */
		for (i = 0; i < hdr.data_pages + hdr.zero_pages; i++) {
			u64 pg = offs[i] / lim->page_size;

			if (i < hdr.data_pages) {
				memcpy(s->mem + offs[i], tmp + (u64)i * lim->page_size,
				       lim->page_size);
				s->pop[pg] = 1;
			} else if (s->pop[pg]) {
				memset(s->mem + offs[i], 0, lim->page_size);
			}
		}
	}
	goto out;
bad:
	printf("conn %u: error '%s' (packet %llu)\n", k, kmig_wire_strerror(err), cur);
out:
	free(offb);
	free(tmp);
	close(fd);
	return NULL;
}

int wire_sink_main(int argc, char **argv)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	u64 hash = 0, pop = 0, nz = 0, pg;
	struct sink_conn *conns;
	struct peer_opts o;
	struct sink s;
	socklen_t alen;
	unsigned int k;
	int lfd, fd, one = 1;

	if (parse_opts(argc, argv, &o)) {
		fprintf(stderr, "usage: kmig-systest wire-sink --port PORT [--addr ADDR] [--id HEX32]\n"
			"         [--channels N] [--region-size BYTES] [--page-size BYTES]\n"
			"         [--conns N] [--timeout SEC] [--stall-after N] [--no-reply]\n"
			"         [--grant HEX] [--reply-version V]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&s, 0, sizeof(s));
	s.o = &o;
	s.have_id = o.have_id;
	memcpy(s.id, o.id, sizeof(s.id));
	s.npages = o.region_size / o.page_size;
	s.mem = mmap(NULL, o.region_size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	s.pop = calloc(s.npages, 1);
	conns = calloc(o.conns, sizeof(*conns));
	if (s.mem == MAP_FAILED || !s.pop || !conns) {
		perror("wire-sink: memory");
		return 1;
	}
	if (o.addr && strchr(o.addr, ':')) {
		lfd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
		inet_pton(AF_INET6, o.addr, &a6.sin6_addr);
		a6.sin6_port = htons((u16)o.port);
	} else {
		lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (o.addr)
			inet_pton(AF_INET, o.addr, &a4.sin_addr);
		a4.sin_port = htons((u16)o.port);
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (o.stall_after) {
		/* Small windows (inherited by accepted sockets): a sender blocks soon. */
		int rcv = 16384;

		setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	}
	if (lfd < 0 || (o.addr && strchr(o.addr, ':') ?
			bind(lfd, (void *)&a6, sizeof(a6)) : bind(lfd, (void *)&a4, sizeof(a4))) ||
	    listen(lfd, 64)) {
		perror("wire-sink: listen");
		return 1;
	}
	alen = sizeof(a6);
	getsockname(lfd, (void *)&a6, &alen);
	printf("listening %u\n", ntohs(a6.sin6_port));
	for (k = 0; k < o.conns; k++) {
		struct pollfd pfd = { .fd = lfd, .events = POLLIN };

		if (poll(&pfd, 1, (int)o.timeout * 1000) != 1) {
			printf("no connection within %us\n", o.timeout);
			return 1;
		}
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			perror("wire-sink: accept");
			return 1;
		}
		set_timeout(fd, o.timeout);
		conns[k] = (struct sink_conn){ .s = &s, .fd = fd, .k = k };
		if (sink_handshake(&s, &conns[k])) {
			close(fd);
			continue;
		}
		if (pthread_create(&conns[k].th, NULL, sink_recv_fn, &conns[k])) {
			printf("conn %u: no thread\n", k);
			close(fd);
			continue;
		}
		conns[k].started = 1;
	}
	for (k = 0; k < o.conns; k++)
		if (conns[k].started)
			pthread_join(conns[k].th, NULL);
	free(conns);
	close(lfd);
	for (pg = 0; pg < s.npages; pg++) {
		unsigned char *page = s.mem + pg * o.page_size;

		if (!s.pop[pg])
			continue;
		pop++;
		if (page_is_zero(page, o.page_size))
			continue;
		nz++;
		hash += page_hash(pg, page, o.page_size);
	}
	printf("sink hash %016llx populated %llu nonzero %llu\n",
	       hash, pop, nz);
	return 0;
}
