#!/bin/sh
# make check-layers: the rules hold on this tree, and the checker fails
# when an upward include is added (shown on a scratch copy, so the tree
# itself is never touched).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
check="$here/check-layers.sh"

"$check" "$root"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
# Each case: a file of the scratch copy, a line to add, and what the
# checker must then say.
probe() {
	rm -rf "$tmp/t"; mkdir -p "$tmp/t"
	(cd "$root" && tar cf - shared endpoints registry bin) | (cd "$tmp/t" && tar xf -)
	printf '%s\n' "$2" >> "$tmp/t/$1"
	if out=$("$check" "$tmp/t" 2>&1); then
		echo "not ok - check-layers accepts '$2' in $1"; fail=1
	elif printf '%s' "$out" | grep -q "$3"; then
		echo "ok - check-layers refuses '$2' in $1"
	else
		echo "not ok - check-layers refuses '$2' in $1 but says: $out"; fail=1
	fi
}
probe shared/x402/x402_payment.c '#include "flow/flow.h"' 'x402 may not include flow'
probe shared/ledger/ledger.c '#include "providers/prov.h"' 'ledger may not include providers'
probe shared/providers/work.c '#include "ledger/ledger.h"' 'providers may not include ledger'
probe shared/providers/route.c '#include "x402/settle.h"' 'providers may not include x402'
probe shared/basics/buf.c '#include "http/http.h"' 'basics may not include http'
probe shared/flow/flow.c '#include <fcgiapp.h>' 'belongs to shared/serve/ only'
probe shared/media/media.c '#include <curl/curl.h>' 'belongs to shared/http/ only'
probe registry/gen_util.c '#include "ledger/ledger.h"' 'registry may not include ledger'
touch "$tmp/stray.c"
rm -rf "$tmp/t"; mkdir -p "$tmp/t"
(cd "$root" && tar cf - shared endpoints registry bin) | (cd "$tmp/t" && tar xf -)
cp "$tmp/stray.c" "$tmp/t/shared/stray.c"
if "$check" "$tmp/t" >/dev/null 2>&1; then
	echo "not ok - check-layers accepts a .c file directly in shared/"; fail=1
else
	echo "ok - check-layers refuses a .c file directly in shared/"
fi
exit $fail
