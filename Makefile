# Thin wrapper around Meson.  `make scan` and `make test` are the two
# commands a new user needs (see README.md).
BUILD ?= build
MESON ?= meson
NINJA ?= ninja
SCAN_ROOT ?= /

.PHONY: all deps scan test asan fuzz bench install clean

all: $(BUILD)/build.ninja
	$(NINJA) -C $(BUILD)

$(BUILD)/build.ninja:
	$(MESON) setup $(BUILD) --buildtype=debugoptimized

deps:
	@sh scripts/install-deps.sh

# Install what is missing, build, and scan this host with the embedded
# intel.  Exit status 1 (findings) is a result, not a failure of make.
scan: deps
	$(MAKE) all
	./$(BUILD)/kensa scan --one-file-system $(SCAN_ROOT) || [ $$? -eq 1 ]

test: all
	sh tests/run.sh $(BUILD)

# The whole suite again under AddressSanitizer and UBSan.
asan:
	[ -f build-asan/build.ninja ] || $(MESON) setup build-asan \
	    -Db_sanitize=address,undefined -Db_lundef=false --buildtype=debug
	$(NINJA) -C build-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    sh tests/run.sh build-asan

# libFuzzer campaigns, FUZZ_SECONDS each (clang).
FUZZ_SECONDS ?= 30
fuzz:
	[ -f build-fuzz/build.ninja ] || CC=clang $(MESON) setup build-fuzz \
	    -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false \
	    --buildtype=debugoptimized -Dtests=disabled
	$(NINJA) -C build-fuzz
	sh scripts/fuzz-all.sh build-fuzz $(FUZZ_SECONDS)

bench: all
	sh bench/log4j.sh ./$(BUILD)/kensa
	sh bench/logs.sh ./$(BUILD)/kensa
	sh bench/fix.sh ./$(BUILD)/kensa

install: all
	$(MESON) install -C $(BUILD)

clean:
	rm -rf $(BUILD) build-asan build-fuzz
