# pagefold: a tiny x86_64 kernel whose reason to exist is its memory manager.
#
#   make            build build/pagefold.elf
#   make iso        build build/pagefold.iso (hybrid BIOS/UEFI, CD or USB)
#   make KTEST=1    the same with the in-kernel test suites, in build/ktest/
#   make run        boot it in QEMU with the console on this terminal
#   make test       install what is missing, build, run every suite in QEMU
#   make bench      boot and print the benchmark tables
#   make debug      boot with the QEMU gdb stub and wait for gdb
#
# CROSS_COMPILE works as in Linux. On a non-x86_64 host the first of
# x86_64-elf- and x86_64-linux-gnu- that exists is used.

HOSTARCH := $(shell uname -m)
ifeq ($(origin CROSS_COMPILE),undefined)
ifneq ($(HOSTARCH),x86_64)
CROSS_COMPILE := $(firstword $(foreach p,x86_64-elf- x86_64-linux-gnu-,\
		   $(if $(shell command -v $(p)gcc 2>/dev/null),$(p))))
endif
endif

CC	:= $(CROSS_COMPILE)gcc
LD	:= $(CROSS_COMPILE)ld
NM	:= $(CROSS_COMPILE)nm
OBJCOPY	:= $(CROSS_COMPILE)objcopy
PYTHON	?= python3

BUILD	?= build
# KTEST=1 links the in-kernel suites (tests/kernel/), KTEST=selftest also
# the deliberately broken ones of the runner's self-test. Each kind of
# image has its own object folder: a normal image never holds a test.
KTEST	?= 0
ifeq ($(KTEST),0)
OUT	:= $(BUILD)
else ifeq ($(KTEST),1)
OUT	:= $(BUILD)/ktest
else ifeq ($(KTEST),selftest)
OUT	:= $(BUILD)/selftest
else
$(error KTEST=$(KTEST): expected 0, 1 or selftest)
endif
ISO	?= $(OUT)/pagefold.iso
CMDLINE	?=
MEM	?= 1G
FIRMWARE ?= bios
BOOT	?= cd
QEMU	?= qemu-system-x86_64
# Debug builds poison freed pages and check the poison on allocation.
DEBUG	?= 1

CFLAGS	:= -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	   -ffreestanding -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	   -fno-pic -fno-pie -mno-red-zone -mno-mmx -mno-sse -mno-sse2 \
	   -mcmodel=kernel -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	   -fno-optimize-sibling-calls -fno-toplevel-reorder \
	   -fno-stack-protector -fno-builtin -fno-common \
	   -fno-asynchronous-unwind-tables -fno-strict-aliasing \
	   -I. -MMD -MP
ifeq ($(DEBUG),1)
CFLAGS	+= -DCONFIG_DEBUG_PAGEALLOC_POISON -DCONFIG_DEBUG_SPINLOCK -DCONFIG_LOCKDEP
endif
ASFLAGS	:= -I. -D__ASSEMBLY__ -MMD -MP
LDFLAGS	:= -nostdlib -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments

