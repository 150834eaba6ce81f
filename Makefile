# SPDX-License-Identifier: GPL-2.0
# Isolation groups: a patch series against Linux 6.12 (see README.md).

SHELL := /bin/bash
S := scripts

.PHONY: all check demo bench deps test-deps tree new-files vm-kunit refresh series roundtrip static kunit \
	vm-kernel vm-initramfs vmtest peers fuzz-topologies bisect-check configs model-soak guest-model \
	clean help

all: help

help:
	@echo "make check         every test: static gates, series round trip, KUnit, VM tests"
	@echo "make demo          boot the patched kernel on the VT-d guest, show the groups"
	@echo "make deps          install missing Debian packages (base: see BASE)"
	@echo "make test-deps     run make deps against stubbed dpkg-query/apt-get (fresh machine)"
	@echo "make tree          unpack the base and apply the series -> build/linux-<ver>"
	@echo "make new-files     check that every new file stands whole at its path, as in the tree"
	@echo "make refresh       regenerate patches/ and new files from the kernel git tree"
	@echo "make series        write the mailable series with cover letter -> build/series"
	@echo "make roundtrip     git am build/series onto the pristine base, compare trees"
	@echo "make static        checkpatch --strict, kernel-doc, sparse and W=1"
	@echo "make kunit         KUnit suites on UML with KASAN and lockdep"
	@echo "make configs       the series' objects with ISOLATION_GROUPS=n, VFIO_GROUP=n, PCI=n"
	@echo "make model-soak    the manager model with many seeds (SEEDS=, STEPS=, SEED=)"
	@echo "make guest-model   the sysfs-level model in the VFIO guest (SEEDS=, STEPS=, SEED=)"
	@echo "make vmtest        kselftests in the QEMU guest, every topology"
	@echo "make vm-kunit      the isolation KUnit suites in the x86_64 guest on 4 vCPUs"
	@echo "make peers         the driver core's and iommufd's suites, base vs series"
	@echo "make fuzz-topologies  random q35 machines, IOMMU groups base vs series (N=, SEED=)"
	@echo "make bench         benchmarks of the driver-core hooks (prints ratios)"
	@echo "make bisect-check  build the guest kernel at every patch of the series"
	@echo "make clean         remove build/ (the caches it points to stay)"

check:
	@$(S)/check.sh

demo:
	@$(S)/demo.sh

deps:
	@$(S)/deps.sh

test-deps:
	@$(S)/test-deps.sh

tree: deps
	@$(S)/tree.sh >/dev/null

new-files: tree
	@$(S)/check-new-files.sh

refresh:
	@$(S)/refresh.sh

series: deps
	@$(S)/series.sh

roundtrip: deps
	@$(S)/series.sh --roundtrip

static: series
	@$(S)/static.sh

kunit: deps
	@$(S)/kunit.sh

configs: deps
	@$(S)/configs.sh

model-soak: deps
	@$(S)/kunit.sh --model-soak "$(or $(SEEDS),200)" "$(or $(STEPS),4000)" "$(or $(SEED),1000)"

guest-model: deps
	@$(S)/vm.sh kernel && $(S)/vm.sh initramfs && \
		SEED="$(or $(SEED),100)" SEEDS="$(or $(SEEDS),10)" STEPS="$(or $(STEPS),1000)" $(S)/vm.sh model

vm-kernel: deps
	@$(S)/vm.sh kernel

vm-initramfs: vm-kernel
	@$(S)/vm.sh initramfs

vmtest: vm-initramfs
	@$(S)/vm.sh test

vm-kunit: vm-initramfs
	@$(S)/vm.sh kunit

peers: deps
	@$(S)/peers.sh

fuzz-topologies: deps
	@$(S)/fuzz-topologies.sh "$(or $(N),5)" "$(or $(SEED),1)"

bench:
	@$(S)/bench.sh

bisect-check: deps
	@$(S)/bisect-check.sh

clean:
	rm -rf build
