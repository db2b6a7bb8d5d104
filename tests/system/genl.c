// SPDX-License-Identifier: GPL-2.0
/* Minimal raw generic netlink client for the system tests. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/netlink.h>
#include <linux/genetlink.h>

#include "genl.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

static uint32_t seq_counter = 1;

int genl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 20 };
	int fd, one = 1;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	/* A test must fail, not hang, when an answer never comes. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

void genl_msg_init(struct genl_msg *m, int family, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *n = (struct nlmsghdr *)m->buf;
	struct genlmsghdr *g;

	memset(m->buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	n->nlmsg_type = family;
	n->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	n->nlmsg_seq = seq_counter++;
	g = NLMSG_DATA(n);
	g->cmd = cmd;
	g->version = 1;
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
}

void genl_put(struct genl_msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(m->buf + m->len);

	if (m->len + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(m->buf))
		return;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	memset((char *)a + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	m->len += NLA_HDRLEN + NLA_ALIGN(len);
}

void genl_put_u32(struct genl_msg *m, uint16_t type, uint32_t v)
{
	genl_put(m, type, &v, sizeof(v));
}

static void parse_extack(struct nlmsghdr *n, struct genl_reply *r)
{
	struct nlmsgerr *e = NLMSG_DATA(n);
	size_t off = sizeof(*e);
	struct nlattr *a;

	/* Without NLM_F_CAPPED the original request follows the error. */
	if (!(n->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (!(n->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	while (NLMSG_HDRLEN + off + NLA_HDRLEN <= n->nlmsg_len) {
		a = (struct nlattr *)((char *)e + off);
		if (a->nla_len < NLA_HDRLEN ||
		    NLMSG_HDRLEN + off + a->nla_len > n->nlmsg_len)
			break;
		if (a->nla_type == NLMSGERR_ATTR_MSG) {
			size_t l = a->nla_len - NLA_HDRLEN;

			if (l >= sizeof(r->extack))
				l = sizeof(r->extack) - 1;
			memcpy(r->extack, (char *)a + NLA_HDRLEN, l);
			r->extack[l] = 0;
		}
		off += NLA_ALIGN(a->nla_len);
	}
}

int genl_call(int fd, struct genl_msg *m, struct genl_reply *r)
{
	struct nlmsghdr *req = (struct nlmsghdr *)m->buf;
	static char rbuf[65536];
	struct nlmsghdr *n;
	ssize_t len;

	memset(r, 0, sizeof(*r));
	req->nlmsg_len = m->len;
	if (send(fd, m->buf, m->len, 0) < 0)
		return r->error = -errno;

	for (;;) {
		len = recv(fd, rbuf, sizeof(rbuf), 0);
		if (len < 0)
			return r->error = -errno;
		for (n = (struct nlmsghdr *)rbuf; NLMSG_OK(n, (size_t)len);
		     n = NLMSG_NEXT(n, len)) {
			if (n->nlmsg_seq != req->nlmsg_seq)
				continue;
			if (n->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(n);

				r->error = e->error;
				parse_extack(n, r);
				return r->error;
			}
			if (n->nlmsg_type == NLMSG_DONE) {
				/* A dump ends with DONE, carrying its error. */
				r->error = 0;
				if (n->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
					memcpy(&r->error, NLMSG_DATA(n), sizeof(int));
				return r->error;
			}
			if (!r->nmsgs++ && n->nlmsg_len <= sizeof(r->buf)) {
				memcpy(r->buf, n, n->nlmsg_len);
				r->len = n->nlmsg_len;
			}
		}
	}
}

const struct nlattr *genl_attr(const struct genl_reply *r, uint16_t type)
{
	const struct nlmsghdr *n = (const struct nlmsghdr *)r->buf;
	size_t off = NLMSG_HDRLEN + GENL_HDRLEN;
	const struct nlattr *a;

	if (!r->len)
		return NULL;
	while (off + NLA_HDRLEN <= n->nlmsg_len) {
		a = (const struct nlattr *)(r->buf + off);
		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > n->nlmsg_len)
			return NULL;
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		off += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

int genl_attr_u32(const struct genl_reply *r, uint16_t type, uint32_t *v)
{
	const struct nlattr *a = genl_attr(r, type);

	if (!a || a->nla_len != NLA_HDRLEN + 4)
		return -1;
	memcpy(v, (const char *)a + NLA_HDRLEN, 4);
	return 0;
}

int genl_attr_u64(const struct genl_reply *r, uint16_t type, uint64_t *v)
{
	const struct nlattr *a = genl_attr(r, type);

	if (!a || a->nla_len != NLA_HDRLEN + 8)
		return -1;
	memcpy(v, (const char *)a + NLA_HDRLEN, 8);
	return 0;
}

int genl_family(int fd, const char *name)
{
	struct genl_reply *r;
	struct genl_msg m;
	uint16_t id;
	const struct nlattr *a;
	int ret;

	static struct genl_reply reply;

	r = &reply;
	genl_msg_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	genl_put(&m, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	ret = genl_call(fd, &m, r);
	if (ret)
		return ret;
	a = genl_attr(r, CTRL_ATTR_FAMILY_ID);
	if (!a)
		return -ENOENT;
	memcpy(&id, (const char *)a + NLA_HDRLEN, 2);
	return id;
}
