// SPDX-License-Identifier: GPL-2.0
/*
 * In-kernel TCP loopback throughput: the practical limit of kmig's data
 * path on this kernel, measured with the same sockets and the same page
 * sends as the channels, without the protocol, the region or the zero
 * check. For make bench (debugfs, root only):
 *
 *   echo 4294967296 > /sys/kernel/debug/kmig/tcp_loopback   # bytes, blocks
 *   cat /sys/kernel/debug/kmig/tcp_loopback
 *   bytes 4294967296 time_ns 612345678 copied_pages 0
 *
 * A sender kthread sends batches of KMIG_BATCH_PAGES pages over a
 * connection to 127.0.0.1 in the initial network namespace; the writer
 * receives them into pages of its own and times first byte sent to last
 * byte received.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/uaccess.h>
#include <linux/sizes.h>
#include <linux/in.h>
#include <net/net_namespace.h>

#include "bench.h"
#include "sock.h"
#include "queue.h"

#define KMIG_BENCH_MIN		SZ_1M
#define KMIG_BENCH_MAX		(64ULL * SZ_1G)
#define KMIG_BENCH_BATCH	((u64)KMIG_BATCH_PAGES * PAGE_SIZE)

static DEFINE_MUTEX(kmig_bench_lock);
static struct dentry *kmig_bench_dir;
static struct {
	u64 bytes;
	u64 time_ns;
	u64 copied;
	int err;
} kmig_bench_last;

struct kmig_bench_tx {
	struct socket *sock;
	struct page **pages;
	u64 batches;
	unsigned int copied;
	int err;
};

static int kmig_bench_tx_fn(void *data)
{
	struct kmig_bench_tx *tx = data;
	unsigned int copied;
	u64 i;

	for (i = 0; i < tx->batches && !kthread_should_stop(); i++) {
		tx->err = kmig_sock_send_pages(tx->sock, tx->pages,
					       KMIG_BATCH_PAGES,
					       i + 1 < tx->batches, &copied);
		if (tx->err)
			break;
		tx->copied += copied;
	}
	while (!kthread_should_stop()) {
		set_current_state(TASK_IDLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

static void kmig_bench_free_pages(struct page **pages)
{
	unsigned int i;

	if (!pages)
		return;
	for (i = 0; i < KMIG_BATCH_PAGES; i++)
		if (pages[i])
			__free_page(pages[i]);
	kfree(pages);
}

static struct page **kmig_bench_alloc_pages(bool fill)
{
	struct page **pages;
	unsigned int i;

	pages = kcalloc(KMIG_BATCH_PAGES, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return NULL;
	for (i = 0; i < KMIG_BATCH_PAGES; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		if (!pages[i]) {
			kmig_bench_free_pages(pages);
			return NULL;
		}
		if (fill)
			get_random_bytes(page_address(pages[i]), PAGE_SIZE);
	}
	return pages;
}

static int kmig_bench_tcp(u64 bytes, u64 *time_ns, u64 *copied)
{
	struct sockaddr_storage addr = { };
	struct sockaddr_in *sin = (struct sockaddr_in *)&addr;
	struct socket *lsock = NULL, *rx = NULL;
	struct kmig_bench_tx tx = { };
	struct page **rxpages = NULL;
	struct task_struct *t;
	u64 i, start;
	u16 port;
	int ret;

	tx.batches = div64_u64(bytes, KMIG_BENCH_BATCH);
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ret = kmig_sock_listen(&init_net, &addr, 1, &lsock, &port);
	if (ret)
		return ret;
	sin->sin_port = htons(port);
	ret = kmig_sock_connect(&init_net, &addr, 10 * HZ, &tx.sock);
	if (ret)
		goto out;
	do {
		ret = kmig_sock_accept(lsock, &rx);
	} while (ret == -EAGAIN);
	if (ret)
		goto out;
	ret = -ENOMEM;
	tx.pages = kmig_bench_alloc_pages(true);
	rxpages = kmig_bench_alloc_pages(false);
	if (!tx.pages || !rxpages)
		goto out;

	t = kthread_create(kmig_bench_tx_fn, &tx, "kmig-bench-tx");
	if (IS_ERR(t)) {
		ret = PTR_ERR(t);
		goto out;
	}
	get_task_struct(t);
	start = ktime_get_ns();
	wake_up_process(t);
	ret = 0;
	for (i = 0; i < tx.batches && !ret; i++) {
		ret = kmig_sock_recv_pages(rx, rxpages, KMIG_BATCH_PAGES);
		if (!ret && fatal_signal_pending(current))
			ret = -EINTR;
	}
	*time_ns = ktime_get_ns() - start;
	if (ret)
		kmig_sock_shutdown(tx.sock);
	kthread_stop(t);
	put_task_struct(t);
	if (!ret)
		ret = tx.err;
	*copied = tx.copied;
out:
	kmig_bench_free_pages(tx.pages);
	kmig_bench_free_pages(rxpages);
	kmig_sock_release(rx);
	kmig_sock_release(tx.sock);
	kmig_sock_release(lsock);
	return ret;
}

static ssize_t kmig_bench_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	u64 bytes, ns = 0, copied = 0;
	int ret;

	ret = kstrtou64_from_user(ubuf, len, 0, &bytes);
	if (ret)
		return ret;
	if (bytes < KMIG_BENCH_MIN || bytes > KMIG_BENCH_MAX)
		return -ERANGE;
	bytes = rounddown(bytes, KMIG_BENCH_BATCH);
	if (mutex_lock_interruptible(&kmig_bench_lock))
		return -EINTR;
	ret = kmig_bench_tcp(bytes, &ns, &copied);
	kmig_bench_last.bytes = bytes;
	kmig_bench_last.time_ns = ns;
	kmig_bench_last.copied = copied;
	kmig_bench_last.err = ret;
	mutex_unlock(&kmig_bench_lock);
	if (ret)
		return ret;
	pr_info("tcp loopback: %llu bytes in %llu ns\n", bytes, ns);
	return len;
}

static ssize_t kmig_bench_read(struct file *file, char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	char buf[128];
	int n;

	mutex_lock(&kmig_bench_lock);
	n = scnprintf(buf, sizeof(buf),
		      "bytes %llu time_ns %llu copied_pages %llu error %d\n",
		      kmig_bench_last.bytes, kmig_bench_last.time_ns,
		      kmig_bench_last.copied, kmig_bench_last.err);
	mutex_unlock(&kmig_bench_lock);
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations kmig_bench_fops = {
	.owner = THIS_MODULE,
	.read = kmig_bench_read,
	.write = kmig_bench_write,
	.llseek = default_llseek,
};

void kmig_bench_init(void)
{
	kmig_bench_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("tcp_loopback", 0600, kmig_bench_dir, NULL,
			    &kmig_bench_fops);
}

void kmig_bench_uninit(void)
{
	debugfs_remove_recursive(kmig_bench_dir);
	kmig_bench_dir = NULL;
}
