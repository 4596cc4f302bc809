# synthforge — see README.md.  `make run` and `make test` are the two commands.
.SUFFIXES:

PREFIX	?= /usr/local
ifeq ($(origin CC),default)
CC	= cc
endif
CFLAGS	?= -O2 -g
SF_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -Wall -Wextra -Werror \
	    -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Ishared -Ibuild
LDLIBS	= -lfcgi -lcurl -lcjson -lsecp256k1 -lnettle -lsqlite3 -lpthread -lm
B	= build

SHARED_SRC	= $(wildcard shared/*.c)
SHARED_OBJ	= $(SHARED_SRC:shared/%.c=$(B)/obj/%.o)
UNIT_SRC	= $(wildcard tests/unit/test_*.c)
UNIT_BIN	= $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

all: $(B)/libsf.a $(UNIT_BIN)

$(B)/obj/%.o: shared/%.c $(wildcard shared/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(SF_CFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/libsf.a: $(SHARED_OBJ)
	rm -f $@
	ar rcs $@ $(SHARED_OBJ)

$(B)/tests/%: tests/unit/%.c $(B)/libsf.a tests/unit/tap.h
	@mkdir -p $(dir $@)
	$(CC) $(SF_CFLAGS) -Itests/unit $(CFLAGS) -o $@ $< $(B)/libsf.a $(LDLIBS)

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "# $$t"; $$t; done

.PHONY: all unit
