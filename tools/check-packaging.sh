#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The packaging and documentation checks of make check, as TAP on stdout:
# make install into a DESTDIR holds every file it should; a program builds
# and runs against the installed libenpu through pkg-config; the systemd
# unit passes systemd-analyze verify and the udev rule parses cleanly under
# udevadm; the man pages format without warnings; dkms builds enpu.ko from
# the installed DKMS tree; the Sphinx documentation builds with warnings as
# errors and names every ioctl and netlink command of the UAPI; the
# syzkaller description matches the UAPI headers.  Needs make all first
# and KVER (the kernel DKMS builds for).
set -u

: "${KVER:?}"
B=build
P=$B/packaging
rm -rf "$P"
mkdir -p "$P"
D=$PWD/$P/root
n=0
result() { # result DESCRIPTION LOGFILE: ok when the command succeeded
	n=$((n + 1))
	if [ "$rc" -eq 0 ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		sed 's/^/# /' "$2" | head -n 30
	fi
}
run() { # run DESCRIPTION COMMAND...: one result for the command
	desc=$1
	shift
	"$@" >"$P/log" 2>&1
	rc=$?
	result "$desc" "$P/log"
}

echo "TAP version 13"
echo "1..11"

run "make install into a DESTDIR (PREFIX=/usr)" \
	make -s install DESTDIR="$D" PREFIX=/usr

want="etc/enpu/enpud.conf lib/firmware/enpu/enpu-fw.bin usr/bin/enpuctl usr/sbin/enpud
	usr/lib/libenpu.so.0 usr/lib/libenpu.so usr/lib/libenpu.a usr/lib/pkgconfig/libenpu.pc
	usr/include/libenpu.h usr/include/drm/enpu_accel.h usr/include/linux/enpu_genl.h
	usr/share/man/man1/enpuctl.1 usr/share/man/man5/enpud.conf.5 usr/share/man/man8/enpud.8
	usr/lib/systemd/system/enpud.service usr/lib/udev/rules.d/70-enpu.rules
	usr/lib/sysusers.d/enpu.conf usr/lib/modules-load.d/enpu.conf usr/share/enpu/android/enpud.rc
	usr/share/enpu/android/ueventd.enpu.rc usr/src/enpu-0.1.0/dkms.conf
	usr/src/enpu-0.1.0/Kbuild usr/src/enpu-0.1.0/driver/Kbuild
	usr/src/enpu-0.1.0/driver/enpu_drv.c usr/src/enpu-0.1.0/driver/sim/enpu_sim.c
	usr/src/enpu-0.1.0/uapi/drm/enpu_accel.h usr/src/enpu-0.1.0/firmware/enpu_fw_format.h"
for f in $want; do
	[ -e "$D/$f" ] || echo "missing: $f"
done >"$P/missing"
rc=0
[ -s "$P/missing" ] && rc=1
result "the DESTDIR holds all $(echo "$want" | wc -w) files that should be installed" "$P/missing"

# An app built against a tree installed with PREFIX (and every other
# directory) under build/: pkg-config finds libenpu and libdrm, the app
# links to the shared library and runs (no NPU on the host: it must load
# libenpu.so.0 and report that there is no device).
cat >"$P/app.c" <<'APP'
#include <stdio.h>
#include <libenpu.h>

int main(void)
{
	struct enpu_device *dev;
	int ret = enpu_device_open(NULL, &dev);

	if (ret) {
		printf("no device (%d)\n", ret);
		return 3;
	}
	enpu_device_close(dev);
	return 0;
}
APP
app() {
	pre=$PWD/$P/prefix
	make -s install PREFIX="$pre" SYSCONFDIR="$pre/etc" FIRMWAREDIR="$pre/lib/firmware" \
		DKMSDIR="$pre/src/enpu" || return 1
	flags=$(PKG_CONFIG_PATH=$pre/lib/pkgconfig pkg-config --cflags --libs libenpu) || return 1
	echo "pkg-config: $flags"
	# shellcheck disable=SC2086
	gcc -std=c11 -Wall -Wextra -Werror -o "$P/app" "$P/app.c" $flags || return 1
	LD_LIBRARY_PATH=$pre/lib "$P/app"
	rc=$?
	[ "$rc" -eq 3 ] || [ "$rc" -eq 0 ]
}
run "an app builds with pkg-config libenpu and runs on the installed libenpu.so.0" app

# systemd-analyze verify needs the units the unit depends on: the host's,
# copied beside it.
unit() {
	mkdir -p "$P/sd/usr/lib/systemd" "$P/sd/usr/sbin" "$P/sd/bin" &&
		cp -a /usr/lib/systemd/system "$P/sd/usr/lib/systemd/" &&
		cp /bin/kill "$P/sd/bin/" &&
		cp "$D/usr/lib/systemd/system/enpud.service" "$P/sd/usr/lib/systemd/system/" &&
		cp "$D/usr/sbin/enpud" "$P/sd/usr/sbin/" || return 1
	systemd-analyze verify --man=no --root="$P/sd" \
		"$P/sd/usr/lib/systemd/system/enpud.service" >"$P/unit.log" 2>&1
	rc=$?
	cat "$P/unit.log"
	[ "$rc" -eq 0 ] && [ ! -s "$P/unit.log" ]
}
run "enpud.service passes systemd-analyze verify with no message" unit

# udevadm in systemd 252 has no verify verb: udevadm test parses every rules
# file and names each bad line.  The group enpu exists once installed
# (sysusers.d); on this host it may not, and that one message is expected.
# The rule sits in /run/udev/rules.d only while udevadm test reads it.
rules() {
	mkdir -p /run/udev/rules.d || return 1
	t=/run/udev/rules.d/99-enpu-check-$$.rules
	trap 'rm -f "$t"' EXIT INT TERM
	cp "$D/usr/lib/udev/rules.d/70-enpu.rules" "$t" || return 1
	udevadm test --action=add /sys/class/mem/null >"$P/udev.log" 2>&1
	rm -f "$t"
	trap - EXIT INT TERM
	grep -F "$t" "$P/udev.log" | grep -v 'Reading rules file' |
		grep -vF "Unknown group 'enpu'" && return 1
	grep -qF "Reading rules file: $t" "$P/udev.log"
}
run "70-enpu.rules parses cleanly (udevadm test)" rules

man() {
	for m in man1/enpuctl.1 man5/enpud.conf.5 man8/enpud.8; do
		groff -man -Tutf8 -ww -z "$D/usr/share/man/$m" 2>&1 | sed "s|^|$m: |"
	done >"$P/man.log"
	cat "$P/man.log"
	[ ! -s "$P/man.log" ]
}
run "the man pages format with groff -ww and no warning" man

dkms_build() {
	mkdir -p "$P/dkms" || return 1
	dkms build -m enpu -v 0.1.0 --sourcetree "$D/usr/src" --dkmstree "$PWD/$P/dkms" \
		-k "$KVER" || return 1
	ls "$P"/dkms/enpu/0.1.0/"$KVER"/*/module/enpu.ko*
}
run "dkms builds enpu.ko for $KVER from the installed tree" dkms_build

run "the documentation builds with Sphinx, warnings as errors" tools/docs.sh "$B/docs"

# Every ioctl of the UAPI header in the ioctl reference, every netlink
# request and notification in the netlink reference.
named() {
	for i in $(grep -oE '^#define DRM_IOCTL_ENPU_[A-Z_]+' uapi/drm/enpu_accel.h | cut -d' ' -f2); do
		grep -qw "$i" Documentation/uapi.rst || echo "uapi.rst: no $i"
	done
	for c in $(grep -oE '^	ENPU_CMD_[A-Z_]+' uapi/linux/enpu_genl.h | grep -v MAX); do
		name=$(echo "${c#ENPU_CMD_}" | tr 'A-Z_' 'a-z-')
		grep -qw -- "$name" Documentation/netlink.rst || echo "netlink.rst: no $name ($c)"
	done
}
names() { named >"$P/names.log"; cat "$P/names.log"; [ ! -s "$P/names.log" ]; }
run "the reference documents every ioctl and netlink command of the UAPI" names

run "the syzkaller description and its constants match the UAPI headers" \
	tools/syzkaller/check -I"$B/include/drm" -I"$B/include" -Iuapi/drm -Iuapi/linux

spdx() {
	find tools/packaging tools/syzkaller Documentation/man -type f | while read -r f; do
		grep -q 'SPDX-License-Identifier: ' "$f" || echo "$f: no SPDX line"
	done
}
spdxs() { spdx >"$P/spdx.log"; cat "$P/spdx.log"; [ ! -s "$P/spdx.log" ]; }
run "every packaging, syzkaller and man-page file has its SPDX line" spdxs
