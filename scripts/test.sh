#!/bin/bash
# Build modvirt with --werror and run the whole test suite.
#
#   scripts/test.sh                  install deps, build build-test/, run every test
#   scripts/test.sh --suite integration     extra arguments go to `meson test`
#   MV_SANITIZE=1 scripts/test.sh    the sanitized pass instead: build-asan/, configured
#                                    with -Db_sanitize=address,undefined
#   MV_SANITIZE=both scripts/test.sh        both passes, normal first (what .ci/run runs)
#   MV_SANITIZE_ALL=1                       the sanitized pass runs every test, also
#                                           those tests/sanitize-exclude.txt leaves out
#   MV_BUILD_DIR=dir scripts/test.sh        another build directory for the normal pass
#   MV_ASAN_BUILD_DIR=dir                   ... for the sanitized pass
#   MV_SKIP_DEPS=1 scripts/test.sh          do not run scripts/install-deps.sh
#   MV_SKIP_FUZZ=1 scripts/test.sh          no libFuzzer run (scripts/fuzz.sh --ci)
#
# Skips are listed per test and per case ("skipped: TEST[:CASE] -- reason"):
# the tests speak TAP, so a case that skips shows even when its test passes.
# With CI=true every skip fails the run unless tests/allowed-skips.txt lists
# it (the sanitized pass also reads tests/allowed-skips-sanitize.txt), and
# MV_TEST_REGENERATE (rewrite the goldens) is refused.
#
# The sanitized pass: the sanitizer options (ASAN_OPTIONS, UBSAN_OPTIONS,
# LSAN_OPTIONS with tests/sanitizer/lsan.supp) are set by tests/meson.build for
# every test of a sanitized build; any report fails the test (docs/testing.md).
# Without meson test arguments it runs every test except those listed in
# tests/sanitize-exclude.txt (each printed as "not in the sanitized pass: ...").
#
# A new build directory is configured with CC="ccache cc" when ccache is
# installed and CC is not set; CCACHE_BASEDIR and CCACHE_NOHASHDIR let a fresh
# clone elsewhere on the machine hit the same cache entries.
#
# The last line printed is always "N passed, N failed" (with MV_SANITIZE=both:
# the sum of both passes, plus the fuzz targets).  Exit status is 0 only when every pass ran something
# and nothing failed (outside CI, skips do not count as failures).
set -uo pipefail

cd "$(dirname "$0")/.."
SRC=$(pwd)
JOBS=${MV_TEST_JOBS:-2}
SANITIZER=address,undefined

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
ALLOWED_SKIPS_SANITIZE="$SRC/tests/allowed-skips-sanitize.txt"
SANITIZE_EXCLUDE="$SRC/tests/sanitize-exclude.txt"

case "${MV_SANITIZE:-0}" in
    0|"") PASSES=(normal) ;;
    1) PASSES=(sanitized) ;;
    both) PASSES=(normal sanitized) ;;
    *) die "MV_SANITIZE must be 0, 1 or both (got '${MV_SANITIZE}')" ;;
esac

if [ "$CI_MODE" = 1 ] && [ -n "${MV_TEST_REGENERATE:-}" ]; then
    die "MV_TEST_REGENERATE is set under CI=true: goldens are never rewritten on CI"
fi

# ccache: paths under the source tree hashed relative to it, not to the clone's path
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$SRC} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}

if [ "${MV_SKIP_DEPS:-0}" != "1" ]; then
    "$SRC/scripts/install-deps.sh" || die "installing dependencies failed"
fi

# configure BUILD MESON-OPTION...: set up or reconfigure BUILD with --werror
configure() {
    local build=$1
    shift
    if [ -f "$build/build.ninja" ]; then
        if ! meson setup --reconfigure --werror "$@" "$build" >"$build/setup.log" 2>&1; then
            echo "test.sh: reconfiguring $build failed; wiping it and configuring afresh"
            meson setup --wipe --werror "$@" "$build" >"$build/setup.log" 2>&1 \
                || { cat "$build/setup.log"; return 1; }
        fi
    else
        mkdir -p "$build"
        local cc=${CC:-}
        [ -z "$cc" ] && command -v ccache >/dev/null 2>&1 && cc="ccache cc"
        CC=${cc:-cc} meson setup --werror "$@" "$build" >"$build.setup.log" 2>&1 \
            || { cat "$build.setup.log"; rm -f "$build.setup.log"; return 1; }
        mv "$build.setup.log" "$build/setup.log"
    fi
}

