/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KMIG_MAIN_H
#define _KMIG_MAIN_H

#ifdef KMIG_SRC_VERSION
#define KMIG_VERSION KMIG_SRC_VERSION
#else
#define KMIG_VERSION "unknown"
#endif

#endif /* _KMIG_MAIN_H */
