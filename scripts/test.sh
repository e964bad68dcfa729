#!/bin/bash
# Build modvirt with --werror and run the whole test suite.
#
#   scripts/test.sh                  install deps, build build-test/, run every test
#   scripts/test.sh --suite integration     extra arguments go to `meson test`
#   MV_BUILD_DIR=dir scripts/test.sh        use another build directory
#   MV_SKIP_DEPS=1 scripts/test.sh          do not run scripts/install-deps.sh
#
# The last line printed is always "N passed, N failed".  Exit status is 0 only
# when something ran and nothing failed (skips do not count as failures).
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

# Count results from meson's JSON log (one object per line).
read -r passed failed skipped other < <(/usr/bin/python3 - "$LOG" <<'PY'
import json, sys
counts = {"pass": 0, "fail": 0, "skip": 0, "other": 0}
failed_names, skipped_names = [], []
with open(sys.argv[1]) as f:
    for line in f:
        line = line.strip()
        if not line:
            continue
        t = json.loads(line)
        r = t.get("result")
        name = t.get("name", "?")
        if r in ("OK", "EXPECTEDFAIL"):
            counts["pass"] += 1
        elif r in ("FAIL", "TIMEOUT", "ERROR", "UNEXPECTEDPASS"):
            counts["fail"] += 1
            failed_names.append("%s (%s)" % (name, r))
        elif r == "SKIP":
            counts["skip"] += 1
            skipped_names.append(name)
        else:
            counts["other"] += 1
            failed_names.append("%s (%s)" % (name, r))
for n in skipped_names:
    print("skipped: " + n, file=sys.stderr)
for n in failed_names:
    print("failed: " + n, file=sys.stderr)
print(counts["pass"], counts["fail"] + counts["other"], counts["skip"], counts["other"])
PY
) || die "cannot parse $LOG"

echo "$skipped skipped"
summary "$passed" "$failed"
if [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
    exit 1
fi
exit 0
