// SPDX-License-Identifier: MIT
/*
 * execve of static ELF64 x86-64 executables: ET_EXEC at its addresses,
 * static-pie ET_DYN at ELF_ET_DYN_BASE; anything with PT_INTERP (a
 * dynamic executable) is -ENOEXEC. The image comes from the initramfs.
 *
 * Loading: each PT_LOAD gets a private anonymous mapping, writable while
 * the file bytes are copied in, then given its own protection; a page
 * two segments share gets the union of theirs. The stack is an 8 MiB
 * mapping below TASK_SIZE, laid out as the System V ABI and Linux do:
 * argc, argv[], NULL, envp[], NULL, auxv pairs up to AT_NULL, then the
 * strings, AT_RANDOM's 16 bytes and AT_EXECFN's string at the top.
 *
 * A new address space is built beside the old one, and the old is
 * dropped only when everything succeeded: a failed execve returns to
 * the caller unchanged.
 */
#include "kernel/exec.h"
#include "kernel/exit.h"
#include "kernel/fork.h"
#include "kernel/futex.h"
#include "kernel/fpu.h"
#include "kernel/gdt.h"
#include "kernel/io.h"
#include "kernel/panic.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/syscall.h"
#include "kernel/syscall_uaccess.h"
#include "kernel/syscalls.h"
#include "kernel/time.h"
#include "kernel/traps.h"
#include "fs/fdtable.h"
#include "fs/ramfs.h"
#include "mm/mmap.h"
#include "mm/slab.h"
#include "libc/errno.h"
#include "libc/string.h"

#define ET_EXEC		2
#define ET_DYN		3
#define EM_X86_64	62
#define PT_LOAD		1
#define PT_INTERP	3
#define PT_PHDR		6
#define PF_X		1
#define PF_W		2
#define PF_R		4
#define ELF_ET_DYN_BASE	0x555555554000UL
#define STACK_SIZE	(8UL << 20)
#define STACK_TOP	(TASK_SIZE & ~(PAGE_SIZE - 1))
#define MAX_PHNUM	64
#define PATH_MAX	4096

#define AT_NULL		0
#define AT_PHDR		3
#define AT_PHENT	4
#define AT_PHNUM	5
#define AT_PAGESZ	6
#define AT_BASE		7
#define AT_FLAGS	8
#define AT_ENTRY	9
#define AT_UID		11
#define AT_EUID		12
#define AT_GID		13
#define AT_EGID		14
#define AT_HWCAP	16
#define AT_CLKTCK	17
#define AT_SECURE	23
#define AT_RANDOM	25
#define AT_EXECFN	31
#define NR_AUXV		17

struct elf64_hdr {
	u8 e_ident[16];
	u16 e_type;
	u16 e_machine;
	u32 e_version;
	u64 e_entry;
	u64 e_phoff;
	u64 e_shoff;
	u32 e_flags;
	u16 e_ehsize;
	u16 e_phentsize;
	u16 e_phnum;
	u16 e_shentsize;
	u16 e_shnum;
	u16 e_shstrndx;
};

struct elf64_phdr {
	u32 p_type;
	u32 p_flags;
	u64 p_offset;
	u64 p_vaddr;
	u64 p_paddr;
	u64 p_filesz;
	u64 p_memsz;
	u64 p_align;
};

/* What execve copied from the caller, and what the loader found. */
struct binprm {
	const char *filename;
	const void *image;
	size_t size;
	int argc, envc;
	char *strings;			/* argv then envp, NUL-separated */
	size_t strings_len;
	unsigned long entry, phdr, brk;
	unsigned int phnum;
};

static int prot_of(u32 flags)
{
	return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) |
	       (flags & PF_X ? PROT_EXEC : 0);
}

