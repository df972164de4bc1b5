// SPDX-License-Identifier: MIT
/*
 * Futexes: WAIT, WAKE, their BITSET forms, REQUEUE and CMP_REQUEUE, with
 * timeouts. A waiter is keyed as Linux's get_futex_key() keys it: a
 * private futex (FUTEX_PRIVATE_FLAG), or one in private memory, by
 * (mm, address); a shared one in MAP_SHARED memory by (shmem object,
 * offset in it), so that processes mapping the object at different
 * addresses meet. A waiter holds a reference on its object while it
 * sleeps. One list: futex users are few, and the scan is cheap next to
 * a context switch.
 *
 * The value check and the sleep cannot race with a waker: both hold the
 * big kernel lock (kernel/bkl.h), which the waiter lets go of only in
 * schedule(), and nothing between the read of the word and the queueing
 * may sleep (the key, whose mmap_lock may, is made first). The
 * robust-list walk changes futex words with an atomic user
 * compare-exchange: their owners' threads run in ring 3 on other CPUs
 * meanwhile.
 */
#include "kernel/futex.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/syscall_uaccess.h"
#include "kernel/syscalls.h"
#include "kernel/time.h"
#include "kernel/traps.h"
#include "mm/mmap.h"
#include "mm/shmem.h"
#include "libc/errno.h"

#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_REQUEUE		3
#define FUTEX_CMP_REQUEUE	4
#define FUTEX_WAIT_BITSET	9
#define FUTEX_WAKE_BITSET	10
#define FUTEX_PRIVATE_FLAG	128
#define FUTEX_CLOCK_REALTIME	256
#define FUTEX_CMD_MASK		(~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))
#define FUTEX_BITSET_MATCH_ANY	0xffffffffU

/* (mm, address), or (shmem object, byte offset in it). */
struct futex_key {
	const void *ptr;
	unsigned long word;
};

struct futex_q {
	struct list_head list;
	struct task_struct *task;
	struct futex_key key;
	u32 bitset;
	bool woken;
};

struct timespec64 {
	long tv_sec;
	long tv_nsec;
};

static LIST_HEAD(futex_queue);

/*
 * The shmem object behind a shared futex word, or NULL; a reference on
 * it taken when get. The VMA is read under mmap_lock (mmap and munmap
 * run without the big kernel lock), which may sleep and so let go of
 * the BKL: keys are made before the futex word is read, never between
 * the value check and the queueing.
 */
static struct shmem_object *futex_key(struct mm *mm, unsigned long uaddr, bool private,
				      bool get, struct futex_key *key)
{
	struct shmem_object *obj = NULL;
	struct vm_area_struct *vma;

	key->ptr = mm;
	key->word = uaddr;
	if (private)
		return NULL;
	mmap_read_lock(mm);
	vma = vma_lookup(mm, uaddr);
	if (vma && vma->vm_shm) {
		obj = vma->vm_shm;
		key->ptr = obj;
		key->word = (vma->vm_pgoff << PAGE_SHIFT) + (uaddr - vma->vm_start);
		if (get)
			shmem_get(obj);
	}
	mmap_read_unlock(mm);
	return obj;
}

static bool key_eq(const struct futex_key *a, const struct futex_key *b)
{
	return a->ptr == b->ptr && a->word == b->word;
}

static int wake_matching(const struct futex_key *key, int n, u32 bitset)
{
	struct futex_q *q, *tmp;
	int woken = 0;

	list_for_each_entry_safe(q, tmp, &futex_queue, list) {
		if (woken >= n)
			break;
		if (!key_eq(&q->key, key) || !(q->bitset & bitset))
			continue;
		list_del(&q->list);
		INIT_LIST_HEAD(&q->list);
		q->woken = true;
		wake_up_process(q->task);
		woken++;
	}
	return woken;
}

int futex_wake_address(struct mm *mm, unsigned long uaddr, int n)
{
	struct futex_key key;

	futex_key(mm, uaddr, false, false, &key);
	return wake_matching(&key, n, FUTEX_BITSET_MATCH_ANY);
}

