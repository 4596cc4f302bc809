# Contract-wallet payments (issue 26): the anvil test driver, the
# differential test of the ERC-6492 parser and calldata against viem, and a
# libFuzzer run of the parser.  Included by the top-level Makefile.

WALLET_DIFF_N	?= 3000
WALLET_DIFF_SEED ?= 6492
WALLET_FUZZ_TIME ?= 15
WALLET_FUZZ_SRC	= shared/basics/buf.c shared/basics/hex.c shared/basics/keccak.c \
		  shared/x402/evm/abi.c shared/x402/evm/erc6492.c \
		  shared/x402/evm/wallet_sig.c shared/x402/evm/multicall3.c

$(B)/tests/wallet_driver: tests/drivers/wallet_driver.c $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(SF_CFLAGS) $(CFLAGS) -o $@ $< -Wl,--start-group $(LIBS) -Wl,--end-group $(LDLIBS)

$(B)/tests/wallet_diff_driver: tests/diff/wallet_diff_driver.c $(B)/libsf.a
	@mkdir -p $(dir $@)
	$(CC) $(SF_CFLAGS) $(CFLAGS) -o $@ $< $(B)/libsf.a $(LDLIBS)

# WALLET_DIFF_N random cases against viem (WALLET_DIFF_SEED replays), and
# the unit vectors in tests/unit/wallet_vectors.h still what viem writes.
wallet-diff: $(B)/tests/wallet_diff_driver tests/node_modules/.installed
	cd tests && node vectors/smartwallet/wallet_vectors.mjs --check
	cd tests && WALLET_DIFF_DRIVER=$(CURDIR)/$(B)/tests/wallet_diff_driver \
	    node diff/wallet_diff.mjs $(WALLET_DIFF_N) $(WALLET_DIFF_SEED)

# The proof and the settling transaction on anvil with the lab's contracts.
wallet-integ: $(B)/tests/wallet_driver tests/node_modules/.installed
	cd tests && node --test --test-concurrency=1 integ/wallet.test.mjs

.PHONY: wallet-integ wallet-diff

# The parsers of contract-wallet signatures and of the Multicall3 answer
# (tests/fuzz/fuzz_erc6492.c), compiled from source with clang so that it
# carries the coverage instrumentation; new inputs go to $(B)/fuzz.
fuzz-wallet:
	@if ! command -v clang >/dev/null 2>&1 || ! printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' | \
	    clang -fsanitize=fuzzer -x c - -o /dev/null >/dev/null 2>&1; then \
		echo "fuzz-wallet: clang with libFuzzer not found (make deps-test installs clang and libclang-rt-14-dev)" >&2; \
		exit 1; \
	else \
		set -e; mkdir -p $(B)/fuzz/erc6492; \
		echo "clang ... -o $(B)/fuzz/fuzz_erc6492"; \
		clang $(SF_CFLAGS) -O1 -g -fno-omit-frame-pointer \
		    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		    -o $(B)/fuzz/fuzz_erc6492 tests/fuzz/fuzz_erc6492.c \
		    $(WALLET_FUZZ_SRC) -lnettle; \
		$(B)/fuzz/fuzz_erc6492 -max_total_time=$(WALLET_FUZZ_TIME) \
		    -max_len=4096 -print_final_stats=1 \
		    $(B)/fuzz/erc6492 tests/fuzz/corpus/erc6492; \
	fi

.PHONY: fuzz-wallet
