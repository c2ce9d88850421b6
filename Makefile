# ioscope: one GNU Makefile.  `make V=1` shows full commands.

PREFIX   ?= /usr/local
CC       ?= cc
BUILD    ?= build
PKGS     := libuv jansson liburing ncursesw md4c
TEST_PKGS := cmocka

VERSION  := 0.1.0
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wno-unused-parameter
CFLAGS   ?= -O2 -g
CPPFLAGS += -D_GNU_SOURCE -DIOSCOPE_VERSION='"$(VERSION)"' -DIOSCOPE_DATADIR='"$(PREFIX)/share/ioscope"' -I.
ALL_CFLAGS = -std=c11 $(WARN) $(CFLAGS) -MMD -MP -pthread
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TEST_CFLAGS = $(shell pkg-config --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS   = $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)
# Every cmocka group runs through tests/harness.c, which gives each test its
# own time limit (libuv's runner does the same).
TEST_WRAP   = -Wl,--wrap=_cmocka_run_group_tests -Wl,--wrap=cmocka_set_test_filter

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_SRC  := $(wildcard trace/*.c models/*.c attach/*.c scenarios/*.c view/*.c live/*.c tui/*.c lessons/*.c)
MAIN_SRC := $(wildcard cli/*.c)
TEST_SRC := $(wildcard tests/test_*.c)
TEST_COMMON := $(BUILD)/tests/harness.o
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
# Programs not written for ioscope, that the attach tests trace (plain
# builds, no sanitizer: they stand for a learner's own server).
ATTACH_SRC := $(wildcard tests/attach/*.c)

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(MAIN_SRC:%.c=$(BUILD)/%.o)
TESTS    := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
ATTACH_BIN := $(ATTACH_SRC:tests/attach/%.c=$(BUILD)/tests/attach/%)
FUZZ_RUN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%-corpus)

.SECONDARY:
.PHONY: all run test check-tests asan fuzz bench clean install uninstall setup recordings
all: setup ioscope

setup:
	@sh mk/setup.sh

# The binary, and under make asan its sanitizer build (BUILD=build/asan).
ioscope $(BUILD)/ioscope-asan: $(MAIN_OBJ) $(LIB_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(PKG_CFLAGS) $(TEST_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TEST_COMMON) $(LIB_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(TEST_WRAP) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS) -lm

$(BUILD)/tests/attach/%: tests/attach/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)cc -std=gnu11 -O1 -g -Wall -pthread -o $@ $< $(shell pkg-config --libs liburing 2>/dev/null) -lrt

# Each fuzz target also builds against a plain driver that replays its
# corpus, so `make test` runs every shipped file through every parser.
$(BUILD)/fuzz/%-corpus: $(BUILD)/tests/fuzz/%.o $(BUILD)/tests/fuzz/driver.o $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

run: all
	./ioscope

check-tests: ioscope $(TESTS) $(FUZZ_RUN) $(ATTACH_BIN)
	$(Q)sh tests/run.sh $(BUILD)

test: setup
	@$(MAKE) --no-print-directory check-tests

# ASan and UBSan over the whole suite; tests/run.sh fails a suite on any
# report from any process (see there).  clang when there is one: gcc's
# runtime, with both sanitizers in one binary, prints UBSan's reports to
# stderr only (log_path is ignored), where a test that pipes the binary
# into grep never sees them; they still abort the process.  Objects of one
# compiler are never linked with the other's runtime: build/asan is
# emptied when the compiler changes.
ASAN_CC ?= $(shell command -v clang >/dev/null 2>&1 && echo clang || echo $(CC))
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined
asan: setup
	@[ "$$(cat build/asan/.cc 2>/dev/null)" = "$(ASAN_CC)" ] || \
	  { rm -rf build/asan; mkdir -p build/asan; echo "$(ASAN_CC)" > build/asan/.cc; }
	@$(MAKE) --no-print-directory BUILD=build/asan CC=$(ASAN_CC) \
	  CFLAGS="-O1 -g $(SAN_FLAGS) -fno-omit-frame-pointer" \
	  LDFLAGS="$(SAN_FLAGS)" check-tests-asan

.PHONY: check-tests-asan
check-tests-asan: $(BUILD)/ioscope-asan $(TESTS) $(FUZZ_RUN) $(ATTACH_BIN)
	$(Q)IOSCOPE=$(BUILD)/ioscope-asan sh tests/run.sh $(BUILD)

# libFuzzer builds (clang from Debian): build/fuzz/<target>-libfuzzer.
FUZZ_CC ?= clang
fuzz: setup
	@command -v $(FUZZ_CC) >/dev/null || { echo "make fuzz needs clang: apt-get install clang libclang-rt-dev"; exit 1; }
	@mkdir -p $(BUILD)/fuzz
	$(Q)for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
	  echo "  FUZZ    $$n"; \
	  $(FUZZ_CC) $(CPPFLAGS) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -pthread $(PKG_CFLAGS) \
	    -o $(BUILD)/fuzz/$$n-libfuzzer $$f $(LIB_SRC) $(PKG_LIBS) -lm || exit 1; done
	@echo "run e.g.: $(BUILD)/fuzz/fuzz_scn-libfuzzer -max_total_time=60 tests/fuzz/corpus/scn scenarios"

# Recordings of the lessons' runs, shipped for machines where a model
# cannot run live; tests replay each to the narration it was made with.
recordings: all
	$(Q)sh mk/recordings.sh ./ioscope

bench: ioscope
	./ioscope bench --probe
	./ioscope bench --trace

# What install puts under $(DESTDIR)$(PREFIX)/share/ioscope, by its path in
# this tree, and the man page and bash completion beside it; uninstall
# removes exactly these, then each folder install made under share/ioscope
# once nothing else is left in it.  BIN is the binary installed (the tests
# install the one they test, and build nothing).
BIN        ?= ioscope
SHARE       = $(DESTDIR)$(PREFIX)/share/ioscope
MANDIR      = $(DESTDIR)$(PREFIX)/share/man/man1
COMPDIR     = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
DATA_SCN   := $(wildcard scenarios/*.scn)
DATA_REC   := $(wildcard scenarios/recordings/*)
DATA_EN    := $(wildcard lessons/en/*.md)
DATA_ZH    := $(wildcard lessons/zh/*.md)
DATA_SRC   := $(wildcard models/*.c)
DATA_EX    := $(wildcard lessons/exercises/*.py lessons/exercises/*.c)
DATA       := $(DATA_SCN) $(DATA_REC) $(DATA_EN) $(DATA_ZH) $(DATA_SRC) $(DATA_EX)
DATA_DIRS  := scenarios/recordings scenarios lessons/en lessons/zh lessons/exercises lessons models

install: setup $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(addprefix $(SHARE)/,$(DATA_DIRS)) $(MANDIR) $(COMPDIR)
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/ioscope
	install -m 644 $(DATA_SCN) $(SHARE)/scenarios/
	install -m 644 $(DATA_REC) $(SHARE)/scenarios/recordings/
	install -m 644 $(DATA_EN) $(SHARE)/lessons/en/
	install -m 644 $(DATA_ZH) $(SHARE)/lessons/zh/
	install -m 644 $(DATA_SRC) $(SHARE)/models/
	install -m 644 $(DATA_EX) $(SHARE)/lessons/exercises/
	sed 's|/usr/local|$(PREFIX)|g' ioscope.1 >$(MANDIR)/ioscope.1
	chmod 644 $(MANDIR)/ioscope.1
	install -m 644 mk/ioscope.bash $(COMPDIR)/ioscope

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/ioscope $(addprefix $(SHARE)/,$(DATA)) \
	  $(MANDIR)/ioscope.1 $(COMPDIR)/ioscope
	$(Q)for d in $(DATA_DIRS) ""; do \
	  [ ! -d "$(SHARE)/$$d" ] || rmdir "$(SHARE)/$$d" 2>/dev/null || \
	    echo "uninstall: left $(SHARE)/$$d: it holds files install did not put there"; done

clean:
	rm -rf build ioscope

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