void futex_exit(struct task_struct *t)
{
	struct futex_q *q, *tmp;

	list_for_each_entry_safe(q, tmp, &futex_queue, list) {
		if (q->task == t) {
			list_del(&q->list);
			INIT_LIST_HEAD(&q->list);
		}
	}
}

/*
 * Robust futexes, as Linux's kernel/futex/core.c: the list lives in user
 * memory (struct robust_list_head), so every read may fault and a
 * corrupt or circular list must not hang the exit: at most
 * ROBUST_LIST_LIMIT entries, and the walk stops at the first bad read.
 */
#define FUTEX_WAITERS		0x80000000U
#define FUTEX_OWNER_DIED	0x40000000U
#define FUTEX_TID_MASK		0x3fffffffU
#define ROBUST_LIST_LIMIT	2048
#define ROBUST_HEAD_SIZE	24	/* next, futex_offset, list_op_pending */

long sys_set_robust_list(unsigned long head, unsigned long len)
{
	if (len != ROBUST_HEAD_SIZE)
		return -EINVAL;
	current->robust_list = head;
	return 0;
}

long sys_get_robust_list(unsigned long pid, unsigned long head_ptr, unsigned long len_ptr)
{
	struct task_struct *t = pid ? find_task_by_pid((int)pid) : current;

	if ((long)pid < 0 || !t || (t->flags & PF_KTHREAD))
		return -ESRCH;
	if (put_user_ulong(len_ptr, ROBUST_HEAD_SIZE) ||
	    put_user_ulong(head_ptr, t->robust_list))
		return -EFAULT;
	return 0;
}

/* Linux's handle_futex_death(): -EFAULT stops the walk. */
static int handle_futex_death(struct task_struct *t, unsigned long uaddr, bool pi,
			      bool pending)
{
	u32 uval, nval;

	if (uaddr & 3)
		return -EFAULT;
	for (;;) {
		if (get_user_u32(&uval, uaddr))
			return -EFAULT;
		/* Died between taking the lock and queueing it: wake one to retry. */
		if (pending && !pi && !uval) {
			futex_wake_address(t->mm, uaddr, 1);
			return 0;
		}
		if ((uval & FUTEX_TID_MASK) != (u32)t->pid)
			return 0;
		if (cmpxchg_user_u32(uaddr, uval, (uval & FUTEX_WAITERS) | FUTEX_OWNER_DIED,
				     &nval))
			return -EFAULT;
		if (nval == uval)
			break;
	}
	if (!pi && (uval & FUTEX_WAITERS))
		futex_wake_address(t->mm, uaddr, 1);
	return 0;
}

/* The entry pointer, its low bit being the PI flag. */
static int fetch_robust_entry(unsigned long *entry, bool *pi, unsigned long uaddr)
{
	unsigned long v;

	if (get_user_ulong(&v, uaddr))
		return -EFAULT;
	*entry = v & ~1UL;
	*pi = v & 1;
	return 0;
}

void futex_exit_robust(struct task_struct *t)
{
	unsigned long head = t->robust_list, entry, next, pending;
	unsigned int limit = ROBUST_LIST_LIMIT;
	bool pi, next_pi, pending_pi;
	long offset;
	int rc;

	t->robust_list = 0;
	if (!head || !t->mm)
		return;
	if (fetch_robust_entry(&entry, &pi, head) ||
	    get_user_ulong((unsigned long *)&offset, head + 8) ||
	    fetch_robust_entry(&pending, &pending_pi, head + 16))
		return;
	while (entry != head) {
		rc = fetch_robust_entry(&next, &next_pi, entry);
		/* The pending op is handled last, once (Linux's order). */
		if (entry != pending &&
		    handle_futex_death(t, entry + offset, pi, false))
			return;
		if (rc)
			return;
		if (!--limit)
			break;
		entry = next;
		pi = next_pi;
	}
	if (pending)
		handle_futex_death(t, pending + offset, pending_pi, true);
}

