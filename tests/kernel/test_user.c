// SPDX-License-Identifier: MIT
/*
 * user: processes in ring 3. Two kinds of cases:
 *
 * - Small ELF images built here (a few instructions each, put in the
 *   ramfs under /ktest_user): the exit status proves what ran in ring 3,
 *   the system-call results it exits with prove the kernel's answers
 *   (-EFAULT for a bad pointer, -ENOSYS, -EPERM), and the images the
 *   loader must refuse prove it refuses them.
 * - The test programs of /bin (user/, built with musl-gcc -static): each
 *   must exit 0 with "PASS NAME" as its verdict, or, for the crash
 *   program's faulting cases, die of SIGSEGV with the one-line report.
 *
 * Every case compares the free pages (after a slab shrink and a drain)
 * before and after, and runs every mm invariant checker: a process must
 * give back every page, page table, kernel stack and pool page it had
 * (ktest_user.h). test_user_mm.c continues the suite with what processes
 * do to the memory manager, seen from the kernel's side.
 */
#include "tests/kernel/ktest.h"
#include "tests/kernel/ktest_mm.h"
#include "tests/kernel/ktest_user.h"
#include "kernel/run.h"
#include "fs/file.h"
#include "fs/ramfs.h"
#include "kernel/console.h"
#include "kernel/exec.h"
#include "kernel/exit.h"
#include "kernel/param.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/smp.h"
#include "kernel/syscall.h"
#include "kernel/task.h"
#include "kernel/time.h"
#include "kernel/traps.h"
#include "kernel/uaccess.h"
#include "mm/hugetlb.h"
#include "mm/meminfo.h"
#include "mm/memory.h"
#include "mm/pt_reclaim.h"
#include "mm/debug/check.h"
#include "mm/mmap.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/fail_page_alloc.h"
#include "mm/pgtable.h"
#include "mm/shmem.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/stdlib.h"
#include "libc/string.h"

#define DIR		"/ktest_user"
#define LOAD_ADDR	0x400000UL
#define EHDR_SIZE	64
#define PHDR_SIZE	56
#define CODE_OFF	(EHDR_SIZE + 2 * PHDR_SIZE)
#define IMAGE_MAX	256
#define OUT_SIZE	32768
#define RUN_TIMEOUT_NS	(600 * NSEC_PER_SEC)

static char out[OUT_SIZE];
static u64 run_deadline;
static bool run_timed_out;
/* fuzz calls for the fuzz case: ktest_user_fuzz=N (the runner's user config) */
static unsigned long fuzz_calls = 1000;

static int fuzz_setup(const char *val)
{
	unsigned long v;
	int ret = kstrtoul(val, 10, &v);

	if (ret)
		return ret;
	if (!v)
		return -EINVAL;
	fuzz_calls = v;
	return 0;
}
early_param("ktest_user_fuzz", fuzz_setup);

/* A program that does not end in time is killed: the case fails, the run goes on. */
static void watchdog(int pid)
{
	struct task_struct *p = find_task_by_pid(pid);

	if (run_timed_out || ktime_get_ns() < run_deadline || !p)
		return;
	run_timed_out = true;
	kill_process(p, SIGKILL);
}

/* As run_captured(), with poll (which calls watchdog()) while it waits. */
static int run_captured_poll(int argc, char **argv, void (*poll)(int pid))
{
	struct printk_capture cap = { .buf = out, .size = sizeof(out) };
	int pid, status = 0, ret;

	run_deadline = ktime_get_ns() + RUN_TIMEOUT_NS;
	run_timed_out = false;
	printk_capture_begin(&cap);
	pid = user_spawn(argv[0], argc, argv);
	ret = pid < 0 ? pid : kernel_wait(pid, &status, poll);
	printk_capture_end(&cap);
	return ret < 0 ? ret : status;
}

/* Run argv[0] with its output captured in out; the wait status, or -errno. */
static int run_captured(int argc, char **argv)
{
	return run_captured_poll(argc, argv, watchdog);
}

/* The lines of text that start with prefix, each its own log line. */
static void log_lines_from(struct kunit *test, const char *text, const char *prefix)
{
	char line[160];

	for (const char *p = text; *p; ) {
		size_t n = strcspn(p, "\n");

		if (!strncmp(p, prefix, strlen(prefix))) {
			strlcpy(line, p, min(n + 1, sizeof(line)));
			ktest_log(test, "%s", line);
		}
		p += n + (p[n] == '\n');
	}
}

