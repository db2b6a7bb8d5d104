// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink helpers without a socket of their own: error reports, attribute
 * accessors and kmig_nl_call() on top of kmig_nl_do() (kept apart from
 * nl.c so that migctl's test double, tools/migctl/tests/fake-nl.c, can
 * share them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/genl/genl.h>

#include "nl.h"

char *kmig_nl_strerror(char *buf, size_t len, const struct kmig_nl_err *err,
		       const char *reason)
{
	char ext[sizeof(err->msg) + 64] = "";

	buf[0] = '\0';
	if (!err->kerr && !err->nlerr)
		return buf;
	if (err->msg[0])
		snprintf(ext, sizeof(ext), " (kernel: %s)", err->msg);
	else if (err->miss_type >= 0)
		snprintf(ext, sizeof(ext), " (kernel: missing attribute %ld)",
			 err->miss_type);

	if (reason)
		snprintf(buf, len, "%s%s", reason, ext);
	else if (err->kerr == EPERM)
		snprintf(buf, len, "%s (CAP_NET_ADMIN required)%s",
			 strerror(err->kerr), ext);
	else if (err->kerr)
		snprintf(buf, len, "%s%s", strerror(err->kerr), ext);
	else
		snprintf(buf, len, "netlink: %s%s", nl_geterror(-err->nlerr), ext);
	return buf;
}

void kmig_nl_report(const char *what, const struct kmig_nl_err *err,
		    const char *reason)
{
	char buf[512];

	if (*kmig_nl_strerror(buf, sizeof(buf), err, reason))
		err_line("%s: %s", what, buf);
}

bool kmig_attr_uint(const struct nlattr *a, uint64_t *v)
{
	if (!a)
		return false;
	switch (nla_len(a)) {
	case 1:
		*v = nla_get_u8(a);
		return true;
	case 2:
		*v = nla_get_u16(a);
		return true;
	case 4:
		*v = nla_get_u32(a);
		return true;
	case 8:
		*v = nla_get_u64(a);
		return true;
	}
	return false;
}

uint64_t kmig_attr_uint_or(const struct nlattr *a, uint64_t def)
{
	uint64_t v;

	return kmig_attr_uint(a, &v) ? v : def;
}

const char *kmig_attr_str(const struct nlattr *a)
{
	const char *s;
	int len;

	if (!a)
		return "";
	s = nla_data(a);
	len = nla_len(a);
	return len > 0 && !s[len - 1] ? s : "";
}

void kmig_nl_msg_wipe(struct nl_msg *msg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	explicit_bzero(nlh, nlh->nlmsg_len);
	nlmsg_free(msg);
}

void kmig_nl_reply_free(struct kmig_nl_reply *r)
{
	free(r->nlh);
	r->nlh = NULL;
}

/* kmig_nl_call()'s callback: count the replies, copy the first. */
static int keep_reply(const struct nlmsghdr *nlh, struct nlattr **tb,
		      void *arg)
{
	struct kmig_nl_reply *r = arg;

	(void)tb;
	if (!r->nmsgs++) {
		r->nlh = malloc(nlh->nlmsg_len);
		if (!r->nlh)
			return -1;
		memcpy(r->nlh, nlh, nlh->nlmsg_len);
	}
	return 0;
}

int kmig_nl_call(struct kmig_nl *nl, struct nl_msg *msg,
		 struct kmig_nl_reply *r)
{
	kmig_nl_reply_free(r);
	r->nmsgs = 0;
	if (!kmig_nl_do(nl, msg, KMIG_NL_MAXATTR, keep_reply, r, &r->err))
		return 0;
	if (r->err.kerr)
		return -r->err.kerr;
	if (!r->err.nlerr)	/* keep_reply() failed */
		r->err.nlerr = NLE_NOMEM;
	return -EIO;
}

struct nlattr *kmig_nl_reply_attr(const struct kmig_nl_reply *r, int type)
{
	struct genlmsghdr *g;

	if (!r->nlh)
		return NULL;
	g = nlmsg_data(r->nlh);
	return nla_find(genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), type);
}
