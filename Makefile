# SPDX-License-Identifier: MIT
#
# enpu top-level build.  `make check` is the test command, `make demo` the
# main job; see README.md.  Everything built lands in build/ (and the
# kernel module's objects in driver/, where Kbuild puts them).

B ?= build
# The kernel files the build extracts from the source tarball (tools/ksrc.sh).
KSRC ?= build/ksrc
# The newest installed Debian 6.12 kernel (never the host's running one).
KVER ?= $(shell ls /lib/modules 2>/dev/null | grep -E '^6\.12\..*-amd64$$' | sort -V | tail -n 1)
KDIR ?= /lib/modules/$(KVER)/build
HDRS_COMMON = $(firstword $(wildcard /usr/src/linux-headers-$(patsubst %-amd64,%,$(KVER))-common))

HOSTCC ?= gcc
HOST_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror
# kselftest_harness.h needs GNU C and trips -Wextra, so tests build with
# -Wall as the kernel's selftests do; static, so the guest needs no libc.
TEST_CFLAGS := -std=gnu11 -D_GNU_SOURCE -O2 -Wall -Werror -static \
	-I$(KSRC)/tools/testing/selftests -I$(B)/include -I$(B)/include/drm -Iuapi

FW_DEFECTS := bad-magic bad-crc truncated-header truncated-body bad-format \
	zero-cores opp-order trip-order
GUEST_TESTS := $(shell cat selftests/list)

.PHONY: all deps module firmware userspace selftests guest-progs check check-run check-debug \
	check-arm64 demo demo-run bench bench-run scenario scenario-run install docs clean

all: module firmware userspace selftests

deps:
	@tools/vm/deps.sh

$(KSRC)/.stamp: tools/ksrc.sh
	@tools/ksrc.sh $(KSRC)

# drm.h for userspace, from the headers of the kernel we build against
# (Debian 12's libc headers lack the DRM UAPI), with __user stripped as
# the kernel's headers_install does.
$(B)/include/drm/drm.h:
	@test -n "$(HDRS_COMMON)" || { echo "no linux-headers for '$(KVER)' (run make deps)"; exit 1; }
	@mkdir -p $(@D)
	for h in drm.h drm_mode.h; do \
		sed -E 's/__user[[:space:]]+//g' $(HDRS_COMMON)/include/uapi/drm/$$h >$(@D)/$$h || exit 1; \
	done

