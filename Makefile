# bulwark: a thin wrapper over meson/ninja. `make demo` and `make test` are the quick start.
PREFIX ?= /usr/local
BUILD  ?= build

.PHONY: all deps build demo test bench install clean fuzz

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) --prefix=$(PREFIX)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

demo: build
	@scripts/demo.sh

test: build
	@tests/run.sh

bench: build
	@bench/inspect.sh
	@bench/scan.sh
	@bench/registry.sh

install: build
	meson install -C $(BUILD)

clean:
	rm -rf $(BUILD) build-asan build-fuzz
