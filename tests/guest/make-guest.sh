#!/bin/sh
# make-guest.sh OUTDIR -- build the tiny test guest from Debian packages.
#
# Writes OUTDIR/vmlinuz (Debian's cloud kernel), OUTDIR/initrd.gz (busybox
# userland + virtio/ACPI modules + the QEMU guest agent qemu-ga with the host
# libraries ldd names for it) and OUTDIR/disk.qcow2 (blank, 64 MiB).
# The packages are downloaded with `apt-get download` into OUTDIR/cache and
# unpacked, never installed. A stamp (package versions + this script's hash)
# makes a second run with the same versions a no-op. Concurrent runs on the
# same OUTDIR serialize on OUTDIR/.lock. Quiet on success; exit status 2 when
# the packages cannot be fetched, 1 on other errors. See README.md.
set -eu

die() { echo "make-guest.sh: $*" >&2; exit 1; }
# The packages cannot be had (no apt lists, no network): exit 2 so that tests skip.
unavailable() { echo "make-guest.sh: $*" >&2; exit 2; }

[ $# -eq 1 ] || die "usage: make-guest.sh OUTDIR"
OUT=$1
SELF=$(readlink -f "$0")
SELF_HASH=$(sha256sum "$SELF" | cut -d' ' -f1)
MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci \
virtio_blk failover net_failover virtio_net virtio_balloon virtio_console evdev button \
scsi_common scsi_mod cdrom sr_mod libata ata_piix"

mkdir -p "$OUT/cache"
OUT=$(cd "$OUT" && pwd)
CACHE=$OUT/cache
exec 9>"$OUT/.lock"
flock 9

APT_OPTS=""
[ "$(id -u)" = 0 ] && APT_OPTS="-o APT::Sandbox::User=root"

# The versioned image package the metapackage depends on (with its exact
# version) and busybox-static's version, from one apt-cache call (each call
# costs ~0.6 s here); false when apt has no package lists.
resolve() {
    INFO=$(apt-cache show --no-all-versions linux-image-cloud-amd64 busybox-static \
           qemu-guest-agent 2>/dev/null) || return 1
    DEP=$(echo "$INFO" | sed -n 's/^Depends: .*\(linux-image-[0-9][^ ,]*-cloud-amd64\) (= \([^)]*\)).*/\1 \2/p' |
          head -n1)
    KPKG=${DEP% *}
    KVER=${DEP#* }
    BVER=$(echo "$INFO" | sed -n '/^Package: busybox-static$/,/^$/s/^Version: //p' | head -n1)
    GVER=$(echo "$INFO" | sed -n '/^Package: qemu-guest-agent$/,/^$/s/^Version: //p' | head -n1)
    [ -n "$DEP" ] && [ -n "$BVER" ] && [ -n "$GVER" ]
}

apt_update() {
    [ "$(id -u)" = 0 ] || unavailable "apt has no package lists; run 'apt-get update' as root"
    apt-get $APT_OPTS -qq update >/dev/null 2>&1 || unavailable "apt-get update failed"
}

# Fast path: built by this script and apt's lists did not change since.
if [ -f "$OUT/vmlinuz" ] && [ -f "$OUT/initrd.gz" ] && [ -f "$OUT/disk.qcow2" ] &&
   [ -f "$OUT/stamp" ] && [ "$(sed -n 's/.* script=//p' "$OUT/stamp")" = "$SELF_HASH" ] &&
   [ -z "$(find /var/lib/apt/lists -newer "$OUT/stamp" -print -quit 2>/dev/null)" ]; then
    exit 0
fi

if ! resolve; then
    if [ -f "$OUT/stamp" ] && [ -f "$OUT/vmlinuz" ] && [ -f "$OUT/initrd.gz" ] &&
       [ -f "$OUT/disk.qcow2" ] && [ "$(id -u)" != 0 ]; then
        exit 0      # no lists and no way to fetch them: keep what we have
    fi
    apt_update
    resolve || unavailable "apt knows no linux-image-cloud-amd64, busybox-static or qemu-guest-agent"
fi

STAMP="$KPKG=$KVER busybox-static=$BVER qemu-guest-agent=$GVER script=$SELF_HASH"
if [ -f "$OUT/vmlinuz" ] && [ -f "$OUT/initrd.gz" ] && [ -f "$OUT/disk.qcow2" ] &&
   [ "$(cat "$OUT/stamp" 2>/dev/null)" = "$STAMP" ]; then
    touch "$OUT/stamp"      # same versions: re-arm the fast path
    exit 0
fi

# The cached .deb of package $1 at version $2, if any.
cached_deb() {
    for f in "$CACHE/$1"_*.deb; do
        [ -f "$f" ] && [ "$(dpkg-deb -f "$f" Version)" = "$2" ] && { echo "$f"; return 0; }
    done
    return 1
}

fetch() {
    cached_deb "$1" "$2" >/dev/null && return 0
    rm -f "$CACHE/$1"_*.deb
    if ! (cd "$CACHE" && apt-get $APT_OPTS -qq download "$1=$2" >/dev/null 2>&1); then
        apt_update
        (cd "$CACHE" && apt-get $APT_OPTS -qq download "$1=$2" >/dev/null) ||
            unavailable "cannot download $1=$2"
    fi
    cached_deb "$1" "$2" >/dev/null || die "downloaded $1 but not version $2"
}

fetch "$KPKG" "$KVER"
fetch busybox-static "$BVER"
fetch qemu-guest-agent "$GVER"

WORK=$(mktemp -d "$OUT/.build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
PKG=$WORK/pkg
ROOT=$WORK/root
mkdir -p "$PKG" "$ROOT"

# busybox unpacks in the background while the kernel's xz data decompresses.
dpkg-deb --fsys-tarfile "$(cached_deb busybox-static "$BVER")" |
    tar -x -C "$PKG" ./bin/busybox &
BB_JOB=$!

# Only the kernel and the modules we load, not the whole image package; kept
# unpacked in the cache so that a rebuild skips the ~1.3 s of decompression.
KDIR=$CACHE/unpacked-$KPKG-$KVER
for m in $MODULES; do
    # a module added to the list since the cache was unpacked: unpack again
    [ -d "$KDIR" ] && [ -z "$(find "$KDIR/lib/modules" -name "$m.ko")" ] && rm -rf "$KDIR"
done
if [ ! -d "$KDIR" ]; then
    rm -rf "$CACHE"/unpacked-*
    mkdir -p "$WORK/kernel"
    PATTERNS="./boot/vmlinuz-*"
    for m in $MODULES; do PATTERNS="$PATTERNS */$m.ko"; done
    # shellcheck disable=SC2086 # the patterns are split on purpose
    dpkg-deb --fsys-tarfile "$(cached_deb "$KPKG" "$KVER")" |
        tar -x -C "$WORK/kernel" --wildcards $PATTERNS || die "unexpected content in $KPKG"
    mv "$WORK/kernel" "$KDIR"
fi
wait "$BB_JOB" || die "unexpected content in busybox-static"
BB=$PKG/bin/busybox
dpkg-deb --fsys-tarfile "$(cached_deb qemu-guest-agent "$GVER")" |
    tar -x -C "$PKG" ./usr/sbin/qemu-ga || die "unexpected content in qemu-guest-agent"

mkdir -p "$ROOT/bin" "$ROOT/sbin" "$ROOT/usr/bin" "$ROOT/usr/sbin" "$ROOT/lib/modules" \
         "$ROOT/etc/acpi/PWRF" "$ROOT/proc" "$ROOT/sys" "$ROOT/dev" "$ROOT/tmp" "$ROOT/run" \
         "$ROOT/var/log" "$ROOT/root"
cp "$BB" "$ROOT/bin/busybox"
# The guest agent and the libraries it loads, taken from this (Debian 12) host at the
# paths ldd names: the same release as the package, so the versions fit.
cp "$PKG/usr/sbin/qemu-ga" "$ROOT/usr/sbin/qemu-ga"
LIBS=$(ldd "$PKG/usr/sbin/qemu-ga") || die "ldd cannot read qemu-ga"
MISSING=$(echo "$LIBS" | sed -n 's/^[[:space:]]*\([^ ]*\) => not found.*/\1/p' | tr '\n' ' ')
[ -z "$MISSING" ] || die "qemu-ga needs $MISSING which this host lacks; install qemu-system-x86 \
(it depends on the same libraries) or the packages that ship them"
for lib in $(echo "$LIBS" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p'); do
    mkdir -p "$ROOT$(dirname "$lib")"
    cp -L "$lib" "$ROOT$lib"
done
for m in $MODULES; do
    find "$KDIR/lib/modules" -name "$m.ko" -exec cp {} "$ROOT/lib/modules/" \;
    [ -f "$ROOT/lib/modules/$m.ko" ] || die "module $m.ko missing from $KPKG"
done

cat >"$ROOT/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts
for m in $MODULES; do
    insmod /lib/modules/\$m.ko || echo "MODVIRT-GUEST-ERROR insmod \$m"
done
acpid
hostname guest
for d in /sys/block/vd*; do
    [ -e "\$d" ] && echo "MODVIRT-GUEST-DISK \${d##*/} \$(cat \$d/size)"
done
[ -e /sys/class/net/eth0 ] && udhcpc -i eth0 -b -q -t 5 -T 1 -s /etc/udhcpc.script >/dev/null 2>&1
# virtio-serial ports appear by name under /dev/virtio-ports (udev's job elsewhere);
# the agent port starts qemu-ga. Ports arrive asynchronously: polled in the background.
if ls -d /sys/bus/virtio/drivers/virtio_console/virtio* >/dev/null 2>&1; then
    /etc/virtio-ports.sh &
fi
exec /sbin/init
EOF

cat >"$ROOT/etc/inittab" <<'EOF'
ttyS0::respawn:-/bin/sh
::ctrlaltdel:/sbin/reboot
::shutdown:/bin/echo MODVIRT-GUEST-POWEROFF
EOF

# Login shell: the prompt, and READY once the first shell can read input.
cat >"$ROOT/etc/profile" <<'EOF'
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root
PS1='guest# '
if [ ! -e /run/ready ]; then
    : >/run/ready
    echo "MODVIRT-GUEST-READY uptime=$(cut -d' ' -f1 /proc/uptime)"
fi
EOF

# busybox acpid maps the power button (KEY_POWER) to PWRF/00000080.
cat >"$ROOT/etc/acpi/PWRF/00000080" <<'EOF'
#!/bin/sh
echo MODVIRT-GUEST-POWERBUTTON >/dev/console
poweroff
EOF

cat >"$ROOT/etc/udhcpc.script" <<'EOF'
#!/bin/sh
case "$1" in
bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "${router:-}" ] && ip route replace default via "${router%% *}" dev "$interface"
    echo "MODVIRT-GUEST-NET $interface $ip" >/dev/console
    ;;
deconfig)
    ip link set "$interface" up
    ip addr flush dev "$interface"
    ;;
esac
exit 0
EOF

cat >"$ROOT/etc/virtio-ports.sh" <<'EOF'
#!/bin/sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
AGENT=/dev/virtio-ports/org.qemu.guest_agent.0
for i in $(seq 50); do
    for p in /sys/class/virtio-ports/vport*; do
        [ -s "$p/name" ] || continue
        mkdir -p /dev/virtio-ports
        ln -sf "../${p##*/}" "/dev/virtio-ports/$(cat "$p/name")"
    done
    [ -e "$AGENT" ] && break
    sleep 0.1
done
[ -e "$AGENT" ] || exit 0
qemu-ga -m virtio-serial -p "$AGENT" -t /run -f /run/qemu-ga.pid -l /var/log/qemu-ga.log -d &&
    echo "MODVIRT-GUEST-AGENT $(cat /run/qemu-ga.pid)" >/dev/console
EOF

# qemu-ga's guest-shutdown runs /sbin/shutdown -h -P|-H|-r +0 MESSAGE: busybox has none.
cat >"$ROOT/sbin/shutdown" <<'EOF'
#!/bin/sh
how=-P
for a in "$@"; do
    case "$a" in -r|-H|-P) how=$a ;; esac
done
echo "MODVIRT-GUEST-AGENT-SHUTDOWN $how" >/dev/console
case "$how" in
-r) exec reboot ;;
-H) exec halt ;;
*) exec poweroff ;;
esac
EOF

