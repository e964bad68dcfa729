#!/bin/bash
# Mutation check (not run in CI: it rebuilds once per mutant).
#
#   scripts/mutate.sh                  every mutant in tests/mutants.txt
#   scripts/mutate.sh --only ID,ID     some of them
#   scripts/mutate.sh --check          does every mutant still apply exactly once?
#   scripts/mutate.sh --list           the catalogue
#
# Prints one verdict per mutant, the survivors and the kill rate.  See docs/testing.md.
exec /usr/bin/python3 "$(dirname "$0")/mutate.py" "$@"