/* The program's own summary lines (those starting with prefix), for the log. */
static void log_lines(struct kunit *test, const char *prefix)
{
	log_lines_from(test, out, prefix);
}

/* Line by line: one log line is too short for the reason a program failed. */
static void show_output(struct kunit *test)
{
	size_t len = strlen(out);
	const char *tail = len > 1500 ? out + len - 1500 : out;

	ktest_log(test, "output (last 1500 bytes):");
	log_lines_from(test, tail, "");
}

/* The program exits 0 and its verdict line is "PASS name". */
static void expect_pass(struct kunit *test, const char *name, int argc, char **argv)
{
	char verdict[64];
	struct ktest_user_baseline b;
	int status;

	ktest_user_take_baseline(&b);
	status = run_captured(argc, argv);
	snprintf(verdict, sizeof(verdict), "PASS %s\n", name);
	if (status == -ENOENT) {
		ktest_skip(test, "the program is not in the initramfs (make iso packs user/)");
		return;
	}
	EXPECT_EQ(test, status, 0);
	EXPECT_FALSE(test, run_timed_out);
	EXPECT_TRUE(test, strstr(out, verdict) != NULL);
	if (test->failed)
		show_output(test);
	ktest_user_expect_baseline(test, &b);
}

/* Image building: one ELF64 header, a PT_LOAD of the whole file, code. */
struct image {
	u8 bytes[IMAGE_MAX];
	size_t size;
};

static void put16(u8 *p, u16 v) { memcpy(p, &v, 2); }
static void put32(u8 *p, u32 v) { memcpy(p, &v, 4); }
static void put64(u8 *p, u64 v) { memcpy(p, &v, 8); }

static void make_image(struct image *im, u16 type, const u8 *code, size_t len)
{
	u64 base = type == 2 ? LOAD_ADDR : 0;
	u8 *e = im->bytes, *ph = im->bytes + EHDR_SIZE;

	memset(im, 0, sizeof(*im));
	im->size = CODE_OFF + len;
	memcpy(e, "\177ELF\2\1\1", 7);
	put16(e + 16, type);
	put16(e + 18, 62);		/* EM_X86_64 */
	put32(e + 20, 1);
	put64(e + 24, base + CODE_OFF);	/* e_entry */
	put64(e + 32, EHDR_SIZE);	/* e_phoff */
	put16(e + 52, EHDR_SIZE);
	put16(e + 54, PHDR_SIZE);
	put16(e + 56, 2);		/* e_phnum */
	put32(ph, 1);			/* PT_LOAD */
	put32(ph + 4, 5);		/* R X */
	put64(ph + 16, base);		/* p_vaddr */
	put64(ph + 32, im->size);	/* p_filesz */
	put64(ph + 40, im->size);	/* p_memsz */
	put32(ph + PHDR_SIZE, 0x6474e551);	/* PT_GNU_STACK: ignored */
	memcpy(im->bytes + CODE_OFF, code, len);
}

static int install(const char *name, struct image *im)
{
	char path[64];

	ramfs_create(DIR, S_IFDIR | 0755, NULL, 0);
	snprintf(path, sizeof(path), DIR "/%s", name);
	return ramfs_create(path, S_IFREG | 0755, im->bytes, im->size);
}

static int run_image(struct kunit *test, const char *name, struct image *im)
{
	char path[64], *argv[] = { path, NULL };
	int status;

	ramfs_remove(DIR);
	snprintf(path, sizeof(path), DIR "/%s", name);
	if (install(name, im)) {
		ktest_fail(test, __FILE__, __LINE__, "cannot put %s in the ramfs", path);
		return -1;
	}
	status = run_captured(1, argv);
	ramfs_remove(DIR);
	return status;
}

/* mov $60, %eax; syscall: exit with %edi. */
#define EXIT_EDI	0xb8, 0x3c, 0, 0, 0, 0x0f, 0x05
#define MOV_EAX_EDI	0x89, 0xc7

