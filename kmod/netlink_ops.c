// SPDX-License-Identifier: GPL-2.0
/*
 * The ops of the "kmig" family, from the generated table. generated/netlink.c
 * (policies, ops table, family) is compiled here, not on its own: its ops
 * table describes the do and the dump of a command as two split ops
 * (struct genl_split_ops, registered as .split_ops), which 6.1 does not
 * have, and which change two things on 6.12 (genetlink checks split ops
 * as given): a command without request attributes (params-get, stats-get)
 * would accept any attribute instead of refusing it, and a dump would
 * ignore its attributes instead of validating them against the do's
 * policy. The spec cannot say otherwise (ynl-gen-c makes no policy for an
 * empty request). So the generated file is compiled with the split names
 * mapped onto struct genl_ops, which has every field the generator fills
 * in, and kmig_nl_ops_init() registers the generated family with one
 * struct genl_ops per command, its do and dump merged: genetlink gives
 * such ops a reject-all policy when they have none, and validates a dump
 * with the command's policy, on 6.1 and 6.12 alike.
 *
 * A dump has no request attributes of its own in the spec (region-get and
 * mig-get dump everything), but merged with its do it would be validated
 * with the do's policy and so accept (and ignore) the do's attributes, id
 * or region-id. One struct genl_ops has one policy, the generator makes
 * none for an empty request (6.12's fails on one), and a family with
 * resv_start_op 0 may not set GENL_DONT_VALIDATE_DUMP. So genetlink still
 * checks a dump's attributes against the do's policy, and the dump's start
 * then refuses any attribute that passed (EINVAL, "a dump takes no
 * attributes", the attribute in the extended ack): a dump request with
 * attributes is refused either way, as a do without request attributes
 * is by genetlink's reject-all policy.
 */
#include <linux/init.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "netlink.h"

#define genl_split_ops	genl_ops
#define split_ops	ops
#define n_split_ops	n_ops
#include "generated/netlink.c"
#undef n_split_ops
#undef split_ops
#undef genl_split_ops

static struct genl_ops kmig_nl_merged_ops[ARRAY_SIZE(kmig_nl_ops)] __ro_after_init;

/*
 * The start of a dump without request attributes: refuse any. The extack
 * is NULL here on 6.1 (set for a dump's start from 6.2 on): EINVAL alone.
 */
static int kmig_nl_dump_start_noattrs(struct netlink_callback *cb)
{
	if (nlmsg_attrlen(cb->nlh, GENL_HDRLEN) <= 0)
		return 0;
	NL_SET_BAD_ATTR(cb->extack, nlmsg_attrdata(cb->nlh, GENL_HDRLEN));
	NL_SET_ERR_MSG(cb->extack, "a dump takes no attributes");
	return -EINVAL;
}

void kmig_nl_ops_init(void)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < ARRAY_SIZE(kmig_nl_ops); i++) {
		const struct genl_ops *op = &kmig_nl_ops[i];
		struct genl_ops *to;

		for (j = 0; j < n; j++)
			if (kmig_nl_merged_ops[j].cmd == op->cmd)
				break;
		to = &kmig_nl_merged_ops[j];
		if (j == n) {
			to->cmd = op->cmd;
			n++;
		}
		if (op->doit) {
			to->doit = op->doit;
			to->policy = op->policy;
			to->maxattr = op->maxattr;
		}
		if (op->dumpit) {
			to->dumpit = op->dumpit;
			/* A dump with a policy of its own would need split ops. */
			WARN_ON(op->policy);
			to->start = kmig_nl_dump_start_noattrs;
		}
		/* genetlink derives the capabilities from doit and dumpit. */
		to->flags |= op->flags & ~(GENL_CMD_CAP_DO | GENL_CMD_CAP_DUMP);
	}
	kmig_nl_family.ops = kmig_nl_merged_ops;
	kmig_nl_family.n_ops = n;
}
