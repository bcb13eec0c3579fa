# Entry points for people and CI; CMake does the work. See README.md.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTUTTI_WARNINGS_AS_ERRORS=ON
TUTTI := $(BUILD)/apps/tutti/tutti
SOURCES = $(shell find libs apps tests bench examples -name '*.cpp' -o -name '*.hpp' 2>/dev/null)

.PHONY: build demo test test-sanitize bench fuzz format format-check clean

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

bench:
	cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DTUTTI_BUILD_TESTS=OFF
	cmake --build build-release -j $(JOBS) --target tutti_bench
	mkdir -p bench/results
	build-release/bench/tutti_bench --benchmark_out=bench/results/benchmarks.json \
	  --benchmark_out_format=json

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
	rm -rf build build-sanitize build-release build-fuzz