static const u8 code_exit42[] = { 0xbf, 42, 0, 0, 0, EXIT_EDI };
/* write(1, 0x10, 5), then exit with its result. */
static const u8 code_write_efault[] = {
	0xb8, 1, 0, 0, 0, 0xbf, 1, 0, 0, 0, 0xbe, 0x10, 0, 0, 0,
	0xba, 5, 0, 0, 0, 0x0f, 0x05, MOV_EAX_EDI, EXIT_EDI,
};
/* system call 500, then exit with its result. */
static const u8 code_enosys[] = { 0xb8, 0xf4, 1, 0, 0, 0x0f, 0x05, MOV_EAX_EDI, EXIT_EDI };
/* arch_prctl(ARCH_SET_FS, 1 << 47): not a user address. */
static const u8 code_bad_fs[] = {
	0xb8, 158, 0, 0, 0, 0xbf, 0x02, 0x10, 0, 0,
	0x48, 0xbe, 0, 0, 0, 0, 0, 0x80, 0, 0, 0x0f, 0x05, MOV_EAX_EDI, EXIT_EDI,
};
/* clone(CLONE_SETTLS, 0, 0, 0, 1 << 47): a TLS base outside the user half. */
static const u8 code_clone_bad_tls[] = {
	0xb8, 56, 0, 0, 0, 0xbf, 0, 0, 0x08, 0,		/* eax = clone, edi = CLONE_SETTLS */
	0x31, 0xf6, 0x31, 0xd2, 0x45, 0x31, 0xd2,	/* esi, edx, r10d = 0 */
	0x49, 0xb8, 0, 0, 0, 0, 0, 0x80, 0, 0,		/* movabs $1 << 47, %r8 */
	0x0f, 0x05, MOV_EAX_EDI, EXIT_EDI,
};
/* movl $1, 0: a store to NULL. */
static const u8 code_null[] = { 0xc7, 0x04, 0x25, 0, 0, 0, 0, 1, 0, 0, 0, EXIT_EDI };
/* A write to its own code (the segment is R X). */
static const u8 code_write_text[] = {
	0x48, 0x8d, 0x05, 0xf9, 0xff, 0xff, 0xff,	/* lea -7(%rip), %rax */
	0xc6, 0x00, 0x90, EXIT_EDI,			/* movb $0x90, (%rax) */
};
/* hlt: privileged, #GP in ring 3. */
static const u8 code_hlt[] = { 0xf4, EXIT_EDI };

static struct image im;

static void expect_exit(struct kunit *test, const char *name, u16 type, const u8 *code,
			size_t len, int code_expected)
{
	struct ktest_user_baseline b;
	int status;

	ktest_user_take_baseline(&b);
	make_image(&im, type, code, len);
	status = run_image(test, name, &im);
	EXPECT_EQ(test, status, (code_expected & 0xff) << 8);
	ktest_user_expect_baseline(test, &b);
}

KTEST(user, exit_status_from_ring3)
{
	expect_exit(test, "exit42", 2, code_exit42, sizeof(code_exit42), 42);
}

KTEST(user, static_pie_loaded_at_bias)
{
	expect_exit(test, "exit42pie", 3, code_exit42, sizeof(code_exit42), 42);
}

KTEST(user, bad_pointer_is_efault)
{
	expect_exit(test, "efault", 2, code_write_efault, sizeof(code_write_efault), -EFAULT);
}

KTEST(user, unknown_syscall_is_enosys)
{
	expect_exit(test, "enosys", 2, code_enosys, sizeof(code_enosys), -ENOSYS);
	EXPECT_TRUE(test, strstr(out, "system call 500 (unknown) is not implemented") != NULL);
}

KTEST(user, fs_base_outside_user_half_refused)
{
	expect_exit(test, "badfs", 2, code_bad_fs, sizeof(code_bad_fs), -EPERM);
}

/* Linux: copy_thread's do_set_thread_area_64() refuses it with EPERM. */
KTEST(user, clone_bad_tls_is_eperm)
{
	expect_exit(test, "badtls", 2, code_clone_bad_tls, sizeof(code_clone_bad_tls), -EPERM);
}

static void expect_killed(struct kunit *test, const char *name, const u8 *code, size_t len,
			  int sig, const char *report)
{
	struct ktest_user_baseline b;
	int status;

	ktest_user_take_baseline(&b);
	make_image(&im, 2, code, len);
	status = run_image(test, name, &im);
	EXPECT_EQ(test, status, sig);
	EXPECT_TRUE(test, strstr(out, report) != NULL);
	if (test->failed)
		show_output(test);
	ktest_user_expect_baseline(test, &b);
}

