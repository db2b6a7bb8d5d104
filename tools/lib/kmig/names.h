/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libkmig's names of the values of the kmig enums, as the netlink spec
 * spells them ("listening", "switchover-ready", ...): what migctl prints
 * and parses, and what kmig-vmm prints.
 */
#ifndef KMIG_LIB_NAMES_H
#define KMIG_LIB_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* The names of one enum, indexed by value (NULL where a value has none). */
struct kmig_enum {
	const char *const *names;
	unsigned int n;
};

extern const struct kmig_enum kmig_zero_detect_enum;	 /* enum kmig_zero_detect */
extern const struct kmig_enum kmig_zero_check_enum;	 /* enum kmig_zero_check */
extern const struct kmig_enum kmig_mig_role_enum;	 /* enum kmig_mig_role */
extern const struct kmig_enum kmig_mig_state_enum;	 /* enum kmig_mig_state */
extern const struct kmig_enum kmig_mig_event_enum;	 /* enum kmig_mig_event */
extern const struct kmig_enum kmig_no_convergence_enum; /* enum kmig_no_convergence */
extern const struct kmig_enum kmig_colo_metric_enum;	 /* enum kmig_colo_metric */

/* Value of @name in @e, or -1. */
int kmig_enum_parse(const struct kmig_enum *e, const char *name);
/* Name of @v, or NULL. */
const char *kmig_enum_name(const struct kmig_enum *e, uint64_t v);
/* "a, b, c" into @buf. */
char *kmig_enum_list(const struct kmig_enum *e, char *buf, size_t len);

#endif /* KMIG_LIB_NAMES_H */
