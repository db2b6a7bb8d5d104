// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the bounds of every netlink policy, parsed the way the genetlink
 * core parses requests (strict), the admin flags of mutating commands, and
 * dumps refusing request attributes.
 */
#include <kunit/test.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include <uapi/linux/kmig.h>

#include "kmig_kunit.h"
#include "netlink.h"

static const struct genl_ops *find_op(u8 cmd)
{
	int i;

	for (i = 0; i < kmig_nl_family.n_ops; i++)
		if (kmig_nl_family.ops[i].cmd == cmd)
			return &kmig_nl_family.ops[i];
	return NULL;
}

/* Parse one u32 attribute against the policy of @cmd. */
static int parse_u32(struct kunit *test, u8 cmd, int type, u32 value,
		     struct netlink_ext_ack *extack)
{
	const struct genl_ops *op = find_op(cmd);
	struct nlattr *tb[16];
	struct sk_buff *skb;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, op);
	KUNIT_ASSERT_LT(test, op->maxattr, ARRAY_SIZE(tb));
	skb = alloc_skb(64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_EQ(test, nla_put_u32(skb, type, value), 0);
	ret = nla_parse(tb, op->maxattr, (struct nlattr *)skb->data, skb->len,
			op->policy, extack);
	kfree_skb(skb);
	return ret;
}

static void nl_test_params_bounds(struct kunit *test)
{
	struct netlink_ext_ack extack = {};
	u8 c = KMIG_CMD_PARAMS_SET;

	KUNIT_EXPECT_EQ(test, parse_u32(test, c, KMIG_A_PARAMS_CHANNELS, 1, NULL), 0);
	KUNIT_EXPECT_EQ(test, parse_u32(test, c, KMIG_A_PARAMS_CHANNELS, 64, NULL), 0);
	KUNIT_EXPECT_EQ(test, parse_u32(test, c, KMIG_A_PARAMS_CHANNELS, 0, &extack),
			-ERANGE);
	KUNIT_EXPECT_NOT_NULL(test, extack._msg);
	KUNIT_EXPECT_EQ(test, parse_u32(test, c, KMIG_A_PARAMS_CHANNELS, 65, NULL),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, parse_u32(test, c, KMIG_A_PARAMS_CHANNELS, U32_MAX, NULL),
			-ERANGE);

	KUNIT_EXPECT_EQ(test, parse_u32(test, c, KMIG_A_PARAMS_ZERO_PAGE_DETECTION,
					KMIG_ZERO_DETECT_CHANNEL, NULL), 0);
	KUNIT_EXPECT_EQ(test, parse_u32(test, c, KMIG_A_PARAMS_ZERO_PAGE_DETECTION,
					KMIG_ZERO_DETECT_CHANNEL + 1, NULL), -ERANGE);
	KUNIT_EXPECT_EQ(test, parse_u32(test, c, KMIG_A_PARAMS_ZERO_CHECK,
					KMIG_ZERO_CHECK_AVX512, NULL), 0);
	KUNIT_EXPECT_EQ(test, parse_u32(test, c, KMIG_A_PARAMS_ZERO_CHECK,
					KMIG_ZERO_CHECK_AVX512 + 1, NULL), -ERANGE);

	/* Read-only attributes and unknown ones are refused (strict). */
	KUNIT_EXPECT_LT(test, parse_u32(test, c, KMIG_A_PARAMS_ZERO_CHECK_ACTIVE,
					1, NULL), 0);
	KUNIT_EXPECT_LT(test, parse_u32(test, c, KMIG_A_PARAMS_MAX + 1, 1, NULL), 0);
}

static void nl_test_region_bounds(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, parse_u32(test, KMIG_CMD_REGION_GET,
					KMIG_A_REGION_ID, 1, NULL), 0);
	KUNIT_EXPECT_EQ(test, parse_u32(test, KMIG_CMD_REGION_GET,
					KMIG_A_REGION_ID, 0, NULL), -ERANGE);
	KUNIT_EXPECT_LT(test, parse_u32(test, KMIG_CMD_REGION_GET,
					KMIG_A_REGION_SIZE, 1, NULL), 0);
	KUNIT_EXPECT_EQ(test, parse_u32(test, KMIG_CMD_REGION_SCAN,
					KMIG_A_SCAN_REGION_ID, 0, NULL), -ERANGE);
	KUNIT_EXPECT_EQ(test, parse_u32(test, KMIG_CMD_REGION_SCAN,
					KMIG_A_SCAN_ZERO_CHECK, 5, NULL), -ERANGE);
	KUNIT_EXPECT_EQ(test, parse_u32(test, KMIG_CMD_REGION_SCAN,
					KMIG_A_SCAN_ZERO_CHECK, 0, NULL), 0);
}

