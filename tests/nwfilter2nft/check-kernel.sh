#!/bin/sh
# Loads every compiler golden (cases/*.nft) into a scratch network namespace
# with the real kernel: base.nft, then the golden, one transaction each, in a
# fresh ruleset. A golden that nftables or the kernel refuses fails the test.
# Goldens compiled for bridge connection tracking ("# flags: conntrack" in the
# .vars) are skipped where the kernel has no nf_conntrack_bridge.
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
        echo "ok $i $name # SKIP the kernel has no bridge connection tracking (nf_conntrack_bridge)"
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
