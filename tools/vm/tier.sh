# SPDX-License-Identifier: MIT
#
# Shared by the kernel tiers (tools/check-debug.sh, tools/check-arm64.sh),
# sourced with TIER set (debug, arm64): the results directory, messages,
# the failure of a step as one TAP result, the tier's kernel, and enpu.ko
# and phonesim.ko built against it, and the judging of its guest run.

B=build
R=$B/results-$TIER
rm -rf "$R"
mkdir -p "$R"
say() { echo "check-$TIER: $*"; }
fail_tap() { # NAME DESCRIPTION
	printf 'TAP version 13\n1..1\nnot ok 1 - %s\n' "$2" >"$R/$1.tap"
	tools/tap-summary "$R"/*.tap
	exit 1
}

# tier_kernel: sets cache and kver (tools/vm/kernel TIER, cached).
tier_kernel() {
	start=$(date +%s)
	cache=$(tools/vm/kernel "$TIER") || fail_tap "$TIER-kernel" "$TIER kernel built"
	kver=$(cat "$cache/kver")
	say "kernel $kver ready after $(($(date +%s) - start)) s"
}

# tier_module SRCDIR [MAKE ARGS...]: enpu.ko and phonesim.ko against the
# tier's kernel with W=1 -Werror, from a copy of the sources in SRCDIR so
# that the tree keeps its build for the Debian kernel.
tier_module() {
	src=$1
	shift
	rm -rf "$src"
	mkdir -p "$src"
	cp Kbuild "$src/"
	find driver uapi firmware selftests/phonesim \( -name '*.[ch]' -o -name Kbuild \) \
		-print | cpio -pdm --quiet "$src"
	if ! make -s -C "$cache/linux" "$@" M="$PWD/$src" W=1 KCFLAGS=-Werror modules \
		>"$src.log" 2>&1; then
		cat "$src.log"
		fail_tap "$TIER-module" "enpu.ko built against $kver"
	fi
}

# tier_judge VMDIR LIST: judge the guest run in VMDIR against the tests of
# LIST, and keep each test's TAP beside the verdict.
tier_judge() {
	tools/vm/judge "$1" "$2" >"$R/guest-judge.tap"
	for f in "$1"/results/*.tap; do
		[ -f "$f" ] && cp "$f" "$R/guest-$(basename "$f")"
	done
}
