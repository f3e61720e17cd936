# edgerun: the two set-up commands are `make demo` and `make test`; each installs the missing
# Debian 12 packages, configures, builds and runs.
SHELL := /bin/bash
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 60
CMAKE_FLAGS ?=

DEB_PACKAGES := cmake g++ make ccache pkg-config libonnx-dev libprotobuf-dev protobuf-compiler \
  libonnx-testdata libgtest-dev libcli11-dev nlohmann-json3-dev clang libclang-rt-14-dev zlib1g-dev \
  dataset-fashion-mnist libxnnpack-dev libpthreadpool-dev libdnnl-dev libsqlite3-dev libcpp-httplib-dev \
  libtomlplusplus-dev libssl-dev mosquitto

export CCACHE_DIR ?= $(HOME)/.cache/ccache
# Paths relative to the checkout, so clones in other folders (CI) hit the same cache entries.
export CCACHE_BASEDIR ?= $(CURDIR)

.PHONY: all deps build peers demo test unit conformance conformance-doc asan fuzz zoo bench clean

all: build

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing missing Debian packages: $$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

# ONNX Runtime for Node.js, the peer runtime of the zoo checks and `make bench`; a failed install
# only makes those checks skip.
peers:
	@[ -d bench/peers/node_modules/onnxruntime-node ] || ! command -v npm >/dev/null || \
	  (cd bench/peers && ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm ci --no-audit --no-fund >/dev/null 2>&1) || \
	  echo "warning: could not install onnxruntime-node; ONNX Runtime comparisons will be skipped"

demo: build
	./$(BUILD)/edgerun info models/demo/sensor_demo.onnx
	./$(BUILD)/edgerun run models/demo/sensor_demo.onnx -i models/demo/test_data_set_0/input_0.pb -o $(BUILD)/demo_out --npy

unit: build
	cd $(BUILD) && ctest -L unit --output-on-failure -j$(JOBS) | tail -n 25

conformance: build
	./$(BUILD)/edgerun_conformance --providers cpu --providers xnnpack,cpu --ratchet tests/conformance/ratchet.txt

# Regenerates docs/conformance.md and raises the ratchet to the current counts.
conformance-doc: build
	./$(BUILD)/edgerun_conformance --providers cpu --providers xnnpack,cpu --doc docs/conformance.md \
	  --ratchet tests/conformance/ratchet.txt --update-ratchet

# One clang build with ASan + UBSan (and libFuzzer coverage) serves both the sanitizer run of the
# unit tests and the fuzz target, so CI compiles the library twice, not three times.
$(ASAN_BUILD)/CMakeCache.txt:
	CXX=clang++ cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DEDGERUN_SANITIZE=ON -DEDGERUN_FUZZ=ON $(CMAKE_FLAGS) >/dev/null

asan: deps $(ASAN_BUILD)/CMakeCache.txt
	cmake --build $(ASAN_BUILD) -j$(JOBS) --target edgerun_unit_tests edgerun fuzz_model_load
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ./edgerun_unit_tests --gtest_brief=1 2>&1 | tail -n 15; exit $${PIPESTATUS[0]}

fuzz: deps $(ASAN_BUILD)/CMakeCache.txt
	cmake --build $(ASAN_BUILD) -j$(JOBS) --target fuzz_model_load
	mkdir -p $(ASAN_BUILD)/corpus
	./$(ASAN_BUILD)/fuzz_model_load -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -timeout=10 \
	  -print_final_stats=1 $(ASAN_BUILD)/corpus tests/fuzz/corpus 2>&1 | tail -n 12; exit $${PIPESTATUS[0]}

# Unit + integration tests, the conformance ratchet, the sanitizer run and a bounded fuzz run.
test: build peers
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) 2>&1 | tail -n 40; exit $${PIPESTATUS[0]}
	$(MAKE) --no-print-directory asan
	$(MAKE) --no-print-directory fuzz

zoo:
	sh tools/zoo/make_zoo.sh

# Benchmarks the model zoo side by side with ONNX Runtime and writes docs/performance.md.
bench: build peers
	/usr/bin/python3 bench/run_bench.py --edgerun $(BUILD)/edgerun --iterations 2000 --rounds 3 --budget-s 30 --out docs/performance.md

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
