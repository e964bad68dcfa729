#!/bin/sh
# Runs a test program in a private network namespace, so nothing it does to
# links, addresses, sysctls or tc reaches the host:
#
#   netns-run.sh PROGRAM ARGS...         unshare -n
#   netns-run.sh --pid PROGRAM ARGS...   also a private PID namespace (with a
#                                        shell as its PID 1): whatever the test
#                                        leaves running dies with it
#
# Without the right to make namespaces (not root) the test is skipped (TAP).
pid=
if [ "$1" = "--pid" ]; then
    pid=1
    shift
fi
if ! unshare -n true 2>/dev/null; then
    echo "1..0 # SKIP cannot create a network namespace (run the tests as root)"
    exit 0
fi
if [ -n "$pid" ]; then
    exec unshare -n -p -f --mount-proc sh -c '"$@"' sh "$@"
fi
exec unshare -n "$@"
