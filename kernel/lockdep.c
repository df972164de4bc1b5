// SPDX-License-Identifier: MIT
/*
 * lockdep-lite (see kernel/lockdep.h).
 *
 * The order graph is an adjacency bitmap over at most LOCKDEP_CLASSES
 * classes, read without a lock on the hot path (an edge once set stays
 * set) and changed under graph_lock, a bare test-and-set flag taken with
 * interrupts off: a spinlock_t there would feed lockdep into itself.
 * Reports are formatted under it and printed after it is dropped (a
 * console driver may take spinlocks). Each CPU's chain of spinlocks and
 * its interrupt nesting (counted by do_trap) live here and in struct
 * percpu; a task's sleeping
 * locks live in its task_struct, since they move with it.
 */
#include "kernel/lockdep.h"
#include "kernel/io.h"
#include "kernel/ksyms.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/traps.h"
#include "libc/stdio.h"
#include "libc/string.h"

#ifdef CONFIG_LOCKDEP

#define LOCKDEP_CLASSES		128
#define CLASS_WORDS		(LOCKDEP_CLASSES / 64)
#define LOCKDEP_EDGES		1024
#define NAME_HASH		512
#define SLEEP_REPORTS		64
#define REPORT_SIZE		768

struct ld_edge {
	u8 from, to;
	unsigned long from_ip, to_ip;
};

struct ld_cpu {
	struct held_lock held[LOCKDEP_HELD_MAX];
	int depth;
	bool busy;			/* inside lockdep: do not recurse */
};

struct name_slot {
	const char *key;
	int id;
};

static const char *class_name[LOCKDEP_CLASSES];
static int nr_classes;
static u64 adj[LOCKDEP_CLASSES][CLASS_WORDS];
static u64 reported[LOCKDEP_CLASSES][CLASS_WORDS];
static struct ld_edge edges[LOCKDEP_EDGES];
static int nr_edges;
static struct name_slot name_hash[NAME_HASH];
enum seen_kind { SEEN_SLEEP, SEEN_RECURSION };
/* Sleep and recursion reports made: each (kind, class, site) once. */
static struct { u8 kind; int class_id; unsigned long ip; } seen[SLEEP_REPORTS];
static int nr_seen;
static struct ld_cpu ld_cpus[NR_CPUS];
static int graph_lock;
static unsigned long violations;
static bool full_reported;
/* DFS scratch, under graph_lock. */
static u64 visited[CLASS_WORDS];
static int via[LOCKDEP_CLASSES];

