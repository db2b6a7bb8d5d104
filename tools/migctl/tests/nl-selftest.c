// SPDX-License-Identifier: GPL-2.0
/*
 * Self-test of libkmig's netlink layer (tools/lib/kmig/nl.c) against the
 * kernel's own generic netlink controller "nlctrl", so that do requests,
 * acks, dumps, error codes and extended ack parsing can be checked without
 * the kmig module and without privileges. Prints TAP.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/socket.h>

#include "../migctl.h"
#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct migctl_opts opts;
static char last_err[1024];

void err_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_err, sizeof(last_err), fmt, ap);
	va_end(ap);
}

static int n_ok, n_fail;

static void check(int cond, const char *desc)
{
	int n = n_ok + n_fail + 1;

	if (cond)
		n_ok++;
	else
		n_fail++;
	printf("%sok %d - %s\n", cond ? "" : "not ", n, desc);
}

struct fams {
	int n;
	int saw_nlctrl;
	int id;
};

static int fam_cb(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct fams *f = arg;

	(void)nlh;
	f->n++;
	if (tb[CTRL_ATTR_FAMILY_NAME] &&
	    !strcmp(nla_get_string(tb[CTRL_ATTR_FAMILY_NAME]), "nlctrl"))
		f->saw_nlctrl = 1;
	if (tb[CTRL_ATTR_FAMILY_ID])
		f->id = nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	return 0;
}

static int stop_cb(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	(void)nlh;
	(void)tb;
	(void)arg;
	err_line("callback stopped");
	return -1;
}

static int getfamily(struct kmig_nl *nl, const char *name, struct fams *f,
		     struct kmig_nl_err *err, long *off)
{
	struct nl_msg *msg = kmig_nl_msg(nl, CTRL_CMD_GETFAMILY, 0);

	if (!msg)
		return -2;
	*off = kmig_nl_next_attr_off(msg);
	nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, name);
	return kmig_nl_do(nl, msg, CTRL_ATTR_MAX, fam_cb, f, err);
}

int main(void)
{
	struct kmig_nl_reply reply = { 0 };
	struct kmig_nl_err err;
	struct kmig_nl nl;
	struct nl_msg *msg;
	struct nlattr *a;
	struct fams f = { 0 };
	char longname[64];
	int ret, zero = 0;
	long off;

	printf("TAP version 13\n");
	ret = kmig_nl_open(&nl);
	if (access("/sys/module/kmig", F_OK) == 0) {
		printf("ok %d - open kmig # SKIP module loaded\n", ++n_ok);
	} else {
		check(ret < 0 && strstr(last_err, "kmig module not loaded"),
		      "open kmig without the module: 'module not loaded'");
	}
	if (ret == 0)
		kmig_nl_close(&nl);

	ret = kmig_nl_open_family(&nl, "nlctrl");
	check(ret == 0, "open family nlctrl");
	if (ret) {
		printf("Bail out! %s\n", last_err);
		return 1;
	}

	ret = kmig_nl_dump(&nl, CTRL_CMD_GETFAMILY, CTRL_ATTR_MAX, fam_cb, &f,
			   &err);
	check(ret == 0 && f.n > 1 && f.saw_nlctrl,
	      "dump: one message per family, nlctrl among them");

	memset(&f, 0, sizeof(f));
	ret = getfamily(&nl, "nlctrl", &f, &err, &off);
	check(ret == 0 && f.n == 1 && f.id == GENL_ID_CTRL,
	      "do: one reply, then the ack");

	memset(&f, 0, sizeof(f));
	ret = getfamily(&nl, "no-such-family", &f, &err, &off);
	check(ret == -1 && err.kerr == ENOENT && f.n == 0,
	      "do: kernel error ENOENT reported");
	kmig_nl_report("get", &err, "custom reason");
	check(!strncmp(last_err, "get: custom reason", 18),
	      "report: reason override");

	/* Over-long name: policy rejects it with an extended ack. */
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	memset(&f, 0, sizeof(f));
	ret = getfamily(&nl, longname, &f, &err, &off);
	check(ret == -1 && err.kerr != 0, "do: policy error reported");
	check(err.msg[0] != '\0', "extack message parsed (capped ack)");
	check(err.bad_off == off, "extack bad attribute offset parsed (capped ack)");
	kmig_nl_report("get", &err, NULL);
	check(strstr(last_err, "(kernel: ") != NULL,
	      "report: kernel message appended");
	printf("# %s\n", last_err);

	/* Same without NETLINK_CAP_ACK: TLVs follow the copied request. */
	setsockopt(nl_socket_get_fd(nl.sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &zero, sizeof(zero));
	ret = getfamily(&nl, longname, &f, &err, &off);
	check(ret == -1 && err.msg[0] && err.bad_off == off,
	      "extack message and offset parsed (uncapped ack)");

	/* Dump refused at start: an error message instead of NLMSG_DONE. */
	ret = kmig_nl_dump(&nl, CTRL_CMD_GETPOLICY, CTRL_ATTR_MAX, fam_cb, &f,
			   &err);
	check(ret == -1 && err.kerr == EINVAL, "dump: start error reported");

	/* A callback that stops the request: no second error line. */
	memset(&f, 0, sizeof(f));
	last_err[0] = '\0';
	ret = kmig_nl_dump(&nl, CTRL_CMD_GETFAMILY, CTRL_ATTR_MAX, stop_cb,
			   NULL, &err);
	check(ret == -1 && !err.kerr && !err.nlerr, "dump: callback stop");
	last_err[0] = '\0';
	kmig_nl_report("x", &err, NULL);
	check(last_err[0] == '\0', "report: silent after a callback stop");

	/* kmig_nl_call(): the answer kept, read afterwards. */
	check(kmig_nl_set_timeout(&nl, 20) == 0, "call: receive timeout set");
	msg = kmig_nl_msg(&nl, CTRL_CMD_GETFAMILY, 0);
	nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, "nlctrl");
	ret = kmig_nl_call(&nl, msg, &reply);
	a = kmig_nl_reply_attr(&reply, CTRL_ATTR_FAMILY_ID);
	check(ret == 0 && reply.nmsgs == 1 && a &&
	      nla_get_u16(a) == GENL_ID_CTRL, "call: do, the reply kept");
	check(!kmig_nl_reply_attr(&reply, CTRL_ATTR_MAX + 1),
	      "call: an absent attribute is NULL");
	msg = kmig_nl_msg(&nl, CTRL_CMD_GETFAMILY, NLM_F_DUMP);
	ret = kmig_nl_call(&nl, msg, &reply);
	check(ret == 0 && reply.nmsgs > 1 && reply.nlh, "call: dump, counted");
	msg = kmig_nl_msg(&nl, CTRL_CMD_GETFAMILY, 0);
	nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, longname);
	ret = kmig_nl_call(&nl, msg, &reply);
	check(ret < 0 && ret == -reply.err.kerr && reply.err.msg[0] &&
	      !reply.nlh && !reply.nmsgs, "call: -errno and extack, no reply");
	kmig_nl_reply_free(&reply);

	kmig_nl_close(&nl);

	/* Multicast: nlctrl has the group "notify" (family changes). */
	ret = kmig_nl_open_family(&nl, "nlctrl");
	check(ret == 0, "open family nlctrl again");
	if (ret)
		return 1;
	ret = kmig_nl_subscribe(&nl, "no-such-group", &err);
	check(ret == -1 && err.nlerr == NLE_OBJ_NOTFOUND && !err.kerr,
	      "subscribe: unknown group reported as not found");
	ret = kmig_nl_subscribe(&nl, "notify", &err);
	check(ret == 0, "subscribe: nlctrl notify group joined");
	memset(&f, 0, sizeof(f));
	ret = getfamily(&nl, "nlctrl", &f, &err, &off);
	check(ret == 0 && f.n == 1 && f.id == GENL_ID_CTRL,
	      "do request still works on a subscribed socket");
	kmig_nl_close(&nl);

	printf("# %d passed, %d failed\n", n_ok, n_fail);
	return n_fail ? 1 : 0;
}
