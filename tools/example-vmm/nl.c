// SPDX-License-Identifier: GPL-2.0
/* A small raw generic netlink client (no libnl). */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

int nl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 20 };
	int fd, one = 1, e;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	/* Error messages from the kernel, and acks without the request. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	/* Fail rather than hang when an answer never comes. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

void nl_msg_init(struct nl_msg *m, uint16_t family, uint8_t cmd)
{
	static uint32_t seq;
	struct nlmsghdr *n = (struct nlmsghdr *)m->buf;
	struct genlmsghdr *g;

	memset(m->buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	n->nlmsg_type = family;
	n->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	n->nlmsg_seq = ++seq;
	g = NLMSG_DATA(n);
	g->cmd = cmd;
	g->version = 1;
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
}

void nl_put(struct nl_msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(m->buf + m->len);

	if (m->len + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(m->buf))
		return;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	memset((char *)a + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	m->len += NLA_HDRLEN + NLA_ALIGN(len);
}

void nl_put_u16(struct nl_msg *m, uint16_t type, uint16_t v)
{
	nl_put(m, type, &v, sizeof(v));
}

void nl_put_u32(struct nl_msg *m, uint16_t type, uint32_t v)
{
	nl_put(m, type, &v, sizeof(v));
}

void nl_put_u64(struct nl_msg *m, uint16_t type, uint64_t v)
{
	nl_put(m, type, &v, sizeof(v));
}

void nl_put_str(struct nl_msg *m, uint16_t type, const char *s)
{
	nl_put(m, type, s, strlen(s) + 1);
}

void nl_put_flag(struct nl_msg *m, uint16_t type)
{
	nl_put(m, type, NULL, 0);
}

void nl_msg_wipe(struct nl_msg *m)
{
	explicit_bzero(m->buf, sizeof(m->buf));
	m->len = 0;
}

struct nlattr *nl_nest_start(struct nl_msg *m, uint16_t type)
{
	struct nlattr *a = (struct nlattr *)(m->buf + m->len);
	size_t len = m->len;

	nl_put(m, type | NLA_F_NESTED, NULL, 0);
	return m->len == len ? NULL : a;	/* NULL: no room */
}

void nl_nest_end(struct nl_msg *m, struct nlattr *nest)
{
	if (nest)
		nest->nla_len = m->buf + m->len - (char *)nest;
}

/* The extended-ack message (NLMSGERR_ATTR_MSG) of an error message. */
static void nl_extack(const struct nlmsghdr *n, char *why, size_t whylen)
{
	const struct nlmsgerr *e = NLMSG_DATA(n);
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = NLMSG_HDRLEN + sizeof(*e);

	if (!why || !whylen)
		return;
	why[0] = 0;
	/* Without NLM_F_CAPPED the request follows the error. */
	if (!(n->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (!(n->nlmsg_flags & NLM_F_ACK_TLVS) || off >= n->nlmsg_len)
		return;
	nl_parse((const char *)n + off, n->nlmsg_len - off, tb, NLMSGERR_ATTR_MAX);
	if (tb[NLMSGERR_ATTR_MSG]) {
		strncpy(why, nl_str(tb[NLMSGERR_ATTR_MSG]), whylen - 1);
		why[whylen - 1] = 0;
	}
}

int nl_call(int fd, struct nl_msg *req, struct nl_msg *reply,
	    char *why, size_t whylen)
{
	struct nlmsghdr *rq = (struct nlmsghdr *)req->buf, *n;
	static char buf[65536];
	int got_reply = 0;
	ssize_t len;

	if (why && whylen)
		why[0] = 0;
	if (reply)
		reply->len = 0;
	rq->nlmsg_len = req->len;
	if (send(fd, req->buf, req->len, 0) < 0)
		return -errno;
	for (;;) {
		len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0)
			return -errno;
		for (n = (struct nlmsghdr *)buf; NLMSG_OK(n, (size_t)len);
		     n = NLMSG_NEXT(n, len)) {
			if (n->nlmsg_seq != rq->nlmsg_seq)
				continue;
			if (n->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(n);

				if (e->error)
					nl_extack(n, why, whylen);
				return e->error;
			}
			if (reply && !got_reply++ && n->nlmsg_len <= sizeof(reply->buf)) {
				memcpy(reply->buf, n, n->nlmsg_len);
				reply->len = n->nlmsg_len;
			}
		}
	}
}

void nl_parse(const void *data, size_t len, const struct nlattr **tb,
	      unsigned int max)
{
	const struct nlattr *a;
	size_t off = 0;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	while (off + NLA_HDRLEN <= len) {
		a = (const struct nlattr *)((const char *)data + off);
		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > len)
			return;
		if ((a->nla_type & NLA_TYPE_MASK) <= max)
			tb[a->nla_type & NLA_TYPE_MASK] = a;
		off += NLA_ALIGN(a->nla_len);
	}
}

