# churnkit -- see README.md.  `make demo` and `make check` are all a new user
# needs: both install missing Debian packages first (.ci/deps.sh).

PREFIX  ?= /usr/local
CC      ?= cc
PKGS    := gsl jansson
SANITIZE ?=

ifeq ($(SANITIZE),1)
BUILD   := build/san
BINDIR  := build/san/bin
OPT     := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
BUILD   := build/rel
BINDIR  := bin
OPT     := -O2 -g
endif

CFLAGS_ALL = -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L $(OPT) \
             -Wall -Wextra -Werror -Iinclude -MMD -MP \
             $(shell pkg-config --cflags $(PKGS)) $(CFLAGS)
LDLIBS_ALL = $(shell pkg-config --libs $(PKGS)) -lcsv -lsvm -lxgboost -lpthread -lm $(LDLIBS)
CHECK_CFLAGS = $(shell pkg-config --cflags check)
CHECK_LIBS   = $(shell pkg-config --libs check)

LIB_SRC  := $(sort $(wildcard src/lib/*.c))
LIB_OBJ  := $(LIB_SRC:src/lib/%.c=$(BUILD)/lib/%.o)
LIB      := $(BUILD)/libchurnkit.a
CLI_SRC  := $(sort $(wildcard src/cli/churnkit-*.c))
PROGRAMS := $(CLI_SRC:src/cli/%.c=$(BINDIR)/%)
CLI_COMMON_SRC := $(filter-out src/cli/churnkit-%.c,$(wildcard src/cli/*.c))
CLI_COMMON_OBJ := $(CLI_COMMON_SRC:src/cli/%.c=$(BUILD)/cli/%.o)
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
TESTS    := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
MAN_PAGES := $(wildcard man/*.1)

.SECONDARY:

.PHONY: shared check-python man check-mpi check-replay bench-progs all lib programs tests check check-unit check-cli demo bench fuzz notebooks \
        install clean deps deps-check valgrind-unit

all: $(PROGRAMS)

lib: $(LIB)
programs: $(PROGRAMS)
tests: $(TESTS)

$(BUILD)/lib/%.o: src/lib/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

# The shared library (make shared): the same sources compiled again with
# -fPIC into their own objects, linked with the version script that exports
# only the ck_ API; the soname carries the major version (libchurnkit.so.0),
# the file the whole version, as Debian's libraries do.
SO_VERSION := $(shell sed -n 's/^\#define CK_VERSION "\(.*\)"/\1/p' include/churnkit/version.h)
SO_MAJOR   := $(firstword $(subst ., ,$(SO_VERSION)))
SO_NAME    := libchurnkit.so.$(SO_MAJOR)
SO_FILE    := $(BUILD)/libchurnkit.so.$(SO_VERSION)
SO_LINKS   := $(BUILD)/$(SO_NAME) $(BUILD)/libchurnkit.so
PIC_OBJ    := $(LIB_SRC:src/lib/%.c=$(BUILD)/pic/%.o)

$(BUILD)/pic/%.o: src/lib/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -fPIC -c $< -o $@

$(SO_FILE): $(PIC_OBJ) src/lib/libchurnkit.map
	$(CC) $(OPT) -shared -Wl,-soname,$(SO_NAME) -Wl,--version-script=src/lib/libchurnkit.map \
	  -Wl,--no-undefined $(PIC_OBJ) $(LDLIBS_ALL) -o $@
	ln -sf $(notdir $(SO_FILE)) $(BUILD)/$(SO_NAME)
	ln -sf $(SO_NAME) $(BUILD)/libchurnkit.so

shared: $(SO_FILE)

$(BUILD)/cli/%.o: src/cli/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

$(BINDIR)/%: $(BUILD)/cli/%.o $(CLI_COMMON_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(OPT) $< $(CLI_COMMON_OBJ) $(LIB) $(LDLIBS_ALL) -o $@

# The MPI build: `make MPI=1` adds churnkit-train-mpi, compiled from the
# same churnkit-train.c with CK_MPI and linked with src/mpi through Open
# MPI's mpicc (`.ci/deps.sh mpi` installs it).
MPICC    ?= mpicc
MPI_PROG := $(BINDIR)/churnkit-train-mpi
ifeq ($(MPI),1)
all: $(MPI_PROG)
endif

$(BUILD)/mpi/churnkit-train.o: src/cli/churnkit-train.c
	@mkdir -p $(@D)
	$(MPICC) $(CFLAGS_ALL) -DCK_MPI -c $< -o $@

$(BUILD)/mpi/mpi.o: src/mpi/mpi.c
	@mkdir -p $(@D)
	$(MPICC) $(CFLAGS_ALL) -c $< -o $@

$(MPI_PROG): $(BUILD)/mpi/churnkit-train.o $(BUILD)/mpi/mpi.o $(CLI_COMMON_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(MPICC) $(OPT) $^ $(LDLIBS_ALL) -o $@

$(BUILD)/tobj/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(CHECK_CFLAGS) -DCK_TEST_DATA='"$(CURDIR)/tests/data"' -c $< -o $@

$(BUILD)/tests/%: $(BUILD)/tobj/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(OPT) $< $(LIB) $(CHECK_LIBS) $(LDLIBS_ALL) -o $@

# The public targets first make sure the Debian packages are there, then run
# the real work in a sub-make, so pkg-config sees what was just installed.
deps:
	@.ci/deps.sh build

deps-check:
	@.ci/deps.sh check

check: deps-check
	@$(MAKE) --no-print-directory check-unit check-cli check-replay check-mpi check-python

# With mpirun and mpicc on the machine (not under SANITIZE: Open MPI's own
# allocations would drown LeakSanitizer), train on 3 processes and compare
# with one; otherwise say it was skipped.
check-mpi:
	@if [ -z "$(SANITIZE)" ] && command -v mpirun >/dev/null && command -v $(MPICC) >/dev/null; then \
	  $(MAKE) --no-print-directory $(PROGRAMS) $(MPI_PROG) && \
	  CK_BIN=$(CURDIR)/$(BINDIR) sh tests/mpi/test_mpi.sh && echo "ok   mpi (3 processes)"; \
	else echo "skip mpi (no mpirun/mpicc, or SANITIZE)"; fi

# The Python package (python/) over the shared library, from the source
# tree: its pytest suite drives the programs too, for the round trips.  Not
# under SANITIZE: an ASan library cannot be loaded into an uninstrumented
# python3.
check-python:
	@if [ -z "$(SANITIZE)" ]; then \
	  $(MAKE) --no-print-directory $(SO_FILE) $(PROGRAMS) && \
	  CHURNKIT_LIB=$(CURDIR)/$(SO_FILE) CK_BIN=$(CURDIR)/$(BINDIR) PYTHONPATH=$(CURDIR)/python \
	    /usr/bin/python3 -m pytest -q -p no:cacheprovider python/tests && echo "ok   python"; \
	else echo "skip python (SANITIZE)"; fi

check-unit: $(TESTS)
	@tests/run-unit.sh $(TESTS)

check-cli: $(PROGRAMS)
	@CK_BIN=$(CURDIR)/$(BINDIR) tests/cli/run.sh

valgrind-unit: $(TESTS)
	@CK_VALGRIND=1 tests/run-unit.sh $(TESTS)

# The man page's estimator list comes from the estimator table.
man: $(BINDIR)/churnkit-train
	@man/estimators.sh $(BINDIR)

demo:
	@.ci/deps.sh demo
	@$(MAKE) --no-print-directory all
	@models/demo.sh

BENCH_PROGS := $(patsubst bench/%.c,build/bench/%,$(wildcard bench/*.c))

build/bench/%: bench/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $< $(LIB) $(LDLIBS_ALL) -o $@

bench-progs: $(BENCH_PROGS)

# Fuzzing (clang's libFuzzer, with ASan and UBSan): `make fuzz` runs every
# harness in tests/fuzz for FUZZ_SECONDS (default 60) on the saved corpus;
# new inputs go to build/fuzz/corpus-NAME, crashes to build/fuzz/.
# `make check` replays the saved corpus and past crashes (tests/fuzz/crashes)
# through the same harnesses built with the ordinary compiler.
FUZZERS      := csv model features svm_model
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS   = -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -O1 -g -Iinclude \
                -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                $(shell pkg-config --cflags $(PKGS))
FUZZ_LIB_OBJ := $(LIB_SRC:src/lib/%.c=build/fuzz/lib/%.o)
REPLAYS      := $(FUZZERS:%=$(BUILD)/fuzz/replay_%)

build/fuzz/lib/%.o: src/lib/%.c
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -MMD -MP -fsanitize=fuzzer-no-link -c $< -o $@
-include $(FUZZ_LIB_OBJ:.o=.d)

build/fuzz/libchurnkit.a: $(FUZZ_LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c build/fuzz/libchurnkit.a
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer $< build/fuzz/libchurnkit.a $(LDLIBS_ALL) -o $@

$(BUILD)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) tests/fuzz/fuzz_$*.c tests/fuzz/replay.c $(LIB) $(LDLIBS_ALL) -o $@

check-replay: $(REPLAYS)
	@for f in $(FUZZERS); do \
	  files=$$(ls tests/fuzz/corpus/$$f/* tests/fuzz/crashes/$$f/* 2>/dev/null); \
	  $(BUILD)/fuzz/replay_$$f $$files || { echo "FAIL: fuzz replay $$f" >&2; exit 1; }; \
	  echo "ok   fuzz replay $$f ($$(echo $$files | wc -w) inputs)"; \
	done

fuzz:
	@.ci/deps.sh fuzz
	@$(MAKE) --no-print-directory $(FUZZERS:%=build/fuzz/fuzz_%)
	@for f in $(FUZZERS); do \
	  mkdir -p build/fuzz/corpus-$$f; \
	  echo "== fuzz $$f for $(FUZZ_SECONDS) s"; \
	  build/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=build/fuzz/$$f- \
	    build/fuzz/corpus-$$f tests/fuzz/corpus/$$f > build/fuzz/$$f.log 2>&1; \
	  rc=$$?; tail -14 build/fuzz/$$f.log; \
	  [ $$rc = 0 ] || { echo "FAIL: fuzz $$f (build/fuzz/$$f.log)" >&2; exit 1; }; \
	done

# Executes every notebook headless (outputs to build/notebooks; the
# committed notebooks stay without outputs); any error fails the target.
NOTEBOOKS := $(wildcard notebooks/*.ipynb)

notebooks:
	@.ci/deps.sh notebooks
	@$(MAKE) --no-print-directory all shared
	@mkdir -p build/notebooks
	@for nb in $(NOTEBOOKS); do \
	  echo "== $$nb"; \
	  PYDEVD_DISABLE_FILE_VALIDATION=1 /usr/bin/python3 -Xfrozen_modules=off -m nbconvert --to notebook --execute --output-dir build/notebooks \
	    --ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=python3 "$$nb" \
	    || { echo "FAIL: $$nb" >&2; exit 1; }; \
	done

bench:
	@.ci/deps.sh bench
	@$(MAKE) --no-print-directory all shared bench-progs
	@bench/run.sh $(BENCH)

install: all shared
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib \
	           $(DESTDIR)$(PREFIX)/include/churnkit $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(PROGRAMS) $(if $(filter 1,$(MPI)),$(MPI_PROG)) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SO_FILE) $(DESTDIR)$(PREFIX)/lib/
	ln -sf $(notdir $(SO_FILE)) $(DESTDIR)$(PREFIX)/lib/$(SO_NAME)
	ln -sf $(SO_NAME) $(DESTDIR)$(PREFIX)/lib/libchurnkit.so
	install -m 644 include/churnkit/*.h $(DESTDIR)$(PREFIX)/include/churnkit/
	$(if $(MAN_PAGES),install -m 644 $(MAN_PAGES) $(DESTDIR)$(PREFIX)/share/man/man1/)

clean:
	rm -rf build bin

-include $(LIB_OBJ:.o=.d) $(PIC_OBJ:.o=.d) $(TEST_SRC:tests/unit/%.c=$(BUILD)/tobj/%.d) $(CLI_COMMON_OBJ:.o=.d) $(CLI_SRC:src/cli/%.c=$(BUILD)/cli/%.d) \
         $(wildcard $(BUILD)/mpi/*.d)
