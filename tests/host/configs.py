# SPDX-License-Identifier: MIT
"""The machine configurations the runner boots: firmware, boot medium,
memory, kernel command line, and the cases each must run."""

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Config:
    """One way of booting the kernel. Everything has a default but the
    name, so that a new configuration is one line in CONFIGS."""
    name: str
    firmware: str = "bios"      # bios: QEMU's SeaBIOS; uefi: OVMF via -bios
    boot: str = "cd"            # cd: -cdrom; usb: USB stick on an xHCI
    memory: str = "512M"        # QEMU -m
    cmdline: str = "test=all"   # kernel command line, baked into grub.cfg
    extra: str = ""             # more QEMU arguments, split like a shell
    timeout: float = 120        # seconds before QEMU is killed
    groups: tuple = ()          # names for --group
    machine: str = "q35"        # QEMU -machine
    must_run: tuple = ()        # suite.case patterns that may not be skipped here
    ktest: str = "1"            # make KTEST=: 1 the suites, 0 none, selftest the broken ones

    def __post_init__(self):
        """Catch a typo in a new table line at once, not at boot time."""
        if isinstance(self.groups, str):
            object.__setattr__(self, "groups", tuple(self.groups.split(",")))
        if self.firmware not in ("bios", "uefi"):
            raise ValueError(f"{self.name}: firmware '{self.firmware}' is not bios or uefi")
        if self.boot not in ("cd", "usb"):
            raise ValueError(f"{self.name}: boot '{self.boot}' is not cd or usb")


# The cases that need 1 GiB pages skip where none can be had; the
# configurations built for them must see them run, not skip.
HUGETLB_1G = ("hugetlb.*gigantic*", "hugetlb.mixed_pools")
MEMORY_FAILURE_1G = ("memory_failure.*1g*",)

# SMP (issue 13): the cases that need a second CPU skip at -smp 1, so the
# configurations with more CPUs must see them run. unanswered_cpu_skipped
# needs a free CPU number, which -smp 64 does not leave.
SMP_ALL = ("smp.*",)
SCHED_ALL = ("sched.*",)
# The mm's concurrent stress: every case at -smp 4 but the demote one,
# which needs a free 1 GiB page (smp-4-mm, 4 GiB, runs them all).
SMP_MM = ("smp_mm.buddy_*", "smp_mm.slab_*", "smp_mm.hvo_*", "smp_mm.speculative_*",
          "smp_mm.ref_*")
LOCKDEP_ALL = ("lockdep.*", "lockdep_clean.*")
# One address space faulted, zapped and walked from every CPU at once
# (faults and the mm system calls run without the big kernel lock).
AS_THREADS = ("mmap_lock.*", "user.mm_stress_threads", "user.mm_calls_run_without_bkl",
              "user.shmem_test", "user.multi_fault")
SMP_64 = ("smp.cpus_found*", "smp.per_cpu_ids*", "smp.ipi_*", "smp.on_each_cpu*",
          "smp.spinlock_*", "smp.shootdown_*", "smp.lapic_timer*", "smp.proc_cpuinfo*")

# A wholly free 1 GiB range exists at 3.5 and 6 GiB: the buddy's cases
# that take one, or keep one whole, must run there.
BUDDY_1G = ("buddy.contig_1g", "buddy.splits_keep_free_gigabytes_whole")

# The memory manager's suites, run under each memory size below.
MM_TESTS = "test=e820,memblock,buddy,pgtable,sparse,slab"

