#!/usr/bin/env bash
# Builds the root filesystem of the container runtime (docs/runtimes.md, "Container runner"), locally and without
# pulling any image: a static busybox, one symlink per applet in /bin, a minimal /etc (passwd, group, hosts,
# nsswitch.conf, an empty resolv.conf) and empty mount points (/proc, /dev, /tmp, /pack, /action) for the sandbox tool to mount over.
#   scripts/build-container-rootfs.sh [<target dir>]   default: $ATTUNE_CONTAINER_ROOTFS or .attune/container-rootfs
# Idempotent and quick: a complete rootfs built from the same busybox is left alone (marker file .attune-rootfs).
# The new tree is built beside the target and renamed into place, so concurrent builds (several stacks starting at
# once) never see a half-built rootfs. Exits non-zero with a message when busybox-static is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET="${1:-${ATTUNE_CONTAINER_ROOTFS:-.attune/container-rootfs}}"
case "$TARGET" in /*) ;; *) TARGET="$(pwd)/${TARGET#./}" ;; esac
MARKER=.attune-rootfs
FORMAT=3

say() { printf 'build-container-rootfs: %s\n' "$*"; }
die() { printf 'build-container-rootfs: ERROR: %s\n' "$*" >&2; exit 1; }

BUSYBOX="${ATTUNE_CONTAINER_BUSYBOX:-}"
if [ -z "$BUSYBOX" ]; then
  for candidate in /usr/bin/busybox /bin/busybox; do
    [ -x "$candidate" ] && { BUSYBOX="$candidate"; break; }
  done
fi
[ -n "$BUSYBOX" ] && [ -x "$BUSYBOX" ] || die "no busybox found (install busybox-static: apt-get install busybox-static)"
# A dynamically linked busybox would need the host's libc inside the sandbox: refuse it rather than build a rootfs
# in which nothing starts.
if command -v ldd >/dev/null 2>&1 && ldd "$BUSYBOX" >/dev/null 2>&1; then
  die "$BUSYBOX is dynamically linked; the container rootfs needs busybox-static (apt-get install busybox-static)"
fi

STAMP="format=$FORMAT busybox=$(sha256sum "$BUSYBOX" | cut -d' ' -f1)"
if [ -f "$TARGET/$MARKER" ] && [ "$(cat "$TARGET/$MARKER")" = "$STAMP" ]; then
  say "rootfs up to date at $TARGET"
  exit 0
fi

mkdir -p "$(dirname "$TARGET")"
WORK="$(mktemp -d "$(dirname "$TARGET")/.rootfs-build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
chmod 0755 "$WORK" # mktemp made it 0700

mkdir -p "$WORK"/{bin,sbin,usr/bin,usr/sbin,etc,proc,dev,tmp,pack,action,root}
chmod 1777 "$WORK/tmp"
cp "$BUSYBOX" "$WORK/bin/busybox"
chmod 0755 "$WORK/bin/busybox"
# Every applet as a symlink in /bin (PATH inside is /bin:/usr/bin); `busybox --list` prints the applet names.
"$WORK/bin/busybox" --list | while read -r applet; do
  [ "$applet" = busybox ] || ln -sf busybox "$WORK/bin/$applet"
done
[ -e "$WORK/bin/sh" ] || die "busybox has no sh applet"

cat >"$WORK/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$WORK/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
cat >"$WORK/etc/hosts" <<'EOF'
127.0.0.1 localhost
::1 localhost
EOF
echo 'hosts: files dns' >"$WORK/etc/nsswitch.conf"
# mount point for the host's resolver configuration, bound in when a runtime allows the network
: >"$WORK/etc/resolv.conf"
echo "$STAMP" >"$WORK/$MARKER"

# Swap in atomically: the old tree (if any) is moved aside first, then removed.
if [ -e "$TARGET" ]; then
  OLD="$(mktemp -d "$(dirname "$TARGET")/.rootfs-old.XXXXXX")"
  mv "$TARGET" "$OLD/tree" 2>/dev/null || true
  rm -rf "$OLD"
fi
if ! mv -T "$WORK" "$TARGET" 2>/dev/null; then
  # Someone else swapped theirs in meanwhile; theirs is as good as ours.
  [ -f "$TARGET/$MARKER" ] || die "could not move the new rootfs into $TARGET"
fi
trap - EXIT
rm -rf "$WORK"
say "rootfs built at $TARGET ($(ls "$TARGET/bin" | wc -l) entries in /bin)"
