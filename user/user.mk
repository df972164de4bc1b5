# User programs: static Linux x86_64 binaries built with musl-gcc, exactly
# as for Linux, packed with INITRAMFS_EXTRA=DIR into the initramfs that
# GRUB hands the kernel as its first module.
#
# Every user/NAME.c is the program build/user/NAME, except the files with
# a header beside them (user/utest.c, user/procfile.c): those are linked
# into every program.

USER_CC		?= musl-gcc
USER_CFLAGS	:= -std=gnu11 -O2 -Wall -Wextra -Werror -MMD -MP
USER_LDFLAGS	:= -static -pthread
INITRAMFS_EXTRA	?=

USER_LIB_SRCS	:= $(patsubst %.h,%.c,$(wildcard user/*.h))
USER_PROG_SRCS	:= $(filter-out $(USER_LIB_SRCS),$(wildcard user/*.c))
USER_LIB_OBJS	:= $(patsubst %.c,$(BUILD)/%.o,$(USER_LIB_SRCS))
USER_PROGS	:= $(patsubst user/%.c,$(BUILD)/user/%,$(USER_PROG_SRCS))
INITRAMFS	:= $(BUILD)/initramfs.cpio

.PHONY: user initramfs
user: $(USER_PROGS)
initramfs: $(INITRAMFS)

$(BUILD)/user/cc.stamp: FORCE
	@mkdir -p $(dir $@)
	@command -v $(USER_CC) >/dev/null 2>&1 || \
		{ echo "$(USER_CC) not found: the user programs need musl-tools (run: make deps)"; exit 1; }
	@echo '$(USER_CC) $(USER_CFLAGS) $(USER_LDFLAGS)' | cmp -s - $@ || \
		echo '$(USER_CC) $(USER_CFLAGS) $(USER_LDFLAGS)' > $@

$(BUILD)/user/%.o: user/%.c $(BUILD)/user/cc.stamp
	$(quiet) "  USERCC  $<"
	$(Q)$(USER_CC) $(USER_CFLAGS) -c $< -o $@

$(BUILD)/user/%: $(BUILD)/user/%.o $(USER_LIB_OBJS)
	$(quiet) "  USERLD  $@"
	$(Q)$(USER_CC) $(USER_LDFLAGS) -o $@ $^

# The archive follows the programs and every file under INITRAMFS_EXTRA
# (a file added, removed or changed there changes a listed mtime).
$(BUILD)/initramfs.stamp: FORCE
	@mkdir -p $(BUILD)
	@echo '$(INITRAMFS_EXTRA)' | cmp -s - $@ || echo '$(INITRAMFS_EXTRA)' > $@

$(INITRAMFS): $(USER_PROGS) scripts/mkinitramfs.py $(BUILD)/initramfs.stamp \
	      $(if $(INITRAMFS_EXTRA),$(shell find $(INITRAMFS_EXTRA) 2>/dev/null))
	$(quiet) "  CPIO    $@"
	$(Q)$(PYTHON) scripts/mkinitramfs.py -o $@ $(USER_PROGS) \
		$(if $(INITRAMFS_EXTRA),--extra $(INITRAMFS_EXTRA))

-include $(wildcard $(BUILD)/user/*.d)

# Keep the objects make would otherwise delete as intermediates.
.SECONDARY: $(USER_LIB_OBJS) $(USER_PROGS:=.o)