KTEST(user, null_store_kills_with_report)
{
	expect_killed(test, "null", code_null, sizeof(code_null), SIGSEGV,
		      "null[");
	EXPECT_TRUE(test, strstr(out, "segfault (no mapping at the address) at 0 ip 4000b0") != NULL);
}

KTEST(user, write_to_text_kills)
{
	expect_killed(test, "wtext", code_write_text, sizeof(code_write_text), SIGSEGV,
		      "segfault (access not allowed by the mapping) at 4000b0");
}

KTEST(user, privileged_instruction_kills)
{
	expect_killed(test, "hlt", code_hlt, sizeof(code_hlt), SIGSEGV,
		      "general protection at 0 ip 4000b0");
}

static int spawn_image(struct image *im)
{
	char path[] = DIR "/bad", *argv[] = { path, NULL };
	int ret;

	ramfs_remove(DIR);
	if (install("bad", im))
		return -EEXIST;
	ret = user_spawn(path, 1, argv);
	ramfs_remove(DIR);
	return ret;
}

KTEST(user, loader_refuses_bad_images)
{
	struct ktest_user_baseline b;

	ktest_user_take_baseline(&b);
	make_image(&im, 2, code_exit42, sizeof(code_exit42));
	im.bytes[0] = 'X';
	EXPECT_EQ(test, spawn_image(&im), -ENOEXEC);

	make_image(&im, 2, code_exit42, sizeof(code_exit42));
	put32(im.bytes + EHDR_SIZE + PHDR_SIZE, 3);	/* PT_INTERP: dynamic */
	EXPECT_EQ(test, spawn_image(&im), -ENOEXEC);

	make_image(&im, 2, code_exit42, sizeof(code_exit42));
	put64(im.bytes + EHDR_SIZE + 32, 4096);		/* p_filesz past the end */
	EXPECT_EQ(test, spawn_image(&im), -ENOEXEC);

	make_image(&im, 2, code_exit42, sizeof(code_exit42));
	put16(im.bytes + 18, 3);			/* EM_386 */
	EXPECT_EQ(test, spawn_image(&im), -ENOEXEC);

	make_image(&im, 2, code_exit42, sizeof(code_exit42));
	put64(im.bytes + 24, 1UL << 47);		/* entry outside the user half */
	EXPECT_EQ(test, spawn_image(&im), -ENOEXEC);

	make_image(&im, 2, code_exit42, sizeof(code_exit42));
	put64(im.bytes + EHDR_SIZE + 16, 0x1000);	/* below mmap_min_addr */
	EXPECT_EQ(test, spawn_image(&im), -ENOEXEC);

	{
		char path[] = "/ktest_user_none", *argv[] = { path, NULL };

		EXPECT_EQ(test, user_spawn(path, 1, argv), -ENOENT);
	}
	ktest_user_expect_baseline(test, &b);
}

/* The programs of /bin. */

KTEST(user, fork_cow)
{
	char *argv[] = { "/bin/fork_cow", NULL };

	expect_pass(test, "fork_cow", 1, argv);
}

KTEST(user, mmap_test)
{
	char *argv[] = { "/bin/mmap_test", NULL };

	expect_pass(test, "mmap_test", 1, argv);
}

KTEST(user, hugepage_2m)
{
	char *argv[] = { "/bin/hugepage", "2M", NULL };

	expect_pass(test, "hugepage", 2, argv);
	log_lines(test, "hugepage: 2M: ");
}

/* 1 GiB pages need pdpe1gb and a free aligned GiB: the runner's user configuration. */
KTEST(user, hugepage_1g)
{
	char *argv[] = { "/bin/hugepage", "1G", NULL };

	if (!hstates[HSTATE_1G].supported || nr_managed_pages() < (3UL << (30 - PAGE_SHIFT))) {
		ktest_skip(test, "needs pdpe1gb and 3 GiB of RAM");
		return;
	}
	expect_pass(test, "hugepage", 2, argv);
}

/* execve from a non-leader thread, then from the leader, with threads asleep. */
KTEST(user, thread_exec)
{
	char *argv[] = { "/bin/thread_exec", NULL };

	expect_pass(test, "thread_exec", 1, argv);
	log_lines(test, "thread_exec: ");
}

/* Robust futexes: the kernel's exit walk marks a dead owner's lock. */
KTEST(user, robust_mutex)
{
	char *argv[] = { "/bin/robust_mutex", NULL };

	expect_pass(test, "robust_mutex", 1, argv);
	log_lines(test, "robust_mutex: ");
}

