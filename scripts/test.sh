#!/bin/bash
# Build modvirt with --werror and run the whole test suite.
#
#   scripts/test.sh                  install deps, build build-test/, run every test
#   scripts/test.sh --suite integration     extra arguments go to `meson test`
#   MV_BUILD_DIR=dir scripts/test.sh        use another build directory
#   MV_SKIP_DEPS=1 scripts/test.sh          do not run scripts/install-deps.sh
#
# Skips are listed per test and per case ("skipped: TEST[:CASE] -- reason"):
# the tests speak TAP, so a case that skips shows even when its test passes.
# With CI=true every skip fails the run unless tests/allowed-skips.txt lists
# it, and MV_TEST_REGENERATE (rewrite the goldens) is refused.
#
# The last line printed is always "N passed, N failed".  Exit status is 0 only
# when something ran and nothing failed (outside CI, skips do not count as failures).
set -uo pipefail

cd "$(dirname "$0")/.."
SRC=$(pwd)
BUILD=${MV_BUILD_DIR:-build-test}
JOBS=${MV_TEST_JOBS:-2}
TIMEOUT_MULT=${MV_TEST_TIMEOUT_MULTIPLIER:-2}

summary() {        # summary PASSED FAILED
    echo "$1 passed, $2 failed"
}

die() {
    echo "test.sh: $*" >&2
    summary 0 1
    exit 1
}

CI_MODE=0
[ "${CI:-}" = "true" ] && CI_MODE=1
ALLOWED_SKIPS="$SRC/tests/allowed-skips.txt"

if [ "$CI_MODE" = 1 ] && [ -n "${MV_TEST_REGENERATE:-}" ]; then
    die "MV_TEST_REGENERATE is set under CI=true: goldens are never rewritten on CI"
fi

if [ "${MV_SKIP_DEPS:-0}" != "1" ]; then
    "$SRC/scripts/install-deps.sh" || die "installing dependencies failed"
fi

if [ -f "$BUILD/build.ninja" ]; then
    if ! meson setup --reconfigure --werror "$BUILD" >"$BUILD/setup.log" 2>&1; then
        echo "test.sh: reconfiguring $BUILD failed; wiping it and configuring afresh"
        meson setup --wipe --werror "$BUILD" >"$BUILD/setup.log" 2>&1 \
            || { cat "$BUILD/setup.log"; die "meson setup failed"; }
    fi
else
    mkdir -p "$BUILD"
    meson setup --werror "$BUILD" >"$BUILD.setup.log" 2>&1 \
        || { cat "$BUILD.setup.log"; rm -f "$BUILD.setup.log"; die "meson setup failed"; }
    mv "$BUILD.setup.log" "$BUILD/setup.log"
fi

echo "== building ($BUILD, --werror)"
meson compile -C "$BUILD" || die "build failed"

echo "== running tests"
LOG="$BUILD/meson-logs/testlog.json"
rm -f "$LOG"
start=$(date +%s)
meson test -C "$BUILD" --print-errorlogs --num-processes "$JOBS" \
    --timeout-multiplier "$TIMEOUT_MULT" "$@"
meson_rc=$?
echo "== meson test finished in $(( $(date +%s) - start ))s (exit $meson_rc)"

if [ ! -f "$LOG" ]; then
    if [ "$meson_rc" -eq 0 ]; then
        echo "test.sh: no tests ran"
        echo "0 skipped"
        summary 0 0
        exit 1
    fi
    die "no $LOG: meson test did not run"
fi

# Count results from meson's JSON log (one object per line).  Skips: a whole
# test meson calls SKIP, and every TAP case "ok N NAME # SKIP reason" in the
# stdout of a test (the stdout is in the log).  Under CI=true a skip that
# tests/allowed-skips.txt does not list counts as a failure.
read -r passed failed skipped < <(/usr/bin/python3 "$SRC/scripts/test-results.py" \
    "$LOG" "$ALLOWED_SKIPS" "$CI_MODE"
) || die "cannot parse $LOG"

# The libFuzzer targets, 20 s each in a clang build (scripts/fuzz.sh --ci): only
# in a full run (no meson test arguments); MV_SKIP_FUZZ=1 leaves them out.
if [ "${MV_SKIP_FUZZ:-0}" != "1" ] && [ "$#" -eq 0 ]; then
    echo "== fuzzing (scripts/fuzz.sh --ci)"
    # Its own "N passed, N failed" is counted here, not printed: the summary stays the
    # only such line.
    "$SRC/scripts/fuzz.sh" --ci "${MV_FUZZ_SECONDS:-20}" 2>&1 | tee "$BUILD/fuzz.log" \
        | grep -v -E '^[0-9]+ passed, [0-9]+ failed$'
    read -r fuzz_passed fuzz_failed < <(tail -n 1 "$BUILD/fuzz.log" \
        | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
    echo "== fuzzing: ${fuzz_passed:-0} target(s) passed, ${fuzz_failed:-1} failed"
    passed=$((passed + ${fuzz_passed:-0}))
    failed=$((failed + ${fuzz_failed:-1}))
fi

echo "$skipped skipped"
summary "$passed" "$failed"
if [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
    exit 1
fi
exit 0
