// SPDX-License-Identifier: MIT
/* The console's process commands: run, ps, kill. */
#include "kernel/run.h"
#include "kernel/printk.h"
#include "kernel/shell.h"
#include "kernel/signal.h"
#include "kernel/strerror.h"
#include "kernel/task.h"
#include "mm/mmap.h"
#include "libc/errno.h"
#include "libc/stdlib.h"
#include "libc/string.h"

static int cmd_run(int argc, char **argv)
{
	int ret;

	if (argc < 2) {
		printk("run: usage: run PATH [ARGS...]\n");
		return -EINVAL;
	}
	if (argv[1][0] != '/') {
		printk("run: '%s': give the absolute path (programs are in /bin)\n", argv[1]);
		return -EINVAL;
	}
	ret = run_foreground(argc - 1, argv + 1);
	if (ret < 0) {
		printk("run: %s: %s\n", argv[1], strerror(-ret));
		return ret;
	}
	return ret ? -EINTR : 0;
}
SHELL_CMD(run, "PATH [ARGS...]", "run a program in the foreground (Ctrl-C: SIGINT, again: SIGKILL)");

static int cmd_ps(int argc, char **argv)
{
	struct task_struct *p;

	(void)argv;
	if (argc > 1) {
		printk("ps: takes no arguments\n");
		return -EINVAL;
	}
	printk("  PID  PPID THR S    VSZ(kB)    RSS(kB) COMMAND\n");
	for_each_process(p) {
		struct mm *mm = p->mm;

		printk("%5d %5d %3d %c %10lu %10lu %s\n", p->pid,
		       p->parent ? p->parent->tgid : KSHELL_PID, nr_threads_of(p),
		       task_state_name(p)[0], mm ? mm->total_vm << 2 : 0,
		       mm ? mm->rss << 2 : 0, p->comm);
	}
	return 0;
}
SHELL_CMD(ps, "", "list processes");

static int parse_signal(const char *s, int *sig)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v < 1 || v > _NSIG)
		return -EINVAL;
	*sig = v;
	return 0;
}

static int cmd_kill(int argc, char **argv)
{
	int sig = SIGTERM, ret;
	struct task_struct *p;
	unsigned long pid;
	char *end;

	if (argc == 3 && argv[1][0] == '-') {
		if (parse_signal(argv[1] + 1, &sig)) {
			printk("kill: '%s' is not a signal number (1..%d)\n", argv[1] + 1, _NSIG);
			return -EINVAL;
		}
		argv++;
		argc--;
	}
	if (argc != 2) {
		printk("kill: usage: kill [-SIGNUM] PID\n");
		return -EINVAL;
	}
	pid = strtoul(argv[1], &end, 10);
	if (!argv[1][0] || *end || !pid || pid >= PID_MAX) {
		printk("kill: '%s' is not a pid\n", argv[1]);
		return -EINVAL;
	}
	p = find_task_by_pid(pid);
	if (p)
		p = p->group_leader;
	ret = kill_process(p, sig);
	if (ret)
		printk("kill: %lu: %s\n", pid, strerror(-ret));
	return ret;
}
SHELL_CMD(kill, "[-SIGNUM] PID", "send a signal to a process (default SIGTERM)");
