#!/bin/sh
# Install what building the ISO and booting it in QEMU needs, on Debian or
# Ubuntu. As root it runs apt-get; otherwise it prints the command to run.
# With --check it only reports what is missing and fails if anything is.
set -u
need=""
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_file() { [ -e "$1" ]; }

have_cmd qemu-system-x86_64 || need="$need qemu-system-x86"
have_file /usr/lib/grub/i386-pc/multiboot2.mod || need="$need grub-pc-bin"
have_file /usr/lib/grub/x86_64-efi/multiboot2.mod || need="$need grub-efi-amd64-bin"
have_cmd grub-mkrescue || need="$need grub-common"
have_cmd xorriso || need="$need xorriso"
have_cmd mformat || need="$need mtools"
{ have_file /usr/share/ovmf/OVMF.fd || have_file /usr/share/OVMF/OVMF_CODE.fd; } || need="$need ovmf"
have_cmd python3 || need="$need python3"
# The screen console's font (scripts/mkfont.py converts it at build time).
have_file /usr/share/consolefonts/Uni2-Terminus16.psf.gz || need="$need console-setup-linux"
have_cmd gcc || need="$need gcc"
have_cmd ld || need="$need binutils"
# The user programs are static musl binaries; the initramfs test compares
# the archive with GNU cpio's reading of it.
have_cmd musl-gcc || need="$need musl-tools"
have_cmd cpio || need="$need cpio"

[ -z "$need" ] && exit 0
if [ "${1:-}" = "--check" ]; then
	echo "missing packages:$need (run: make deps)" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "pagefold needs these packages:$need" >&2
	echo "install them with: sudo apt-get install -y$need" >&2
	exit 1
fi
echo "installing:$need"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $need >/dev/null || {
	echo "apt-get install$need failed" >&2
	exit 1
}
