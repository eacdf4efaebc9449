#!/bin/sh
# SPDX-License-Identifier: MIT
#
# make check-debug: the whole guest suite on a debug kernel (KASAN, UBSAN,
# lockdep, kmemleak, debug objects, fault injection; tools/vm/debug.config)
# built from the Linux 6.12 source tarball and cached by
# tools/vm/debug-kernel, followed by a kmemleak scan.  Any splat or leak
# report fails the run.  Ends with the line "N passed, N failed".
# Needs `make all` first (the firmware images and the test programs).
set -u

TIER=debug
. tools/vm/tier.sh
tier_kernel
tier_module "$B/debug-src"
src=$B/debug-src

# The suite, plus what only a debug kernel can run (selftests/list.debug).
tests=$B/tests-debug
rm -rf "$tests"
cp -r "$B/tests" "$tests"
cat selftests/list selftests/list.debug >"$tests/list"
if ! ENPU_MODDIR=$cache/mods tools/vm/mkinitramfs "$kver" "$src/driver/enpu.ko" \
	"$B/fw" "$tests" "$B/initramfs-debug.cpio.gz"; then
	fail_tap debug-initramfs "debug guest initramfs built"
fi

say "guest tests on $kver (QEMU TCG)"
t=$(date +%s)
# no5lvl: with QEMU's -cpu max the kernel would use 5-level paging, and an
# interrupt during early boot (identify_cpu) then drew a KASAN
# wild-memory-access report in the kernel's own irq code, in one run of
# four; enpu is not involved, so the tier runs with 4-level paging.
ENPU_KERNEL=$cache/linux/arch/x86/boot/bzImage KVER=$kver \
	ENPU_VM_TIMEOUT=${ENPU_VM_TIMEOUT:-4000} \
	ENPU_VM_APPEND="enputest.timeout=2400 no5lvl" \
	tools/vm/run "$B/initramfs-debug.cpio.gz" "$B/vm-debug"
tier_judge "$B/vm-debug" "$tests/list"
n=$(ls "$B"/vm-debug/results/kunit-*.tap 2>/dev/null | wc -l)
if [ "$n" -ge 4 ]; then
	printf 'TAP version 13\n1..1\nok 1 - %s KUnit suites ran at module load\n' "$n"
else
	printf 'TAP version 13\n1..1\nnot ok 1 - KUnit suites ran at module load (%s of 4)\n' "$n"
fi >"$R/kunit-present.tap"
if [ -f "$B/vm-debug/kmemleak.txt" ]; then
	printf 'TAP version 13\n1..1\nok 1 - kmemleak scanned after the suite\n'
else
	printf 'TAP version 13\n1..1\nnot ok 1 - kmemleak scanned after the suite\n'
fi >"$R/kmemleak.tap"
say "guest run took $(($(date +%s) - t)) s; total $(($(date +%s) - start)) s"

tools/tap-summary "$R"/*.tap
