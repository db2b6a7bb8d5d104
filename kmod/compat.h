/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels kmig builds against (Debian's 6.1
 * and 6.12, and UML 6.12) lives here, not in #ifs scattered in the code.
 * Features are detected from the kernel headers by kmod/Kbuild
 * (KMIG_HAVE_*), not guessed from version numbers, so distribution
 * backports are handled too.
 */
#ifndef _KMIG_COMPAT_H
#define _KMIG_COMPAT_H

#include <linux/mm.h>

/* vm_flags became read-only behind helpers in 6.3. */
static inline void kmig_vm_flags_set(struct vm_area_struct *vma,
				     vm_flags_t flags)
{
#ifdef KMIG_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

#endif /* _KMIG_COMPAT_H */
