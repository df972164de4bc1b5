// SPDX-License-Identifier: MIT
/*
 * The pools' files, with Linux's names and formats (Linux keeps them in
 * mm/hugetlb_sysfs.c and mm/hugetlb_sysctl.c): /proc/meminfo's HugePages_
 * lines, /sys/kernel/mm/hugepages/hugepages-<N>kB/ (nr_hugepages,
 * free_hugepages, resv_hugepages, surplus_hugepages,
 * nr_overcommit_hugepages, and for 1 GiB demote_size and demote), and
 * /proc/sys/vm/ (nr_hugepages and nr_overcommit_hugepages of the default
 * size, hugetlb_optimize_vmemmap). A read is one snapshot under
 * hugetlb_lock; a bad write is refused with the reason and changes
 * nothing.
 */
#include "mm/hugetlb.h"
#include "mm/hugetlb_internal.h"
#include "mm/hugetlb_vmemmap.h"
#include "mm/meminfo.h"
#include "mm/page_alloc.h"
#include "kernel/pseudofs.h"
#include "libc/errno.h"
#include "libc/stdio.h"
#include "libc/string.h"

/* /proc/meminfo */

static void hugetlb_meminfo(struct seq_buf *m)
{
	struct hstate *h = default_hstate;
	unsigned long total_kb = 0;

	/* One consistent snapshot of the counters (printing takes no other lock). */
	hugetlb_lock_take();
	for (int i = 0; i < HUGE_MAX_HSTATE; i++)
		total_kb += hstates[i].nr_huge_pages * (huge_page_size(&hstates[i]) >> 10);
	seq_printf(m, "HugePages_Total:   %5lu\n", h->nr_huge_pages);
	seq_printf(m, "HugePages_Free:    %5lu\n", h->free_huge_pages);
	seq_printf(m, "HugePages_Rsvd:    %5lu\n", h->resv_huge_pages);
	seq_printf(m, "HugePages_Surp:    %5lu\n", h->surplus_huge_pages);
	seq_printf(m, "Hugepagesize:   %8lu kB\n", huge_page_size(h) >> 10);
	seq_printf(m, "Hugetlb:        %8lu kB\n", total_kb);
	seq_printf(m, "VmemmapOptimized: %6lu kB\n", vmemmap_optimized_pages() << 2);
	hugetlb_lock_drop();
}

static struct meminfo_extra hugetlb_meminfo_extra = { .show = hugetlb_meminfo };

/* /sys/kernel/mm/hugepages/hugepages-<N>kB/ and /proc/sys/vm/ */

enum hattr { A_NR, A_FREE, A_RESV, A_SURPLUS, A_OVERCOMMIT, A_DEMOTE_SIZE, A_DEMOTE, NR_HATTR };

static const char *const hattr_names[NR_HATTR] = {
	"nr_hugepages", "free_hugepages", "resv_hugepages", "surplus_hugepages",
	"nr_overcommit_hugepages", "demote_size", "demote",
};

struct hattr_file {
	struct pseudo_file file;
	char path[96];
	struct hstate *h;
	enum hattr attr;
};

static struct hattr_file hattr_files[HUGE_MAX_HSTATE][NR_HATTR];

static int __hattr_show(struct seq_buf *m, void *data)
{
	struct hattr_file *f = data;
	struct hstate *h = f->h;

	switch (f->attr) {
	case A_NR:
		seq_printf(m, "%lu\n", persistent_huge_pages(h));
		break;
	case A_FREE:
		seq_printf(m, "%lu\n", h->free_huge_pages);
		break;
	case A_RESV:
		seq_printf(m, "%lu\n", h->resv_huge_pages);
		break;
	case A_SURPLUS:
		seq_printf(m, "%lu\n", h->surplus_huge_pages);
		break;
	case A_OVERCOMMIT:
		seq_printf(m, "%lu\n", h->nr_overcommit_huge_pages);
		break;
	case A_DEMOTE_SIZE:
		seq_printf(m, "%lukB\n", huge_page_size(&hstates[HSTATE_2M]) >> 10);
		break;
	default:
		return -EPERM;
	}
	return 0;
}

static int hattr_show(struct seq_buf *m, void *data)
{
	int ret;

	hugetlb_lock_take();
	ret = __hattr_show(m, data);
	hugetlb_lock_drop();
	return ret;
}

static int check_supported(struct hstate *h, struct errmsg *e)
{
	if (h->supported)
		return 0;
	return errmsg_set(e, -EINVAL, "%s: this CPU has no 1 GiB pages (pdpe1gb)", h->name);
}

/*
 * As many pages as memory allows (read the file back, as on Linux); pages
 * whose struct pages could not be restored stay as surplus pages.
 */
static int store_nr(struct hstate *h, unsigned long count)
{
	set_max_huge_pages(h, count);
	return 0;
}

/* Gigantic pages come from contiguous ranges, never on demand (Linux). */
static int store_overcommit(struct hstate *h, unsigned long count, struct errmsg *e)
{
	if (h->order > MAX_ORDER)
		return errmsg_set(e, -EINVAL, "nr_overcommit_hugepages: %s pages cannot be overcommitted",
				  h->name);
	hugetlb_lock_take();
	h->nr_overcommit_huge_pages = count;
	hugetlb_lock_drop();
	return 0;
}

