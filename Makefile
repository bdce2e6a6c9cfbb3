# Thin wrapper around CMake, as neovim's: the real build is in CMakeLists.txt.
#   make          build (build/)
#   make test     install what is missing, then the whole suite twice:
#                 gcc build, and clang with ASan+UBSan (build-asan/)
#   make demo     relay real SSM events through a local AWS emulator and show them
#   make clean

BUILD_DIR ?= build
ASAN_DIR  ?= build-asan
CMAKE     ?= cmake
CTEST     ?= ctest
JOBS      ?= $(shell nproc)

.PHONY: all deps build build-asan test test-normal test-asan demo clean

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

test: test-normal test-asan

demo: build
	python3 tests/tools/demo.py --binary $(BUILD_DIR)/daemon/ssm-notifyd

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)
