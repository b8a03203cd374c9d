# riskdesk: the two commands are `make run` (the demo) and `make test`.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
WERROR     ?= ON
PREFIX     ?= /usr/local

.PHONY: all deps bench-deps build install run test test-fast test-asan valgrind bench fuzz clean

all: build

deps:
	@bash scripts/deps.sh

# the peers the benchmarks run beside riskdesk (pandas, nginx); not needed by make test
bench-deps:
	@bash scripts/deps.sh --bench

$(BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD) -DRD_WERROR=$(WERROR) >/dev/null

build: deps $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

# the program, libriskdesk.a, include/riskdesk/*.h and riskdesk.pc under $(DESTDIR)$(PREFIX)
install: build
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix "$(PREFIX)"

run: build
	./$(BUILD)/riskdesk demo $(ARGS)

# each ctest run ends with what it did: ran, passed, failed, skipped and why
test-fast: build
	cmake --build $(BUILD) --target benches -j $(JOBS)   # the benchmarks must keep building
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --output-junit junit.xml; rc=$$?; \
	  bash $(CURDIR)/scripts/test_summary.sh "$$PWD/junit.xml"; exit $$rc

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DRD_WERROR=ON -DRD_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS) \
	  --output-junit junit.xml; rc=$$?; bash $(CURDIR)/scripts/test_summary.sh "$$PWD/junit.xml"; exit $$rc

valgrind: build
	bash scripts/valgrind.sh $(BUILD)

test: test-fast test-asan valgrind
	@echo "== make test: what ran"
	@bash scripts/test_summary.sh $(BUILD)/junit.xml $(ASAN_BUILD)/junit.xml

bench: build bench-deps
	cmake --build $(BUILD) --target benches -j $(JOBS)
	bash scripts/bench.sh $(BUILD)

fuzz: deps
	CC=clang cmake -S . -B build-fuzz -DRD_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build build-fuzz --target fuzzers -j $(JOBS)
	bash scripts/fuzz.sh build-fuzz

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