static int check_header(const struct binprm *b, const struct elf64_hdr *eh)
{
	if (b->size < sizeof(*eh) || memcmp(eh->e_ident, "\177ELF", 4) ||
	    eh->e_ident[4] != 2 || eh->e_ident[5] != 1)
		return -ENOEXEC;
	if ((eh->e_type != ET_EXEC && eh->e_type != ET_DYN) || eh->e_machine != EM_X86_64)
		return -ENOEXEC;
	if (eh->e_phentsize != sizeof(struct elf64_phdr) || !eh->e_phnum ||
	    eh->e_phnum > MAX_PHNUM || eh->e_phoff > b->size ||
	    b->size - eh->e_phoff < (u64)eh->e_phnum * sizeof(struct elf64_phdr))
		return -ENOEXEC;
	return 0;
}

static int check_segment(const struct binprm *b, const struct elf64_phdr *ph,
			 unsigned long bias)
{
	unsigned long start = bias + ph->p_vaddr;

	if (ph->p_filesz > ph->p_memsz || ph->p_offset > b->size ||
	    b->size - ph->p_offset < ph->p_filesz)
		return -ENOEXEC;
	if (start < MMAP_MIN_ADDR || ph->p_memsz > STACK_TOP - STACK_SIZE ||
	    start > STACK_TOP - STACK_SIZE - ph->p_memsz)
		return -ENOEXEC;
	return 0;
}

/* Map, fill and protect every PT_LOAD of the image into mm (loaded). */
static int load_segments(struct binprm *b, struct mm *mm, const struct elf64_hdr *eh,
			 const struct elf64_phdr *phs, unsigned long bias)
{
	unsigned long mapped_end = 0, prev_end_page = 0;
	u32 prev_flags = 0;
	long ret;

	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		const struct elf64_phdr *ph = &phs[i];
		unsigned long start, end;

		if (ph->p_type != PT_LOAD)
			continue;
		ret = check_segment(b, ph, bias);
		if (ret)
			return ret;
		start = ALIGN_DOWN(bias + ph->p_vaddr, PAGE_SIZE);
		end = ALIGN(bias + ph->p_vaddr + ph->p_memsz, PAGE_SIZE);
		if (start < mapped_end && start + PAGE_SIZE < mapped_end)
			return -ENOEXEC;	/* overlapping beyond one shared page */
		if (max(start, mapped_end) < end) {
			ret = do_mmap(mm, max(start, mapped_end), end - max(start, mapped_end),
				      PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE);
			if (ret < 0)
				return ret == -EEXIST ? -ENOEXEC : ret;
		}
		if (ph->p_filesz && put_user_mem(bias + ph->p_vaddr,
						 (const u8 *)b->image + ph->p_offset, ph->p_filesz))
			return -ENOEXEC;
		ret = do_mprotect(mm, start, end - start, prot_of(ph->p_flags));
		if (!ret && start < prev_end_page)
			ret = do_mprotect(mm, start, PAGE_SIZE,
					  prot_of(ph->p_flags) | prot_of(prev_flags));
		if (ret)
			return ret;
		mapped_end = max(mapped_end, end);
		prev_end_page = end;
		prev_flags = ph->p_flags;
		b->brk = max(b->brk, end);
	}
	return b->brk ? 0 : -ENOEXEC;
}

static unsigned long find_phdr(const struct elf64_hdr *eh, const struct elf64_phdr *phs,
			       unsigned long bias)
{
	for (unsigned int i = 0; i < eh->e_phnum; i++)
		if (phs[i].p_type == PT_PHDR)
			return bias + phs[i].p_vaddr;
	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		const struct elf64_phdr *ph = &phs[i];

		if (ph->p_type == PT_LOAD && ph->p_offset <= eh->e_phoff &&
		    eh->e_phoff < ph->p_offset + ph->p_filesz)
			return bias + ph->p_vaddr + (eh->e_phoff - ph->p_offset);
	}
	return 0;
}

