# x402 verifier extras: differential test driver, libFuzzer target, bench.
# Included by the top-level Makefile.

X402_FUZZ_TIME	?= 20
X402_FUZZ_SRC	= shared/basics/b58.c shared/basics/b64.c shared/basics/buf.c shared/basics/err.c \
		  shared/basics/net.c shared/basics/keccak.c shared/basics/hex.c \
		  shared/basics/u256.c shared/x402/evm/eip712.c \
		  shared/x402/x402_json.c \
		  shared/x402/x402_payment.c shared/x402/evm/x402_verify.c \
		  shared/x402/evm/erc6492.c shared/x402/evm/abi.c

$(B)/tests/x402_diff_driver: tests/diff/x402_diff_driver.c $(B)/libsf.a
	@mkdir -p $(dir $@)
	$(CC) $(SF_CFLAGS) $(DEPLINK) $(CFLAGS) -o $@ $< $(B)/libsf.a $(LDLIBS)

$(B)/bench/bench_verify: bench/bench_verify.c $(B)/libsf.a
	@mkdir -p $(dir $@)
	$(CC) $(SF_CFLAGS) $(DEPLINK) $(CFLAGS) -o $@ $< $(B)/libsf.a $(LDLIBS)

x402-diff-driver: $(B)/tests/x402_diff_driver

# 10,000 viem-signed cases; X402_DIFF_N / X402_DIFF_SEED override.
x402-diff: $(B)/tests/x402_diff_driver
	X402_DIFF_DRIVER=$(CURDIR)/$(B)/tests/x402_diff_driver \
	    tests/diff/run.sh $(X402_DIFF_N) $(X402_DIFF_SEED)

# The target is compiled from source with clang so that it carries the
# coverage instrumentation; new inputs go to $(B)/fuzz, never the seeds.
# tests/fuzz/x402_payment_ref.c, the decoder before x402_json.h, is its
# oracle: both must answer every input alike.
fuzz-x402:
	@if ! command -v clang >/dev/null 2>&1 || ! printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' | \
	    clang -fsanitize=fuzzer -x c - -o /dev/null >/dev/null 2>&1; then \
		echo "fuzz-x402: clang with libFuzzer not found (make deps-test installs clang and libclang-rt-14-dev)" >&2; \
		exit 1; \
	else \
		set -e; mkdir -p $(B)/fuzz/x402_payment; \
		echo "clang ... -o $(B)/fuzz/fuzz_x402_payment"; \
		clang $(SF_CFLAGS) -O1 -g -fno-omit-frame-pointer \
		    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		    -o $(B)/fuzz/fuzz_x402_payment tests/fuzz/fuzz_x402_payment.c \
		    tests/fuzz/x402_payment_ref.c \
		    $(X402_FUZZ_SRC) -lcjson -lsecp256k1 -lnettle -lpthread -lm; \
		$(B)/fuzz/fuzz_x402_payment -max_total_time=$(X402_FUZZ_TIME) \
		    -max_len=8192 -print_final_stats=1 \
		    $(B)/fuzz/x402_payment tests/fuzz/corpus/x402_payment; \
	fi

bench-x402: $(B)/bench/bench_verify tests/node_modules/.installed
	node bench/viem_verify.mjs $(B)/bench/bench_verify

.PHONY: x402-diff-driver x402-diff fuzz-x402 bench-x402

# Solana: the C transaction decoder and checks against @solana/kit
# (tests/diff/svm_diff.mjs; SVM_DIFF_N / SVM_DIFF_SEED override), and a
# libFuzzer run of the decoder and checks (tests/fuzz/fuzz_svm_tx.c).
SVM_DIFF_N	?= 1200
SVM_DIFF_SEED	?= 13
SVM_FUZZ_TIME	?= 15
SVM_FUZZ_SRC	= shared/basics/b58.c shared/x402/svm/svm_tx.c \
		  shared/x402/svm/svm_ata.c shared/x402/svm/svm_verify.c

$(B)/tests/svm_diff_driver: tests/diff/svm_diff_driver.c $(B)/libsf.a
	@mkdir -p $(dir $@)
	$(CC) $(SF_CFLAGS) $(DEPLINK) $(CFLAGS) -o $@ $< $(B)/libsf.a $(LDLIBS)