/* The timeout in ns from now; 0 for none; -EINVAL/-EFAULT/-ETIMEDOUT. */
static long futex_timeout(unsigned long utime, bool absolute, u64 *ns)
{
	struct timespec64 ts;
	u64 t, now;

	*ns = 0;
	if (!utime)
		return 0;
	if (get_user_mem(&ts, utime, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (long)NSEC_PER_SEC)
		return -EINVAL;
	t = (u64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
	if (absolute) {
		/* CLOCK_MONOTONIC counts from boot, as ktime_get_ns() does. */
		now = ktime_get_ns();
		if (t <= now)
			return -ETIMEDOUT;
		t -= now;
	}
	*ns = t ? t : 1;
	return 0;
}

static long futex_wait(unsigned long uaddr, u32 val, unsigned long utime, u32 bitset,
		       bool absolute, bool private)
{
	struct futex_q q = { .task = current, .bitset = bitset };
	struct shmem_object *obj;
	u64 ns;
	long ret;
	u32 cur;

	if (!bitset)
		return -EINVAL;
	if (uaddr & 3)
		return -EINVAL;
	ret = futex_timeout(utime, absolute, &ns);
	if (ret)
		return ret;
	obj = futex_key(current->mm, uaddr, private, true, &q.key);
	ret = get_user_u32(&cur, uaddr) ? -EFAULT : cur != val ? -EAGAIN : 0;
	if (ret) {
		if (obj)
			shmem_put(obj);
		return ret;
	}
	list_add_tail(&q.list, &futex_queue);
	if (ns) {
		schedule_timeout(ns);
	} else {
		current->state = TASK_INTERRUPTIBLE;
		schedule();
	}
	if (q.woken)
		ret = 0;
	else
		ret = (ns && !signal_pending(current)) ? -ETIMEDOUT : -EINTR;
	if (!q.woken)
		list_del(&q.list);
	if (obj)
		shmem_put(obj);
	return ret;
}

static long futex_requeue(unsigned long uaddr, unsigned long uaddr2, int nr_wake,
			  int nr_requeue, u32 *cmpval, bool private)
{
	struct futex_key key, key2;
	struct futex_q *q, *tmp;
	int woken, moved = 0;
	u32 cur;

	if ((uaddr | uaddr2) & 3 || nr_wake < 0 || nr_requeue < 0)
		return -EINVAL;
	futex_key(current->mm, uaddr, private, false, &key);
	/* A waiter keeps the reference it took: on its first key's object. */
	futex_key(current->mm, uaddr2, private, false, &key2);
	if (cmpval) {
		if (get_user_u32(&cur, uaddr))
			return -EFAULT;
		if (cur != *cmpval)
			return -EAGAIN;
	}
	woken = wake_matching(&key, nr_wake, FUTEX_BITSET_MATCH_ANY);
	list_for_each_entry_safe(q, tmp, &futex_queue, list) {
		if (moved >= nr_requeue)
			break;
		if (key_eq(&q->key, &key)) {
			q->key = key2;
			moved++;
		}
	}
	return woken + moved;
}

long sys_futex(unsigned long uaddr, unsigned long op, unsigned long val,
	       unsigned long utime, unsigned long uaddr2, unsigned long val3)
{
	int cmd = op & FUTEX_CMD_MASK;
	bool private = op & FUTEX_PRIVATE_FLAG;
	struct futex_key key;
	u32 cmp = val3;

	switch (cmd) {
	case FUTEX_WAIT:
		return futex_wait(uaddr, (u32)val, utime, FUTEX_BITSET_MATCH_ANY, false, private);
	case FUTEX_WAIT_BITSET:
		return futex_wait(uaddr, (u32)val, utime, val3, true, private);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if (cmd == FUTEX_WAKE)
			val3 = FUTEX_BITSET_MATCH_ANY;
		if (!val3 || (uaddr & 3))
			return -EINVAL;
		futex_key(current->mm, uaddr, private, false, &key);
		return wake_matching(&key, (int)val, val3);
	case FUTEX_REQUEUE:
		return futex_requeue(uaddr, uaddr2, (int)val, (int)utime, NULL, private);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(uaddr, uaddr2, (int)val, (int)utime, &cmp, private);
	default:
		return -ENOSYS;
	}
}
