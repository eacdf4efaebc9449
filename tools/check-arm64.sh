#!/bin/sh
# SPDX-License-Identifier: MIT
#
# make check-arm64: the guest suite on arm64, the CPU architecture phones
# use.  tools/vm/kernel arm64 cross-builds Linux 6.12 from the source
# tarball (cached); enpu.ko and phonesim.ko are built against it with
# W=1 -Werror, the guest programs with aarch64-linux-gnu-gcc, and the
# guest boots qemu-system-aarch64 -machine virt -cpu max under TCG.  Any
# splat fails the run.  Ends with the line "N passed, N failed".  Needs
# `make all` first (the firmware images).
set -u

TIER=arm64
. tools/vm/tier.sh
A=$B/arm64
tier_kernel
tier_module "$A/src" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
src=$A/src

# The guest's programs, cross-built (static, -Werror), and its busybox.
if ! make -s B="$A" HOSTCC=aarch64-linux-gnu-gcc guest-progs >"$A/progs.log" 2>&1; then
	cat "$A/progs.log"
	fail_tap arm64-progs "guest programs built for arm64"
fi
bb=$A/busybox/bin/busybox
if [ ! -x "$bb" ]; then
	rm -rf "$A/busybox" && mkdir -p "$A/busybox"
	(cd "$A/busybox" && apt-get download -q busybox-static:arm64 >/dev/null 2>&1 &&
		dpkg-deb -x busybox-static_*_arm64.deb .) ||
		fail_tap arm64-busybox "busybox-static:arm64 fetched"
fi

if ! ENPU_MODDIR=$cache/mods ENPU_BUSYBOX=$bb ENPU_BUILTIN=1 tools/vm/mkinitramfs \
	"$kver" "$src/driver/enpu.ko" "$B/fw" "$A/tests" "$B/initramfs-arm64.cpio.gz"; then
	fail_tap arm64-initramfs "arm64 guest initramfs built"
fi

say "guest tests on $kver (qemu-system-aarch64, TCG)"
t=$(date +%s)
ENPU_ARCH=arm64 ENPU_KERNEL=$(cat "$cache/image") KVER=$kver \
	ENPU_VM_TIMEOUT=${ENPU_VM_TIMEOUT:-2400} \
	ENPU_VM_APPEND="enputest.timeout=1800" \
	tools/vm/run "$B/initramfs-arm64.cpio.gz" "$B/vm-arm64"
tier_judge "$B/vm-arm64" "$A/tests/list"
say "guest run took $(($(date +%s) - t)) s; total $(($(date +%s) - start)) s"

tools/tap-summary "$R"/*.tap
