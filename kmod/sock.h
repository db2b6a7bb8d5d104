/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-kernel TCP sockets of the migration channels, set up the way
 * NVMe/TCP sets up its queues: their own lockdep classes, no Nagle, sized
 * buffers, keepalive and a user timeout so a dead peer is noticed, and a
 * state_change callback saved on hook and restored before release.
 */
#ifndef _KMIG_SOCK_H
#define _KMIG_SOCK_H

#include <linux/types.h>
#include <linux/socket.h>

struct socket;
struct sock;
struct page;
struct net;

struct kmig_sock {
	struct socket *sock;
	void (*saved_state_change)(struct sock *sk);
	/*
	 * Called in softirq context when the connection closes or fails.
	 * @err is the socket's error: 0 for an orderly close (FIN),
	 * ETIMEDOUT when the peer stopped acknowledging for the user
	 * timeout, ECONNRESET and the like for a reset.
	 */
	void (*on_close)(struct kmig_sock *ks, int err);
};

/* Listen on @addr (port 0 picks one; *port returns the bound port). */
int kmig_sock_listen(struct net *net, const struct sockaddr_storage *addr,
		     int backlog, struct socket **res, u16 *port);
/* Accept one connection; -EAGAIN when none came within the poll interval. */
int kmig_sock_accept(struct socket *lsock, struct socket **res);
/* Connect to @addr, giving up after @timeout jiffies. */
int kmig_sock_connect(struct net *net, const struct sockaddr_storage *addr,
		      long timeout, struct socket **res);

/* Receive and send timeouts in jiffies (MAX_SCHEDULE_TIMEOUT: none). */
void kmig_sock_set_timeouts(struct socket *sock, long rcv, long snd);

void kmig_sock_hook(struct kmig_sock *ks, struct socket *sock,
		    void (*on_close)(struct kmig_sock *ks, int err));
/* Restore the callbacks; the socket stays open. */
void kmig_sock_unhook(struct kmig_sock *ks);

/* Send all of @buf; 0 or a negative errno. */
int kmig_sock_send(struct socket *sock, const void *buf, size_t len,
		   bool more);
/*
 * Send @n whole pages, spliced where the page allows it (sendpage_ok()),
 * copied otherwise; *copied counts the copies. 0 or a negative errno.
 */
int kmig_sock_send_pages(struct socket *sock, struct page **pages,
			 unsigned int n, bool more, unsigned int *copied);
/*
 * Receive exactly @len bytes. If the peer closes first: -ECONNRESET when
 * nothing of it came, -EBADMSG when only part of it did.
 */
int kmig_sock_recv(struct socket *sock, void *buf, size_t len);
/*
 * The same with a deadline (jiffies) for the whole transfer, not for each
 * read or write: -ETIMEDOUT once it has passed, whatever came before.
 */
int kmig_sock_recv_by(struct socket *sock, void *buf, size_t len,
		      unsigned long deadline);
int kmig_sock_send_by(struct socket *sock, const void *buf, size_t len,
		      unsigned long deadline);
/* Receive @n whole pages straight into @pages (errors as above). */
int kmig_sock_recv_pages(struct socket *sock, struct page **pages,
			 unsigned int n);

/* Wake every sleeper on the socket: pending and later calls fail. */
void kmig_sock_shutdown(struct socket *sock);
void kmig_sock_release(struct socket *sock);
/* After kmig_sock_shutdown(): the peer's TCP has everything we sent. */
bool kmig_sock_drained(struct socket *sock);

/* "1.2.3.4:5" or "[::1]:5" into @buf. */
void kmig_sock_addr_str(const struct sockaddr_storage *addr, char *buf,
			size_t len);

#endif /* _KMIG_SOCK_H */
