// SPDX-License-Identifier: GPL-2.0
/*
 * In-kernel TCP for the migration channels (see sock.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/net.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/tcp.h>
#include <linux/highmem.h>
#include <linux/uio.h>
#include <linux/bvec.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/inet_common.h>

#include "sock.h"
#include "compat.h"

/* Send and receive buffers: eight 512 KiB batches in flight per channel. */
#define KMIG_SOCK_BUF		(4 << 20)
/* Accept polls this often so the listener notices a cancel. */
#define KMIG_ACCEPT_POLL	(HZ / 5)
/* A peer that stops acknowledging data for this long is dead. */
#define KMIG_USER_TIMEOUT_MS	30000
#define KMIG_KEEPIDLE_S		10
#define KMIG_KEEPINTVL_S	5
#define KMIG_KEEPCNT		3

#ifdef CONFIG_DEBUG_LOCK_ALLOC
/*
 * Channel sockets are driven from kthreads, never from a syscall: give
 * them lockdep classes of their own (as NVMe/TCP does) so their locking
 * is not mixed up with that of user sockets.
 */
static struct lock_class_key kmig_sk_key[2];
static struct lock_class_key kmig_slock_key[2];

static void kmig_sock_reclassify(struct socket *sock)
{
	struct sock *sk = sock->sk;

	/* Only fresh sockets, before any packet can reach them. */
	if (!sock_allow_reclassification(sk))
		return;
	if (sk->sk_family == AF_INET6)
		sock_lock_init_class_and_name(sk, "slock-AF_INET6-KMIG",
					      &kmig_slock_key[1],
					      "sk_lock-AF_INET6-KMIG",
					      &kmig_sk_key[1]);
	else
		sock_lock_init_class_and_name(sk, "slock-AF_INET-KMIG",
					      &kmig_slock_key[0],
					      "sk_lock-AF_INET-KMIG",
					      &kmig_sk_key[0]);
}
#else
static void kmig_sock_reclassify(struct socket *sock) { }
#endif

static int kmig_sock_addrlen(const struct sockaddr_storage *addr)
{
	return addr->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
					     sizeof(struct sockaddr_in);
}

/* Options of a connected channel socket. */
static void kmig_sock_options(struct socket *sock)
{
	struct sock *sk = sock->sk;

	tcp_sock_set_nodelay(sk);
	sock_set_keepalive(sk);
	tcp_sock_set_keepidle(sk, KMIG_KEEPIDLE_S);
	tcp_sock_set_keepintvl(sk, KMIG_KEEPINTVL_S);
	tcp_sock_set_keepcnt(sk, KMIG_KEEPCNT);
	tcp_sock_set_user_timeout(sk, KMIG_USER_TIMEOUT_MS);
	sock_no_linger(sk);

	lock_sock(sk);
	sk->sk_sndbuf = KMIG_SOCK_BUF;
	sk->sk_rcvbuf = KMIG_SOCK_BUF;
	sk->sk_userlocks |= SOCK_SNDBUF_LOCK | SOCK_RCVBUF_LOCK;
	release_sock(sk);
}

static int kmig_sock_create(struct net *net, int family,
			    struct socket **res)
{
	int ret;

	ret = sock_create_kern(net, family, SOCK_STREAM, IPPROTO_TCP, res);
	if (ret)
		return ret;
	kmig_sock_reclassify(*res);
	return 0;
}

int kmig_sock_listen(struct net *net, const struct sockaddr_storage *addr,
		     int backlog, struct socket **res, u16 *port)
{
	struct sockaddr_storage bound = {};
	struct socket *sock;
	int ret;

	ret = kmig_sock_create(net, addr->ss_family, &sock);
	if (ret)
		return ret;
	sock_set_reuseaddr(sock->sk);
	ret = kernel_bind(sock, (struct sockaddr *)addr,
			  kmig_sock_addrlen(addr));
	if (ret)
		goto err;
	ret = kernel_listen(sock, backlog);
	if (ret)
		goto err;
	ret = kernel_getsockname(sock, (struct sockaddr *)&bound);
	if (ret < 0)
		goto err;
	*port = bound.ss_family == AF_INET6 ?
		ntohs(((struct sockaddr_in6 *)&bound)->sin6_port) :
		ntohs(((struct sockaddr_in *)&bound)->sin_port);
	kmig_sock_set_timeouts(sock, KMIG_ACCEPT_POLL, MAX_SCHEDULE_TIMEOUT);
	*res = sock;
	return 0;
err:
	sock_release(sock);
	return ret;
}

