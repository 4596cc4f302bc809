#!/bin/sh
# Differential test of the C x402 verifier against viem.  Builds nothing:
# expects build/tests/x402_diff_driver (make x402-diff-driver, tests/x402.mk).
# Usage: tests/diff/run.sh [N] [seed]
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
drv=${X402_DIFF_DRIVER:-$root/build/tests/x402_diff_driver}
if [ ! -x "$drv" ]; then
	echo "run.sh: $drv missing; run: make x402-diff-driver" >&2
	exit 2
fi
cd "$root/tests"	# so node_modules resolves
X402_DIFF_DRIVER=$drv exec node diff/x402_diff.mjs "${1:-10000}" "${2:-402}"
