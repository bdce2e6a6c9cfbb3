# Thin wrapper around CMake, as neovim's: the real build is in CMakeLists.txt.
#   make          build (build/)
#   make test     install what is missing, then the whole suite twice:
#                 gcc build (with valgrind and cppcheck), and clang with
#                 ASan+UBSan (build-asan/); then each libFuzzer target
#                 briefly (build-fuzz/)
#   make fuzz     each libFuzzer target for FUZZ_SECONDS (default 600)
#   make demo     relay real SSM events through a local AWS emulator and show them
#   make clean

BUILD_DIR ?= build
ASAN_DIR  ?= build-asan
FUZZ_DIR  ?= build-fuzz
FUZZ_SECONDS ?= 600
CMAKE     ?= cmake
CTEST     ?= ctest
JOBS      ?= $(shell nproc)

.PHONY: all deps build build-asan build-fuzz test test-normal test-asan test-fuzz fuzz demo clean

all: build

deps:
	@tests/tools/install-deps.sh

build: deps
	$(CMAKE) -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo
	$(CMAKE) --build $(BUILD_DIR) -j $(JOBS)

build-asan: deps
	$(CMAKE) -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DSSMN_SANITIZE=ON
	$(CMAKE) --build $(ASAN_DIR) -j $(JOBS)

test-normal: build
	$(CTEST) --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

test-asan: build-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	$(CTEST) --test-dir $(ASAN_DIR) --output-on-failure -j $(JOBS)

build-fuzz: deps
	$(CMAKE) -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSSMN_FUZZ=ON
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

demo: build
	python3 tests/tools/demo.py --binary $(BUILD_DIR)/daemon/ssm-notifyd

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR)
