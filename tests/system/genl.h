/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal raw generic netlink client for the system tests: it talks to
 * the kernel without libnl, so a test can send exactly the bytes it wants
 * (out-of-range values, unknown attributes) and see the kernel's errno and
 * extack message.
 */
#ifndef KMIG_SYSTEST_GENL_H
#define KMIG_SYSTEST_GENL_H

#include <stdint.h>
#include <stddef.h>
#include <linux/netlink.h>
#include <linux/genetlink.h>

#define GENL_BUF 16384

struct genl_msg {
	char buf[GENL_BUF];
	size_t len;
};

struct genl_reply {
	int error;			/* 0 or -errno */
	char extack[256];		/* kernel's message, "" if none */
	char buf[GENL_BUF];		/* first reply message, if any */
	size_t len;
	int nmsgs;			/* reply messages (dumps: one per object) */
};

int genl_open(void);
/* Family id of @name, or -errno. */
int genl_family(int fd, const char *name);

void genl_msg_init(struct genl_msg *m, int family, uint8_t cmd, uint16_t flags);
void genl_put(struct genl_msg *m, uint16_t type, const void *data, size_t len);
void genl_put_u32(struct genl_msg *m, uint16_t type, uint32_t v);

/* Send @m, read until the ack or the end of a dump. Returns reply->error. */
int genl_call(int fd, struct genl_msg *m, struct genl_reply *reply);

/* Attribute @type in the first reply message, or NULL. */
const struct nlattr *genl_attr(const struct genl_reply *r, uint16_t type);
int genl_attr_u32(const struct genl_reply *r, uint16_t type, uint32_t *v);
int genl_attr_u64(const struct genl_reply *r, uint16_t type, uint64_t *v);

#endif