const void *nl_genl_attrs(const struct nlmsghdr *n, size_t *len)
{
	size_t hdr = NLMSG_HDRLEN + GENL_HDRLEN;

	*len = n->nlmsg_len < hdr ? 0 : n->nlmsg_len - hdr;
	return (const char *)n + hdr;
}

void nl_parse_genl(const struct nlmsghdr *n, const struct nlattr **tb,
		   unsigned int max)
{
	size_t len;
	const void *attrs = nl_genl_attrs(n, &len);

	nl_parse(attrs, len, tb, max);
}

const struct nlattr *nl_next(const void *data, size_t len,
			     const struct nlattr *a)
{
	size_t off = a ? (size_t)((const char *)a - (const char *)data) +
			 NLA_ALIGN(a->nla_len) : 0;

	if (off + NLA_HDRLEN > len)
		return NULL;
	a = (const struct nlattr *)((const char *)data + off);
	if (a->nla_len < NLA_HDRLEN || off + a->nla_len > len)
		return NULL;
	return a;
}

void nl_parse_nested(const struct nlattr *a, const struct nlattr **tb,
		     unsigned int max)
{
	nl_parse((const char *)a + NLA_HDRLEN, a->nla_len - NLA_HDRLEN, tb, max);
}

uint64_t nl_uint(const struct nlattr *a, uint64_t def)
{
	const void *p = (const char *)a + NLA_HDRLEN;
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;

	if (!a)
		return def;
	switch (a->nla_len - NLA_HDRLEN) {
	case 1:
		return *(const uint8_t *)p;
	case 2:
		memcpy(&v16, p, 2);
		return v16;
	case 4:
		memcpy(&v32, p, 4);
		return v32;
	case 8:
		memcpy(&v64, p, 8);
		return v64;
	}
	return def;
}

const char *nl_str(const struct nlattr *a)
{
	const char *s = (const char *)a + NLA_HDRLEN;
	size_t len;

	if (!a)
		return "";
	len = a->nla_len - NLA_HDRLEN;
	return len && !s[len - 1] ? s : "";
}

int nl_resolve(int fd, const char *name, const char *group,
	       uint16_t *family, uint32_t *group_id)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1], *g[CTRL_ATTR_MCAST_GRP_MAX + 1];
	static struct nl_msg req, reply;
	const struct nlattr *grps, *a;
	size_t off, len;
	int ret;

	nl_msg_init(&req, GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
	nl_put_str(&req, CTRL_ATTR_FAMILY_NAME, name);
	ret = nl_call(fd, &req, &reply, NULL, 0);
	if (ret)
		return ret;
	if (!reply.len)
		return -ENOENT;
	nl_parse_genl((const struct nlmsghdr *)reply.buf, tb, CTRL_ATTR_MAX);
	if (!tb[CTRL_ATTR_FAMILY_ID])
		return -ENOENT;
	*family = nl_uint(tb[CTRL_ATTR_FAMILY_ID], 0);
	if (!group)
		return 0;

	/* CTRL_ATTR_MCAST_GROUPS: a nest of nests {GRP_NAME, GRP_ID}. */
	grps = tb[CTRL_ATTR_MCAST_GROUPS];
	if (!grps)
		return -ENOENT;
	len = grps->nla_len - NLA_HDRLEN;
	for (off = 0; off + NLA_HDRLEN <= len; off += NLA_ALIGN(a->nla_len)) {
		a = (const struct nlattr *)((const char *)grps + NLA_HDRLEN + off);
		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > len)
			break;
		nl_parse((const char *)a + NLA_HDRLEN, a->nla_len - NLA_HDRLEN,
			 g, CTRL_ATTR_MCAST_GRP_MAX);
		if (g[CTRL_ATTR_MCAST_GRP_ID] &&
		    !strcmp(nl_str(g[CTRL_ATTR_MCAST_GRP_NAME]), group)) {
			*group_id = nl_uint(g[CTRL_ATTR_MCAST_GRP_ID], 0);
			return 0;
		}
	}
	return -ENOENT;
}