CONFIGS = [
    Config("bios-cd", firmware="bios", boot="cd", groups=("boot",)),
    Config("bios-usb", firmware="bios", boot="usb", groups=("boot",)),
    Config("uefi-cd", firmware="uefi", boot="cd", groups=("boot",)),
    Config("uefi-usb", firmware="uefi", boot="usb", groups=("boot",)),
    # Memory sizes (issue 3). q35 puts RAM above 2 GiB at 4 GiB when the
    # guest has more than 2.75 GiB: 3.5G and 6G have a hole below 4 GiB
    # (sections 16-31 absent) and a Normal zone; 128M is one section.
    # memmap=nn$ss reserves: 128M at 512M makes section 4 a hole inside
    # the table, 64M and 16M cut sections 2 and 6 in part. The '$'
    # reaches the kernel as is (the Makefile escapes it for GRUB).
    Config("mem-128m", memory="128M", cmdline=MM_TESTS, timeout=180, groups=("memory",)),
    Config("mem-1g", memory="1G", cmdline=MM_TESTS, timeout=180, groups=("memory",)),
    Config("mem-3.5g", memory="3584M", cmdline=MM_TESTS, timeout=240, groups=("memory",),
           must_run=BUDDY_1G),
    Config("mem-6g", memory="6G", cmdline=MM_TESTS, timeout=300, groups=("memory",),
           must_run=BUDDY_1G),
    Config("mem-holes", memory="2G", timeout=240, groups=("memory",),
           cmdline=MM_TESTS + " memmap=64M$0x10000000 memmap=128M$0x20000000"
                              " memmap=16M$0x30000000"),
    # HugeTLB pools (issue 4): boot-time 1 GiB pages (their memmap built
    # optimized) and 2 MiB pages, with HVO on and off; 6 GiB so that free
    # aligned 1 GiB ranges remain for the run-time cases.
    Config("hugetlb-6g", memory="6G", timeout=300, groups=("hugetlb",), must_run=HUGETLB_1G,
           cmdline="hugepagesz=1G hugepages=2 hugepagesz=2M hugepages=64 test=hugetlb"),
    Config("hugetlb-6g-nohvo", memory="6G", timeout=300, groups=("hugetlb",),
           must_run=HUGETLB_1G,
           cmdline="hugetlb_free_vmemmap=off hugepagesz=1G hugepages=2 hugepagesz=2M"
                   " hugepages=64 test=hugetlb"),
    # Device memory (issue 6): memmap=2G!4G turns 4-6 GiB (sections
    # 32-47) into device memory for device-dax; RAM is 0-2 GiB and 6-10
    # GiB, so that whole free sections can go offline and 1 GiB pages
    # remain for hugetlb and hardware poison. GRUB passes the '!' as is.
    # The second boot adds boot-time pools (a 1 GiB page built optimized:
    # its sections cannot go offline, dax shares its all-tail table) and
    # device memory at 64 GiB, beyond the guest's RAM and the vmemmap PMD
    # table of RAM, whose memmap needs (and frees) a PMD table of its own.
    Config("device-8g", memory="8G", timeout=600, groups=("device",),
           must_run=HUGETLB_1G + MEMORY_FAILURE_1G,
           cmdline="memmap=2G!4G test=devdax,dax_mmap,memory_failure,hotplug,hugetlb"),
    # hotplug is not run here: its migrate cases (hotplug.migrate_gigantic_alloc)
    # fail with boot-time pools present, an open defect (see the README).
    Config("device-8g-pools", memory="8G", timeout=420, groups=("device",),
           must_run=MEMORY_FAILURE_1G,
           cmdline="memmap=2G!4G memmap=1G!64G hugepagesz=1G hugepages=1 hugepagesz=2M"
                   " hugepages=16 test=devdax,memory_failure"),
    # User processes (issue 12): every program of /bin and the fuzzer for
    # 10^5 calls. The fuzzer kills a worker that makes no progress for
    # 120 s (a nanosleep it fuzzed into years): allow for a few. 4 GiB so
    # that a free aligned GiB exists for the 1 GiB hugepage case.
    Config("user", memory="4G", timeout=900, groups=("user",),
           cmdline="test=user ktest_user_fuzz=100000"),
    # SMP (issue 13): every suite with 4 CPUs up (every CPU schedules;
    # the mm is serialised by the interim big kernel lock), the smp suite
    # alone with 1 and 64 CPUs, and nr_cpus=/maxcpus= (3 CPUs present, 2
    # brought up); the sched suite with 1, 2 and 4.
    Config("smp-4", memory="1G", extra="-smp 4", timeout=480, groups=("smp",),
           must_run=SMP_ALL + SCHED_ALL + SMP_MM + LOCKDEP_ALL + ("gup.*",) + AS_THREADS),
    Config("smp-4-mm", memory="4G", extra="-smp 4", cmdline="test=smp_mm", timeout=300,
           groups=("smp",), must_run=("smp_mm.*",)),
    Config("smp-1", memory="512M", extra="-smp 1", cmdline="test=smp,sched", groups=("smp",)),
    Config("smp-64", memory="1G", extra="-smp 64", cmdline="test=smp", timeout=300,
           groups=("smp",), must_run=SMP_64),
    Config("smp-4-limits", memory="512M", extra="-smp 4", groups=("smp",),
           cmdline="nr_cpus=3 maxcpus=2 test=smp,sched", must_run=SMP_ALL + SCHED_ALL),
    # Free memory keeping a deduplicated memmap (issue 14) is on by
    # default, so every configuration above runs with it on; here every
    # suite runs with it off from boot, with 4 CPUs, so that the plain
    # buddy's behaviour (HVO's remaps and restores on every pool move,
    # the buddy's own placement) stays tested, and the cases built for
    # the switch being off must run.
    Config("buddy-vmemmap-off", memory="1G", extra="-smp 4", timeout=540,
           groups=("buddy-vmemmap",), cmdline="buddy_vmemmap_optimize=off test=all",
           must_run=("buddy_vmemmap.smp_*", "buddy_vmemmap.split_*", "buddy_vmemmap.page_fill_*",
                     "buddy_vmemmap.pagetypeinfo_*", "buddy_vmemmap.checker_*",
                     "buddy_vmemmap.switch_*", "smp.shootdown_batched_for_hvo")),
    # Free 1 GiB ranges kept in the 1 GiB shape (issue 14): 6 GiB, whose
    # GiBs 4-6 are free aligned ranges (the firmware and the memmap take
    # parts of the others), 4 CPUs for the concurrent case, and 1 GiB of
    # device memory above RAM for device-dax beside the ranges. (The 6 GiB
    # and 8 GiB configurations above run every other suite with ranges
    # formed.)
    Config("buddy-vmemmap-1g", memory="6G", extra="-smp 4", timeout=480,
           groups=("buddy-vmemmap",), cmdline="memmap=1G!8G test=free_gigantic",
           must_run=("free_gigantic.*",)),
]