svm-diff: $(B)/tests/svm_diff_driver
	cd tests && SVM_DIFF_DRIVER=$(CURDIR)/$(B)/tests/svm_diff_driver \
	    node diff/svm_diff.mjs $(SVM_DIFF_N) $(SVM_DIFF_SEED)

fuzz-svm:
	@if ! command -v clang >/dev/null 2>&1 || ! printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' | \
	    clang -fsanitize=fuzzer -x c - -o /dev/null >/dev/null 2>&1; then \
		echo "fuzz-svm: clang with libFuzzer not found (make deps-test installs clang and libclang-rt-14-dev)" >&2; \
		exit 1; \
	else \
		set -e; mkdir -p $(B)/fuzz/svm_tx; \
		echo "clang ... -o $(B)/fuzz/fuzz_svm_tx"; \
		clang $(SF_CFLAGS) -O1 -g -fno-omit-frame-pointer \
		    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		    -o $(B)/fuzz/fuzz_svm_tx tests/fuzz/fuzz_svm_tx.c \
		    $(SVM_FUZZ_SRC) -lsodium -lpthread; \
		$(B)/fuzz/fuzz_svm_tx -max_total_time=$(SVM_FUZZ_TIME) \
		    -max_len=1300 -print_final_stats=1 \
		    $(B)/fuzz/svm_tx tests/fuzz/corpus/svm_tx; \
	fi

.PHONY: svm-diff fuzz-svm

# Sign-In-With-X: the C challenge, message builder and verifier against
# @x402/extensions (tests/diff/siwx_diff.mjs; SIWX_DIFF_N / SIWX_DIFF_SEED
# override), and a libFuzzer run of the header parser and verifier.
SIWX_DIFF_N	?= 1500
SIWX_DIFF_SEED	?= 25
SIWX_FUZZ_TIME	?= 20
SIWX_FUZZ_SRC	= $(X402_FUZZ_SRC) shared/basics/msg.c shared/validate/val_json.c \
		  shared/x402/evm/eip191.c shared/x402/siwx.c \
		  shared/x402/siwx_msg.c shared/x402/siwx_verify.c

$(B)/tests/siwx_diff_driver: tests/diff/siwx_diff_driver.c $(B)/libsf.a
	@mkdir -p $(dir $@)
	$(CC) $(SF_CFLAGS) $(CFLAGS) -o $@ $< $(B)/libsf.a $(LDLIBS)

siwx-diff: $(B)/tests/siwx_diff_driver
	cd tests && node vectors/siwx_vectors.mjs --check
	cd tests && SIWX_DIFF_DRIVER=$(CURDIR)/$(B)/tests/siwx_diff_driver \
	    node diff/siwx_diff.mjs $(SIWX_DIFF_N) $(SIWX_DIFF_SEED)

fuzz-siwx:
	@if ! command -v clang >/dev/null 2>&1 || ! printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' | \
	    clang -fsanitize=fuzzer -x c - -o /dev/null >/dev/null 2>&1; then \
		echo "fuzz-siwx: clang with libFuzzer not found (make deps-test installs clang and libclang-rt-14-dev)" >&2; \
		exit 1; \
	else \
		set -e; mkdir -p $(B)/fuzz/siwx; \
		echo "clang ... -o $(B)/fuzz/fuzz_siwx"; \
		clang $(SF_CFLAGS) -O1 -g -fno-omit-frame-pointer \
		    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		    -o $(B)/fuzz/fuzz_siwx tests/fuzz/fuzz_siwx.c \
		    $(SIWX_FUZZ_SRC) -lcjson -lsecp256k1 -lsodium -lnettle -lpthread -lm; \
		$(B)/fuzz/fuzz_siwx -max_total_time=$(SIWX_FUZZ_TIME) \
		    -max_len=4096 -print_final_stats=1 \
		    $(B)/fuzz/siwx tests/fuzz/corpus/siwx; \
	fi

.PHONY: siwx-diff fuzz-siwx

# The unit test's vectors, made by the official package (regenerated and
# compared by siwx-diff).
$(B)/tests/test_siwx: tests/unit/siwx_vectors.h
