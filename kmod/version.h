/* SPDX-License-Identifier: GPL-2.0 */
/* The version string, from the build (KMIG_SRC_VERSION) or "unknown". */
#ifndef _KMIG_VERSION_H
#define _KMIG_VERSION_H

#ifdef KMIG_SRC_VERSION
#define KMIG_VERSION KMIG_SRC_VERSION
#else
#define KMIG_VERSION "unknown"
#endif

#endif /* _KMIG_VERSION_H */