SRCS	:= $(filter-out kernel/ksyms_empty.S,$(wildcard boot/*.S boot/*.c kernel/*.S kernel/*.c mm/*.c mm/debug/*.c \
	   fs/*.c cmds/*.c bench/*.c \
	   drivers/*.c libc/*.c))
ifeq ($(KTEST),1)
# lockdep_clean last: its case checks what every other suite left.
SRCS	+= $(filter-out tests/kernel/test_runner_selftest.c tests/kernel/test_lockdep_clean.c,\
	   $(wildcard tests/kernel/*.c)) tests/kernel/test_lockdep_clean.c
endif
ifeq ($(KTEST),selftest)
SRCS	+= $(filter-out tests/kernel/test_lockdep_clean.c,$(wildcard tests/kernel/*.c)) \
	   tests/kernel/test_lockdep_clean.c
endif
OBJS	:= $(patsubst %,$(OUT)/%.o,$(basename $(SRCS)))
# The screen console's font, a PSF font from Debian's console-setup-linux
# (Terminus Font, SIL OFL 1.1), converted at build time into an object.
FONT	?= /usr/share/consolefonts/Uni2-Terminus16.psf.gz
OBJS	+= $(OUT)/drivers/font_data.o
ELF	:= $(OUT)/pagefold.elf

.PHONY: all iso run test bench debug clean deps check-deps
all: $(ELF)

# Quiet like Linux's kbuild; make V=1 shows the commands.
ifeq ($(V),1)
Q :=
quiet = @true
else
Q := @
quiet = @echo
endif

# Objects depend on the flags too: changing CFLAGS rebuilds everything.
$(OUT)/cflags.stamp: FORCE
	@mkdir -p $(OUT)
	@echo '$(CC) $(CFLAGS) $(ASFLAGS)' | cmp -s - $@ || echo '$(CC) $(CFLAGS) $(ASFLAGS)' > $@

$(OUT)/%.o: %.c $(OUT)/cflags.stamp
	@mkdir -p $(dir $@)
	$(quiet) "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(OUT)/%.o: %.S $(OUT)/cflags.stamp
	@mkdir -p $(dir $@)
	$(quiet) "  AS      $<"
	$(Q)$(CC) $(CFLAGS) $(ASFLAGS) -c $< -o $@

# Symbol names for backtraces, Linux kallsyms style: link once without the
# table, generate it from that link, link again. The table sits after
# .rodata, so text addresses do not move between the two links; the final
# check proves it.
$(OUT)/ksyms0.o: kernel/ksyms_empty.S
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ASFLAGS) -c $< -o $@

$(OUT)/pagefold.tmp.elf: $(OBJS) $(OUT)/ksyms0.o linker.ld
	$(quiet) "  LD      $@"
	$(Q)$(LD) $(LDFLAGS) -T linker.ld -o $@ $(OBJS) $(OUT)/ksyms0.o

$(OUT)/ksyms.S: $(OUT)/pagefold.tmp.elf scripts/gen_ksyms.sh
	$(quiet) "  KSYMS   $@"
	$(Q)NM=$(NM) sh scripts/gen_ksyms.sh $< > $@

$(OUT)/ksyms.o: $(OUT)/ksyms.S
	$(Q)$(CC) $(CFLAGS) $(ASFLAGS) -c $< -o $@

$(ELF): $(OBJS) $(OUT)/ksyms.o linker.ld
	$(quiet) "  LD      $@"
	$(Q)$(LD) $(LDFLAGS) -T linker.ld -o $@ $(OBJS) $(OUT)/ksyms.o
	@$(NM) -n $(OUT)/pagefold.tmp.elf | grep ' [tT] ' > $(OUT)/syms.tmp
	@$(NM) -n $@ | grep ' [tT] ' > $(OUT)/syms.final
	@cmp -s $(OUT)/syms.tmp $(OUT)/syms.final || \
		{ echo "ksyms: text moved between links"; rm -f $@; exit 1; }

# The font: scripts/mkfont.py reads the PSF (with its Unicode table) and
# writes the glyphs in Latin-1 order as C. A new FONT= rebuilds it.
$(OUT)/font.stamp: FORCE
	@mkdir -p $(OUT)
	@echo '$(FONT)' | cmp -s - $@ || echo '$(FONT)' > $@

$(OUT)/drivers/font_data.c: scripts/mkfont.py $(wildcard $(FONT)) $(OUT)/font.stamp
	@mkdir -p $(dir $@)
	$(quiet) "  FONT    $(FONT)"
	$(Q)$(PYTHON) scripts/mkfont.py $(FONT) > $@.tmp && mv $@.tmp $@ || { rm -f $@.tmp; exit 1; }

$(OUT)/drivers/font_data.o: $(OUT)/drivers/font_data.c $(OUT)/cflags.stamp
	$(quiet) "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# The command line is part of the ISO: rebuild when it changes. It is
# used as typed: make does not expand a '$' in it (memmap=64M$0x10000000),
# and grub.cfg gets it as '\$', which GRUB reads as a plain '$'.
CMDLINE_TEXT = $(value CMDLINE)
$(OUT)/cmdline.stamp: FORCE
	@mkdir -p $(OUT)
	@echo '$(CMDLINE_TEXT)' | cmp -s - $@ || echo '$(CMDLINE_TEXT)' > $@

include user/user.mk

iso: $(ISO)
$(ISO): $(ELF) $(INITRAMFS) iso/grub.cfg.in $(OUT)/cmdline.stamp
	@$(MAKE) --no-print-directory check-deps
	@rm -rf $(OUT)/isodir.$(notdir $@)
	@mkdir -p $(OUT)/isodir.$(notdir $@)/boot/grub
	cp $(ELF) $(OUT)/isodir.$(notdir $@)/boot/pagefold.elf
	cp $(INITRAMFS) $(OUT)/isodir.$(notdir $@)/boot/initramfs.cpio
	sed -e 's|@CMDLINE@|$(subst $$,\\$$,$(subst |,\|,$(CMDLINE_TEXT)))|' iso/grub.cfg.in \
		> $(OUT)/isodir.$(notdir $@)/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(OUT)/isodir.$(notdir $@) 2> $(OUT)/grub-mkrescue.log || \
		{ cat $(OUT)/grub-mkrescue.log; exit 1; }
	@rm -rf $(OUT)/isodir.$(notdir $@)

deps:
	@sh scripts/install-deps.sh

check-deps:
	@sh scripts/install-deps.sh --check

QEMU_FW_bios :=
QEMU_FW_uefi = -bios $(firstword $(wildcard /usr/share/ovmf/OVMF.fd /usr/share/OVMF/OVMF_CODE.fd))
QEMU_BOOT_cd = -cdrom $(ISO)
QEMU_BOOT_usb = -device qemu-xhci -drive if=none,id=stick,format=raw,readonly=on,file=$(ISO) \
		-device usb-storage,drive=stick,bootindex=0
# The accelerator comes from the runners' one choice (a probe boot under
# KVM, PAGEFOLD_ACCEL=kvm|tcg to force): `accel` is set by ACCEL_CHOICE
# in the recipe's shell, and a forced kvm that fails stops the recipe.
ACCEL_CHOICE = accel=$$($(PYTHON) tests/host/runner.py --qemu $(QEMU) --accel) || exit 1
QEMU_ARGS = -machine q35 $$accel -m $(MEM) $(QEMU_FW_$(FIRMWARE)) $(QEMU_BOOT_$(BOOT)) \
	    -serial mon:stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 -no-reboot

run: deps
	@$(MAKE) --no-print-directory iso
	@$(ACCEL_CHOICE); set -x; $(QEMU) $(QEMU_ARGS) -display none -nographic -nodefaults || true

debug: deps
	@$(MAKE) --no-print-directory iso
	@echo "gdb $(ELF) -ex 'target remote :1234'"
	@$(ACCEL_CHOICE); set -x; $(QEMU) $(QEMU_ARGS) -display none -nographic -nodefaults -s -S || true

# One probe for the whole run, said first: the runners read its verdict
# from PAGEFOLD_ACCEL_CACHE instead of probing again.
# The runners build their images (KTEST=1, or 0 for bench) under BUILD.
test bench: export PAGEFOLD_ACCEL_CACHE := $(abspath $(BUILD))/accel.json
test bench: export PAGEFOLD_BUILD := $(abspath $(BUILD))
test: deps
	@rm -f $(PAGEFOLD_ACCEL_CACHE)
	@$(PYTHON) tests/host/runner.py --accel > /dev/null
	@$(MAKE) --no-print-directory all user KTEST=1
	$(PYTHON) scripts/check_includes.py
	$(PYTHON) tests/host/runner_selftest.py
	@# One at a time: its two qemu64 -smp 4 guests side by side on two
	@# cores took 500 s each under TCG, one after the other 110 s each.
	$(PYTHON) tests/host/runner_hw.py --jobs 1
	$(PYTHON) tests/host/runner.py
	$(PYTHON) tests/host/mkinitramfs_test.py
	$(PYTHON) tests/host/user_on_linux.py

bench: deps
	@rm -f $(PAGEFOLD_ACCEL_CACHE)
	$(PYTHON) tests/host/runner.py --bench

clean:
	rm -rf $(BUILD)

FORCE:
.PHONY: FORCE
-include $(OBJS:.o=.d)
