/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every kmig KUnit suite (tests/kunit) shares: the definition and
 * registration of the suite itself.
 */
#ifndef _KMIG_KUNIT_H
#define _KMIG_KUNIT_H

#include <kunit/test.h>

/*
 * Define the suite "kmig_<sname>" of the cases in kmig_<sname>_cases[],
 * with @init_fn and @exit_fn (NULL for none) around each case, and
 * register it, as module_platform_driver() does for a driver.
 */
#define KMIG_KUNIT_SUITE_INIT(sname, init_fn, exit_fn)			\
	static struct kunit_suite kmig_##sname##_suite = {		\
		.name = "kmig_" #sname,					\
		.init = init_fn,					\
		.exit = exit_fn,					\
		.test_cases = kmig_##sname##_cases,			\
	};								\
	kunit_test_suite(kmig_##sname##_suite)

#define KMIG_KUNIT_SUITE(sname) KMIG_KUNIT_SUITE_INIT(sname, NULL, NULL)

#endif /* _KMIG_KUNIT_H */
