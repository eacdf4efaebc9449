#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The body of `make demo` (after `make all`): boot the guest with enpu
# loaded and print what the device reports.  Needs KVER.
set -u

B=build
: "${KVER:?}"
ENPU_GUEST_BINS="$B/examples/enpu-info" tools/vm/mkinitramfs "$KVER" \
	driver/enpu.ko "$B/fw" "$B/tests" "$B/initramfs-demo.cpio.gz" || exit 1
echo "demo: booting Linux $KVER under QEMU (TCG) with enpu loaded..."
tools/vm/run "$B/initramfs-demo.cpio.gz" "$B/vm-demo" demo || exit 1
if [ ! -f "$B/vm-demo/demo.txt" ]; then
	echo "demo: the guest did not finish; see $B/vm-demo/console.log" >&2
	exit 1
fi
grep -a "enpu.*booted" "$B/vm-demo/dmesg.txt" | sed 's/^/demo: dmesg: /'
cat "$B/vm-demo/demo.txt"
exit "$(cat "$B/vm-demo/demo.rc")"