static int store_demote(struct hstate *h, unsigned long n, struct errmsg *e)
{
	unsigned long done = 0;
	int ret = 0;

	if (h != &hstates[HSTATE_1G])
		return errmsg_set(e, -EINVAL, "%s cannot be demoted", h->name);
	while (done < n) {
		ret = hugetlb_demote_one();
		if (ret)
			break;
		done++;
	}
	if (ret == -ENOMEM)
		return errmsg_set(e, ret, "demoted %lu of %lu pages: no memory to restore struct pages",
				  done, n);
	if (ret == -EBUSY && done < n && !done)
		return errmsg_set(e, -EBUSY, "no free 1 GiB page to demote");
	return 0;
}

static int hattr_store(const char *buf, size_t len, void *data, struct errmsg *e)
{
	struct hattr_file *f = data;
	unsigned long v;
	int ret;

	if (f->attr == A_DEMOTE_SIZE) {
		char tmp[16];

		snprintf(tmp, sizeof(tmp), "%lukB", huge_page_size(&hstates[HSTATE_2M]) >> 10);
		while (len && buf[len - 1] == '\n')
			len--;
		if (len != strlen(tmp) || strncmp(buf, tmp, len))
			return errmsg_set(e, -EINVAL, "demote_size: only %s is supported", tmp);
		return 0;
	}
	ret = pseudofs_parse_ulong(buf, len, &v, e);
	if (ret)
		return ret;
	ret = check_supported(f->h, e);
	if (ret)
		return ret;
	switch (f->attr) {
	case A_NR:
		return store_nr(f->h, v);
	case A_OVERCOMMIT:
		return store_overcommit(f->h, v, e);
	case A_DEMOTE:
		return store_demote(f->h, v, e);
	default:
		return errmsg_set(e, -EPERM, "read-only file");
	}
}

static bool hattr_writable(enum hattr a)
{
	return a == A_NR || a == A_OVERCOMMIT || a == A_DEMOTE || a == A_DEMOTE_SIZE;
}

static void register_hstate_files(int idx)
{
	struct hstate *h = &hstates[idx];

	for (int a = 0; a < NR_HATTR; a++) {
		struct hattr_file *f = &hattr_files[idx][a];

		/* Only sizes that can demote have the demote files (Linux). */
		if ((a == A_DEMOTE || a == A_DEMOTE_SIZE) && idx != HSTATE_1G)
			continue;
		snprintf(f->path, sizeof(f->path), "/sys/kernel/mm/hugepages/%s/%s",
			 h->name, hattr_names[a]);
		f->h = h;
		f->attr = a;
		f->file.path = f->path;
		f->file.show = a == A_DEMOTE ? NULL : hattr_show;
		f->file.store = hattr_writable(a) ? hattr_store : NULL;
		f->file.data = f;
		pseudofs_register(&f->file);
	}
}

/* /proc/sys/vm: the default size's files. */
static struct hattr_file proc_nr, proc_overcommit;

static int default_show(struct seq_buf *m, void *data)
{
	struct hattr_file *f = data;

	f->h = default_hstate;
	return hattr_show(m, data);
}

static int default_store(const char *buf, size_t len, void *data, struct errmsg *e)
{
	struct hattr_file *f = data;

	f->h = default_hstate;
	return hattr_store(buf, len, data, e);
}

static int optimize_vmemmap_show(struct seq_buf *m, void *data)
{
	(void)data;
	seq_printf(m, "%d\n", hugetlb_optimize_vmemmap_enabled());
	return 0;
}

static int optimize_vmemmap_store(const char *buf, size_t len, void *data, struct errmsg *e)
{
	bool on;
	int ret = pseudofs_parse_switch(buf, len, "hugetlb_optimize_vmemmap", &on, e);

	(void)data;
	if (!ret)
		hugetlb_set_optimize_vmemmap(on);
	return ret;
}
PSEUDO_FILE(hvo, "/proc/sys/vm/hugetlb_optimize_vmemmap", optimize_vmemmap_show,
	    optimize_vmemmap_store);

static void register_proc_files(void)
{
	proc_nr = (struct hattr_file){ .attr = A_NR, .h = default_hstate };
	proc_nr.file = (struct pseudo_file){ "/proc/sys/vm/nr_hugepages", default_show,
					     default_store, &proc_nr };
	proc_overcommit = (struct hattr_file){ .attr = A_OVERCOMMIT, .h = default_hstate };
	proc_overcommit.file = (struct pseudo_file){ "/proc/sys/vm/nr_overcommit_hugepages",
						     default_show, default_store, &proc_overcommit };
	pseudofs_register(&proc_nr.file);
	pseudofs_register(&proc_overcommit.file);
}

void hugetlb_register_files(void)
{
	for (int i = 0; i < HUGE_MAX_HSTATE; i++)
		register_hstate_files(i);
	register_proc_files();
	register_meminfo_extra(&hugetlb_meminfo_extra);
}
