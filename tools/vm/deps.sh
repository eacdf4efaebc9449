#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Install, with apt, the Debian packages enpu needs and that are missing.
# Idempotent: prints one line when everything is present.
# Usage: deps.sh [arm64]; with arm64, also what make check-arm64 needs
# (the cross compiler, qemu-system-aarch64, and the arm64 builds of the
# libraries enpud links, which need dpkg's arm64 architecture).
set -eu

pkgs="build-essential bc bison flex kmod cpio xz-utils pkg-config
	qemu-system-x86 busybox-static sparse coccinelle cppcheck clang-tidy
	linux-image-6.12-amd64 linux-headers-6.12-amd64 linux-source-6.12
	libnl-3-dev libnl-genl-3-dev liburing-dev libelf-dev libssl-dev
	python3-yaml python3-jsonschema libinih-dev gnuplot-nox
	python3-sphinx groff-base dkms libdrm-dev gcc-aarch64-linux-gnu
	libc6-dev-arm64-cross systemd udev"
if [ "${1:-}" = arm64 ]; then
	pkgs="$pkgs qemu-system-arm libnl-3-dev:arm64 libnl-genl-3-dev:arm64
		liburing-dev:arm64 libinih-dev:arm64"
fi

missing=
for p in $pkgs; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case "$status" in
	ii*) ;;
	*) missing="$missing $p" ;;
	esac
done

if [ -z "$missing" ]; then
	echo "deps: all packages present"
	exit 0
fi

echo "deps: installing$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: need root to install packages (run as root or install:$missing)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
case "$missing" in
*:arm64*)
	dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
	;;
esac
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done"
