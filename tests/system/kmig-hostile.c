// SPDX-License-Identifier: GPL-2.0
/*
 * kmig-hostile: clients that misbehave at a kmig destination's handshake,
 * for tests/system/listener-cases.sh. Each mode connects to HOST PORT and
 * prints, per connection, the milliseconds from connect until the
 * destination closed it (or "open" if it still was when we gave up).
 *
 *   drip HOST PORT N EVERY_MS MAX_MS
 *       N connections, each sending a valid hello one byte every EVERY_MS
 *   partial-hello HOST PORT BYTES MAX_MS
 *       the first BYTES of a valid hello, then silence
 *   partial-auth HOST PORT BYTES MAX_MS
 *       a hello asking for authentication, then, after the CHALLENGE,
 *       the first BYTES of a RESPONSE, then silence
 *   flood HOST PORT N MS
 *       N threads, each connecting again and again for MS milliseconds
 *       and sending a 64-byte hello with a bad magic; prints the
 *       connections made and those that got a reply before the close
 *
 * Exit 0 when every connection was closed by the destination within
 * MAX_MS (drip, partial-*), or when the flood ran; 1 otherwise.
 *
 *   relay --to ADDR:PORT --dir D
 *       a TCP relay that resets on the test's word (postcopy-cases.sh;
 *       stall-proxy.py's relay and reset, without python3): listens on
 *       127.0.0.1 (any port), writes the port to D/port (D/port.tmp
 *       renamed), relays every connection to ADDR:PORT both ways; once
 *       the file D/reset exists, closes every connection with a TCP
 *       reset and exits 0. Exits 1 by itself after 300 s.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "wire.h"

static struct sockaddr_in peer;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int dial(void)
{
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&peer, sizeof(peer))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A hello the destination decodes: one channel, any region size. */
static void hello(uint8_t *buf, bool auth)
{
	struct kmig_wire_hello h = {
		.version_min = KMIG_WIRE_VERSION_MIN,
		.version_max = KMIG_WIRE_VERSION_MAX,
		.features = auth ? KMIG_WIRE_FEAT_AUTH : 0,
		.channel_id = 0,
		.channel_count = 1,
		.page_size = 4096,
		.region_size = 1 << 20,
		.max_pages = KMIG_WIRE_DEFAULT_MAX_PAGES,
	};

	kmig_wire_hello_encode(buf, KMIG_WIRE_HELLO_SIZE, &h);
}

/*
 * Has the destination closed @fd? Reads (and drops) what it sent; true at
 * EOF or a reset, false when the wait of @ms ran out with it still open.
 */
static bool closed_within(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int64_t end = now_ms() + ms;
	char buf[256];

	for (;;) {
		int left = (int)(end - now_ms());
		ssize_t n;

		if (left < 0)
			left = 0;
		if (poll(&p, 1, left) <= 0)
			return false;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return true;
		if (!left)
			return false;
	}
}

static int report(const char *what, int64_t t0, bool closed)
{
	if (closed)
		printf("%s closed %lld ms\n", what, (long long)(now_ms() - t0));
	else
		printf("%s open\n", what);
	return closed ? 0 : 1;
}

static int do_drip(int n, int every, int max)
{
	uint8_t h[KMIG_WIRE_HELLO_SIZE];
	int fd[64], sent[64], i, rc = 0, live;
	bool done[64] = { false };
	int64_t t0[64], end;
	char what[40];

	if (n < 1 || n > 64)
		return 2;
	hello(h, false);
	for (i = 0; i < n; i++) {
		fd[i] = dial();
		t0[i] = now_ms();
		sent[i] = 0;
		if (fd[i] < 0) {
			perror("connect");
			return 1;
		}
	}
	end = now_ms() + max;
	for (live = n; live && now_ms() < end;) {
		int64_t next = now_ms() + every;

		for (i = 0; i < n; i++)
			if (!done[i] && sent[i] < KMIG_WIRE_HELLO_SIZE &&
			    send(fd[i], h + sent[i], 1, MSG_NOSIGNAL) == 1)
				sent[i]++;
		/* Until the next byte is due, notice every close. */
		while (live && now_ms() < next) {
			struct pollfd p[64];

			for (i = 0; i < n; i++) {
				p[i].fd = done[i] ? -1 : fd[i];
				p[i].events = POLLIN;
				p[i].revents = 0;
			}
			if (poll(p, n, (int)(next - now_ms())) <= 0)
				continue;
			for (i = 0; i < n; i++) {
				if (done[i] || !p[i].revents ||
				    !closed_within(fd[i], 0))
					continue;
				snprintf(what, sizeof(what),
					 "drip %d (%d bytes sent)", i, sent[i]);
				report(what, t0[i], true);
				done[i] = true;
				live--;
			}
		}
	}
	for (i = 0; i < n; i++) {
		if (!done[i]) {
			snprintf(what, sizeof(what), "drip %d", i);
			rc |= report(what, t0[i], false);
		}
		close(fd[i]);
	}
	return rc;
}