/* MAP_SHARED anonymous memory is one object across fork, DONTNEED, mremap. */
KTEST(user, shmem_test)
{
	char *argv[] = { "/bin/shmem_test", NULL };

	expect_pass(test, "shmem_test", 1, argv);
	log_lines(test, "shmem_test: ");
}

KTEST(user, crash_badptr_gets_efault)
{
	char *argv[] = { "/bin/crash", "badptr", NULL };

	expect_pass(test, "crash", 2, argv);
}

static void crash_case(struct kunit *test, const char *what, const char *report)
{
	char *argv[] = { "/bin/crash", (char *)what, NULL };
	struct ktest_user_baseline b;
	int status;

	ktest_user_take_baseline(&b);
	status = run_captured(2, argv);
	if (status == -ENOENT) {
		ktest_skip(test, "the program is not in the initramfs (make iso packs user/)");
		return;
	}
	/* Killed, the kernel alive to say so, and nothing lost. */
	EXPECT_EQ(test, status, SIGSEGV);
	EXPECT_TRUE(test, strstr(out, report) != NULL);
	EXPECT_TRUE(test, strstr(out, "crash[") != NULL);
	if (test->failed)
		show_output(test);
	ktest_user_expect_baseline(test, &b);
}

KTEST(user, crash_null)
{
	crash_case(test, "null", "segfault (no mapping at the address) at 0 ");
}

KTEST(user, crash_rodata)
{
	crash_case(test, "rodata", "segfault (access not allowed by the mapping)");
}

KTEST(user, crash_nx)
{
	crash_case(test, "nx", "segfault (access not allowed by the mapping)");
}

/* "VmPTE N kB" as seed001 prints it, or -1. */
static long printed_kb(const char *field)
{
	const char *p = strstr(out, field);

	return p ? (long)strtoul(p + strlen(field), NULL, 10) : -1;
}

#define SEED_STEPS	100

/*
 * Seed 001 as a process: each 2 MiB step empties one PTE table. With
 * reclaim the tables go as they empty; without, every one stays (4 kB
 * each), as in Linux without the patch.
 */
static void seed001_case(struct kunit *test, bool reclaim)
{
	char steps[16], *argv[] = { "/bin/seed001", "-n", steps, NULL };
	bool was = pt_reclaim_enabled();
	long pte;

	snprintf(steps, sizeof(steps), "%d", SEED_STEPS);
	set_pt_reclaim(reclaim);
	expect_pass(test, "seed001", 3, argv);
	set_pt_reclaim(was);
	if (test->skip_reason)
		return;
	pte = printed_kb("VmPTE ");
	ktest_log(test, "VmPTE %ld kB after %d steps, reclaim %s", pte, SEED_STEPS,
		  reclaim ? "on" : "off");
	if (reclaim)
		EXPECT_TRUE(test, pte >= 0 && pte < SEED_STEPS * 4 / 10);
	else
		EXPECT_TRUE(test, pte >= SEED_STEPS * 4);
}

KTEST(user, seed001_reclaim_frees_empty_tables)
{
	seed001_case(test, true);
}

KTEST(user, seed001_without_reclaim_keeps_them)
{
	seed001_case(test, false);
}

KTEST(user, multi_fault)
{
	char *argv[] = { "/bin/multi_fault", "2", "1", NULL };

	expect_pass(test, "multi_fault", 3, argv);
	log_lines(test, "multi_fault: ");
}

/*
 * Threads of one process fault in one region on every CPU while another
 * zaps, protects, moves and replaces pieces of it (page-table reclaim
 * on) and a third walks it locklessly (pagemap, mincore): the program
 * checks what every thread reads back; here, every page and page-table
 * page comes back and the checkers find nothing after (expect_pass()).
 */
KTEST(user, mm_stress_threads)
{
	char *argv[] = { "/bin/mm_stress", "13", "4000", NULL };
	bool was = pt_reclaim_enabled();

	set_pt_reclaim(true);
	expect_pass(test, "mm_stress", 3, argv);
	set_pt_reclaim(was);
	log_lines(test, "mm_stress: ");
}

#define NOBKL_FLAG	0x210000000UL	/* user/mm_stress.c's */
#define NOBKL_SPIN_NS	(60 * NSEC_PER_SEC)	/* only a hang detector */

static struct {
	bool seen, done;
} nobkl;

