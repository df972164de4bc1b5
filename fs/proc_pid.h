/* SPDX-License-Identifier: MIT */
#ifndef FS_PROC_PID_H
#define FS_PROC_PID_H

struct task_struct;

/*
 * /proc/<pid>/status, /proc/<pid>/maps and /proc/self for every task,
 * as Linux prints them. Called once at boot, before any process runs.
 */
void proc_pid_init(void);

/*
 * Rewrite a canonical "/proc/self[/...]" in place as "/proc/<pid>[/...]"
 * for the calling process, as Linux's /proc/self symlink is followed at
 * open: a file opened so and inherited keeps naming the opener. path
 * must have room for PROC_SELF_GROWTH more bytes.
 */
#define PROC_SELF_GROWTH	8
void proc_self_to_pid(char *path);

/*
 * fn(t, arg) for the task with this pid, with interrupts off and its mm's
 * mmap_lock held for read (when it has one): 0, or -ESRCH when none.
 */
int proc_pid_locked(long pid, void (*fn)(struct task_struct *t, void *arg), void *arg);

/* The files' contents for task t (tests call them on a task of their own). */
struct seq_buf;
void proc_pid_show_status(struct seq_buf *m, struct task_struct *t);
void proc_pid_show_maps(struct seq_buf *m, struct task_struct *t);

#endif
