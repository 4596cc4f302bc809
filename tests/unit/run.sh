#!/bin/sh
# Run unit test programs and read their TAP, not only their exit codes.  A
# program fails unless it exits 0 and its output has exactly one plan 1..N
# with N > 0, N results, no "not ok", no SKIP directive and no "Bail out!".
# Usage: tests/unit/run.sh build/tests/test_x ...
fail=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for t in "$@"; do
	echo "# $t"
	"$t" >"$out"
	rc=$?
	cat "$out"
	why=$(awk '
		/^ok [0-9]/ { n++ }
		/^not ok [0-9]/ { n++; bad++ }
		/^(not )?ok [0-9].*#[ \t]*[Ss][Kk][Ii][Pp]/ { skip++ }
		/^1\.\.[0-9]+/ {
			plans++; plan = substr($1, 4) + 0
			if ($0 ~ /#[ \t]*[Ss][Kk][Ii][Pp]/) skip++
		}
		/^Bail out!/ { bail = 1 }
		END {
			if (bail) { print "bailed out"; exit }
			if (plans != 1) { printf "%d plans\n", plans; exit }
			if (plan == 0) { print "plan 1..0: nothing was tested"; exit }
			if (plan != n) { printf "plan 1..%d but %d results\n", plan, n; exit }
			if (bad) { printf "%d not ok\n", bad; exit }
			if (skip) { printf "%d skipped\n", skip; exit }
		}' "$out")
	if [ "$rc" -ne 0 ] || [ -n "$why" ]; then
		echo "FAIL: $t: ${why:-exit status $rc}${why:+ (exit status $rc)}" >&2
		fail=1
	fi
done
exit $fail
