# jianxi: build, test, demo and benchmarks. Every source in core/, etl/,
# transforms/, reports/, pipeline/ and portal/ goes into one library; cmd/
# holds the program.

CC      ?= cc
PKGS    := xlsxwriter minizip expat libpq zlib libsodium libmicrohttpd
CFLAGS_BASE := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
	-Wmissing-prototypes -Wno-unused-parameter -g \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS    := -lcsv $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm

# build/release: the program users run; build/check: the same code under
# AddressSanitizer and UndefinedBehaviorSanitizer, for the tests.
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
OUT     ?= build/release
ifeq ($(OUT),build/check)
CFLAGS  := $(CFLAGS_BASE) -O1 $(SAN)
LDFLAGS := $(SAN)
else ifeq ($(OUT),build/bench)
CFLAGS  := $(CFLAGS_BASE) -O3 -march=x86-64-v2 -DNDEBUG
LDFLAGS :=
else
CFLAGS  := $(CFLAGS_BASE) -O2
LDFLAGS :=
endif

LIB_SRC  := $(wildcard core/*.c etl/*.c transforms/*.c reports/*.c pipeline/*.c portal/*.c)
CMD_SRC  := $(wildcard cmd/*.c)
TEST_SRC := $(wildcard tests/test_*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(OUT)/%.o)
CMD_OBJ  := $(CMD_SRC:%.c=$(OUT)/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(OUT)/tests/%)

.PHONY: all deps deps-build build install check test-unit test-pg demo bench fuzz clean format

all: build
build: $(OUT)/jianxi
	@ln -sf $(OUT)/jianxi jianxi

# The program, for a scheduled run: make install PREFIX=/usr/local
PREFIX ?= /usr/local
install: build
	install -D -m 0755 build/release/jianxi $(DESTDIR)$(PREFIX)/bin/jianxi

# The Debian packages each target needs, installed by scripts/install_deps.sh
# (silent when everything is present). The build and the demo need only the
# compiler and the libraries; the tests also run PostgreSQL, valgrind, python3
# with openpyxl (to read back and fill workbooks), unzip (to read a workbook's
# XML parts) and LibreOffice Calc (the one independent check that every
# workbook jianxi writes opens in office software).
BUILD_PKGS := gcc make pkg-config libcsv-dev libxlsxwriter-dev libminizip-dev \
	zlib1g-dev libexpat1-dev libpq-dev libsodium-dev libmicrohttpd-dev tzdata
CHECK_PKGS := $(BUILD_PKGS) libcriterion-dev postgresql valgrind python3 \
	python3-openpyxl unzip libreoffice-calc-nogui chromium nodejs npm \
	fonts-wqy-microhei
# The portal's browser test drives Debian's chromium with puppeteer-core
# (from npm, pinned in tests/e2e/package-lock.json, installed into
# tests/e2e/node_modules); its screenshots need a Chinese font
# (fonts-wqy-microhei) to be read. scripts/install_deps.sh takes a working
# npm command for the npm package: a nodejs from elsewhere (NodeSource)
# bundles its own npm, and Debian's npm package conflicts with it.

# make deps: everything the build, the demo and the tests need.
deps:
	@scripts/install_deps.sh $(CHECK_PKGS)
	@scripts/install_npm_deps.sh tests/e2e

deps-build:
	@scripts/install_deps.sh $(BUILD_PKGS)

$(OUT)/libjianxi.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	@rm -f $@
	@$(AR) rcs $@ $^

$(OUT)/jianxi: $(CMD_OBJ) $(OUT)/libjianxi.a
	@echo "  LINK    $@"
	@$(CC) $(LDFLAGS) -o $@ $(CMD_OBJ) $(OUT)/libjianxi.a $(LIBS)

# The portal's static files are compiled into the program: portal/static.c
# (committed) is made from them again whenever one changes.
portal/static.c: $(wildcard portal/static/*) scripts/embed_static.sh
	@echo "  EMBED   $@"
	@scripts/embed_static.sh

$(OUT)/%.o: %.c $(wildcard core/*.h etl/*.h transforms/*.h reports/*.h pipeline/*.h portal/*.h cmd/*.h)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	@$(CC) $(CFLAGS) -c -o $@ $<

$(OUT)/tests/%: tests/%.c $(OUT)/libjianxi.a $(wildcard tests/*.h)
	@mkdir -p $(@D)
	@echo "  TEST    $@"
	@$(CC) $(CFLAGS) -o $@ $< $(OUT)/libjianxi.a $(LIBS) -lcriterion

# The README's test command: every test, under the sanitizers, with a real
# PostgreSQL server started for the store tests; one closing line of totals.
check: deps
	$(MAKE) OUT=build/release build/release/jianxi
	$(MAKE) OUT=build/check build/check/jianxi $(TEST_SRC:tests/%.c=build/check/tests/%)
	@scripts/with_postgres.sh scripts/run_tests.sh build/check all

# Without PostgreSQL: every test but the test_*_pg ones.
test-unit: $(OUT)/jianxi $(TEST_BIN)
	@scripts/run_tests.sh $(OUT)

test-pg: $(OUT)/jianxi $(TEST_BIN)
	@scripts/with_postgres.sh scripts/run_tests.sh $(OUT) pg

demo: deps-build
	$(MAKE) build
	@scripts/demo.sh

bench: deps
	$(MAKE) OUT=build/bench build/bench/jianxi
	@scripts/bench.sh build/bench/jianxi

fuzz:
	@scripts/fuzz.sh

format:
	clang-format -i core/*.[ch] etl/*.[ch] transforms/*.[ch] reports/*.[ch] portal/*.[ch] cmd/*.[ch] tests/*.[ch]

clean:
	rm -rf build jianxi
