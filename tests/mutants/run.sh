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
# the clang tree and the npm packages (linked instead).
tar -C "$TOP" --exclude=./.git --exclude=./build-clang \
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

# 5. SLOT: the U+0000 refusal removed (NUL in JSON strings).  Filled for
#    shared/validate/val_nul.c as the NUL helper wrote it; skipped, with
#    this note, only while that source is not in the tree.
MUT=nul
if want "$@"; then
	if [ ! -f "$T/shared/validate/val_nul.c" ]; then
		echo "SKIPPED (slot): nul: shared/validate/val_nul.c is not in this tree yet"
	elif baseline nul $MK unit UNIT=val_nul &&
	    mutate nul shared/validate/val_nul.c 's/\*nul = 1;/*nul = 0;/'; then
		expect_fail nul "U+0000 check removed" $MK unit UNIT=val_nul
		restore shared/validate/val_nul.c
	else fail=1; fi
fi

[ "$ran" -gt 0 ] || { echo "mutants: no mutant ran" >&2; exit 1; }
if [ "$fail" -ne 0 ]; then
	echo "mutants: FAILED (a fault went uncaught, or a mutant no longer applies)" >&2
	exit 1
fi
echo "mutants: all $ran faults caught"
