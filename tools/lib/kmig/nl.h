/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libkmig's generic netlink client, on libnl-3: access to the kmig family
 * (family resolution, do requests with ack, dumps, multicast
 * notifications) and error reports with the kernel's extended ack message.
 * Shared by migctl, the example VMM and the system test programs.
 */
#ifndef KMIG_LIB_NL_H
#define KMIG_LIB_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <linux/kmig.h>

/*
 * Provided by the program: report one error line (migctl and kmig-vmm:
 * "<program>: <formatted text>" on stderr; kmig-systest: a "# " line).
 * The library reports with it what it cannot return (the family is not
 * found, notifications were lost).
 */
void err_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Largest attribute type any kmig reply carries, for the parse tables
 * (nl.c checks every attribute set of linux/kmig.h against it at build
 * time). A request for a larger maxattr fails with NLE_RANGE.
 */
#define KMIG_NL_MAXATTR 127

struct kmig_nl {
	struct nl_sock *sk;
	int family;
	const char *name;	/* family name */
};

/* What went wrong in a request. */
struct kmig_nl_err {
	int kerr;		/* errno reported by the kernel, 0 if none */
	int nlerr;		/* libnl error (NLE_*, positive), 0 if none */
	char msg[256];		/* extack message, "" if none */
	long bad_off;		/* NLMSGERR_ATTR_OFFS, -1 if none */
	long miss_type;		/* NLMSGERR_ATTR_MISS_TYPE, -1 if none */
};

/*
 * Called for each reply message with its top-level attributes parsed into
 * tb[0..maxattr] (NULL when absent; of a multi-attr, the last one). @nlh is
 * the whole message, to walk every attribute of a multi-attr (see
 * kmig_nl_for_each_attr). Return 0 to go on, negative to stop the request
 * (it then fails with -1 and err left empty: the callback is expected to
 * have reported the problem).
 */
typedef int (*kmig_nl_cb)(const struct nlmsghdr *nlh, struct nlattr **tb,
			  void *arg);

/* Every top-level attribute of the generic netlink message @nlh. */
#define kmig_nl_for_each_attr(pos, nlh, rem)				\
	nla_for_each_attr(pos, genlmsg_attrdata(nlmsg_data(nlh), 0),	\
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem)

/*
 * Open a socket and resolve the family. On failure prints the one error
 * line (module not loaded, netlink unavailable) and returns -1.
 */
int kmig_nl_open(struct kmig_nl *nl);
/* Same with another family (tests use "nlctrl"). */
int kmig_nl_open_family(struct kmig_nl *nl, const char *name);
void kmig_nl_close(struct kmig_nl *nl);

/*
 * Fail a request rather than hang when no answer comes within @seconds
 * (SO_RCVTIMEO). Returns 0 or -errno.
 */
int kmig_nl_set_timeout(struct kmig_nl *nl, int seconds);

/* New request message for @cmd; NULL when out of memory. */
struct nl_msg *kmig_nl_msg(struct kmig_nl *nl, uint8_t cmd, int flags);

/*
 * Send @msg (consumed) as a do request with an ack requested and run @cb
 * for each reply. Returns 0 when acked, -1 on error with @err filled.
 */
int kmig_nl_do(struct kmig_nl *nl, struct nl_msg *msg, int maxattr,
	       kmig_nl_cb cb, void *arg, struct kmig_nl_err *err);

/* Dump @cmd and run @cb for each message. Same return as kmig_nl_do(). */
int kmig_nl_dump(struct kmig_nl *nl, uint8_t cmd, int maxattr,
		 kmig_nl_cb cb, void *arg, struct kmig_nl_err *err);

/*
 * Join the multicast group @group of the family, to receive its
 * notifications with kmig_nl_recv_notify(). Returns 0, or -1 with @err
 * filled (nlerr NLE_OBJ_NOTFOUND when the family has no such group).
 */
int kmig_nl_subscribe(struct kmig_nl *nl, const char *group,
		      struct kmig_nl_err *err);

/*
 * Receive the notifications of the groups joined and run @cb for each
 * message of the family; @cb returns 0 to go on, positive to stop (0 is
 * then returned), negative to stop with -1 (err left empty). Lost
 * notifications (receive buffer overrun) are reported with one line each
 * and do not stop. Returns -1 with @err filled on a socket error.
 */
int kmig_nl_recv_notify(struct kmig_nl *nl, int maxattr, kmig_nl_cb cb,
			void *arg, struct kmig_nl_err *err);

/*
 * A request whose answer is read after it rather than in a callback: a
 * copy of the first reply message, the count of reply messages and what
 * went wrong.
 */
struct kmig_nl_reply {
	struct nlmsghdr *nlh;	/* first reply message, NULL if none */
	int nmsgs;		/* reply messages (a dump: one per object) */
	struct kmig_nl_err err;
};

/*
 * Send @msg (consumed) with an ack requested, a do request or, with
 * NLM_F_DUMP in its flags, a dump, and keep its answer in @r (zeroed, or
 * from an earlier call: its reply is freed first). Returns 0, the
 * kernel's -errno, or -EIO when libnl failed (r->err.nlerr).
 */
int kmig_nl_call(struct kmig_nl *nl, struct nl_msg *msg,
		 struct kmig_nl_reply *r);
void kmig_nl_reply_free(struct kmig_nl_reply *r);
/* Top-level attribute @type of the first reply message, or NULL. */
struct nlattr *kmig_nl_reply_attr(const struct kmig_nl_reply *r, int type);

/*
 * Wait up to @ms for notifications of the groups joined, then run @cb for
 * each message of the family, as kmig_nl_recv_notify() does, until @cb
 * returns nonzero or nothing more comes within @ms. Returns 1 when @cb
 * stopped (-ECANCELED when it returned negative), 0 when nothing (more)
 * came, -ENOBUFS when notifications were lost (receive buffer overrun),
 * -EIO on another error.
 */
int kmig_nl_wait_notify(struct kmig_nl *nl, int ms, int maxattr,
			kmig_nl_cb cb, void *arg);

/*
 * Wipe @msg (a request that carried a secret) and drop a reference to it:
 * take one with nlmsg_get() before sending it, call this once sent.
 */
void kmig_nl_msg_wipe(struct nl_msg *msg);

/* Page size of the module's regions (the kernel's page size). */
uint64_t kmig_page_size(void);

/* Offset the next attribute put into @msg will have (for bad_off). */
long kmig_nl_next_attr_off(struct nl_msg *msg);

/*
 * Print the error line "<program>: <what>: <reason>[ (kernel: <extack>)]".
 * @reason replaces the errno text when not NULL. EPERM gets a hint about
 * CAP_NET_ADMIN. Prints nothing when @err is empty (a callback stopped the
 * request and reported why itself).
 */
void kmig_nl_report(const char *what, const struct kmig_nl_err *err,
		    const char *reason);
/* The same text without "<program>: <what>: " into @buf ("" when empty). */
char *kmig_nl_strerror(char *buf, size_t len, const struct kmig_nl_err *err,
		       const char *reason);

/* Attribute accessors: false when absent or malformed. */
bool kmig_attr_uint(const struct nlattr *a, uint64_t *v);
/* An unsigned attribute of 1, 2, 4 or 8 bytes; @def if absent or not. */
uint64_t kmig_attr_uint_or(const struct nlattr *a, uint64_t def);
/* A string attribute; "" if absent or not NUL-terminated. */
const char *kmig_attr_str(const struct nlattr *a);

#endif /* KMIG_LIB_NL_H */
