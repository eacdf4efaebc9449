#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The netlink spec is the source of truth for the control plane's ABI.
# Check it with the kernel's own tools (from the linux-source tarball, as
# extracted by tools/ksrc.sh): ynl-gen-c validates it against the
# genetlink schema and generates the uapi header, which must match
# uapi/linux/enpu_genl.h but for its licence line.  Prints the
# differences (or the generator's errors); prints nothing when they agree.
# Usage: tools/ynl-check.sh BUILDDIR
set -eu

B=$1
k=$B/ksrc
spec=Documentation/netlink/specs/enpu.yaml
gen=$B/ynl
mkdir -p "$k/Documentation/netlink/specs" "$gen"
# ynl-gen-c takes only the kernel's netlink licence; ours stays MIT.
sed '1s/.*/# SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)/' \
	"$spec" >"$k/$spec"
touch "$k/MAINTAINERS"		# how ynl-gen-c finds the tree's root
if ! /usr/bin/python3 "$k/tools/net/ynl/ynl-gen-c.py" --mode uapi --header \
	--spec "$k/$spec" -o "$gen/enpu_genl.h" >"$gen/log" 2>&1; then
	echo "ynl-gen-c failed on $spec:"
	tail -n 5 "$gen/log"
	exit 0
fi
tail -n +2 "$gen/enpu_genl.h" >"$gen/generated"
tail -n +2 uapi/linux/enpu_genl.h >"$gen/committed"
diff -u "$gen/generated" "$gen/committed" || true
