#!/bin/sh
# Mutation check of the test suite: deliberate faults, each applied to a
# scratch copy of the tree (never this one), must make the suite meant to
# catch it fail.  Only that suite runs, so the whole check takes minutes.
# A fault no suite catches is a test gap: the run fails.
#
#   sh tests/mutants/run.sh            every mutant (make mutants)
#   sh tests/mutants/run.sh price nonce   some of them
#
# Each mutant: its suite first passes on the unchanged copy (so the failure
# is the fault's doing), then a file, a sed script that must change it,
# what to rebuild, and the suite again, which must fail.  Rebuilds reuse the copied build/ and build-asan/ (copied
# with their times), so only what a fault touches is compiled again.
set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
ASAN_CFLAGS=${ASAN_CFLAGS:--O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined}
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/sf-mutants-XXXXXX")
T=$SCRATCH/tree
trap 'rm -rf "$SCRATCH"' EXIT INT TERM

echo "mutants: copying the tree to $T"
mkdir "$T"
# The tree with its build directories (times kept), without git's data,
# the clang and fuzz trees and the npm packages (linked instead).
tar -C "$TOP" --exclude=./.git --exclude=./build-clang --exclude=./build-fuzz \
    --exclude=./tests/node_modules --exclude=./tests/artifacts -cf - . |
    tar -C "$T" -xpf - || exit 1
ln -s "$(readlink -f "$TOP/tests/node_modules")" "$T/tests/node_modules"

MK="make -s -C $T"
ASAN_MK="$MK B=build-asan"
fail=0
ran=0

# mutate NAME FILE SED: apply SED to FILE in the scratch tree; the file
# must change (else the mutant went stale against the code: fix it here).
mutate() {
	cp -p "$T/$2" "$SCRATCH/orig"
	sed -i "$3" "$T/$2"
	if cmp -s "$T/$2" "$SCRATCH/orig"; then
		echo "mutant $1: '$3' does not change $2; update tests/mutants/run.sh" >&2
		return 1
	fi
	return 0
}

# restore FILE: the original bytes, with a new time so make rebuilds.
restore() {
	cp "$SCRATCH/orig" "$T/$1"
	touch "$T/$1"
}

# baseline NAME COMMAND...: the suite passes on the unchanged copy, so a
# failure with the fault is the fault's doing.
baseline() {
	name=$1; shift
	if ! (cd "$T" && "$@") >"$SCRATCH/$name.base.log" 2>&1; then
		echo "BASELINE FAILS: $name: '$*' fails without the fault" >&2
		tail -n 30 "$SCRATCH/$name.base.log" >&2
		fail=1
		return 1
	fi
	return 0
}

# expect_fail NAME WHAT COMMAND...: the suite must fail.
expect_fail() {
	name=$1; what=$2; shift 2
	ran=$((ran + 1))
	log=$SCRATCH/$name.log
	if (cd "$T" && "$@") >"$log" 2>&1; then
		echo "NOT CAUGHT: $name ($what): '$*' passed" >&2
		tail -n 30 "$log" >&2
		fail=1
	else
		echo "caught: $name ($what) by '$*':"
		{ grep -E -m 4 '^not ok|^FAIL|Bail out|SANITIZER|AddressSanitizer|runtime error' "$log"
		  grep -E '^# (pass|fail) ' "$log" | tr '\n' ' '; echo; } | sed 's/^/    /'
	fi
}

