# Thin wrapper around Meson.  `make scan` and `make test` are the two
# commands a new user needs (see README.md).
BUILD ?= build
MESON ?= meson
NINJA ?= ninja
SCAN_ROOT ?= /

.PHONY: all deps scan test asan fuzz bench install static deb clean

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
	sh bench/doc.sh ./$(BUILD)/kensa
	sh bench/mail.sh ./$(BUILD)/kensa
	sh bench/hunt.sh ./$(BUILD)/kensa

install: all
	$(MESON) install -C $(BUILD)

VERSION := $(shell sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" meson.build | head -1)
ARCH := $(shell uname -m)
STATIC_BIN = dist/kensa-$(VERSION)-linux-$(ARCH)-static

# One self-contained binary for old or minimal hosts (README, "Install"):
# static glibc and every library from its static archive (meson
# -Dstatic=true), stripped into dist/, and refused unless nothing in it
# asks for a dynamic loader or a shared library.
static:
	[ -f build-static/build.ninja ] || $(MESON) setup build-static \
	    -Dstatic=true -Dtests=disabled --buildtype=release
	$(NINJA) -C build-static kensa
	mkdir -p dist
	strip -o $(STATIC_BIN).tmp build-static/kensa
	file $(STATIC_BIN).tmp | grep -Eq 'static(-pie)? linked'
	! readelf -d $(STATIC_BIN).tmp | grep -q NEEDED
	! readelf -l $(STATIC_BIN).tmp | grep -q 'program interpreter'
	mv $(STATIC_BIN).tmp $(STATIC_BIN)
	@ls -l $(STATIC_BIN)

# A Debian package built by debhelper (debian/) from a copy of the tree in
# build-deb/, since dpkg-buildpackage writes next to its source folder;
# the .deb lands in dist/.
deb:
	rm -rf build-deb && mkdir -p build-deb/kensa-$(VERSION) dist
	tar -cf - --exclude=./.git --exclude='./build*' --exclude=./dist . | \
	    tar -xf - -C build-deb/kensa-$(VERSION)
	cd build-deb/kensa-$(VERSION) && dpkg-buildpackage -us -uc -b
	cp build-deb/*.deb dist/
	@ls -l dist/*.deb

clean:
	rm -rf $(BUILD) build-asan build-fuzz build-static build-deb dist
