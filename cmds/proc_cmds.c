// SPDX-License-Identifier: MIT
/* The console's process commands: run, ps, kill; and rdinit=. */
#include "cmds/proc_cmds.h"
#include "kernel/exec.h"
#include "kernel/exit.h"
#include "fs/file.h"
#include "kernel/param.h"
#include "kernel/printk.h"
#include "kernel/shell.h"
#include "kernel/signal.h"
#include "kernel/strerror.h"
#include "kernel/task.h"
#include "mm/mmap.h"
#include "libc/errno.h"
#include "libc/stdlib.h"
#include "libc/string.h"

#define RDINIT_MAX	128

static int interrupts_sent;
static char rdinit_path[RDINIT_MAX];

/* While a program runs, the console is watched for Ctrl-C. */
static void watch_ctrl_c(int pid)
{
	struct task_struct *p = find_task_by_pid(pid);

	/* Other keys stay queued for the program's read() of stdin. */
	for (int n = console_poll_input(); n > 0; n--) {
		if (!p)
			continue;
		/* To the whole job, as a terminal sends it to its foreground group. */
		interrupts_sent++;
		kill_pgrp(p->pgid, interrupts_sent == 1 ? SIGINT : SIGKILL, NULL);
		printk("^C\n");
	}
}

static void print_status(const char *path, int pid, int status)
{
	int sig = status & 0x7f;

	if (!sig)
		printk("run: %s (pid %d) exited with status %d\n", path, pid, (status >> 8) & 0xff);
	else
		printk("run: %s (pid %d) killed by signal %d%s\n", path, pid, sig,
		       status & 0x80 ? " (core dumped)" : "");
}

int run_foreground(int argc, char **argv)
{
	int pid, status = 0, ret;

	pid = user_spawn(argv[0], argc, argv);
	if (pid < 0)
		return pid;
	interrupts_sent = 0;
	ret = kernel_wait(pid, &status, watch_ctrl_c);
	if (ret)
		return ret;
	print_status(argv[0], pid, status);
	return status;
}

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

static int rdinit_setup(const char *val)
{
	if (val[0] != '/' || strlen(val) >= sizeof(rdinit_path))
		return -EINVAL;
	strcpy(rdinit_path, val);
	return 0;
}
early_param("rdinit", rdinit_setup);

void run_rdinit(void)
{
	char *argv[] = { rdinit_path, NULL };
	int ret;

	if (!rdinit_path[0])
		return;
	ret = run_foreground(1, argv);
	if (ret < 0)
		pr_err("rdinit: cannot run %s: %s\n", rdinit_path, strerror(-ret));
}
