#!/bin/bash
# Coverage-guided fuzzing with clang's libFuzzer (docs/testing.md, "Fuzzing").
#
#   scripts/fuzz.sh TARGET SECONDS    fuzz one target for SECONDS seconds
#   scripts/fuzz.sh --ci [SECONDS]    every target SECONDS (default 20) seconds, two at a
#                                     time (MV_FUZZ_PARALLEL); the last line is
#                                     "N passed, N failed"
#   scripts/fuzz.sh --list            the targets (tests/fuzz/fuzz-TARGET.c)
#
# Configures build-fuzz/ (MV_FUZZ_BUILD_DIR) with clang and -Dfuzzing=true when it
# does not exist, builds only the fuzz targets (MV_FUZZ_JOBS, default 2, jobs),
# runs the target on a copy of tests/fuzz/corpus/TARGET/ (the committed corpus
# is never written) and saves crashing inputs as tests/fuzz/crashes/TARGET-*.
# Exit status 0 when no target found anything. Needs clang and libfuzzer-14-dev
# (scripts/install-deps.sh installs them).
set -uo pipefail

cd "$(dirname "$0")/.."
SRC=$(pwd)
BUILD=${MV_FUZZ_BUILD_DIR:-build-fuzz}
JOBS=${MV_FUZZ_JOBS:-2}
CRASHES="$SRC/tests/fuzz/crashes"

usage() {
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
}

targets() {
    local f
    for f in "$SRC"/tests/fuzz/fuzz-*.c; do
        f=$(basename "$f" .c)
        [ "$f" = fuzz-main ] || echo "${f#fuzz-}"
    done
}

have_libfuzzer() {
    command -v clang >/dev/null 2>&1 || return 1
    [ -f "$(clang --print-runtime-dir 2>/dev/null)/libclang_rt.fuzzer-x86_64.a" ]
}

# Configures (once) and builds the fuzz targets named.
build() {
    local cc=clang
    if ! have_libfuzzer; then
        echo "fuzz.sh: clang or libFuzzer (libfuzzer-14-dev) is not installed:" \
             "run scripts/install-deps.sh" >&2
        return 1
    fi
    command -v ccache >/dev/null 2>&1 && cc="ccache clang"
    if [ ! -f "$BUILD/build.ninja" ]; then
        mkdir -p "$BUILD"
        CC="$cc" meson setup -Dfuzzing=true "$BUILD" >"$BUILD/setup.log" 2>&1 \
            || { cat "$BUILD/setup.log" >&2; echo "fuzz.sh: meson setup failed" >&2; return 1; }
    fi
    meson compile -C "$BUILD" -j "$JOBS" "${@/#/fuzz-}" \
        || { echo "fuzz.sh: building the fuzz targets failed" >&2; return 1; }
}

run_target() {     # run_target TARGET SECONDS
    MV_FUZZ_SECONDS=$2 MV_SCHEMA_DIR="$SRC/schemas" \
        "$SRC/tests/fuzz/run-fuzzer.sh" "$BUILD/tests/fuzz/fuzz-$1" \
        "$SRC/tests/fuzz/corpus/$1" "$CRASHES"
}

case "${1:-}" in
    --list)
        targets
        exit 0
        ;;
    -h|--help|"")
        usage
        [ -n "${1:-}" ]
        exit $?
        ;;
    --ci)
        seconds=${2:-20}
        mapfile -t ALL < <(targets)
        if ! have_libfuzzer; then
            if [ "${CI:-}" = "true" ]; then
                echo "failed: fuzz -- clang or libfuzzer-14-dev is not installed"
                echo "0 passed, 1 failed"
                exit 1
            fi
            echo "skipped: fuzz -- clang or libfuzzer-14-dev is not installed"
            echo "0 passed, 0 failed"
            exit 0
        fi
        if ! build "${ALL[@]}"; then
            echo "0 passed, ${#ALL[@]} failed"
            exit 1
        fi
        # MV_FUZZ_PARALLEL targets at a time (default 2: each fuzzer uses one CPU);
        # each target's output is printed whole once all have run.
        out=$(mktemp -d "${TMPDIR:-/tmp}/mv-fuzz-ci.XXXXXX") || exit 1
        running=0
        for t in "${ALL[@]}"; do
            ( run_target "$t" "$seconds" >"$out/$t.log" 2>&1; echo $? >"$out/$t.rc" ) &
            running=$((running + 1))
            if [ "$running" -ge "${MV_FUZZ_PARALLEL:-2}" ]; then
                wait -n
                running=$((running - 1))
            fi
        done
        wait
        passed=0 failed=0
        for t in "${ALL[@]}"; do
            cat "$out/$t.log"
            if [ "$(cat "$out/$t.rc" 2>/dev/null)" = 0 ]; then
                passed=$((passed + 1))
            else
                echo "failed: fuzz-$t (inputs in tests/fuzz/crashes/)"
                failed=$((failed + 1))
            fi
        done
        rm -rf "$out"
        echo "$passed passed, $failed failed"
        [ "$failed" -eq 0 ]
        exit $?
        ;;
esac

if [ $# -ne 2 ] || ! [[ "$2" =~ ^[0-9]+$ ]]; then
    usage >&2
    exit 2
fi
if ! grep -qx -- "$1" <<<"$(targets)"; then
    echo "fuzz.sh: unknown target '$1' (targets: $(targets | tr '\n' ' '))" >&2
    exit 2
fi
build "$1" || exit 1
run_target "$1" "$2"
