#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The body of `make check` (run after `make all`): host unit tests, static
# checks, the packaging and documentation checks (tools/check-packaging.sh),
# the guest test run judged by tools/vm/judge, the harness's own
# self-tests, and one summary line computed from all the TAP results:
#   N passed, N failed, N skipped
# Exit status 0 only if nothing failed.  Needs KVER and KDIR (the Makefile
# sets them).
set -u

B=build
R=$B/results
: "${KVER:?}" "${KDIR:?}"
rm -rf "$R"
mkdir -p "$R"

say() { echo "check: $*"; }

# --- host unit tests -------------------------------------------------------
say "host tests"
MKENPUFW=$B/mkenpufw ENPU_FW_SRC=firmware/enpu-fw.src \
	"$B/host/mkenpufw_test" >"$R/host-mkenpufw.tap" 2>&1
"$B/host/policy_test" >"$R/host-policy.tap" 2>&1
"$B/host/config_test" >"$R/host-config.tap" 2>&1

# --- static checks ---------------------------------------------------------
say "static checks (checkpatch --strict, sparse C=2, W=1, coccicheck, cppcheck, clang-tidy, ynl)"
static_tap=$R/static.tap
n=0
static_result() { # static_result NAME LOGFILE: ok when the log is empty
	n=$((n + 1))
	if [ -s "$2" ]; then
		echo "not ok $n - $1"
		sed 's/^/# /' "$2" | head -n 40
	else
		echo "ok $n - $1"
	fi
}
kernel_src=$(find driver uapi selftests/phonesim -name '*.[ch]' ! -name '*.mod.c' | sort)
kernel_src="$kernel_src firmware/enpu_fw_format.h"
# shellcheck disable=SC2086
perl "$B/ksrc/scripts/checkpatch.pl" --no-tree --strict --terse --show-types \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG -f $kernel_src \
	>"$B/checkpatch.log" 2>&1
grep -E '^[^ ]+:[0-9]+: (ERROR|WARNING|CHECK):' "$B/checkpatch.log" >"$B/checkpatch.issues"

# One rebuild with sparse on every file and W=1, warnings collected (not
# fatal here, so that all of them are reported).
make -s -C "$KDIR" M="$(pwd)" clean >/dev/null 2>&1
make -s -C "$KDIR" M="$(pwd)" W=1 C=2 CHECK=sparse modules >"$B/kbuild.log" 2>&1
kbuild_rc=$?
grep -E '(warning|error):' "$B/kbuild.log" | grep -vE '\[-W[^]]+\]$' >"$B/sparse.issues"
grep -E '(warning|error):.*\[-W[^]]+\]$' "$B/kbuild.log" >"$B/w1.issues"
[ "$kbuild_rc" -eq 0 ] || tail -n 20 "$B/kbuild.log" >>"$B/w1.issues"
# coccicheck's semantic patches in report mode over driver/.  The few that
# need an OCaml compiler (Debian's coccinelle has none) cannot run; they
# are listed in the log.
: >"$B/coccicheck.log"
for cocci in $(find "$B/ksrc/scripts/coccinelle" -name '*.cocci' | sort); do
	if grep -q '^@script:ocaml\|^@initialize:ocaml\|^@finalize:ocaml' "$cocci"; then
		echo "skipped (OCaml rules): $cocci" >>"$B/coccicheck.log"
		continue
	fi
	srctree=$KDIR KBUILD_EXTMOD=$(pwd)/driver MODE=report SPATCH=spatch \
		COCCI=$cocci V=0 J=2 bash "$B/ksrc/scripts/coccicheck" >>"$B/coccicheck.log" 2>&1 ||
		echo "coccicheck failed: $cocci" >>"$B/coccicheck.log"
done
grep -E '^(coccicheck failed|[^ ]*driver/[^ ]+:[0-9]+)' "$B/coccicheck.log" >"$B/coccicheck.issues"

# cppcheck and clang-tidy over the userspace C.
user_src=$(find userspace bench -name '*.c' ! -path '*/tests/*' | sort)
user_inc="-Iuserspace/lib -Iuserspace/enpud -Iuapi -I$B/include -I$B/include/drm -Iselftests $(pkg-config --cflags libnl-genl-3.0)"
# shellcheck disable=SC2086
cppcheck --quiet --enable=warning,portability,performance --std=c11 -D_GNU_SOURCE \
	$user_inc $user_src >"$B/cppcheck.issues" 2>&1