/* 1 if the program maps its flag page, 0 if not, -1 if its mm is busy or gone. */
static int nobkl_flag_mapped(int pid)
{
	struct task_struct *p = find_task_by_pid(pid);
	struct mm *mm = p ? p->mm : NULL;
	int mapped;

	if (!mm || !mmap_read_trylock(mm))
		return -1;
	mapped = vma_lookup(mm, NOBKL_FLAG) != NULL;
	mmap_read_unlock(mm);
	return mapped;
}

/*
 * kernel_wait()'s poll runs in the console task, which holds the big
 * kernel lock. Once the program has mapped its flag page it makes only
 * faults and memory system calls until it unmaps it: this spins without
 * sleeping, so without letting the lock go, until it has.
 */
static void hold_bkl_while_mapping(int pid)
{
	u64 end;

	watchdog(pid);
	if (nobkl.seen || nobkl_flag_mapped(pid) != 1)
		return;
	nobkl.seen = true;
	end = ktime_get_ns() + NOBKL_SPIN_NS;
	while (ktime_get_ns() < end) {
		if (!nobkl_flag_mapped(pid)) {
			nobkl.done = true;
			return;
		}
		cpu_relax();
	}
}

/*
 * Page faults and mmap, mprotect, madvise, mincore, mremap, brk and
 * munmap make progress on another CPU while this one holds the big
 * kernel lock and never lets go: they run without it.
 */
KTEST(user, mm_calls_run_without_bkl)
{
	char *argv[] = { "/bin/mm_stress", "nobkl", "200", NULL };
	struct ktest_user_baseline b;
	int status;

	if (num_online_cpus() < 2) {
		ktest_skip(test, "needs a second CPU to run the program while this one holds the lock");
		return;
	}
	ASSERT_TRUE(test, current->bkl_held);
	memset(&nobkl, 0, sizeof(nobkl));
	ktest_user_take_baseline(&b);
	status = run_captured_poll(3, argv, hold_bkl_while_mapping);
	if (status == -ENOENT) {
		ktest_skip(test, "the program is not in the initramfs (make iso packs user/)");
		return;
	}
	EXPECT_EQ(test, status, 0);
	EXPECT_TRUE(test, nobkl.seen);
	if (!nobkl.done)
		ktest_fail(test, __FILE__, __LINE__,
			   "the program's faults and mm calls stalled while the BKL was held");
	EXPECT_TRUE(test, strstr(out, "PASS mm_stress") != NULL);
	if (test->failed)
		show_output(test);
	ktest_user_expect_baseline(test, &b);
	log_lines(test, "mm_stress: ");
}

KTEST(user, fuzz)
{
	char calls[24], *argv[] = { "/bin/fuzz", "1", calls, NULL };

	snprintf(calls, sizeof(calls), "%lu", fuzz_calls);
	expect_pass(test, "fuzz", 3, argv);
	log_lines(test, "fuzz: ");
}

/* Preemption, the console's process commands. */

static const u8 code_loop[] = { 0xeb, 0xfe };	/* jmp . */
/* rt_sigaction(SIGINT, {SIG_IGN}, NULL, 8), then loop. */
static const u8 code_ignore_int_loop[] = {
	0x6a, 0, 0x6a, 0, 0x6a, 0, 0x6a, 1,		/* the sigaction, on the stack */
	0xb8, 13, 0, 0, 0, 0xbf, 2, 0, 0, 0,
	0x48, 0x89, 0xe6, 0x31, 0xd2,			/* mov %rsp, %rsi; xor %edx, %edx */
	0x41, 0xba, 8, 0, 0, 0, 0x0f, 0x05,		/* mov $8, %r10d; syscall */
	0xeb, 0xfe,
};

static int spawn_loop(struct kunit *test, const char *name, const u8 *code, size_t len)
{
	char path[64], *argv[] = { path, NULL };
	int pid;

	ramfs_remove(DIR);
	make_image(&im, 2, code, len);
	snprintf(path, sizeof(path), DIR "/%s", name);
	if (install(name, &im)) {
		ktest_fail(test, __FILE__, __LINE__, "cannot put %s in the ramfs", path);
		return -1;
	}
	pid = user_spawn(path, 1, argv);
	EXPECT_TRUE(test, pid > 0);
	return pid;
}

