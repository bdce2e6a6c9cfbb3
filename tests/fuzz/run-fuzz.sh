#!/bin/sh
# Runs one libFuzzer target for a bounded time over a fresh copy of its seeds.
#   run-fuzz.sh BINARY SECONDS WORKDIR SEED...
# SEED is a file or a directory (its files, recursively). $FUZZ_SECONDS, when
# set, overrides SECONDS (make fuzz). The seeds are copied under their
# SHA-1 (as libFuzzer names inputs), so files of the same name from several
# folders stay apart and the source tree is never written. Fails on any
# crash, leak, timeout or sanitizer report; the input that caused it is left
# in WORKDIR/artifacts/. Prints a summary line with the executions, also
# kept in WORKDIR/summary.
set -eu

bin=$1 seconds=${FUZZ_SECONDS:-$2} work=$3
shift 3
name=$(basename "$bin")

rm -rf "$work"
mkdir -p "$work/corpus" "$work/seeds" "$work/artifacts"
for seed in "$@"; do
        find "$seed" -type f | while IFS= read -r f; do
                cp "$f" "$work/seeds/$(sha1sum < "$f" | cut -c1-40)"
        done
done

# New inputs go to corpus/ (the first directory); seeds/ is only read.
# -timeout: one input taking 10 s is a hang (the slowest seed takes well
# under 1 s even instrumented). -rss_limit_mb: inputs stay near the largest
# seed (libFuzzer's default -max_len), a few KiB, so 2 GiB means a leak or
# a runaway allocation.
status=0
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/artifacts/" "$work/corpus" "$work/seeds" >"$work/log" 2>&1 || status=$?

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
if [ "$status" -ne 0 ] || grep -Eq 'runtime error:|ERROR: [A-Za-z]*Sanitizer|ERROR: libFuzzer' "$work/log"; then
        tail -n 80 "$work/log"
        echo "$name: FAILED (exit $status) after ${execs:-?} executions; input in $work/artifacts/" |
                tee "$work/summary"
        ls -l "$work/artifacts/"
        exit 1
fi
echo "$name: ${execs:-?} executions in $seconds s, $(ls "$work/seeds" | wc -l) seeds," \
        "$(ls "$work/corpus" | wc -l) new inputs" | tee "$work/summary"