static void graph_lock_take(void)
{
	while (__atomic_exchange_n(&graph_lock, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
}

static void graph_lock_drop(void)
{
	__atomic_store_n(&graph_lock, 0, __ATOMIC_RELEASE);
}

static bool test_bit64(const u64 *map, int bit)
{
	return __atomic_load_n(&map[bit / 64], __ATOMIC_ACQUIRE) & (1ULL << (bit % 64));
}

static void set_bit64(u64 *map, int bit)
{
	__atomic_fetch_or(&map[bit / 64], (1ULL << (bit % 64)), __ATOMIC_RELEASE);
}

static const char *sym(unsigned long ip, char *buf, size_t len)
{
	return ksym_snprint(buf, len, ip);
}
/* Under graph_lock: the class called name, made if new; 0 when full. */
static int class_by_name(const char *name)
{
	for (int i = 0; i < nr_classes; i++)
		if (!strcmp(class_name[i], name))
			return i + 1;
	if (nr_classes == LOCKDEP_CLASSES)
		return 0;
	class_name[nr_classes] = name;
	return ++nr_classes;
}

static unsigned int name_slot(const char *name)
{
	return ((unsigned long)name >> 3) * 0x9e3779b97f4a7c15UL >> 55;
}

/* A spinlock's class from its name's address; a string's first sight fills the hash. */
static int spin_class(const char *name)
{
	unsigned int i = name_slot(name) % NAME_HASH;
	const char *key;
	int id;

	for (int n = 0; n < NAME_HASH; n++, i = (i + 1) % NAME_HASH) {
		key = __atomic_load_n(&name_hash[i].key, __ATOMIC_ACQUIRE);
		if (key == name)
			return name_hash[i].id;
		if (!key)
			break;
	}
	graph_lock_take();
	id = class_by_name(name);
	i = name_slot(name) % NAME_HASH;
	for (int n = 0; n < NAME_HASH && id; n++, i = (i + 1) % NAME_HASH) {
		key = name_hash[i].key;
		if (key == name)
			break;
		if (!key) {
			name_hash[i].id = id;
			__atomic_store_n(&name_hash[i].key, name, __ATOMIC_RELEASE);
			break;
		}
	}
	graph_lock_drop();
	return id;
}

static int map_class(struct lockdep_map *m)
{
	int id = __atomic_load_n(&m->class_id, __ATOMIC_ACQUIRE);

	if (id || !m->name)
		return id;
	graph_lock_take();
	id = class_by_name(m->name);
	__atomic_store_n(&m->class_id, id, __ATOMIC_RELEASE);
	graph_lock_drop();
	return id;
}

static const struct ld_edge *find_edge(int from, int to)
{
	for (int i = 0; i < nr_edges; i++)
		if (edges[i].from == from && edges[i].to == to)
			return &edges[i];
	return NULL;
}

/* Under graph_lock: can class from reach class to? via[] holds the path back. */
static bool reaches(int from, int to)
{
	int stack[LOCKDEP_CLASSES], sp = 0;

	memset(visited, 0, sizeof(visited));
	stack[sp++] = from;
	set_bit64(visited, from);
	while (sp) {
		int c = stack[--sp];

		for (int n = 0; n < LOCKDEP_CLASSES; n++) {
			if (!test_bit64(adj[c], n) || test_bit64(visited, n))
				continue;
			via[n] = c;
			if (n == to)
				return true;
			set_bit64(visited, n);
			stack[sp++] = n;
		}
	}
	return false;
}

static size_t report_path(char *buf, size_t size, int from, int to)
{
	char a[64], b[64];
	size_t len = 0;
	int steps = 0;

	/* Walk back from to to from along via[], one line per edge. */
	for (int c = to; c != from && steps < 8 && len < size; steps++) {
		int p = via[c];
		const struct ld_edge *e = find_edge(p, c);

		len += snprintf(buf + len, size - len,
				"lockdep:   '%s' (taken at %s) -> '%s' (taken at %s)\n",
				class_name[p], e ? sym(e->from_ip, a, sizeof(a)) : "?",
				class_name[c], e ? sym(e->to_ip, b, sizeof(b)) : "?");
		c = p;
	}
	return len;
}

/* Under graph_lock: record prev -> next, or describe the cycle it closes. */
static bool add_edge(const struct held_lock *prev, int next, unsigned long ip,
		     char *buf, size_t size)
{
	int from = prev->class_id - 1, to = next - 1;
	char a[64], b[64];
	size_t len;

	if (test_bit64(adj[from], to))
		return false;
	if (reaches(to, from)) {
		if (test_bit64(reported[from], to))
			return false;
		set_bit64(reported[from], to);
		len = snprintf(buf, size,
			       "lockdep: possible circular locking: '%s' taken at %s while holding '%s' (taken at %s)\n"
			       "lockdep: the other order was seen before:\n",
			       class_name[to], sym(ip, a, sizeof(a)), class_name[from],
			       sym(prev->ip, b, sizeof(b)));
		report_path(buf + len, size - len, to, from);
		return true;
	}
	if (nr_edges == LOCKDEP_EDGES) {
		if (full_reported)
			return false;
		full_reported = true;
		snprintf(buf, size, "lockdep: %d lock orders recorded: no room for more, order checking off\n",
			 LOCKDEP_EDGES);
		return true;
	}
	edges[nr_edges++] = (struct ld_edge){ from, to, prev->ip, ip };
	set_bit64(adj[from], to);
	return false;
}

static void report(const char *buf)
{
	__atomic_fetch_add(&violations, 1, __ATOMIC_RELAXED);
	printk("%s", buf);
	dump_stack();
}

/*
 * The lock this acquisition follows: this CPU's last, if taken in the
 * same interrupt nesting (an interrupt handler starts a chain of its
 * own), else, outside interrupts, the task's last sleeping lock.
 */
static const struct held_lock *chain_top(struct ld_cpu *c)
{
	struct percpu *p = this_cpu();
	struct lockdep_task *t = p->lockdep_task;

	if (c->depth)
		return c->held[c->depth - 1].irq == p->hardirq_nest ? &c->held[c->depth - 1] : NULL;
	if (p->hardirq_nest || !t || !t->depth)
		return NULL;
	return &t->held[t->depth - 1];
}

static void check_order(struct ld_cpu *c, int id, unsigned long ip)
{
	const struct held_lock *prev = chain_top(c);
	char buf[REPORT_SIZE];
	bool bad;

	if (!prev || prev->class_id == id || !prev->class_id)
		return;
	if (test_bit64(adj[prev->class_id - 1], id - 1))
		return;
	graph_lock_take();
	bad = add_edge(prev, id, ip, buf, sizeof(buf));
	graph_lock_drop();
	if (bad)
		report(buf);
}

static void push(struct held_lock *stack, int *depth, const struct held_lock *h)
{
	if (*depth == LOCKDEP_HELD_MAX)
		return;		/* deeper than any path here: not tracked */
	stack[*depth] = *h;
	stack[*depth].irq = this_cpu()->hardirq_nest;
	(*depth)++;
}

/* The most recent entry of class id, or of instance map when given. */
static void pop(struct held_lock *stack, int *depth, int id,
		const struct lockdep_map *map)
{
	for (int i = *depth - 1; i >= 0; i--) {
		if (map ? stack[i].map != map : stack[i].class_id != id)
			continue;
		memmove(&stack[i], &stack[i + 1], (*depth - i - 1) * sizeof(*stack));
		(*depth)--;
		return;
	}
}

/* Runs fn's work with interrupts off and lockdep not re-entered; NULL: skip. */
static struct ld_cpu *enter(unsigned long *flags)
{
	struct ld_cpu *c;

	*flags = local_irq_save();
	c = &ld_cpus[smp_processor_id()];
	if (c->busy) {
		local_irq_restore(*flags);
		return NULL;
	}
	c->busy = true;
	return c;
}

static void leave(struct ld_cpu *c, unsigned long flags)
{
	c->busy = false;
	local_irq_restore(flags);
}

/* Order checked (unless a trylock), then pushed on stack. */
static void record(struct ld_cpu *c, struct held_lock *stack, int *depth,
		   const struct held_lock *h, bool trylock)
{
	if (!h->class_id)
		return;
	if (!trylock)
		check_order(c, h->class_id, h->ip);
	push(stack, depth, h);
}

void lock_acquire_spin(const char *name, unsigned long ip, bool trylock)
{
	unsigned long flags;
	struct ld_cpu *c;

	if (!name || !(c = enter(&flags)))
		return;
	record(c, c->held, &c->depth,
	       &(struct held_lock){ .class_id = spin_class(name), .ip = ip }, trylock);
	leave(c, flags);
}

void lock_release_spin(const char *name, unsigned long ip)
{
	unsigned long flags;
	struct ld_cpu *c;
	int id;

	(void)ip;
	if (!name || !(c = enter(&flags)))
		return;
	id = spin_class(name);
	if (id)
		pop(c->held, &c->depth, id, NULL);
	leave(c, flags);
}

/* A spinlock this CPU holds outside interrupt handlers, or NULL. */
static const struct held_lock *held_spin(const struct ld_cpu *c)
{
	return c->depth ? &c->held[c->depth - 1] : NULL;
}

/* Under graph_lock: true the first time this report is to be made. */
static bool first_report(enum seen_kind kind, int class_id, unsigned long ip)
{
	for (int i = 0; i < nr_seen; i++)
		if (seen[i].kind == kind && seen[i].class_id == class_id &&
		    seen[i].ip == ip)
			return false;
	if (nr_seen < SLEEP_REPORTS)
		seen[nr_seen++] = (typeof(seen[0])){ kind, class_id, ip };
	return true;
}

static void report_sleep(struct ld_cpu *c, const char *what, unsigned long ip)
{
	const struct held_lock *h = held_spin(c);
	int spin = h ? h->class_id : 0;
	char buf[REPORT_SIZE], a[64], b[64];

	graph_lock_take();
	if (!first_report(SEEN_SLEEP, spin, ip)) {
		graph_lock_drop();
		return;
	}
	if (h)
		snprintf(buf, sizeof(buf),
			 "lockdep: BUG: %s at %s while holding spinlock '%s' taken at %s\n",
			 what, sym(ip, a, sizeof(a)), class_name[spin - 1],
			 sym(h->ip, b, sizeof(b)));
	else
		snprintf(buf, sizeof(buf), "lockdep: BUG: %s at %s with interrupts off\n",
			 what, sym(ip, a, sizeof(a)));
	graph_lock_drop();
	report(buf);
}

static void check_sleep(const char *what, unsigned long ip, bool check_irqs)
{
	unsigned long flags;
	bool irqs_off;
	struct ld_cpu *c;

	if (!(c = enter(&flags)))
		return;
	irqs_off = !(flags & BIT(9));
	if (held_spin(c) || (check_irqs && irqs_off))
		report_sleep(c, what, ip);
	leave(c, flags);
}

void __might_sleep(unsigned long ip)
{
	check_sleep("sleeping function called", ip, true);
}

void lockdep_schedule_check(unsigned long ip)
{
	check_sleep("schedule()", ip, false);
}

/* This task's most recent entry for the lock instance m, or NULL. */
static const struct held_lock *held_instance(const struct lockdep_task *t,
					     const struct lockdep_map *m)
{
	for (int i = t->depth - 1; i >= 0; i--)
		if (t->held[i].map == m)
			return &t->held[i];
	return NULL;
}

static const char *mode(bool read)
{
	return read ? "read" : "write";
}

/* A lock this task holds, taken again: only read after read may wait. */
static void check_recursion(const struct lockdep_task *t, const struct held_lock *h)
{
	const struct held_lock *was = held_instance(t, h->map);
	char buf[REPORT_SIZE], a[64], b[64];

	if (!was || (h->read && was->read))
		return;
	graph_lock_take();
	if (!first_report(SEEN_RECURSION, h->class_id, h->ip)) {
		graph_lock_drop();
		return;
	}
	snprintf(buf, sizeof(buf),
		 "lockdep: BUG: possible recursive locking: '%s' taken for %s at %s "
		 "while this task holds it for %s (taken at %s)\n",
		 class_name[h->class_id - 1], mode(h->read), sym(h->ip, a, sizeof(a)),
		 mode(was->read), sym(was->ip, b, sizeof(b)));
	graph_lock_drop();
	report(buf);
}

static void acquire_sleeping(struct lockdep_map *m, unsigned long ip, bool trylock,
			     bool read)
{
	struct lockdep_task *t = this_cpu()->lockdep_task;
	struct held_lock h = { .sleeping = true, .read = read, .ip = ip, .map = m };
	unsigned long flags;
	struct ld_cpu *c;

	if (!trylock)
		check_sleep("sleeping lock taken", ip, true);
	if (!t || !(c = enter(&flags)))
		return;
	h.class_id = map_class(m);
	if (h.class_id && !trylock)
		check_recursion(t, &h);
	record(c, t->held, &t->depth, &h, trylock);
	leave(c, flags);
}

void lock_acquire(struct lockdep_map *m, unsigned long ip, bool trylock)
{
	acquire_sleeping(m, ip, trylock, false);
}

void lock_acquire_shared(struct lockdep_map *m, unsigned long ip, bool trylock)
{
	acquire_sleeping(m, ip, trylock, true);
}

void lock_release(struct lockdep_map *m, unsigned long ip)
{
	struct lockdep_task *t = this_cpu()->lockdep_task;
	unsigned long flags;
	struct ld_cpu *c;

	(void)ip;
	if (!t || !m->class_id || !(c = enter(&flags)))
		return;
	pop(t->held, &t->depth, m->class_id, m);
	leave(c, flags);
}

unsigned int lockdep_held_depth(void)
{
	return ld_cpus[smp_processor_id()].depth;
}

void lockdep_unwind(unsigned int depth)
{
	struct ld_cpu *c = &ld_cpus[smp_processor_id()];

	if (depth < (unsigned int)c->depth)
		c->depth = depth;
}

unsigned long lockdep_violations(void)
{
	return __atomic_load_n(&violations, __ATOMIC_RELAXED);
}
#endif /* CONFIG_LOCKDEP */
