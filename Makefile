# bulwark: a thin wrapper over meson/ninja. `make demo` and `make test` are the quick start.
PREFIX ?= /usr/local
BUILD  ?= build

.PHONY: all deps build demo test bench install clean fuzz golden

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

# Regenerates the golden table reports (tests/golden/scan-table/) from a fresh scan; the
# files are never edited by hand. Review `git diff tests/golden` before committing.
golden: build
	@tests/lib/golden.sh

bench: build
	@bench/inspect.sh
	@bench/scan.sh
	@bench/registry.sh
	@bench/scale.sh
	@bench/misconfig.sh
	@bench/secrets.sh

install: build
	meson install -C $(BUILD)

clean:
	rm -rf $(BUILD) build-asan build-fuzz
