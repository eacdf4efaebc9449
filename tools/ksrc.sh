#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Extract, from Debian's linux-source-6.12 tarball, the few kernel files the
# build uses: the kselftest harness headers, checkpatch.pl and its data,
# coccicheck with its semantic patches, the netlink spec tools (ynl), and
# kernel-doc with its Sphinx extension (make docs).
# Nothing extracted here is committed.  Usage: tools/ksrc.sh OUTDIR
set -eu

out=$1
tarball=/usr/src/linux-source-6.12.tar.xz
[ -f "$out/.stamp" ] && [ "$out/.stamp" -nt "$tarball" ] &&
	[ -d "$out/scripts/coccinelle" ] && [ -d "$out/tools/net/ynl" ] &&
	[ -f "$out/scripts/kernel-doc" ] && exit 0
[ -f "$tarball" ] || { echo "ksrc: $tarball missing (run tools/vm/deps.sh)" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out"
tar -xJf "$tarball" -C "$out" --strip-components=1 \
	linux-source-6.12/tools/testing/selftests/kselftest_harness.h \
	linux-source-6.12/tools/testing/selftests/kselftest.h \
	linux-source-6.12/scripts/checkpatch.pl \
	linux-source-6.12/scripts/spelling.txt \
	linux-source-6.12/scripts/const_structs.checkpatch \
	linux-source-6.12/scripts/coccicheck \
	linux-source-6.12/scripts/coccinelle \
	linux-source-6.12/tools/net/ynl \
	linux-source-6.12/Documentation/netlink/genetlink.yaml \
	linux-source-6.12/Documentation/netlink/genetlink-c.yaml \
	linux-source-6.12/Documentation/netlink/genetlink-legacy.yaml \
	linux-source-6.12/scripts/kernel-doc \
	linux-source-6.12/Documentation/sphinx/kerneldoc.py \
	linux-source-6.12/Documentation/sphinx/kernellog.py
touch "$out/.stamp"