int kmig_sock_accept(struct socket *lsock, struct socket **res)
{
	int ret;

	ret = kernel_accept(lsock, res, 0);
	if (ret)
		return ret;
	kmig_sock_options(*res);
	return 0;
}

int kmig_sock_connect(struct net *net, const struct sockaddr_storage *addr,
		      long timeout, struct socket **res)
{
	struct socket *sock;
	int ret;

	ret = kmig_sock_create(net, addr->ss_family, &sock);
	if (ret)
		return ret;
	kmig_sock_set_timeouts(sock, MAX_SCHEDULE_TIMEOUT, timeout);
	ret = kernel_connect(sock, (struct sockaddr *)addr,
			     kmig_sock_addrlen(addr), 0);
	if (ret) {
		/* A blocking connect that ran out of time. */
		if (ret == -EINPROGRESS || ret == -EALREADY)
			ret = -ETIMEDOUT;
		sock_release(sock);
		return ret;
	}
	kmig_sock_options(sock);
	kmig_sock_set_timeouts(sock, MAX_SCHEDULE_TIMEOUT, MAX_SCHEDULE_TIMEOUT);
	*res = sock;
	return 0;
}

void kmig_sock_set_timeouts(struct socket *sock, long rcv, long snd)
{
	struct sock *sk = sock->sk;

	lock_sock(sk);
	WRITE_ONCE(sk->sk_rcvtimeo, rcv);
	WRITE_ONCE(sk->sk_sndtimeo, snd);
	release_sock(sk);
}

static void kmig_sock_state_change(struct sock *sk)
{
	void (*saved)(struct sock *sk) = NULL;
	struct kmig_sock *ks;

	read_lock_bh(&sk->sk_callback_lock);
	ks = sk->sk_user_data;
	if (ks) {
		saved = ks->saved_state_change;
		switch (sk->sk_state) {
		case TCP_CLOSE:
		case TCP_CLOSE_WAIT:
		case TCP_LAST_ACK:
		case TCP_FIN_WAIT1:
		case TCP_FIN_WAIT2:
			ks->on_close(ks, READ_ONCE(sk->sk_err));
			break;
		default:
			break;
		}
	}
	read_unlock_bh(&sk->sk_callback_lock);
	if (saved)
		saved(sk);
}

void kmig_sock_hook(struct kmig_sock *ks, struct socket *sock,
		    void (*on_close)(struct kmig_sock *ks, int err))
{
	struct sock *sk = sock->sk;

	ks->sock = sock;
	ks->on_close = on_close;
	write_lock_bh(&sk->sk_callback_lock);
	ks->saved_state_change = sk->sk_state_change;
	sk->sk_user_data = ks;
	sk->sk_state_change = kmig_sock_state_change;
	write_unlock_bh(&sk->sk_callback_lock);
}

void kmig_sock_unhook(struct kmig_sock *ks)
{
	struct sock *sk;

	if (!ks->sock || !ks->saved_state_change)
		return;
	sk = ks->sock->sk;
	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = NULL;
	sk->sk_state_change = ks->saved_state_change;
	write_unlock_bh(&sk->sk_callback_lock);
	ks->saved_state_change = NULL;
}

/*
 * Before each blocking call of a transfer with a @deadline: the time left
 * as the socket's timeout, so that the whole transfer, however the peer
 * dribbles its bytes, ends by the deadline. -ETIMEDOUT once it has passed.
 */
static int kmig_sock_arm(struct socket *sock, const unsigned long *deadline,
			 bool rcv)
{
	struct sock *sk = sock->sk;
	long left;

	if (!deadline)
		return 0;
	left = (long)(*deadline - jiffies);
	if (left <= 0)
		return -ETIMEDOUT;
	lock_sock(sk);
	if (rcv)
		WRITE_ONCE(sk->sk_rcvtimeo, left);
	else
		WRITE_ONCE(sk->sk_sndtimeo, left);
	release_sock(sk);
	return 0;
}

static int kmig_sock_send_until(struct socket *sock, const void *buf,
				size_t len, bool more,
				const unsigned long *deadline)
{
	struct kvec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = {
		.msg_flags = MSG_NOSIGNAL | (more ? MSG_MORE : 0),
	};
	int ret;

	iov_iter_kvec(&msg.msg_iter, ITER_SOURCE, &iov, 1, len);
	while (msg_data_left(&msg)) {
		ret = kmig_sock_arm(sock, deadline, false);
		if (ret)
			return ret;
		ret = sock_sendmsg(sock, &msg);
		if (ret == -EAGAIN && deadline)
			continue;	/* kmig_sock_arm() says when it is over */
		if (ret <= 0)
			return ret ? ret : -EPIPE;
	}
	return 0;
}