static int do_partial(bool auth, int bytes, int max)
{
	uint8_t h[KMIG_WIRE_HELLO_SIZE], a[KMIG_WIRE_AUTH_SIZE];
	int64_t t0;
	size_t got = 0;
	int fd, rc;

	fd = dial();
	t0 = now_ms();
	if (fd < 0) {
		perror("connect");
		return 1;
	}
	hello(h, auth);
	if (!auth) {
		if (bytes > KMIG_WIRE_HELLO_SIZE)
			bytes = KMIG_WIRE_HELLO_SIZE;
		send(fd, h, bytes, MSG_NOSIGNAL);
	} else {
		send(fd, h, sizeof(h), MSG_NOSIGNAL);
		while (got < sizeof(a)) {
			ssize_t n = recv(fd, a + got, sizeof(a) - got, 0);

			if (n <= 0) {
				printf("no challenge\n");
				return 1;
			}
			got += n;
		}
		if (bytes > KMIG_WIRE_AUTH_SIZE)
			bytes = KMIG_WIRE_AUTH_SIZE;
		/* The challenge with another step and garbage: never checked. */
		send(fd, a, bytes, MSG_NOSIGNAL);
	}
	rc = report(auth ? "partial-auth" : "partial-hello", t0,
		    closed_within(fd, max));
	close(fd);
	return rc;
}

static int64_t flood_end;
static int flood_conns, flood_replies;
static pthread_mutex_t flood_lock = PTHREAD_MUTEX_INITIALIZER;

static void *flood_thread(void *arg)
{
	uint8_t h[KMIG_WIRE_HELLO_SIZE];
	int conns = 0, replies = 0;

	(void)arg;
	memset(h, 0xa5, sizeof(h));	/* bad magic */
	while (now_ms() < flood_end) {
		char buf[KMIG_WIRE_REPLY_SIZE];
		int fd = dial();

		if (fd < 0) {
			usleep(10000);
			continue;
		}
		conns++;
		send(fd, h, sizeof(h), MSG_NOSIGNAL);
		if (recv(fd, buf, sizeof(buf), MSG_WAITALL) > 0)
			replies++;
		close(fd);
	}
	pthread_mutex_lock(&flood_lock);
	flood_conns += conns;
	flood_replies += replies;
	pthread_mutex_unlock(&flood_lock);
	return NULL;
}

static int do_flood(int n, int ms)
{
	pthread_t t[256];
	int i, started = 0;

	if (n < 1 || n > 256)
		return 2;
	flood_end = now_ms() + ms;
	for (i = 0; i < n; i++) {
		pthread_attr_t attr;

		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 64 * 1024);
		if (!pthread_create(&t[i], &attr, flood_thread, NULL))
			started++;
		pthread_attr_destroy(&attr);
	}
	for (i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	printf("flood %d threads: %d connections, %d replies\n", started,
	       flood_conns, flood_replies);
	return started ? 0 : 1;
}

/* Relayed connections, in pairs: conn[i] and conn[i ^ 1]; -1 when free. */
#define RELAY_FDS 512
static int conn[RELAY_FDS];

static bool send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= n;
	}
	return true;
}

static void close_pair(int i)
{
	close(conn[i]);
	close(conn[i ^ 1]);
	conn[i] = conn[i ^ 1] = -1;
}

/* A new connection from the listener and one to the relay's target. */
static void relay_accept(int ls)
{
	int c = accept(ls, NULL, NULL), u, i;

	if (c < 0)
		return;
	for (i = 0; i < RELAY_FDS && conn[i] >= 0; i += 2)
		;
	u = i < RELAY_FDS ? dial() : -1;
	if (u < 0) {
		fprintf(stderr, "relay: %s\n", i < RELAY_FDS ?
			"connect to the target failed" : "too many connections");
		close(c);
		return;
	}
	conn[i] = c;
	conn[i + 1] = u;
}