static void nl_test_ops(struct kunit *test)
{
	u8 cmd;

	/*
	 * Every command of the uapi exists, exactly once, except the event
	 * notification, which only the kernel sends.
	 */
	for (cmd = 1; cmd <= KMIG_CMD_MAX; cmd++) {
		if (cmd == KMIG_CMD_MIG_EVENT)
			KUNIT_EXPECT_NULL(test, find_op(cmd));
		else
			KUNIT_EXPECT_NOT_NULL_MSG(test, find_op(cmd), "cmd %u", cmd);
	}
	KUNIT_EXPECT_EQ(test, kmig_nl_family.n_ops, KMIG_CMD_MAX - 1);
	KUNIT_EXPECT_EQ(test, kmig_nl_family.n_mcgrps, 1);

	/* Mutating (or whole-region) commands need CAP_NET_ADMIN. */
	KUNIT_EXPECT_TRUE(test, find_op(KMIG_CMD_PARAMS_SET)->flags & GENL_ADMIN_PERM);
	KUNIT_EXPECT_TRUE(test, find_op(KMIG_CMD_REGION_SCAN)->flags & GENL_ADMIN_PERM);
	KUNIT_EXPECT_TRUE(test, find_op(KMIG_CMD_MIG_LISTEN)->flags & GENL_ADMIN_PERM);
	KUNIT_EXPECT_TRUE(test, find_op(KMIG_CMD_MIG_START)->flags & GENL_ADMIN_PERM);
	KUNIT_EXPECT_TRUE(test, find_op(KMIG_CMD_MIG_CANCEL)->flags & GENL_ADMIN_PERM);
	KUNIT_EXPECT_TRUE(test, find_op(KMIG_CMD_MIG_SWITCHOVER)->flags & GENL_ADMIN_PERM);
	KUNIT_EXPECT_TRUE(test, find_op(KMIG_CMD_MIG_DIRTY_PUSH)->flags & GENL_ADMIN_PERM);
	KUNIT_EXPECT_FALSE(test, find_op(KMIG_CMD_MIG_GET)->flags & GENL_ADMIN_PERM);
	KUNIT_EXPECT_FALSE(test, find_op(KMIG_CMD_REGION_GET)->flags & GENL_ADMIN_PERM);
	KUNIT_EXPECT_FALSE(test, find_op(KMIG_CMD_STATS_GET)->flags & GENL_ADMIN_PERM);
	KUNIT_EXPECT_NOT_NULL(test, find_op(KMIG_CMD_REGION_GET)->dumpit);
}

/* The start of a dump as genetlink calls it: @nattrs u32 attributes. */
static int dump_start(struct kunit *test, u8 cmd, int nattrs,
		      struct netlink_ext_ack *extack)
{
	const struct genl_ops *op = find_op(cmd);
	struct netlink_callback cb = { .extack = extack };
	struct sk_buff *skb;
	int i, ret;

	KUNIT_ASSERT_NOT_NULL(test, op);
	KUNIT_ASSERT_NOT_NULL(test, op->dumpit);
	KUNIT_ASSERT_NOT_NULL(test, op->start);
	skb = nlmsg_new(64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_NOT_NULL(test, genlmsg_put(skb, 0, 1, &kmig_nl_family,
						NLM_F_DUMP, cmd));
	for (i = 0; i < nattrs; i++)
		KUNIT_ASSERT_EQ(test, nla_put_u32(skb, 1, 1), 0);
	nlmsg_end(skb, nlmsg_hdr(skb));
	cb.nlh = nlmsg_hdr(skb);
	ret = op->start(&cb);
	kfree_skb(skb);
	return ret;
}

/* Dumps take no request attributes (the spec declares none). */
static void nl_test_dump_no_attrs(struct kunit *test)
{
	struct netlink_ext_ack extack = {};

	KUNIT_EXPECT_EQ(test, dump_start(test, KMIG_CMD_REGION_GET, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, dump_start(test, KMIG_CMD_MIG_GET, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, dump_start(test, KMIG_CMD_REGION_GET, 1, &extack),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, extack._msg, "a dump takes no attributes");
	KUNIT_EXPECT_NOT_NULL(test, extack.bad_attr);
	KUNIT_EXPECT_EQ(test, dump_start(test, KMIG_CMD_MIG_GET, 2, NULL), -EINVAL);
}

static struct kunit_case kmig_netlink_cases[] = {
	KUNIT_CASE(nl_test_params_bounds),
	KUNIT_CASE(nl_test_region_bounds),
	KUNIT_CASE(nl_test_ops),
	KUNIT_CASE(nl_test_dump_no_attrs),
	{}
};

KMIG_KUNIT_SUITE(netlink);
