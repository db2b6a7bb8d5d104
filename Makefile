# SPDX-License-Identifier: GPL-2.0
#
# kmig build and test entry points. The kernel's kbuild reads ./Kbuild (not
# this file) when this tree is grafted into a kernel source tree.
#
#   make test           deps, the uml-debug kernel, modules, userspace, static,
#                       unit,
#                       kunit, then the system tests in two lanes at the same
#                       time (UML part 1 | Debian 6.1, then UML part 2);
#                       phase times, the total against the budget, then
#                       one line 'N passed, N failed'
#   make deps           install the Debian packages needed (apt-get, as root);
#                       every target below runs it first (it takes well under
#                       a second when nothing is missing)
#   make kernels        UML kernels uml-debug (lockdep, KASAN, kmemleak, KUnit...)
#                       and uml-bench (for make bench and make demo)
#   make modules        kmig.ko for uml-debug, uml-bench, Debian 6.1 and 6.12
#   make migctl         tools/migctl
#   make systest-progs  tests/system programs and tools/example-vmm (kmig-vmm)
#   make check          make static, then make unit
#   make static         checkpatch, ynl-check, zero-warning W=1 builds
#                       (scripts/check.sh; build/results/static.tap)
#   make unit           userspace: migctl CLI tests, the wire codec, its fuzz
#                       smoke, the selftests (scripts/unit.sh; unit.tap)
#   make kunit          KUnit suites: kmig.ko with them linked in, loaded in
#                       the uml-debug kernel
#   make systest-uml    system tests in UML (uml-debug)
#   make systest-deb61  system tests on Debian's 6.1 kernel under QEMU (TCG)
#   make systest-hosts  the two-host subset of make test: two kernels (UML 6.12,
#                       Debian 6.1 under QEMU) on a link of their own
#                       (scripts/systest-hosts.sh, tests/hosts/)
#   make test-hosts     the whole two-host matrix: every case, link condition
#                       and pair of kernels (scripts/test-hosts.sh)
#   make test-install   the install test: kmig's packages installed into a
#                       Debian 12 system (debootstrap, cached) booted under
#                       QEMU (TCG) with Debian's 6.1 kernel; also in make
#                       test (scripts/test-install.sh, tests/install/)
#   make demo           tests/system/demo.sh in UML (uml-bench), shown live
#   make deb            Debian packages kmig-dkms and migctl from the tree
#                       (dpkg-buildpackage in a copy, then lintian), in
#                       build/deb/ (scripts/deb.sh)
#   make dkms-install   kmig's source in /usr/src/kmig-VERSION, built and
#                       installed by DKMS for every kernel with headers; the
#                       udev rule in /etc/udev/rules.d (scripts/dkms.sh)
#   make dkms-uninstall undo make dkms-install
#   make bench          benchmarks: kmig (UML uml-bench) beside QEMU and the
#                       memory/TCP limits, KMIG_BENCH_ROUNDS interleaved rounds
#                       (default 5), tables in build/results/bench-latest/
#   make fuzz           libFuzzer on the wire codec (clang), FUZZ_SECONDS in all
#                       (default 300) split between its harnesses; results in
#                       build/results/fuzz-latest.json
#   make clean          remove build/ and userspace build products
#   make distclean      clean, and the kernel builds in the cache
#
# Cache: $(KMIG_CACHE) (default ~/.cache/kmig): kernel source, kernel builds,
# Debian kernel images. Logs: build/logs/. Results: build/results/.

KMIG_CACHE ?= $(HOME)/.cache/kmig
export KMIG_CACHE
SCRIPTS := scripts

.PHONY: all test deps kernels modules migctl systest-progs check static unit kunit \
	systest-uml systest-deb61 systest-hosts test-hosts test-install demo bench fuzz \
	deb dkms-install dkms-uninstall clean distclean

all: modules migctl

# Everything but test (scripts/test.sh runs and times deps itself) installs
# what it needs first: 'make demo' works as the first command on a fresh
# Debian 12 machine.
kernels modules migctl systest-progs check static unit kunit systest-uml systest-deb61 \
	systest-hosts test-hosts test-install demo bench fuzz: deps

test:
	@$(SCRIPTS)/test.sh

deps:
	@$(SCRIPTS)/deps.sh

kernels:
	@$(SCRIPTS)/uml-kernel.sh uml-debug && $(SCRIPTS)/uml-kernel.sh uml-bench

modules:
	@$(SCRIPTS)/modules.sh

migctl:
	@$(SCRIPTS)/userspace.sh migctl

systest-progs:
	@$(SCRIPTS)/userspace.sh systest vmm

# Both suites run even when the first fails; the status is the worse.
check:
	@st=0; $(SCRIPTS)/check.sh || st=1; $(SCRIPTS)/unit.sh || st=1; exit $$st

static:
	@$(SCRIPTS)/check.sh

unit:
	@$(SCRIPTS)/unit.sh

kunit:
	@$(SCRIPTS)/kunit.sh

systest-uml:
	@$(SCRIPTS)/systest-uml.sh

systest-deb61:
	@$(SCRIPTS)/systest-deb61.sh

systest-hosts:
	@$(SCRIPTS)/systest-hosts.sh

test-hosts:
	@$(SCRIPTS)/test-hosts.sh

demo:
	@$(SCRIPTS)/systest-uml.sh --demo

test-install:
	@$(SCRIPTS)/test-install.sh

# An operator's targets install only what they need (scripts/deps.sh
# deb|dkms), not the test kernels' tool chain.
deb:
	@$(SCRIPTS)/deps.sh deb && $(SCRIPTS)/deb.sh

dkms-install:
	@$(SCRIPTS)/deps.sh dkms && $(SCRIPTS)/dkms.sh install

dkms-uninstall:
	@$(SCRIPTS)/dkms.sh uninstall

bench:
	@$(SCRIPTS)/bench.sh

fuzz:
	@$(SCRIPTS)/fuzz.sh

clean:
	rm -rf build
	-[ ! -f tools/migctl/Makefile ] || $(MAKE) -C tools/migctl clean
	-[ ! -f tests/system/Makefile ] || $(MAKE) -C tests/system clean
	-[ ! -f tools/example-vmm/Makefile ] || $(MAKE) -C tools/example-vmm clean

distclean: clean
	rm -rf $(KMIG_CACHE)/build
