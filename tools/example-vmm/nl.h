/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small raw generic netlink client (no libnl): build a request, send it,
 * wait for its acknowledgment, read attributes.
 */
#ifndef KMIG_VMM_NL_H
#define KMIG_VMM_NL_H

#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>
#include <linux/genetlink.h>

#define NL_BUF 16384

struct nl_msg {
	char buf[NL_BUF];	/* nlmsghdr + genlmsghdr + attributes */
	size_t len;
};

/* A bound NETLINK_GENERIC socket, or -errno. */
int nl_open(void);

void nl_msg_init(struct nl_msg *m, uint16_t family, uint8_t cmd);
void nl_put(struct nl_msg *m, uint16_t type, const void *data, size_t len);
void nl_put_u16(struct nl_msg *m, uint16_t type, uint16_t v);
void nl_put_u32(struct nl_msg *m, uint16_t type, uint32_t v);
void nl_put_u64(struct nl_msg *m, uint16_t type, uint64_t v);
void nl_put_str(struct nl_msg *m, uint16_t type, const char *s);
void nl_put_flag(struct nl_msg *m, uint16_t type);
/* Wipe @m (a request that carried a secret, once sent). */
void nl_msg_wipe(struct nl_msg *m);
/* A nest: nl_nest_start(), its attributes, nl_nest_end() (NULL: no room). */
struct nlattr *nl_nest_start(struct nl_msg *m, uint16_t type);
void nl_nest_end(struct nl_msg *m, struct nlattr *nest);

/*
 * Send @req and wait for its acknowledgment. The first reply message, if
 * any, is copied to @reply (may be NULL). Returns 0 or -errno; on error the
 * kernel's extended-ack message, if any, is copied to @why.
 */
int nl_call(int fd, struct nl_msg *req, struct nl_msg *reply,
	    char *why, size_t whylen);

/*
 * Index the attributes in @data (@len bytes) by type into @tb[0..max]
 * (unknown types are skipped; the last duplicate wins).
 */
void nl_parse(const void *data, size_t len, const struct nlattr **tb,
	      unsigned int max);
/* The attributes of a generic netlink message. */
void nl_parse_genl(const struct nlmsghdr *n, const struct nlattr **tb,
		   unsigned int max);
/* Where those attributes start; their length in @len (0 if none). */
const void *nl_genl_attrs(const struct nlmsghdr *n, size_t *len);
/*
 * Walk the attributes in @data (@len bytes), e.g. to read every instance
 * of a multi-attr: the one after @a (NULL: the first), NULL at the end or
 * at a malformed attribute.
 */
const struct nlattr *nl_next(const void *data, size_t len,
			     const struct nlattr *a);
/* Index the attributes nested in @a (as nl_parse()). */
void nl_parse_nested(const struct nlattr *a, const struct nlattr **tb,
		     unsigned int max);

/* Value of an unsigned attribute of 1, 2, 4 or 8 bytes; @def if absent. */
uint64_t nl_uint(const struct nlattr *a, uint64_t def);
/* A string attribute, "" if absent or not terminated. */
const char *nl_str(const struct nlattr *a);

/*
 * Family id of generic netlink family @name and the id of its multicast
 * group @group (NULL: don't look one up). Returns 0 or -errno.
 */
int nl_resolve(int fd, const char *name, const char *group,
	       uint16_t *family, uint32_t *group_id);

#endif