# run_pass LABEL BUILD TIMEOUT-MULTIPLIER SANITIZE(none|...) EXTRA-ALLOW-LIST EXCLUDE-LIST
#          [meson test args]
# Sets PASS_PASSED, PASS_FAILED, PASS_SKIPPED.  A pass that cannot configure,
# build or run counts as one failure.  With an EXCLUDE-LIST and no meson test
# arguments, the pass runs the tests scripts/sanitize-select.py leaves.
run_pass() {
    local label=$1 build=$2 mult=$3 sanitize=$4 extra_allow=$5 exclude=$6
    shift 6
    PASS_PASSED=0 PASS_FAILED=1 PASS_SKIPPED=0
    echo "== $label pass: configuring $build (-Db_sanitize=$sanitize, --werror)"
    configure "$build" "-Db_sanitize=$sanitize" \
        || { echo "test.sh: $label pass: meson setup failed" >&2; return; }
    echo "== $label pass: building $build"
    meson compile -C "$build" || { echo "test.sh: $label pass: build failed" >&2; return; }

    if [ -n "$exclude" ] && [ "$#" -eq 0 ]; then
        local selected
        selected=$(meson test -C "$build" --list 2>/dev/null \
            | /usr/bin/python3 "$SRC/scripts/sanitize-select.py" "$exclude") \
            || { echo "test.sh: $label pass: cannot choose its tests ($exclude)" >&2; return; }
        mapfile -t selected_tests <<<"$selected"
        set -- "${selected_tests[@]}"
        echo "== $label pass: $# test names (not in this pass: $exclude)"
    fi
    echo "== $label pass: running tests (timeout multiplier $mult)"
    local log="$build/meson-logs/testlog.json" start meson_rc
    rm -f "$log"
    start=$(date +%s)
    meson test -C "$build" --print-errorlogs --num-processes "$JOBS" \
        --timeout-multiplier "$mult" "$@"
    meson_rc=$?
    echo "== $label pass: meson test finished in $(( $(date +%s) - start ))s (exit $meson_rc)"

    if [ ! -f "$log" ]; then
        if [ "$meson_rc" -eq 0 ]; then
            echo "test.sh: $label pass: no tests ran" >&2
        else
            echo "test.sh: $label pass: no $log: meson test did not run" >&2
        fi
        return
    fi
    # Count results from meson's JSON log (one object per line).  Skips: a whole
    # test meson calls SKIP, and every TAP case "ok N NAME # SKIP reason" in the
    # stdout of a test (the stdout is in the log).  Under CI=true a skip that the
    # allow-lists do not list counts as a failure.
    local counts
    counts=$(/usr/bin/python3 "$SRC/scripts/test-results.py" \
        "$log" "$ALLOWED_SKIPS" "$CI_MODE" ${extra_allow:+"$extra_allow"}) \
        || { echo "test.sh: $label pass: cannot parse $log" >&2; return; }
    read -r PASS_PASSED PASS_FAILED PASS_SKIPPED <<<"$counts"
}

TOTAL_PASSED=0 TOTAL_FAILED=0 TOTAL_SKIPPED=0 EMPTY_PASS=0
for pass in "${PASSES[@]}"; do
    if [ "$pass" = normal ]; then
        build=${MV_BUILD_DIR:-build-test}
        run_pass normal "$build" "${MV_TEST_TIMEOUT_MULTIPLIER:-2}" none "" "" "$@"
    else
        build=${MV_ASAN_BUILD_DIR:-build-asan}
        exclude=$SANITIZE_EXCLUDE
        [ "${MV_SANITIZE_ALL:-0}" = 1 ] && exclude=
        run_pass sanitized "$build" "${MV_SANITIZE_TIMEOUT_MULTIPLIER:-3}" "$SANITIZER" \
            "$ALLOWED_SKIPS_SANITIZE" "$exclude" "$@"
    fi
    LAST_BUILD=$build
    if [ "${#PASSES[@]}" -gt 1 ]; then
        echo "== $pass pass: $PASS_PASSED passed, $PASS_FAILED failed, $PASS_SKIPPED skipped"
    fi
    [ "$PASS_PASSED" -eq 0 ] && EMPTY_PASS=1
    TOTAL_PASSED=$(( TOTAL_PASSED + PASS_PASSED ))
    TOTAL_FAILED=$(( TOTAL_FAILED + PASS_FAILED ))
    TOTAL_SKIPPED=$(( TOTAL_SKIPPED + PASS_SKIPPED ))
done

# The libFuzzer targets, 20 s each in a clang build (scripts/fuzz.sh --ci): once, only
# in a full run (no meson test arguments); MV_SKIP_FUZZ=1 leaves them out.
if [ "${MV_SKIP_FUZZ:-0}" != "1" ] && [ "$#" -eq 0 ]; then
    echo "== fuzzing (scripts/fuzz.sh --ci)"
    mkdir -p "$LAST_BUILD"
    # Its own "N passed, N failed" is counted here, not printed: the summary stays the
    # only such line.
    "$SRC/scripts/fuzz.sh" --ci "${MV_FUZZ_SECONDS:-20}" 2>&1 | tee "$LAST_BUILD/fuzz.log" \
        | grep -v -E '^[0-9]+ passed, [0-9]+ failed$'
    read -r fuzz_passed fuzz_failed < <(tail -n 1 "$LAST_BUILD/fuzz.log" \
        | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
    echo "== fuzzing: ${fuzz_passed:-0} target(s) passed, ${fuzz_failed:-1} failed"
    TOTAL_PASSED=$(( TOTAL_PASSED + ${fuzz_passed:-0} ))
    TOTAL_FAILED=$(( TOTAL_FAILED + ${fuzz_failed:-1} ))
fi

echo "$TOTAL_SKIPPED skipped"
summary "$TOTAL_PASSED" "$TOTAL_FAILED"
if [ "$TOTAL_FAILED" -ne 0 ] || [ "$EMPTY_PASS" -ne 0 ]; then
    exit 1
fi
exit 0
