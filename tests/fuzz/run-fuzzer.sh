#!/bin/bash
# Runs one libFuzzer target on a copy of its seed corpus (the committed corpus
# is never written to) for MV_FUZZ_SECONDS (default 20) seconds.
#
#   run-fuzzer.sh FUZZER CORPUS_DIR CRASH_DIR
#
# Crash, leak and timeout inputs are saved as CRASH_DIR/<target>-crash-<sha1>
# (and -leak-, -timeout-, -oom-). Prints one summary line
# "fuzz-<target>: N executions in S s, corpus A -> B inputs, K crashes" and
# exits non-zero when the fuzzer found something.
set -uo pipefail

if [ $# -ne 3 ]; then
    echo "usage: $0 FUZZER CORPUS_DIR CRASH_DIR" >&2
    exit 2
fi
fuzzer=$1 corpus=$2 crashes=$3
seconds=${MV_FUZZ_SECONDS:-20}
name=$(basename "$fuzzer")
target=${name#fuzz-}

work=$(mktemp -d "${TMPDIR:-/tmp}/mv-fuzz-$target.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$crashes"
cp "$corpus"/* "$work/corpus/" 2>/dev/null
before=$(find "$work/corpus" -type f | wc -l)

# GLib criticals are findings; leaks are reported by libFuzzer itself.
export G_DEBUG=fatal-criticals
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:handle_sigtrap=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
touch "$work/stamp"
start=$(date +%s)
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$crashes/$target-" "$work/corpus" \
    >"$work/log" 2>&1
rc=$?
elapsed=$(( $(date +%s) - start ))
after=$(find "$work/corpus" -type f | wc -l)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n1)
# A run that crashed prints no final stats: its last progress line counts.
[ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9][0-9]*\)[[:space:]].*/\1/p' "$work/log" | tail -n1)
found=$(find "$crashes" -maxdepth 1 -name "$target-*" -newer "$work/stamp" | wc -l)
if [ "$rc" -ne 0 ]; then
    # Whatever the report said, show it (the artifact path is in it).
    tail -n 60 "$work/log"
    [ "$found" -gt 0 ] || found=1
fi
echo "fuzz-$target: ${execs:-0} executions in ${elapsed} s, corpus $before -> $after inputs," \
     "$found crash(es) (exit $rc)"
exit "$rc"
