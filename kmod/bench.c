// SPDX-License-Identifier: GPL-2.0
/*
 * In-kernel TCP loopback throughput: the practical limit of kmig's data
 * path on this kernel, measured with the same sockets and the same page
 * sends as the channels, without the protocol, the region or the zero
 * check. For make bench (debugfs, root only):
 *
 *   echo 4294967296 > /sys/kernel/debug/kmig/tcp_loopback   # bytes, blocks
 *   echo "4294967296 536870912" > /sys/kernel/debug/kmig/tcp_loopback
 *   cat /sys/kernel/debug/kmig/tcp_loopback
 *   bytes 4294967296 pool_pages 131072 time_ns 612345678 copied_pages 0 ...
 *
 * A sender kthread sends batches of KMIG_BATCH_PAGES pages over a
 * connection to 127.0.0.1 in the initial network namespace; the writer
 * receives them into pages of its own and times first byte sent to last
 * byte received.
 *
 * Without the second number both sides cycle through one batch of pages,
 * which stays in the CPU caches: the best case of the stack. With it,
 * each side cycles through a pool of that many bytes of pages (the
 * sender's filled with random bytes), larger than the caches, so every
 * page sent is read from memory and every page received is written to
 * memory, as in a migration of a large region.
 *
 * The same directory holds scan_limit (bench_scan.c) and fill
 * (bench_fill.c).
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
#include "channel.h"
#include "sock.h"
#include "queue.h"

#define KMIG_BENCH_MIN		SZ_1M
#define KMIG_BENCH_MAX		(64ULL * SZ_1G)
#define KMIG_BENCH_BATCH	((u64)KMIG_BATCH_PAGES * PAGE_SIZE)
#define KMIG_BENCH_POOL_MAX	(4ULL * SZ_1G)

static DEFINE_MUTEX(kmig_bench_lock);
static struct dentry *kmig_bench_dir;
static struct {
	u64 bytes;
	u64 pool_pages;
	u64 time_ns;
	u64 copied;
	int err;
} kmig_bench_last;

/* npages is a multiple of KMIG_BATCH_PAGES. */
struct kmig_bench_pool {
	struct page **pages;
	unsigned long npages;
};

struct kmig_bench_tx {
	struct socket *sock;
	struct kmig_bench_pool pool;
	u64 batches;
	unsigned int copied;
	int err;
};

static int kmig_bench_tx_fn(void *data)
{
	struct kmig_bench_tx *tx = data;
	unsigned int copied;
	u64 i;

	unsigned long off = 0;

	for (i = 0; i < tx->batches && !kthread_should_stop(); i++) {
		tx->err = kmig_sock_send_pages(tx->sock, tx->pool.pages + off,
					       KMIG_BATCH_PAGES,
					       i + 1 < tx->batches, &copied);
		if (tx->err)
			break;
		tx->copied += copied;
		off += KMIG_BATCH_PAGES;
		if (off == tx->pool.npages)
			off = 0;
	}
	kmig_channel_park();
	return 0;
}

static void kmig_bench_free_pool(struct kmig_bench_pool *pool)
{
	unsigned long i;

	if (!pool->pages)
		return;
	for (i = 0; i < pool->npages; i++)
		if (pool->pages[i])
			__free_page(pool->pages[i]);
	kvfree(pool->pages);
	pool->pages = NULL;
}

static int kmig_bench_alloc_pool(struct kmig_bench_pool *pool,
				 unsigned long npages, bool fill)
{
	unsigned long i;

	pool->npages = npages;
	pool->pages = kvcalloc(npages, sizeof(*pool->pages), GFP_KERNEL);
	if (!pool->pages)
		return -ENOMEM;
	for (i = 0; i < npages; i++) {
		/* The receiving pool is zeroed so that no page is touched
		 * for the first time inside the timed part.
		 */
		pool->pages[i] = alloc_page(fill ? GFP_KERNEL :
					    GFP_KERNEL | __GFP_ZERO);
		if (!pool->pages[i]) {
			kmig_bench_free_pool(pool);
			return -ENOMEM;
		}
		if (fill)
			get_random_bytes(page_address(pool->pages[i]),
					 PAGE_SIZE);
		if (fatal_signal_pending(current)) {
			kmig_bench_free_pool(pool);
			return -EINTR;
		}
		cond_resched();
	}
	return 0;
}

static int kmig_bench_tcp(u64 bytes, unsigned long npages, u64 *time_ns,
			  u64 *copied)
{
	struct sockaddr_storage addr = { };
	struct sockaddr_in *sin = (struct sockaddr_in *)&addr;
	struct socket *lsock = NULL, *rx = NULL;
	struct kmig_bench_tx tx = { };
	struct kmig_bench_pool rxpool = { };
	struct task_struct *t;
	unsigned long off = 0;
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
	ret = kmig_bench_alloc_pool(&tx.pool, npages, true);
	if (ret)
		goto out;
	ret = kmig_bench_alloc_pool(&rxpool, npages, false);
	if (ret)
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
		ret = kmig_sock_recv_pages(rx, rxpool.pages + off,
					   KMIG_BATCH_PAGES);
		if (!ret && fatal_signal_pending(current))
			ret = -EINTR;
		off += KMIG_BATCH_PAGES;
		if (off == rxpool.npages)
			off = 0;
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
	kmig_bench_free_pool(&tx.pool);
	kmig_bench_free_pool(&rxpool);
	kmig_sock_release(rx);
	kmig_sock_release(tx.sock);
	kmig_sock_release(lsock);
	return ret;
}

static ssize_t kmig_bench_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	u64 bytes, pool = 0, ns = 0, copied = 0;
	unsigned long npages;
	char buf[48];
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	ret = sscanf(buf, "%llu %llu", &bytes, &pool);
	if (ret < 1)
		return -EINVAL;
	if (bytes < KMIG_BENCH_MIN || bytes > KMIG_BENCH_MAX)
		return -ERANGE;
	if (pool > KMIG_BENCH_POOL_MAX || pool > bytes)
		return -ERANGE;
	bytes = rounddown(bytes, KMIG_BENCH_BATCH);
	pool = max(rounddown(pool, KMIG_BENCH_BATCH), KMIG_BENCH_BATCH);
	npages = pool >> PAGE_SHIFT;
	if (mutex_lock_interruptible(&kmig_bench_lock))
		return -EINTR;
	ret = kmig_bench_tcp(bytes, npages, &ns, &copied);
	kmig_bench_last.bytes = bytes;
	kmig_bench_last.pool_pages = npages;
	kmig_bench_last.time_ns = ns;
	kmig_bench_last.copied = copied;
	kmig_bench_last.err = ret;
	mutex_unlock(&kmig_bench_lock);
	if (ret)
		return ret;
	pr_info("tcp loopback: %llu bytes, pool of %lu pages, in %llu ns\n",
		bytes, npages, ns);
	return len;
}

static ssize_t kmig_bench_read(struct file *file, char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	char buf[160];
	int n;

	mutex_lock(&kmig_bench_lock);
	n = scnprintf(buf, sizeof(buf),
		      "bytes %llu pool_pages %llu time_ns %llu copied_pages %llu error %d\n",
		      kmig_bench_last.bytes, kmig_bench_last.pool_pages,
		      kmig_bench_last.time_ns,
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
	kmig_bench_scan_init(kmig_bench_dir);
	kmig_bench_fill_init(kmig_bench_dir);
}

void kmig_bench_uninit(void)
{
	debugfs_remove_recursive(kmig_bench_dir);
	kmig_bench_dir = NULL;
}