# qemu-ga's guest-set-user-password pipes USER:PASSWORD into chpasswd (-e: already
# crypted): busybox-static has none, so this one hashes with busybox mkpasswd
# (SHA-512) and edits /etc/shadow.
cat >"$ROOT/usr/sbin/chpasswd" <<'EOF'
#!/bin/sh
IFS= read -r line || { echo "chpasswd: no input" >&2; exit 1; }
user=${line%%:*}
pass=${line#*:}
grep -q "^$user:" /etc/passwd || { echo "chpasswd: unknown user '$user'" >&2; exit 1; }
if [ "${1:-}" = -e ]; then
    hash=$pass
else
    hash=$(printf '%s\n' "$pass" | mkpasswd -m sha512 -P 0) || exit 1
fi
sed -i "s|^$user:[^:]*:|$user:$hash:|" /etc/shadow
EOF

cat >"$ROOT/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
guest:x:1000:1000:guest:/tmp:/bin/sh
EOF
cat >"$ROOT/etc/shadow" <<'EOF'
root:*:20000:0:99999:7:::
guest:*:20000:0:99999:7:::
EOF
cat >"$ROOT/etc/group" <<'EOF'
root:x:0:
guest:x:1000:
EOF
cat >"$ROOT/etc/os-release" <<'EOF'
NAME="modvirt tiny guest"
ID=modvirt-tiny
PRETTY_NAME="modvirt tiny guest (busybox)"
VERSION_ID=1
VERSION="1 (busybox)"
EOF
chmod 600 "$ROOT/etc/shadow"
ln -s ../run "$ROOT/var/run"

chmod 755 "$ROOT/init" "$ROOT/etc/acpi/PWRF/00000080" "$ROOT/etc/udhcpc.script" \
    "$ROOT/etc/virtio-ports.sh" "$ROOT/sbin/shutdown" "$ROOT/usr/sbin/chpasswd"
(cd "$ROOT" && find . | LC_ALL=C sort | "$BB" cpio -o -H newc 2>/dev/null) |
    gzip -6n >"$WORK/initrd.gz"
cp "$KDIR"/boot/vmlinuz-* "$WORK/vmlinuz"

mv -f "$WORK/vmlinuz" "$OUT/vmlinuz"
mv -f "$WORK/initrd.gz" "$OUT/initrd.gz"
if [ ! -f "$OUT/disk.qcow2" ]; then
    qemu-img create -q -f qcow2 "$WORK/disk.qcow2" 64M
    mv -f "$WORK/disk.qcow2" "$OUT/disk.qcow2"
fi
echo "$STAMP" >"$OUT/stamp"