/* A ring-3 loop does not keep the CPU: the timer takes it back. */
KTEST(user, busy_loop_is_preempted)
{
	struct ktest_user_baseline b;
	int pid, status = 0;
	unsigned long ticks;
	struct task_struct *p;

	ktest_user_take_baseline(&b);
	pid = spawn_loop(test, "spin", code_loop, sizeof(code_loop));
	if (pid <= 0)
		return;
	p = find_task_by_pid(pid);
	schedule_timeout(50 * NSEC_PER_MSEC);
	ticks = p->utime_ticks;
	schedule_timeout(50 * NSEC_PER_MSEC);
	/* It ran between our sleeps, and we ran again: both got the CPU. */
	EXPECT_TRUE(test, p->utime_ticks > ticks);
	EXPECT_EQ(test, p->state, TASK_RUNNING);
	EXPECT_EQ(test, kill_process(p, SIGKILL), 0);
	EXPECT_EQ(test, kernel_wait(pid, &status, NULL), 0);
	EXPECT_EQ(test, status, SIGKILL);
	ramfs_remove(DIR);
	ktest_user_expect_baseline(test, &b);
}

KTEST(user, ps_lists_and_kill_terminates)
{
	char buf[512], line[32];
	struct ktest_user_baseline b;
	int pid, status = 0;

	ktest_user_take_baseline(&b);
	pid = spawn_loop(test, "spinner", code_loop, sizeof(code_loop));
	if (pid <= 0)
		return;
	EXPECT_EQ(test, ktest_shell("ps", buf, sizeof(buf)), 0);
	EXPECT_TRUE(test, strstr(buf, "spinner") != NULL);
	EXPECT_EQ(test, ktest_shell("kill 99999", buf, sizeof(buf)), -EINVAL);
	EXPECT_EQ(test, ktest_shell("kill -99 2", buf, sizeof(buf)), -EINVAL);
	EXPECT_EQ(test, ktest_shell("kill 30000", buf, sizeof(buf)), -ESRCH);
	EXPECT_STREQ(test, buf, "kill: 30000: No such process\n");
	snprintf(line, sizeof(line), "kill %d", pid);
	EXPECT_EQ(test, ktest_shell(line, buf, sizeof(buf)), 0);
	EXPECT_EQ(test, kernel_wait(pid, &status, NULL), 0);
	EXPECT_EQ(test, status, SIGTERM);
	ramfs_remove(DIR);
	ktest_user_expect_baseline(test, &b);
}

/* `run` an image with Ctrl-C typed n times: the command's result. */
static int run_with_ctrl_c(const char *name, const u8 *code, size_t len, int n,
			   char *buf, size_t size)
{
	char line[64];

	ramfs_remove(DIR);
	make_image(&im, 2, code, len);
	if (install(name, &im))
		return -EEXIST;
	while (n--)
		console_push_input(0x03);
	snprintf(line, sizeof(line), "run " DIR "/%s", name);
	return ktest_shell(line, buf, size);
}

KTEST(user, run_ctrl_c_sends_sigint)
{
	char buf[512];
	struct ktest_user_baseline b;

	ktest_user_take_baseline(&b);
	EXPECT_EQ(test, run_with_ctrl_c("loop", code_loop, sizeof(code_loop), 1, buf,
					sizeof(buf)), -EINTR);
	EXPECT_TRUE(test, strstr(buf, "killed by signal 2") != NULL);
	EXPECT_EQ(test, ktest_shell("run /ktest_user_none", buf, sizeof(buf)), -ENOENT);
	EXPECT_STREQ(test, buf, "run: /ktest_user_none: No such file or directory\n");
	EXPECT_EQ(test, ktest_shell("run bin/x", buf, sizeof(buf)), -EINVAL);
	ramfs_remove(DIR);
	ktest_user_expect_baseline(test, &b);
}

KTEST(user, second_ctrl_c_sends_sigkill)
{
	char buf[512];
	struct ktest_user_baseline b;

	ktest_user_take_baseline(&b);
	/* The program ignores SIGINT; the second Ctrl-C's SIGKILL ends it. */
	EXPECT_EQ(test, run_with_ctrl_c("stubborn", code_ignore_int_loop,
					sizeof(code_ignore_int_loop), 2, buf, sizeof(buf)), -EINTR);
	EXPECT_TRUE(test, strstr(buf, "killed by signal 9") != NULL);
	ramfs_remove(DIR);
	ktest_user_expect_baseline(test, &b);
}
