#!/bin/sh
# Run one libFuzzer target for a while and say what it did.
#	tests/fuzz/run.sh BINARY NAME SECONDS KEPT_DIR [libFuzzer options]
# New inputs go to KEPT_DIR (kept between runs: build-fuzz/corpus/NAME);
# the seeds in tests/fuzz/corpus/NAME are read, never written.  A crash,
# leak, timeout or failed assertion leaves its input in KEPT_DIR/../crashes
# and fails the run.  Prints: "fuzz NAME: N runs in S s, corpus C, ..."
set -e
bin=$1 name=$2 secs=$3 kept=$4
shift 4
seeds=tests/fuzz/corpus/$name
[ -d "$seeds" ] || { echo "fuzz $name: no seed corpus $seeds" >&2; exit 1; }
mkdir -p "$kept" "$kept/../crashes"
log=$kept/../$name.log
if "$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=30 \
    -artifact_prefix="$kept/../crashes/$name-" "$@" "$kept" "$seeds" >"$log" 2>&1; then
	rc=0
else
	rc=$?
fi
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
n=$(ls "$kept" | wc -l)
if [ "$rc" -ne 0 ]; then
	tail -60 "$log" >&2
	echo "fuzz $name: FINDING after ${runs:-?} runs (exit $rc): see $log and $kept/../crashes/" >&2
	exit 1
fi
echo "fuzz $name: ${runs:-?} runs in ${secs} s, $cov, corpus $n kept in $kept + $(ls "$seeds" | wc -l) seeds, no finding"
