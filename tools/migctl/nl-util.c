// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink helpers without a socket: error reports and attribute accessors
 * (kept apart from nl.c so that the test double can share them).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/errno.h>

#include "migctl.h"
#include "nl.h"

void kmig_nl_report(const char *what, const struct kmig_nl_err *err,
		    const char *reason)
{
	char ext[sizeof(err->msg) + 64] = "";

	if (!err->kerr && !err->nlerr)
		return;
	if (err->msg[0])
		snprintf(ext, sizeof(ext), " (kernel: %s)", err->msg);
	else if (err->miss_type >= 0)
		snprintf(ext, sizeof(ext), " (kernel: missing attribute %ld)",
			 err->miss_type);

	if (reason)
		err_line("%s: %s%s", what, reason, ext);
	else if (err->kerr == EPERM)
		err_line("%s: %s (CAP_NET_ADMIN required)%s", what,
			 strerror(err->kerr), ext);
	else if (err->kerr)
		err_line("%s: %s%s", what, strerror(err->kerr), ext);
	else
		err_line("%s: netlink: %s%s", what, nl_geterror(-err->nlerr), ext);
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
