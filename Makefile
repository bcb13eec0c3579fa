# Entry points for people and CI; CMake does the work. See README.md.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTUTTI_WARNINGS_AS_ERRORS=ON
TUTTI := $(BUILD)/apps/tutti/tutti
SOURCES = $(shell find libs apps tests bench examples -name '*.cpp' -o -name '*.hpp' 2>/dev/null)

.PHONY: build demo test test-sanitize test-tsan bench fuzz format format-check clean

build:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(TUTTI) list
	$(TUTTI) plan code-review
	$(TUTTI) run code-review </dev/null

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# The same tests built with AddressSanitizer and UndefinedBehaviorSanitizer.
test-sanitize:
	$(MAKE) test BUILD=build-sanitize CMAKE_FLAGS="-DCMAKE_BUILD_TYPE=Debug \
	  -DTUTTI_WARNINGS_AS_ERRORS=ON -DTUTTI_SANITIZE=ON -DTUTTI_BUILD_BENCH=OFF"

# The tests of the libraries without CAF (HTTP client, parsers, admission, definitions, the
# store's writer thread) under ThreadSanitizer; CAF from Debian is not instrumented, so the
# engine's tests cannot be.
TSAN_TESTS = definition_tests resources_tests providers_tests fuzz_corpus_tests llm_orc_tests \
  store_writer_tests
test-tsan:
	cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DTUTTI_WARNINGS_AS_ERRORS=ON \
	  -DTUTTI_TSAN=ON -DTUTTI_BUILD_BENCH=OFF
	cmake --build build-tsan -j $(JOBS) --target $(TSAN_TESTS)
	ctest --test-dir build-tsan --output-on-failure -j $(JOBS) -L "$(subst $() ,|,$(TSAN_TESTS))"

# The benchmark suite beside the asyncio baseline; writes bench/results/ (see REPORT.md).
bench:
	bench/run

# libFuzzer targets, built with clang (scripts/setup --fuzz installs it); FUZZ_SECONDS each.
FUZZ_SECONDS ?= 60
fuzz:
	cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DTUTTI_FUZZ=ON -DTUTTI_BUILD_TESTS=OFF -DTUTTI_BUILD_BENCH=OFF
	cmake --build build-fuzz -j $(JOBS)
	scripts/fuzz $(FUZZ_SECONDS)

format:
	@clang-format -i $(SOURCES)

format-check:
	@clang-format --dry-run --Werror $(SOURCES) && echo "format-check: clean"

clean:
	rm -rf build build-sanitize build-tsan build-release build-fuzz
