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
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/uio.h>
#include <linux/bvec.h>
#include <linux/netlink.h>

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

/*
 * A fault handler that will sleep lets go of the lock its fault was taken
 * under (and returns VM_FAULT_RETRY): the mmap lock, or from 6.4 the VMA
 * lock when the fault came in under it.
 */
static inline void kmig_fault_unlock(struct vm_fault *vmf)
{
#ifdef KMIG_HAVE_RELEASE_FAULT_LOCK
	release_fault_lock(vmf);
#else
	mmap_read_unlock(vmf->vma->vm_mm);
#endif
}

/*
 * Send @n whole pages without copying them: the TCP stack takes its own
 * references and transmits from the pages. kernel_sendpage() until 6.4,
 * sendmsg(MSG_SPLICE_PAGES) with a bvec iterator after it was removed
 * (some 6.1 trees define MSG_SPLICE_PAGES without TCP honouring it, so the
 * test is for kernel_sendpage(), not for the flag). The caller checked
 * sendpage_ok() on every page. Returns 0 or a negative errno.
 */
static inline int kmig_send_pages_nocopy(struct socket *sock,
					 struct page **pages, unsigned int n,
					 int flags)
{
#ifdef KMIG_HAVE_KERNEL_SENDPAGE
	unsigned int i;
	size_t off;
	int ret;

	for (i = 0; i < n; i++) {
		int f = flags | (i + 1 < n ? MSG_MORE | MSG_SENDPAGE_NOTLAST : 0);

		for (off = 0; off < PAGE_SIZE; off += ret) {
			ret = kernel_sendpage(sock, pages[i], off,
					      PAGE_SIZE - off, f);
			if (ret <= 0)
				return ret ? ret : -EPIPE;
		}
	}
	return 0;
#else
	struct bio_vec bvec[16];
	struct msghdr msg = {};
	unsigned int i, k;
	int ret;

	for (i = 0; i < n; i += k) {
		size_t len;

		k = min_t(unsigned int, n - i, ARRAY_SIZE(bvec));
		for (len = 0; len < k; len++)
			bvec_set_page(&bvec[len], pages[i + len], PAGE_SIZE, 0);
		len = (size_t)k * PAGE_SIZE;
		msg.msg_flags = MSG_SPLICE_PAGES | flags |
				(i + k < n ? MSG_MORE : 0);
		iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bvec, k, len);
		while (msg_data_left(&msg)) {
			ret = sock_sendmsg(sock, &msg);
			if (ret <= 0)
				return ret ? ret : -EPIPE;
		}
	}
	return 0;
#endif
}

/*
 * Set @msg, a static string that is not a literal (the reason a core
 * function gives), as the extended ack message. NL_SET_ERR_MSG() takes
 * only literals; NL_SET_ERR_MSG_FMT() (6.2) copies into the extack.
 * 6.1 has neither that nor the extack's buffer: there the pointer is set,
 * as NL_SET_ERR_MSG() itself does.
 */
#ifdef NL_SET_ERR_MSG_FMT
#define kmig_nl_set_err_msg(extack, msg) NL_SET_ERR_MSG_FMT(extack, "%s", msg)
#else
#define kmig_nl_set_err_msg(extack, msg) do {		\
	struct netlink_ext_ack *__extack = (extack);	\
							\
	if (__extack)					\
		__extack->_msg = (msg);			\
} while (0)
#endif

#endif /* _KMIG_COMPAT_H */
