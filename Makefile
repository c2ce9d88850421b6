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

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_SRC  := $(wildcard trace/*.c models/*.c scenarios/*.c tui/*.c lessons/*.c) run.c
MAIN_SRC := ioscope.c cli_learn.c cli_help.c bench.c
TEST_SRC := $(wildcard tests/test_*.c)
TEST_COMMON := $(BUILD)/tests/harness.o
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(MAIN_SRC:%.c=$(BUILD)/%.o)
TESTS    := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
FUZZ_RUN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%-corpus)

.SECONDARY:
.PHONY: all run test check-tests asan fuzz bench clean install setup recordings
all: setup ioscope

setup:
	@sh mk/setup.sh

ioscope: $(MAIN_OBJ) $(LIB_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(PKG_CFLAGS) $(TEST_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TEST_COMMON) $(LIB_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS) -lm

# Each fuzz target also builds against a plain driver that replays its
# corpus, so `make test` runs every shipped file through every parser.
$(BUILD)/fuzz/%-corpus: $(BUILD)/tests/fuzz/%.o $(BUILD)/tests/fuzz/driver.o $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

run: all
	./ioscope

check-tests: ioscope $(TESTS) $(FUZZ_RUN)
	$(Q)sh tests/run.sh $(BUILD)

test: setup
	@$(MAKE) --no-print-directory check-tests

asan: setup
	@$(MAKE) --no-print-directory BUILD=build/asan \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  LDFLAGS="-fsanitize=address,undefined" check-tests-asan

.PHONY: check-tests-asan
check-tests-asan: $(BUILD)/ioscope-asan $(TESTS) $(FUZZ_RUN)
	$(Q)IOSCOPE=$(BUILD)/ioscope-asan sh tests/run.sh $(BUILD)

$(BUILD)/ioscope-asan: $(MAIN_OBJ) $(LIB_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

# libFuzzer builds (clang from Debian): build/fuzz/<target>-libfuzzer.
FUZZ_CC ?= clang
fuzz: setup
	@command -v $(FUZZ_CC) >/dev/null || { echo "make fuzz needs clang: apt-get install clang libclang-rt-dev"; exit 1; }
	@mkdir -p $(BUILD)/fuzz
	$(Q)for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
	  echo "  FUZZ    $$n"; \
	  $(FUZZ_CC) $(CPPFLAGS) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -pthread $(PKG_CFLAGS) \
	    -o $(BUILD)/fuzz/$$n-libfuzzer $$f $(LIB_SRC) $(PKG_LIBS) -lm || exit 1; done
	@echo "run e.g.: $(BUILD)/fuzz/fuzz_scn-libfuzzer -max_total_time=60 tests/fuzz/corpus/scn scenarios"

# Recordings of the lessons' runs, shipped for machines where a model
# cannot run live; tests replay each to the narration it was made with.
recordings: all
	$(Q)sh mk/recordings.sh ./ioscope

bench: ioscope
	./ioscope bench --probe

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/ioscope/scenarios
	install -m 755 ioscope $(DESTDIR)$(PREFIX)/bin/ioscope
	install -m 644 scenarios/*.scn $(DESTDIR)$(PREFIX)/share/ioscope/scenarios/
	install -d $(DESTDIR)$(PREFIX)/share/ioscope/scenarios/recordings \
	  $(DESTDIR)$(PREFIX)/share/ioscope/lessons/en $(DESTDIR)$(PREFIX)/share/ioscope/lessons/zh \
	  $(DESTDIR)$(PREFIX)/share/ioscope/models
	install -m 644 scenarios/recordings/* $(DESTDIR)$(PREFIX)/share/ioscope/scenarios/recordings/
	install -m 644 lessons/en/*.md $(DESTDIR)$(PREFIX)/share/ioscope/lessons/en/
	install -m 644 lessons/zh/*.md $(DESTDIR)$(PREFIX)/share/ioscope/lessons/zh/
	install -m 644 models/*.c $(DESTDIR)$(PREFIX)/share/ioscope/models/
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	sed 's|/usr/local|$(PREFIX)|g' ioscope.1 >$(DESTDIR)$(PREFIX)/share/man/man1/ioscope.1
	chmod 644 $(DESTDIR)$(PREFIX)/share/man/man1/ioscope.1
	install -m 644 mk/ioscope.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/ioscope

.PHONY: uninstall
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/ioscope $(DESTDIR)$(PREFIX)/share/man/man1/ioscope.1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/ioscope
	rm -rf $(DESTDIR)$(PREFIX)/share/ioscope

clean:
	rm -rf build ioscope

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