static int load_elf(struct binprm *b, struct mm *mm)
{
	const struct elf64_hdr *eh = b->image;
	const struct elf64_phdr *phs;
	unsigned long bias = 0;
	int ret = check_header(b, eh);

	if (ret)
		return ret;
	phs = (const struct elf64_phdr *)((const u8 *)b->image + eh->e_phoff);
	for (unsigned int i = 0; i < eh->e_phnum; i++)
		if (phs[i].p_type == PT_INTERP)
			return -ENOEXEC;	/* dynamic: no loader here */
	if (eh->e_type == ET_DYN)
		bias = ELF_ET_DYN_BASE;
	ret = load_segments(b, mm, eh, phs, bias);
	if (ret)
		return ret;
	b->entry = bias + eh->e_entry;
	/* IRET to a RIP outside the user half would fault in the kernel. */
	if (b->entry >= TASK_SIZE)
		return -ENOEXEC;
	b->phdr = find_phdr(eh, phs, bias);
	b->phnum = eh->e_phnum;
	mm->start_brk = mm->brk = b->brk;
	return 0;
}

static u64 random_u64(void)
{
	static u64 state;

	state ^= rdtsc();
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static unsigned long cpu_hwcap(void)
{
	u32 a = 1, b, c = 0, d;

	__asm__ __volatile__("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return d;
}

/* The auxiliary vector (NR_AUXV pairs, AT_NULL last): words written. */
static size_t fill_auxv(unsigned long *w, const struct binprm *b, unsigned long random,
			unsigned long execfn)
{
	const unsigned long aux[NR_AUXV * 2] = {
		AT_PHDR, b->phdr, AT_PHENT, sizeof(struct elf64_phdr),
		AT_PHNUM, b->phnum, AT_PAGESZ, PAGE_SIZE, AT_BASE, 0,
		AT_FLAGS, 0, AT_ENTRY, b->entry, AT_UID, 0, AT_EUID, 0,
		AT_GID, 0, AT_EGID, 0, AT_HWCAP, cpu_hwcap(), AT_CLKTCK, 100,
		AT_SECURE, 0, AT_RANDOM, random, AT_EXECFN, execfn, AT_NULL, 0,
	};

	memcpy(w, aux, sizeof(aux));
	return ARRAY_SIZE(aux);
}

/* The initial stack; returns the stack pointer (at argc) or 0. */
static unsigned long setup_stack(struct binprm *b, struct mm *mm)
{
	unsigned long p = STACK_TOP - 8, execfn, random, sp, str;
	size_t nwords = 1 + b->argc + 1 + b->envc + 1 + 2 * NR_AUXV, i = 0;
	unsigned long *w;
	u64 rnd[2] = { random_u64(), random_u64() };
	const char *s = b->strings;
	int ret = 0;

	if (do_mmap(mm, STACK_TOP - STACK_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE) < 0)
		return 0;
	p -= strlen(b->filename) + 1;
	execfn = p;
	p -= b->strings_len;
	str = p;
	p -= sizeof(rnd);
	random = p;
	sp = ALIGN_DOWN(p - nwords * sizeof(long), 16);
	w = kmalloc_array(nwords, sizeof(long), GFP_KERNEL);
	if (!w)
		return 0;
	w[i++] = b->argc;
	for (int k = 0; k < b->argc + b->envc; k++) {
		if (k == b->argc)
			w[i++] = 0;
		w[i++] = str + (s - b->strings);
		s += strlen(s) + 1;
	}
	w[i++] = 0;
	i += fill_auxv(&w[i], b, random, execfn);
	BUG_ON(i != nwords);
	ret |= put_user_mem(execfn, b->filename, strlen(b->filename) + 1);
	ret |= put_user_mem(str, b->strings, b->strings_len);
	ret |= put_user_mem(random, rnd, sizeof(rnd));
	ret |= put_user_mem(sp, w, nwords * sizeof(long));
	kfree(w);
	return ret ? 0 : sp;
}

static void start_thread(struct pt_regs *regs, unsigned long ip, unsigned long sp)
{
	memset(regs, 0, sizeof(*regs));
	regs->rip = ip;
	regs->rsp = sp;
	regs->cs = __USER_CS;
	regs->ss = __USER_DS;
	regs->rflags = BIT(9) | BIT(1);		/* IF, and the always-one bit */
}

/*
 * Build the program in a new mm of task t, borrowing the caller's
 * context to write into it; on success t's mm is the new one and its
 * user frame starts the program. The old mm is returned in *old.
 */
static int exec_mm(struct task_struct *t, struct binprm *b, struct mm **old)
{
	struct task_struct *cur = current;
	struct mm *saved = cur->mm, *loaded = current_mm, *mm;
	unsigned long sp = 0;
	int ret;

	mm = mm_create_user(t->tgid ? t->tgid : t->pid, t->comm);
	if (!mm)
		return -ENOMEM;
	cur->mm = mm;
	switch_mm(mm);
	ret = load_elf(b, mm);
	if (!ret) {
		sp = setup_stack(b, mm);
		if (!sp)
			ret = -ENOMEM;
	}
	cur->mm = saved;
	if (ret) {
		switch_mm(loaded);
		mm_destroy(mm);
		return ret;
	}
	*old = t->mm;
	t->mm = mm;
	switch_mm(t == cur ? mm : loaded);
	start_thread(t->user_regs, b->entry, sp);
	return 0;
}

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static int open_image(struct binprm *b)
{
	int ret = ramfs_read_file(b->filename, &b->image, &b->size);

	if (ret == -EISDIR)
		return -EACCES;
	return ret;
}

int user_spawn(const char *path, int argc, char *const argv[])
{
	static const char env[] = "PATH=/bin";
	struct binprm b = { .filename = path, .argc = argc, .envc = 1 };
	struct task_struct *p;
	struct mm *old;
	size_t len = sizeof(env);
	int ret, pid;
	char *s;

	if (argc < 1 || argc > EXEC_MAX_ARGS)
		return -E2BIG;
	ret = open_image(&b);
	if (ret)
		return ret;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if (len > EXEC_MAX_STRINGS)
		return -E2BIG;
	b.strings = s = kmalloc(len, GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	for (int i = 0; i < argc; i++) {
		strcpy(s, argv[i]);
		s += strlen(argv[i]) + 1;
	}
	memcpy(s, env, sizeof(env));
	b.strings_len = len;
	p = create_user_process(basename_of(path), &ret);
	if (!p) {
		kfree(b.strings);
		return ret;
	}
	ret = exec_mm(p, &b, &old);
	kfree(b.strings);
	if (ret) {
		discard_user_process(p);
		return ret;
	}
	mm_destroy(old);
	pid = p->pid;
	start_user_process(p);
	return pid;
}

/* Copy a NULL-terminated array of user strings after what is in *b. */
static int copy_strings(struct binprm *b, unsigned long uvec, int *count, size_t *used)
{
	for (*count = 0; uvec; (*count)++) {
		unsigned long ustr;
		long n;

		if (get_user_ulong(&ustr, uvec + *count * sizeof(long)))
			return -EFAULT;
		if (!ustr)
			return 0;
		if (*count >= EXEC_MAX_ARGS)
			return -E2BIG;
		n = get_user_str(b->strings + *used, ustr, EXEC_MAX_STRINGS - *used);
		if (n == -ENAMETOOLONG)
			return -E2BIG;
		if (n < 0)
			return n;
		*used += n + 1;
	}
	return 0;
}

static void flush_old_exec(struct task_struct *t)
{
	if (t->sighand->count > 1) {
		struct sighand_struct *sh = sighand_copy(t->sighand);

		/* No memory: keep sharing; handlers are reset either way. */
		if (sh) {
			sighand_put(t->sighand);
			t->sighand = sh;
		}
	}
	flush_signal_handlers(t->sighand);
	do_close_on_exec(t->files);
	t->sas_ss_sp = 0;
	t->sas_ss_size = 0;
	t->fsbase = 0;
	wrmsr(MSR_FS_BASE, 0);
	t->gsbase = 0;
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	fpu_init_task(t);
	fpu_restore_current(t->fpu);
	vfork_done(t);
}

/* Only t is left of its group (a zombie leader aside). */
static bool others_gone(struct task_struct *t)
{
	struct task_struct *leader = t->group_leader, *th;

	for_each_thread(leader, th) {
		if (th != t && !(th == leader && th->state == EXIT_ZOMBIE))
			return false;
	}
	return true;
}

/*
 * t, not the leader, becomes it: it takes the leader's pid, its place on
 * the process list and among its parent's children, and its children;
 * the old leader (a zombie now) takes t's pid with it and is freed.
 *
 *   before: process_list -> L(pid 5) -> thread_group: L, T(pid 7)
 *   after:  process_list -> T(pid 5) -> thread_group: T        (7 freed)
 */
static void take_leadership(struct task_struct *t)
{
	struct task_struct *leader = t->group_leader, *c, *n;
	int pid = leader->pid;

	leader->pid = t->pid;
	t->pid = t->tgid = pid;
	list_del(&t->thread_node);
	list_del(&leader->thread_node);
	list_add_tail(&t->thread_node, &t->thread_group);
	/* Each list_add then list_del puts t where the leader was. */
	list_add(&t->tasks, &leader->tasks);
	list_del(&leader->tasks);
	if (leader->parent) {
		list_add(&t->sibling, &leader->sibling);
		list_del(&leader->sibling);
	}
	list_for_each_entry_safe(c, n, &leader->children, sibling) {
		list_del(&c->sibling);
		list_add_tail(&c->sibling, &t->children);
		c->parent = t;
	}
	t->parent = leader->parent;
	t->pgid = leader->pgid;
	t->exit_signal = leader->exit_signal;
	t->autoreap = leader->autoreap;
	t->group_leader = t;
	leader->parent = NULL;
	release_old_leader(leader);
}

/*
 * Linux's de_thread(): every other thread of the process is killed and
 * waited for (they exit with status 0: see do_group_exit), then the
 * caller is the leader. -EAGAIN when the process is already exiting or
 * another thread is exec'ing, -EINTR when the caller is killed meanwhile;
 * either way a SIGKILL is on its way to the caller.
 */
static int de_thread(struct task_struct *t)
{
	struct task_struct *leader = t->group_leader, *th;
	int ret = 0;

	if (leader->group_exiting || leader->group_exec_task)
		return -EAGAIN;
	leader->group_exec_task = t;
	for_each_thread(leader, th)
		if (th != t)
			send_sig_to_thread(th, SIGKILL);
	while (!others_gone(t)) {
		if (t->pending & sigmask(SIGKILL)) {
			ret = -EINTR;
			break;
		}
		schedule_timeout(NSEC_PER_MSEC);
	}
	leader->group_exec_task = NULL;
	if (ret)
		return ret;
	local_irq_disable();
	if (leader != t)
		take_leadership(t);
	local_irq_enable();
	return 0;
}

static long do_execve(struct binprm *b, char *path)
{
	struct task_struct *t = current;
	struct mm *old;
	int ret;

	ret = open_image(b);
	if (ret)
		return ret;
	if (nr_threads_of(t) > 1) {
		ret = de_thread(t);
		if (ret)
			return ret;
	}
	/* Linux's exec_mm_release(): robust futexes, CLONE_CHILD_CLEARTID. */
	futex_exit_robust(t);
	t->clear_child_tid = 0;
	ret = exec_mm(t, b, &old);
	if (ret)
		return ret;
	strlcpy(t->comm, basename_of(path), sizeof(t->comm));
	strlcpy(t->mm->name, t->comm, sizeof(t->mm->name));
	if (--old->mm_users == 0)
		mm_destroy(old);
	flush_old_exec(t);
	t->force_iret = true;
	return 0;
}

long sys_execve(unsigned long filename, unsigned long argv, unsigned long envp)
{
	struct binprm b = { 0 };
	char *path;
	size_t used = 0;
	long ret;

	path = kmalloc(PATH_MAX, GFP_KERNEL);
	b.strings = kmalloc(EXEC_MAX_STRINGS, GFP_KERNEL);
	ret = -ENOMEM;
	if (!path || !b.strings)
		goto out;
	ret = get_user_str(path, filename, PATH_MAX);
	if (ret < 0)
		goto out;
	ret = copy_strings(&b, argv, &b.argc, &used);
	if (!ret)
		ret = copy_strings(&b, envp, &b.envc, &used);
	if (ret)
		goto out;
	b.strings_len = used;
	b.filename = path;
	ret = do_execve(&b, path);
out:
	kfree(b.strings);
	kfree(path);
	return ret;
}
