# Settlement, ledger and local-chain harness; included by the top Makefile.
#

# synthforge-ctl is built by the Makefile's bin/ rule; both programs are
# listed there (PROGRAMS, DRIVER_BIN).
SETTLE_BIN	= $(B)/bin/synthforge-ctl $(B)/tests/settle_driver
SETTLE_UNITS	= ledger rlp facilitator settle_direct

$(B)/tests/settle_driver: tests/drivers/settle_driver.c $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(SF_CFLAGS) $(DEPLINK) $(CFLAGS) -o $@ $< -Wl,--start-group $(LIBS) -Wl,--end-group $(LDLIBS)

# Only this part's unit tests, under ASan/UBSan (same tree as asan-unit).
settle-asan:
	$(MAKE) B=build-asan CFLAGS='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined' \
	    $(SETTLE_UNITS:%=build-asan/tests/test_%)
	@set -e; for t in $(SETTLE_UNITS); do echo "# build-asan/tests/test_$$t"; \
	    build-asan/tests/test_$$t; done

# Node integration test on anvil + the official facilitator.
settle-integ: $(SETTLE_BIN)
	cd tests && node --test integ/settle.test.mjs

.PHONY: settle-asan settle-integ