# `--bench`: one boot that runs the benchmarks (bench/bench.h). 6 GiB so
# that free, 1 GiB aligned GiBs remain after the 2 MiB cycles: q35 keeps
# only 2 GiB below 4 GiB, the firmware reserves the top of it, the memmap
# sits in the top GiB, and at 4 GiB the one free GiB (4) is where the
# 2 MiB pool cycles leave memmap blocks and page tables.
BENCH_CONFIG = Config("bench", firmware="bios", boot="cd", memory="6G",
                      cmdline="bench=all page_poison=off", timeout=600, ktest="0")


def find_config(name):
    """The configuration called name, so that callers (the self-test) can
    derive variants with dataclasses.replace()."""
    for config in CONFIGS:
        if config.name == name:
            return config
    raise KeyError(f"no configuration named {name!r}")


def select(configs, only, groups):
    """The configurations named by --only and in a --group (both filters
    apply when both are given); all when neither is."""
    known = {c.name for c in configs}
    unknown = [n for n in only if n not in known]
    if unknown:
        raise SystemExit(f"runner: unknown configuration {', '.join(unknown)} "
                         f"(--list shows them)")
    all_groups = {g for c in configs for g in c.groups}
    unknown = [g for g in groups if g not in all_groups]
    if unknown:
        raise SystemExit(f"runner: unknown group {', '.join(unknown)} "
                         f"(known: {', '.join(sorted(all_groups))})")
    return [c for c in configs
            if (not only or c.name in only)
            and (not groups or set(groups) & set(c.groups))]


def adjust(config, scale, cmdline_extra):
    """A configuration with the command-line options applied."""
    cmdline = f"{config.cmdline} {cmdline_extra}".strip() if cmdline_extra else config.cmdline
    return dataclasses.replace(config, timeout=config.timeout * scale, cmdline=cmdline)