static int do_relay(const char *to, const char *dir)
{
	char port_tmp[4096], port[4096], reset[4096], addr[64];
	static char buf[65536];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	const char *colon = strrchr(to, ':');
	int64_t end = now_ms() + 300 * 1000;
	int ls, i, one = 1;
	FILE *f;

	if (!colon || colon - to >= (int)sizeof(addr)) {
		fprintf(stderr, "relay: --to ADDR:PORT, not %s\n", to);
		return 2;
	}
	memcpy(addr, to, colon - to);
	addr[colon - to] = '\0';
	peer.sin_family = AF_INET;
	peer.sin_port = htons(atoi(colon + 1));
	if (inet_pton(AF_INET, addr, &peer.sin_addr) != 1) {
		fprintf(stderr, "relay: bad IPv4 address %s\n", addr);
		return 2;
	}
	snprintf(port_tmp, sizeof(port_tmp), "%s/port.tmp", dir);
	snprintf(port, sizeof(port), "%s/port", dir);
	snprintf(reset, sizeof(reset), "%s/reset", dir);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(ls, (struct sockaddr *)&sa, sizeof(sa)) || listen(ls, 64) ||
	    getsockname(ls, (struct sockaddr *)&sa, &sl)) {
		perror("relay: listen");
		return 1;
	}
	f = fopen(port_tmp, "w");
	if (!f || fprintf(f, "%d\n", ntohs(sa.sin_port)) < 0 || fclose(f) ||
	    rename(port_tmp, port)) {
		perror("relay: port file");
		return 1;
	}
	for (i = 0; i < RELAY_FDS; i++)
		conn[i] = -1;

	while (now_ms() < end) {
		struct pollfd p[1 + RELAY_FDS];

		if (!access(reset, F_OK)) {
			struct linger lg = { .l_onoff = 1, .l_linger = 0 };
			int n = 0;

			for (i = 0; i < RELAY_FDS; i++) {
				if (conn[i] < 0)
					continue;
				setsockopt(conn[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
				close(conn[i]);
				n++;
			}
			printf("relay: reset %d sockets\n", n);
			return 0;
		}
		p[0].fd = ls;
		p[0].events = POLLIN;
		for (i = 0; i < RELAY_FDS; i++) {
			p[1 + i].fd = conn[i];
			p[1 + i].events = POLLIN;
		}
		if (poll(p, 1 + RELAY_FDS, 50) <= 0)
			continue;
		for (i = 0; i < RELAY_FDS; i++) {
			ssize_t n;

			/* Its pair closed earlier in this round: done. */
			if (!p[1 + i].revents || conn[i] < 0)
				continue;
			n = recv(conn[i], buf, sizeof(buf), MSG_DONTWAIT);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (n <= 0 || !send_all(conn[i ^ 1], buf, n))
				close_pair(i);
		}
		if (p[0].revents)
			relay_accept(ls);
	}
	return 1;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "relay") &&
	    !strcmp(argv[2], "--to") && !strcmp(argv[4], "--dir")) {
		setvbuf(stdout, NULL, _IOLBF, 0);
		return do_relay(argv[3], argv[5]);
	}
	if (argc < 5) {
		fprintf(stderr,
			"usage: %s drip|partial-hello|partial-auth|flood HOST PORT ARGS...\n"
			"       %s relay --to ADDR:PORT --dir D\n",
			argv[0], argv[0]);
		return 2;
	}
	peer.sin_family = AF_INET;
	peer.sin_port = htons(atoi(argv[3]));
	if (inet_pton(AF_INET, argv[2], &peer.sin_addr) != 1) {
		fprintf(stderr, "%s: bad IPv4 address %s\n", argv[0], argv[2]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "drip") && argc == 7)
		return do_drip(atoi(argv[4]), atoi(argv[5]), atoi(argv[6]));
	if (!strcmp(argv[1], "partial-hello") && argc == 6)
		return do_partial(false, atoi(argv[4]), atoi(argv[5]));
	if (!strcmp(argv[1], "partial-auth") && argc == 6)
		return do_partial(true, atoi(argv[4]), atoi(argv[5]));
	if (!strcmp(argv[1], "flood") && argc == 6)
		return do_flood(atoi(argv[4]), atoi(argv[5]));
	fprintf(stderr, "%s: bad arguments\n", argv[0]);
	return 2;
}