int kmig_sock_send(struct socket *sock, const void *buf, size_t len,
		   bool more)
{
	return kmig_sock_send_until(sock, buf, len, more, NULL);
}

int kmig_sock_send_by(struct socket *sock, const void *buf, size_t len,
		      unsigned long deadline)
{
	return kmig_sock_send_until(sock, buf, len, false, &deadline);
}

static int kmig_sock_send_copy(struct socket *sock, struct page *page,
			       bool more)
{
	void *p = kmap_local_page(page);
	int ret;

	ret = kmig_sock_send(sock, p, PAGE_SIZE, more);
	kunmap_local(p);
	return ret;
}

int kmig_sock_send_pages(struct socket *sock, struct page **pages,
			 unsigned int n, bool more, unsigned int *copied)
{
	unsigned int i = 0, run;
	int ret;

	*copied = 0;
	while (i < n) {
		/* The longest run of pages the stack may hold on to. */
		for (run = 0; i + run < n && sendpage_ok(pages[i + run]); run++)
			;
		if (run) {
			ret = kmig_send_pages_nocopy(sock, pages + i, run,
						     MSG_NOSIGNAL |
						     (i + run < n || more ?
						      MSG_MORE : 0));
			if (ret)
				return ret;
			i += run;
			continue;
		}
		ret = kmig_sock_send_copy(sock, pages[i], i + 1 < n || more);
		if (ret)
			return ret;
		(*copied)++;
		i++;
	}
	return 0;
}

static int kmig_sock_recv_iter(struct socket *sock, struct msghdr *msg,
			       const unsigned long *deadline)
{
	size_t want = msg_data_left(msg);
	int ret;

	while (msg_data_left(msg)) {
		ret = kmig_sock_arm(sock, deadline, true);
		if (ret)
			return ret;
		ret = sock_recvmsg(sock, msg, MSG_WAITALL | MSG_NOSIGNAL);
		if (ret == 0)
			return msg_data_left(msg) == want ? -ECONNRESET :
							     -EBADMSG;
		if (ret == -EAGAIN && deadline)
			continue;	/* kmig_sock_arm() says when it is over */
		if (ret < 0)
			return ret;
	}
	return 0;
}

int kmig_sock_recv(struct socket *sock, void *buf, size_t len)
{
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {};

	iov_iter_kvec(&msg.msg_iter, ITER_DEST, &iov, 1, len);
	return kmig_sock_recv_iter(sock, &msg, NULL);
}

int kmig_sock_recv_by(struct socket *sock, void *buf, size_t len,
		      unsigned long deadline)
{
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {};

	iov_iter_kvec(&msg.msg_iter, ITER_DEST, &iov, 1, len);
	return kmig_sock_recv_iter(sock, &msg, &deadline);
}

int kmig_sock_recv_pages(struct socket *sock, struct page **pages,
			 unsigned int n)
{
	struct bio_vec bvec[16];
	struct msghdr msg = {};
	unsigned int i, k, j;
	int ret;

	for (i = 0; i < n; i += k) {
		k = min_t(unsigned int, n - i, ARRAY_SIZE(bvec));
		for (j = 0; j < k; j++)
			bvec_set_page(&bvec[j], pages[i + j], PAGE_SIZE, 0);
		iov_iter_bvec(&msg.msg_iter, ITER_DEST, bvec, k,
			      (size_t)k * PAGE_SIZE);
		ret = kmig_sock_recv_iter(sock, &msg, NULL);
		if (ret)
			return ret;
	}
	return 0;
}

void kmig_sock_shutdown(struct socket *sock)
{
	if (sock)
		kernel_sock_shutdown(sock, SHUT_RDWR);
}

void kmig_sock_release(struct socket *sock)
{
	if (sock)
		sock_release(sock);
}

bool kmig_sock_drained(struct socket *sock)
{
	/*
	 * Our FIN is acknowledged (FIN_WAIT2, TIME_WAIT), so is every byte
	 * before it; or the connection is over (CLOSE).
	 */
	return !sock || ((1 << READ_ONCE(sock->sk->sk_state)) &
			 (TCPF_FIN_WAIT2 | TCPF_TIME_WAIT | TCPF_CLOSE));
}

void kmig_sock_addr_str(const struct sockaddr_storage *addr, char *buf,
			size_t len)
{
	if (addr->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)addr;

		snprintf(buf, len, "[%pI6c]:%u", &a->sin6_addr,
			 ntohs(a->sin6_port));
	} else {
		const struct sockaddr_in *a = (const void *)addr;

		snprintf(buf, len, "%pI4:%u", &a->sin_addr,
			 ntohs(a->sin_port));
	}
}
