# migration_guard: PGXS build (C++17).
#
#   make && sudo make install        build and install into the server's lib and share dirs
#   make unit                        build and run the GoogleTest unit tests of the rules layer
#   bash scripts/test.sh             every test (unit, regress, isolation, pgTAP, TAP) from scratch

MODULE_big = migration_guard
EXTENSION  = migration_guard
# The install script is assembled from sql/*.sql, in name order, so that each part
# (core, advisor, index and schema advice) stays a file of its own.
EXT_VERSION = 0.1.0
DATA_built  = migration_guard--$(EXT_VERSION).sql
# The CI command (bash over psql), installed beside psql in $(pg_config --bindir).
SCRIPTS     = bin/migration_guard_check
PGFILEDESC = "migration_guard - refuse lock-heavy migrations before they lock"

# The layers are folders: src/pg (L1, PostgreSQL entry points), src/facts (L2, facts),
# src/state (transaction state, live and simulated), src/core (L3, PostgreSQL-free rules).
CORE_SRCS = $(wildcard src/core/*.cpp)
PG_SRCS   = $(wildcard src/pg/*.cpp src/facts/*.cpp src/state/*.cpp)
OBJS      = $(PG_SRCS:.cpp=.o) $(CORE_SRCS:.cpp=.o)

PG_CPPFLAGS += -Isrc
PG_CXXFLAGS += -std=c++17 -Wno-register -Wall -Wextra -Wno-unused-parameter -Wshadow
SHLIB_LINK  += -lstdc++

# pg_regress tests live in test/regress/{sql,expected}; isolation specs in test/isolation/{specs,expected}.
# hook_chaining runs in the chaining suite, failure_contract in the faults suite (scripts/test.sh):
# they need other libraries loaded
REGRESS        = $(sort $(filter-out hook_chaining failure_contract,$(basename $(notdir $(wildcard test/regress/sql/*.sql)))))
REGRESS_OPTS   = --inputdir=test/regress --temp-instance=./tmp_check --temp-config=test/conf/guard.conf
ISOLATION      = $(sort $(basename $(notdir $(wildcard test/isolation/specs/*.spec))))
ISOLATION_OPTS = --inputdir=test/isolation --temp-instance=./tmp_check_iso --temp-config=test/conf/guard.conf

# A guard gains nothing from JIT inlining, and PGXS's bitcode rule would drop our C++ flags.
override with_llvm = no

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

PG_MAJOR := $(shell $(PG_CONFIG) --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
ifneq ($(filter $(PG_MAJOR),15 16 17 18),$(PG_MAJOR))
$(error migration_guard supports PostgreSQL 15 to 18; $(PG_CONFIG) reports $(PG_MAJOR))
endif

migration_guard--$(EXT_VERSION).sql: $(sort $(wildcard sql/*.sql))
	{ printf '/* migration_guard $(EXT_VERSION), assembled from sql/ */\n'; \
	  printf '\\echo Use "CREATE EXTENSION migration_guard" to load this file. \\quit\n'; \
	  for f in $^; do printf '\n/* ---- %s ---- */\n' "$$f"; cat "$$f"; done; } > $@

# Header edits rebuild what includes them.
DEPFLAGS = -MMD -MP
override CXXFLAGS += $(DEPFLAGS)
-include $(OBJS:.o=.d)
EXTRA_CLEAN += $(OBJS:.o=.d) test/unit/mg_unit_tests results output_iso tmp_check tmp_check_iso

# ---- unit tests of the PostgreSQL-free rules layer (GoogleTest) -------------------------
UNIT_SRCS = $(wildcard test/unit/*.cpp)
test/unit/mg_unit_tests: $(UNIT_SRCS) $(CORE_SRCS) $(wildcard src/core/*.hpp)
	$(CXX) -std=c++17 -O1 -g -Wall -Wextra -Wshadow -Isrc -o $@ $(UNIT_SRCS) $(CORE_SRCS) \
		-lgtest -lgtest_main -pthread

.PHONY: unit format lint
unit: test/unit/mg_unit_tests
	./test/unit/mg_unit_tests

format:
	clang-format -i src/*/*.cpp src/*/*.h src/core/*.hpp test/unit/*.cpp

lint:
	clang-tidy src/core/*.cpp -- -std=c++17 -Isrc
