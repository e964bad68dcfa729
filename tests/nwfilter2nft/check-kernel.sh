#!/bin/sh
# Loads every compiler golden (cases/*.nft) into a scratch network namespace
# with the real kernel: base.nft, then the golden, one transaction each, in a
# fresh ruleset. A golden that nftables or the kernel refuses fails the test.
# Goldens compiled for bridge connection tracking and reject ("# flags:
# conntrack" in the .vars), where the kernel has no nf_conntrack_bridge: the
# golden without its ct and reject rules must load, and the whole golden must
# be refused for those only (each error of nft points at a "ct ..." or a
# "reject" expression).
# usage: check-kernel.sh DIR   (run inside `unshare -n`, as meson does)
set -u
dir=$1
nft=$(command -v nft || echo /usr/sbin/nft)
if ! "$nft" list tables >/dev/null 2>&1; then
    echo "1..0 # SKIP no nftables access here (needs CAP_NET_ADMIN in a network namespace)"
    exit 0
fi
ct=yes
printf 'add table bridge mvprobe\nadd chain bridge mvprobe c\nadd rule bridge mvprobe c ct state established accept\n' \
    | "$nft" -f - >/dev/null 2>&1 || ct=no
"$nft" flush ruleset
n=0
for f in "$dir"/cases/*.nft; do n=$((n + 1)); done
echo "1..$n"
i=0
fail=0
for f in "$dir"/cases/*.nft; do
    i=$((i + 1))
    name=$(basename "$f" .nft)
    if grep -q '^# flags:.*conntrack' "$dir/cases/$name.vars" && [ $ct = no ]; then
        "$nft" flush ruleset
        if ! out=$(cat "$dir/base.nft" "$f" | grep -v -e ' ct ' -e ' reject$' | "$nft" -f - 2>&1); then
            echo "not ok $i $name (its rules without ct or reject are refused)"
            echo "$out" | sed 's/^/# /'
            fail=1
            continue
        fi
        "$nft" flush ruleset
        out=$(cat "$dir/base.nft" "$f" | "$nft" -f - 2>&1)
        # nft prints "FILE:LINE:A-B: Error: ...", the rule, then carets under
        # columns A-B: each marked text must be a ct expression.
        bad=$(printf '%s\n' "$out" | awk '
            /: Error: / { split($1, p, ":"); split(p[3], c, "-"); a = c[1]; b = c[2];
                          errs++; getline rule;
                          t = substr(rule, a, b - a + 1);
                          if (t !~ /^ct / && t != "reject") print rule }
            END { if (errs == 0) print "no error: the kernel took ct in the bridge family" }')
        if [ -n "$bad" ]; then
            echo "not ok $i $name (refused for something other than bridge conntrack)"
            printf '%s\n' "$bad" | sed 's/^/# /'
            fail=1
        else
            echo "ok $i $name (no bridge conntrack here: only its ct and reject rules are refused)"
        fi
        continue
    fi
    "$nft" flush ruleset
    if out=$(cat "$dir/base.nft" "$f" | "$nft" -f - 2>&1); then
        echo "ok $i $name"
    else
        echo "not ok $i $name"
        echo "$out" | sed 's/^/# /'
        fail=1
    fi
done
"$nft" flush ruleset
exit $fail