: >"$B/clang-tidy.issues"
for f in $user_src; do
	# shellcheck disable=SC2086
	clang-tidy --quiet -checks='-*,clang-analyzer-*,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-narrowing-conversions,-bugprone-implicit-widening-of-multiplication-result,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling' \
		"$f" -- -std=c11 -D_GNU_SOURCE $user_inc 2>/dev/null |
		grep -E '(warning|error):' >>"$B/clang-tidy.issues"
done
tools/ynl-check.sh "$B" >"$B/ynl.issues" 2>&1
{
	echo "TAP version 13"
	echo "1..7"
	static_result "checkpatch.pl --strict: driver/ uapi/ firmware format" "$B/checkpatch.issues"
	static_result "sparse C=2 clean" "$B/sparse.issues"
	static_result "W=1 build clean" "$B/w1.issues"
	static_result "coccicheck (report mode): driver/" "$B/coccicheck.issues"
	static_result "cppcheck: userspace/ bench/" "$B/cppcheck.issues"
	static_result "clang-tidy (clang-analyzer, bugprone): userspace/ bench/" "$B/clang-tidy.issues"
	static_result "ynl-gen-c: the netlink spec validates and generates uapi/linux/enpu_genl.h" "$B/ynl.issues"
} >"$static_tap"

# --- packaging and documentation ---------------------------------------------
say "packaging and documentation (install, unit, udev rule, man pages, dkms, sphinx, syzkaller)"
tools/check-packaging.sh >"$R/packaging.tap" 2>&1

# --- guest run ---------------------------------------------------------------
if ! tools/vm/mkinitramfs "$KVER" driver/enpu.ko "$B/fw" "$B/tests" "$B/initramfs.cpio.gz"; then
	printf 'TAP version 13\n1..1\nnot ok 1 - guest initramfs built\n' >"$R/guest-judge.tap"
	tools/tap-summary "$R"/*.tap
	exit 1
fi

# verdict OUTDIR LIST: the judge's checks plus the guest's own TAP results.
verdict() {
	tools/vm/judge "$1" "$2"
	j=$?
	set -- "$1"/results/*.tap
	if [ -f "$1" ]; then
		tools/tap-summary "$@" | sed 's/^/# /'
		t=$(tools/tap-summary "$@" >/dev/null; echo $?)
	else
		t=0
	fi
	[ "$j" -eq 0 ] && [ "$t" -eq 0 ]
}

say "guest tests (QEMU TCG, $KVER)"
start=$(date +%s)
tools/vm/run "$B/initramfs.cpio.gz" "$B/vm"
tools/vm/judge "$B/vm" "$B/tests/list" >"$R/guest-judge.tap"
for f in "$B"/vm/results/*.tap; do
	[ -f "$f" ] && cp "$f" "$R/guest-$(basename "$f")"
done
say "guest run took $(($(date +%s) - start)) s"

# --- harness self-tests: each deliberate defect must fail the verdict --------
say "harness self-tests (deliberate failure, WARN, panic)"
: >"$B/empty.list"
i=0
{
	echo "TAP version 13"
	echo "1..3"
	for mode in fail warn panic; do
		i=$((i + 1))
		case $mode in
		fail) expect='deliberate.tap: 0 passed, 1 failed' ;;
		warn) expect='not ok [0-9]+ - no kernel splat' ;;
		panic) expect='not ok [0-9]+ - guest completed' ;;
		esac
		tools/vm/run "$B/initramfs.cpio.gz" "$B/vm-$mode" "$mode"
		if verdict "$B/vm-$mode" "$B/empty.list" >"$B/vm-$mode.verdict"; then
			echo "not ok $i - a deliberate $mode fails the verdict"
			echo "# the verdict passed"
		elif ! grep -qE "$expect" "$B/vm-$mode.verdict"; then
			echo "not ok $i - a deliberate $mode fails the verdict"
			echo "# failed, but not for the expected reason: $expect"
			sed 's/^/# /' "$B/vm-$mode.verdict"
		else
			echo "ok $i - a deliberate $mode fails the verdict"
		fi
	done
} >"$R/harness.tap"

# --- summary -------------------------------------------------------------------
grep -h '^not ok' "$R"/*.tap | sed 's/^/check: FAILED: /'
tools/tap-summary "$R"/*.tap >"$R/summary.txt"
rc=$?
cat "$R/summary.txt"
exit $rc