module:
	@test -n "$(KVER)" || { echo "no 6.12 amd64 kernel installed (run make deps)"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 KCFLAGS=-Werror modules

# Firmware: the tool, the image, and the defective images the tests load.
$(B)/mkenpufw: firmware/mkenpufw.c firmware/enpu_fw_format.h
	@mkdir -p $(B)
	$(HOSTCC) $(HOST_CFLAGS) -Ifirmware -o $@ $<

$(B)/fw/enpu-fw.bin: $(B)/mkenpufw firmware/enpu-fw.src
	@mkdir -p $(B)/fw
	$(B)/mkenpufw -o $@ firmware/enpu-fw.src
	for d in $(FW_DEFECTS); do \
		$(B)/mkenpufw --defect=$$d -o $(B)/fw/defect-$$d.bin firmware/enpu-fw.src || exit 1; \
	done

firmware: $(B)/fw/enpu-fw.bin

$(B)/host/mkenpufw_test: firmware/tests/mkenpufw_test.c $(KSRC)/.stamp
	@mkdir -p $(@D)
	$(HOSTCC) $(TEST_CFLAGS) -Ifirmware -o $@ $<

# enpud's policy engine, tested on the host against a plant model.
$(B)/host/policy_test: userspace/enpud/tests/policy_test.c userspace/enpud/policy.h \
		$(B)/enpud/policy.o $(KSRC)/.stamp
	@mkdir -p $(@D)
	$(HOSTCC) $(TEST_CFLAGS) -Iuserspace/enpud -o $@ $< $(B)/enpud/policy.o -lm

$(B)/host/config_test: userspace/enpud/tests/config_test.c userspace/enpud/config.h \
		$(B)/enpud/config.o $(B)/enpud/policy.o $(KSRC)/.stamp
	@mkdir -p $(@D)
	$(HOSTCC) $(TEST_CFLAGS) -Iuserspace/enpud -o $@ $< $(B)/enpud/config.o \
		$(B)/enpud/policy.o -linih -lm

# libenpu: static and shared library, and its pkg-config file.
VERSION := 0.1.0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
UAPI_INC := -I$(B)/include -I$(B)/include/drm -Iuapi
LIB_DEPS := userspace/lib/libenpu.c userspace/lib/libenpu.h uapi/drm/enpu_accel.h $(B)/include/drm/drm.h

$(B)/lib/libenpu.a: $(LIB_DEPS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $(UAPI_INC) -c -o $(B)/lib/libenpu.o $<
	ar rcs $@ $(B)/lib/libenpu.o

$(B)/lib/libenpu.so.0: $(LIB_DEPS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $(UAPI_INC) -fPIC -shared -Wl,-soname,libenpu.so.0 -o $@ $<

$(B)/lib/libenpu.so: $(B)/lib/libenpu.so.0
	ln -sf libenpu.so.0 $@

# Regenerated every build, so that PREFIX=... takes effect.
.PHONY: $(B)/lib/libenpu.pc
$(B)/lib/libenpu.pc: userspace/lib/libenpu.pc.in
	@mkdir -p $(@D)
	@sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
		-e 's|@LIBDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))|' \
		-e 's|@INCLUDEDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))|' $< >$@

userspace: $(B)/lib/libenpu.a $(B)/lib/libenpu.so $(B)/lib/libenpu.pc $(B)/examples/enpu-info \
	$(B)/examples/enpu-run $(B)/examples/enpu-app $(B)/enpud/enpud $(B)/enpuctl/enpuctl

# enpud and enpuctl, static so that the test guest can run them.  The
# static libnl and glibc's NSS functions make the linker warn; harmless
# here (enpud looks up one group, and falls back without it).
ENPUD_SRC := enpud config loop nl power policy
NL_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null)
NL_LIBS := $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null)

$(B)/enpud/%.o: userspace/enpud/%.c $(wildcard userspace/enpud/*.h) uapi/linux/enpu_genl.h \
		userspace/lib/libenpu.h $(B)/include/drm/drm.h
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) $(UAPI_INC) -Iuserspace/lib $(NL_CFLAGS) -c -o $@ $<

$(B)/enpud/enpud: $(addprefix $(B)/enpud/,$(addsuffix .o,$(ENPUD_SRC))) $(B)/lib/libenpu.a
	$(HOSTCC) -static -o $@ $^ $(NL_LIBS) -luring -linih -lm 2>$(B)/enpud/link.log || \
		{ cat $(B)/enpud/link.log; exit 1; }

$(B)/enpuctl/enpuctl: userspace/enpuctl/enpuctl.c
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -static -o $@ $<

# enpu-run checks itself with the selftests' plain int8 reference.
$(B)/examples/enpu-run: userspace/examples/enpu-run.c selftests/enpu_int8_ref.h $(B)/lib/libenpu.a
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -static $(UAPI_INC) -Iuserspace/lib -Iselftests -o $@ $< $(B)/lib/libenpu.a

# The guest runs it from /tests (enpu_cnn_test), not from the list.
$(B)/tests/enpu-run: $(B)/examples/enpu-run
	@mkdir -p $(@D)
	cp $< $@

$(B)/examples/enpu-app: userspace/examples/enpu-app.c selftests/enpu_int8_ref.h $(B)/lib/libenpu.a
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -static $(UAPI_INC) -Iuserspace/lib -Iselftests -o $@ $< $(B)/lib/libenpu.a

$(B)/examples/enpu-info: userspace/examples/enpu-info.c $(B)/lib/libenpu.a
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -static $(UAPI_INC) -Iuserspace/lib -o $@ $< $(B)/lib/libenpu.a

$(B)/tests/%: selftests/%.c selftests/enpu_utils.h selftests/enpu_job_utils.h selftests/enpu_nl.h \
		selftests/enpu_int8_ref.h uapi/drm/enpu_accel.h uapi/linux/enpu_genl.h \
		$(KSRC)/.stamp $(B)/lib/libenpu.a
	@mkdir -p $(@D)
	$(HOSTCC) $(TEST_CFLAGS) -Iuserspace/lib -o $@ $< $(B)/lib/libenpu.a -lpthread -lm

# The kernel fail-nth sweep, for the debug tier only (selftests/list.debug).
$(B)/tests/enpu_failnth_kernel_test: selftests/enpu_failnth_test.c selftests/enpu_utils.h \
		selftests/enpu_job_utils.h selftests/enpu_nl.h uapi/drm/enpu_accel.h uapi/linux/enpu_genl.h \
		$(KSRC)/.stamp $(B)/lib/libenpu.a
	@mkdir -p $(@D)
	$(HOSTCC) $(TEST_CFLAGS) -DENPU_KERNEL_FAILNTH -Iuserspace/lib -o $@ $< \
		$(B)/lib/libenpu.a -lpthread

$(B)/tests/list: selftests/list
	@mkdir -p $(@D)
	cp $< $@

# enpud and enpuctl, for the guest's end-to-end test.
$(B)/tests/enpud: $(B)/enpud/enpud
	cp $< $@
$(B)/tests/enpuctl: $(B)/enpuctl/enpuctl
	cp $< $@

# What the guest runs from /tests.  make check-arm64 builds these for arm64
# (B=build/arm64 HOSTCC=aarch64-linux-gnu-gcc).
GUEST_PROGS := $(addprefix $(B)/tests/,$(GUEST_TESTS)) $(B)/tests/list $(B)/tests/enpud \
	$(B)/tests/enpuctl $(B)/tests/enpu-run $(B)/tests/enpu-scenario $(B)/tests/enpu-app
guest-progs: $(GUEST_PROGS)

selftests: $(GUEST_PROGS) $(B)/host/mkenpufw_test $(B)/host/policy_test $(B)/host/config_test \
	$(B)/tests/enpu_failnth_kernel_test

# check, demo and bench install packages first, then run the rest in a new
# make: make expands a whole recipe before running its first line, so KVER
# must be computed after deps.sh has installed the kernel.
check:
	@tools/vm/deps.sh
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory check-run

check-run:
	@KVER=$(KVER) KDIR=$(KDIR) tools/check.sh

# The debug-kernel tier: the guest suite on a KASAN/lockdep/kmemleak kernel
# built from the 6.12 source tarball (cached in ~/.cache/enpu/).
check-debug:
	@tools/vm/deps.sh
	@$(MAKE) --no-print-directory all
	@tools/check-debug.sh

# The arm64 tier: the guest suite on a cross-built arm64 kernel under
# qemu-system-aarch64 (cached in ~/.cache/enpu/).
check-arm64:
	@tools/vm/deps.sh arm64
	@$(MAKE) --no-print-directory all
	@tools/check-arm64.sh

demo:
	@tools/vm/deps.sh
	@$(MAKE) --no-print-directory demo-run

# The phone scenario's programs, on the guest's PATH.
DEMO_SECONDS ?= 60
SCENARIO_SECONDS ?= 40
SCENARIO_BINS := $(B)/bench/enpu-scenario $(B)/examples/enpu-app $(B)/enpud/enpud \
	$(B)/enpuctl/enpuctl

demo-run: all $(B)/bench/enpu-scenario
	@KVER=$(KVER) ENPU_VM_APPEND=enputest.seconds=$(DEMO_SECONDS) \
		tools/vm/oneshot demo $(SCENARIO_BINS)
	@tools/scenario-plot demo $(B)/vm-demo/scenario $(B)/demo

$(B)/bench/enpu-bench-%: bench/%.c $(B)/lib/libenpu.a
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -static $(UAPI_INC) -Iuserspace/lib -Iselftests -o $@ $< $(B)/lib/libenpu.a

# The phone scenario's driver (make demo, make scenario, enpu_scenario_test).
$(B)/bench/enpu-scenario: bench/scenario.c
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -static -o $@ $< -lm

$(B)/tests/enpu-scenario: $(B)/bench/enpu-scenario
	cp $< $@
$(B)/tests/enpu-app: $(B)/examples/enpu-app
	cp $< $@

# Benchmarks: ratios measured side by side in one guest run; not tests.
BENCHES := $(B)/bench/enpu-bench-pin $(B)/bench/enpu-bench-submit $(B)/bench/enpu-bench-ops \
	$(B)/bench/enpu-bench-sched $(B)/bench/enpu-bench-daemon
bench:
	@tools/vm/deps.sh
	@$(MAKE) --no-print-directory bench-run

bench-run: all $(BENCHES)
	@KVER=$(KVER) tools/vm/oneshot bench $(BENCHES)

# bench/scenario: the phone scenario under each policy, compared.
scenario:
	@tools/vm/deps.sh
	@$(MAKE) --no-print-directory scenario-run

scenario-run: all $(B)/bench/enpu-scenario
	@KVER=$(KVER) ENPU_VM_TIMEOUT=2400 ENPU_VM_APPEND=enputest.seconds=$(SCENARIO_SECONDS) \
		tools/vm/oneshot scenario $(SCENARIO_BINS)
	@tools/scenario-plot compare $(B)/vm-scenario/scenario $(B)/scenario

# make install [PREFIX=/usr/local] [DESTDIR=]: libenpu, its headers and
# pkg-config file, enpud, enpuctl, the firmware image, the configuration,
# the man pages, the systemd unit, the udev rule, the sysusers.d file, the
# Android init files, and the driver's sources with dkms.conf for DKMS.
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
SYSCONFDIR ?= /etc
FIRMWAREDIR ?= /lib/firmware
UNITDIR ?= $(PREFIX)/lib/systemd/system
UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
MODLOADDIR ?= $(PREFIX)/lib/modules-load.d
DKMSDIR ?= /usr/src/enpu-$(VERSION)
INSTALL ?= install
PKG := tools/packaging
DKMS_SRC := Kbuild $(filter-out %.mod.c,$(wildcard driver/*.[ch] driver/sim/*.[ch])) driver/Kbuild \
	uapi/drm/enpu_accel.h uapi/linux/enpu_genl.h firmware/enpu_fw_format.h

install: $(B)/lib/libenpu.a $(B)/lib/libenpu.so $(B)/lib/libenpu.pc $(B)/enpud/enpud \
		$(B)/enpuctl/enpuctl $(B)/fw/enpu-fw.bin
	$(INSTALL) -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/drm \
		$(DESTDIR)$(INCLUDEDIR)/linux $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) \
		$(DESTDIR)$(FIRMWAREDIR)/enpu $(DESTDIR)$(SYSCONFDIR)/enpu \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(UDEVRULESDIR) $(DESTDIR)$(SYSUSERSDIR) \
		$(DESTDIR)$(MODLOADDIR) \
		$(DESTDIR)$(DATADIR)/enpu/android $(DESTDIR)$(DKMSDIR)
	$(INSTALL) -m 0755 $(B)/lib/libenpu.so.0 $(DESTDIR)$(LIBDIR)/libenpu.so.0
	ln -sf libenpu.so.0 $(DESTDIR)$(LIBDIR)/libenpu.so
	$(INSTALL) -m 0644 $(B)/lib/libenpu.a $(DESTDIR)$(LIBDIR)/libenpu.a
	$(INSTALL) -m 0644 $(B)/lib/libenpu.pc $(DESTDIR)$(LIBDIR)/pkgconfig/libenpu.pc
	$(INSTALL) -m 0644 userspace/lib/libenpu.h $(DESTDIR)$(INCLUDEDIR)/libenpu.h
	$(INSTALL) -m 0644 uapi/drm/enpu_accel.h $(DESTDIR)$(INCLUDEDIR)/drm/enpu_accel.h
	$(INSTALL) -m 0644 uapi/linux/enpu_genl.h $(DESTDIR)$(INCLUDEDIR)/linux/enpu_genl.h
	$(INSTALL) -m 0755 $(B)/enpud/enpud $(DESTDIR)$(SBINDIR)/enpud
	$(INSTALL) -m 0755 $(B)/enpuctl/enpuctl $(DESTDIR)$(BINDIR)/enpuctl
	$(INSTALL) -m 0644 $(B)/fw/enpu-fw.bin $(DESTDIR)$(FIRMWAREDIR)/enpu/enpu-fw.bin
	# an edited configuration stays
	[ -e $(DESTDIR)$(SYSCONFDIR)/enpu/enpud.conf ] || \
		$(INSTALL) -m 0644 userspace/enpud/enpud.conf $(DESTDIR)$(SYSCONFDIR)/enpu/enpud.conf
	$(INSTALL) -m 0644 Documentation/man/enpuctl.1 $(DESTDIR)$(MANDIR)/man1/enpuctl.1
	$(INSTALL) -m 0644 Documentation/man/enpud.conf.5 $(DESTDIR)$(MANDIR)/man5/enpud.conf.5
	$(INSTALL) -m 0644 Documentation/man/enpud.8 $(DESTDIR)$(MANDIR)/man8/enpud.8
	sed -e 's|@SBINDIR@|$(SBINDIR)|' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|' \
		$(PKG)/enpud.service.in >$(DESTDIR)$(UNITDIR)/enpud.service
	$(INSTALL) -m 0644 $(PKG)/70-enpu.rules $(DESTDIR)$(UDEVRULESDIR)/70-enpu.rules
	$(INSTALL) -m 0644 $(PKG)/enpu.sysusers $(DESTDIR)$(SYSUSERSDIR)/enpu.conf
	$(INSTALL) -m 0644 $(PKG)/enpu.modules-load $(DESTDIR)$(MODLOADDIR)/enpu.conf
	$(INSTALL) -m 0644 $(PKG)/enpud.rc $(PKG)/ueventd.enpu.rc $(DESTDIR)$(DATADIR)/enpu/android/
	tar -cf - $(DKMS_SRC) | tar -xf - --no-same-owner --no-same-permissions -C $(DESTDIR)$(DKMSDIR)
	$(INSTALL) -m 0644 $(PKG)/Kbuild.dkms $(DESTDIR)$(DKMSDIR)/Kbuild
	sed 's|@VERSION@|$(VERSION)|' $(PKG)/dkms.conf.in >$(DESTDIR)$(DKMSDIR)/dkms.conf
	# a real install: the new library in ld.so's cache
	[ -n "$(DESTDIR)" ] || ldconfig

# The documentation as HTML in build/docs/ (Sphinx; warnings are errors).
docs:
	@tools/vm/deps.sh
	@tools/docs.sh $(B)/docs

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(B)