want() { [ $# -eq 0 ] && return 0; for w; do [ "$w" = "$MUT" ] && return 0; done; return 1; }

# 1. A per-model price mistyped in one definition (image-edit's
#    nano-banana-2, $0.12): every output agrees with the definition, only
#    the table pinned by hand in tests/expect/prices.json disagrees.
MUT=price
if want "$@"; then
	if baseline price sh -c 'cd tests && node --test --test-concurrency=1 integ/prices.test.mjs' &&
	mutate price endpoints/image_edit.c 's/\.price = 120000 }/.price = 125000 }/'; then
		$MK build/fcgi/image_edit build/bin/sf-hostconf build/bin/sf-gen || exit 1
		expect_fail price "per-model price typo" \
		    sh -c 'cd tests && node --test --test-concurrency=1 integ/prices.test.mjs'
		restore endpoints/image_edit.c
	else fail=1; fi
fi

# 2. The on-chain "nonce already used" pre-check disabled.
MUT=nonce
if want "$@"; then
	if baseline nonce $MK unit UNIT=x402_chain &&
	mutate nonce shared/x402/evm/x402_chain.c 's/^\tif (used)$/\tif (0 \&\& used)/'; then
		expect_fail nonce "nonce-used pre-check disabled" $MK unit UNIT=x402_chain
		restore shared/x402/evm/x402_chain.c
	else fail=1; fi
fi

# 3. The provider fake missing where test_providers looks for it: a skip
#    that passes silently would hide every adapter test.
MUT=fake
if want "$@"; then
	baseline fake $MK unit UNIT=providers
	mv "$T/tests/fakes/providers.mjs" "$SCRATCH/providers.mjs"
	expect_fail fake "provider fake path does not exist" $MK unit UNIT=providers
	mv "$SCRATCH/providers.mjs" "$T/tests/fakes/providers.mjs"
fi

# 4. An out-of-bounds write after the response is written (ASan build):
#    the caller got its answer, only the endpoints' stderr tells.
MUT=oob
if want "$@"; then
	OOB_SUITE='cd tests && SF_BUILD=build-asan ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 node --test --test-concurrency=1 --test-name-pattern="402" integ/foundation.test.mjs'
	if [ ! -x "$T/build-asan/bin/sf-hostconf" ] || [ ! -x "$T/build-asan/bin/sf-mcp" ]; then
		$ASAN_MK -j2 CFLAGS="$ASAN_CFLAGS" all || exit 1
	fi
	if baseline oob sh -c "$OOB_SUITE" &&
	    mutate oob shared/serve/serve.c '/^\t\tFCGX_Finish_r(&fr);$/a\
\t\t{ char *volatile sf_m = malloc(8); if (sf_m) { sf_m[8] = 1; free(sf_m); } }'; then
		$ASAN_MK CFLAGS="$ASAN_CFLAGS" build-asan/fcgi/image_generate || exit 1
		expect_fail oob "out-of-bounds write after the response" sh -c "$OOB_SUITE"
		restore shared/serve/serve.c
	else fail=1; fi
fi

# 5. The U+0000 refusal removed (NUL in JSON strings): the one strict
#    parse of a body (shared/validate/val_json.c) stops flagging "\u0000".
MUT=nul
if want "$@"; then
	if baseline nul $MK unit UNIT=val_json &&
	    mutate nul shared/validate/val_json.c 's/vj_issue(v, VAL_JSON_F_NUL, is_key, key, 0, at);/vj_put_cp(\&v->str, cp);/'; then
		expect_fail nul "U+0000 check removed" $MK unit UNIT=val_json
		restore shared/validate/val_json.c
	else fail=1; fi
fi

# 6. Sign-In-With-X: the nonce never used up (a replayed sign-in passes).
MUT=siwx_nonce
if want "$@"; then
	if baseline siwx_nonce $MK unit UNIT=siwx &&
	mutate siwx_nonce shared/x402/siwx_verify.c 's/c->nonces.consume(c->nonces.ctx, p.f.nonce, now_ms) : 0;/1 : 0;/'; then
		expect_fail siwx_nonce "SIWX nonce not used up" $MK unit UNIT=siwx
		restore shared/x402/siwx_verify.c
	else fail=1; fi
fi

# 7. Standard Webhooks: the timestamp left out of the signed text.
MUT=webhook_ts
if want "$@"; then
	if baseline webhook_ts $MK unit UNIT=webhook_sig &&
	mutate webhook_ts shared/http/webhook_sig.c 's/snprintf(t, sizeof(t), ".%" PRId64 ".", ts);/snprintf(t, sizeof(t), ".");/'; then
		expect_fail webhook_ts "timestamp not signed" $MK unit UNIT=webhook_sig
		restore shared/http/webhook_sig.c
	else fail=1; fi
fi

# 8. Prefer: a later wait overrides the first (RFC 7240 §2: first wins).
MUT=prefer_first
if want "$@"; then
	if baseline prefer_first $MK unit UNIT=prefer &&
	mutate prefer_first shared/validate/prefer.c 's/^\t\tif (p->seen \& SEEN_WAIT)$/\t\tif (0)/'; then
		expect_fail prefer_first "last Prefer instance wins" $MK unit UNIT=prefer
		restore shared/validate/prefer.c
	else fail=1; fi
fi

# 9. Capability tokens: only 64 of their 256 bits random.
MUT=captoken_entropy
if want "$@"; then
	if baseline captoken_entropy $MK unit UNIT=captoken &&
	mutate captoken_entropy shared/basics/captoken.c 's/^\tbase64url_encode_init(&ctx);$/\tmemset(r + 8, 0, sizeof(r) - 8);\n\tbase64url_encode_init(\&ctx);/'; then
		expect_fail captoken_entropy "64-bit tokens" $MK unit UNIT=captoken
		restore shared/basics/captoken.c
	else fail=1; fi
fi

# 10. A contract wallet's payment let through whatever the chain said of
#     its signature (issue 26): a stranger's signature must cost no work.
MUT=wallet_unproven
if want "$@"; then
	WALLET_SUITE='cd tests && node --test --test-concurrency=1 --test-name-pattern="stranger" integ/walletpay.test.mjs'
	if baseline wallet_unproven sh -c "$WALLET_SUITE" &&
	mutate wallet_unproven shared/x402/evm/evm_scheme.c 's/^\tevm_proof(&v, v.valid ? wp.balance : "", pr);$/\tv.valid = 1;\n\tevm_proof(\&v, wp.balance, pr);/'; then
		$MK build/fcgi/image_generate || exit 1
		expect_fail wallet_unproven "contract wallet's signature not judged" sh -c "$WALLET_SUITE"
		restore shared/x402/evm/evm_scheme.c
		$MK build/fcgi/image_generate || exit 1
	else fail=1; fi
fi

# 11. An RPC that failed asked again at once (issue 29): every paid call
#     would wait out RPC_TIMEOUT_MS while it is down.
MUT=rpc_watch
if want "$@"; then
	if baseline rpc_watch $MK unit UNIT=x402_scheme &&
	mutate rpc_watch shared/x402/rpc_watch.c 's/^\t\tgo = 0;$/\t\tgo = 1;/'; then
		expect_fail rpc_watch "a down RPC never skipped" $MK unit UNIT=x402_scheme
		restore shared/x402/rpc_watch.c
	else fail=1; fi
fi

# 12. The networks' public RPCs forgotten (issue 29): a default
#     configuration would take one payment per wallet at a time again.
MUT=rpc_defaults
if want "$@"; then
	if baseline rpc_defaults $MK unit UNIT=cfg &&
	mutate rpc_defaults shared/basics/cfg.c 's/^\tconst char\t\*use = builtin;$/\tconst char\t*use = NULL;/'; then
		expect_fail rpc_defaults "no public RPC by default" $MK unit UNIT=cfg
		restore shared/basics/cfg.c
	else fail=1; fi
fi

# 13. Sign-In-With-X nonces in the ledger: a used nonce usable again.
MUT=siwx_reuse
if want "$@"; then
	if baseline siwx_reuse $MK unit UNIT=ledger_siwx &&
	mutate siwx_reuse shared/ledger/sqlite/ledger_sqlite.c 's/" WHERE nonce = ?1 AND used = 0 AND expires > ?2",/" WHERE nonce = ?1 AND expires > ?2",/'; then
		expect_fail siwx_reuse "a used nonce accepted again" $MK unit UNIT=ledger_siwx
		restore shared/ledger/sqlite/ledger_sqlite.c
	else fail=1; fi
fi

# 14. Webhooks: 410 Gone retried like any failure.
MUT=webhook_gone
if want "$@"; then
	if baseline webhook_gone $MK unit UNIT=webhook &&
	mutate webhook_gone shared/flow/webhook.c 's/^\telse if (r.status == 410) {$/\telse if (r.status == 4100) {/'; then
		expect_fail webhook_gone "410 does not stop deliveries" $MK unit UNIT=webhook
		restore shared/flow/webhook.c
	else fail=1; fi
fi

# 15. Webhooks: a webhook_url let through unchecked before the 402.
MUT=webhook_unguarded
if want "$@"; then
	if baseline webhook_unguarded $MK unit UNIT=webhook &&
	mutate webhook_unguarded shared/flow/webhook.c 's/^\tif (urlguard_check(c, url, f, err) == 0)$/\tif (1 || urlguard_check(c, url, f, err) == 0)/'; then
		expect_fail webhook_unguarded "private webhook_url accepted" $MK unit UNIT=webhook
		restore shared/flow/webhook.c
	else fail=1; fi
fi

# 16. A payment held to no resource: one made for another endpoint's 402
#     would be taken here.
MUT=resource_any
if want "$@"; then
	if baseline resource_any $MK unit UNIT=x402_payment &&
	mutate resource_any shared/x402/x402_payment.c 's/^\tif (p->resource_url == NULL)$/\tif (1 || p->resource_url == NULL)/'; then
		expect_fail resource_any "resource not compared" $MK unit UNIT=x402_payment
		restore shared/x402/x402_payment.c
	else fail=1; fi
fi

# 17. payment-identifier unique across all wallets again: another wallet
#     using a buyer's id first would block the buyer.
MUT=id_scope
if want "$@"; then
	if baseline id_scope $MK unit UNIT=ledger &&
	mutate id_scope shared/ledger/ledger_row.c 's/^#define LEDGER_ID_KEY\t\t"payer, endpoint, payment_id"$/#define LEDGER_ID_KEY\t\t"payment_id"/'; then
		expect_fail id_scope "payment id unique for all wallets" $MK unit UNIT=ledger
		restore shared/ledger/ledger_row.c
	else fail=1; fi
fi

[ "$ran" -gt 0 ] || { echo "mutants: no mutant ran" >&2; exit 1; }
if [ "$fail" -ne 0 ]; then
	echo "mutants: FAILED (a fault went uncaught, or a mutant no longer applies)" >&2
	exit 1
fi
echo "mutants: all $ran faults caught"
