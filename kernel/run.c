// SPDX-License-Identifier: MIT
/*
 * A program in the foreground of the console, for the console's `run`
 * and for rdinit= at the end of boot.
 */
#include "kernel/run.h"
#include "kernel/exec.h"
#include "kernel/exit.h"
#include "fs/file.h"
#include "kernel/param.h"
#include "kernel/printk.h"
#include "kernel/signal.h"
#include "kernel/strerror.h"
#include "kernel/task.h"
#include "libc/errno.h"
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
