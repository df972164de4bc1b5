// SPDX-License-Identifier: MIT
/*
 * The task list and lookups. The boot context becomes the first task
 * (pid 0, "swapper"): it runs the console shell and, when nothing else
 * is runnable, idles.
 */
#include "kernel/task.h"
#include "libc/string.h"

LIST_HEAD(process_list);

struct task_struct init_task = {
	.pid = 0,
	.tgid = 0,
	.comm = "swapper",
	.state = TASK_RUNNING,
	.flags = PF_KTHREAD | PF_IDLE,
	.group_leader = &init_task,
	.run_list = LIST_HEAD_INIT(init_task.run_list),
	.children = LIST_HEAD_INIT(init_task.children),
	.sibling = LIST_HEAD_INIT(init_task.sibling),
	.thread_group = LIST_HEAD_INIT(init_task.thread_group),
};

struct task_struct *current_task_ptr = &init_task;

struct task_struct *current_task(void)
{
	return current_task_ptr;
}

struct task_struct *find_task_by_pid(int pid)
{
	struct task_struct *p, *t;

	if (pid <= 0)
		return NULL;
	for_each_process(p) {
		for_each_thread(p, t) {
			if (t->pid == pid)
				return t;
		}
	}
	return NULL;
}

int nr_threads_of(struct task_struct *t)
{
	struct task_struct *leader = t->group_leader, *th;
	int n = 0;

	for_each_thread(leader, th) {
		if (th->state != EXIT_ZOMBIE && th->state != EXIT_DEAD)
			n++;
	}
	return n;
}

const char *task_state_name(const struct task_struct *t)
{
	switch (t->state) {
	case TASK_RUNNING:
		return "R (running)";
	case TASK_INTERRUPTIBLE:
		return "S (sleeping)";
	case TASK_UNINTERRUPTIBLE:
		return "D (disk sleep)";
	case EXIT_ZOMBIE:
		return "Z (zombie)";
	default:
		return "X (dead)";
	}
}
