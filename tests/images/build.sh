#!/usr/bin/env bash
# Builds the local images the docker tests run (no registry is reachable from CI): `docker import` of a
# root filesystem assembled from this host's Debian packages. Idempotent: an image that exists is kept.
#   agentfense-test/busybox:1  busybox-static alone (no libc at all: init must bring its own loader)
#   agentfense-test/debian:1   bash, coreutils, grep, sed, mawk, procps, util-linux and glibc, as Debian ships them
set -euo pipefail
BUSYBOX_IMAGE=agentfense-test/busybox:1
DEBIAN_IMAGE=agentfense-test/debian:1

have() { docker image inspect "$1" >/dev/null 2>&1; }

# root DIR: the directories every image has, with usr-merged links like Debian's.
skeleton() {
  mkdir -p "$1"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,tmp,proc,dev,sys}
  chmod 1777 "$1/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' > "$1/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$1/etc/group"
}

import() { # import DIR IMAGE
  tar --numeric-owner -C "$1" -c . | docker import -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin' - "$2" >/dev/null
  echo "built $2"
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if ! have "$BUSYBOX_IMAGE"; then
  root="$work/busybox"
  mkdir -p "$root"/{bin,etc,tmp,proc,dev,sys}
  chmod 1777 "$root/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $("$root/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
  done
  import "$root" "$BUSYBOX_IMAGE"
fi

if ! have "$DEBIAN_IMAGE"; then
  root="$work/debian"
  skeleton "$root"
  ln -s usr/bin "$root/bin"; ln -s usr/sbin "$root/sbin"; ln -s usr/lib "$root/lib"; ln -s usr/lib64 "$root/lib64"
  # Every file the packages installed (documentation left out), then what their programs link against.
  for package in bash dash coreutils grep sed mawk procps util-linux hostname libc6 libc-bin findutils; do
    dpkg -L "$package" | while read -r path; do
      case "$path" in /usr/share/doc/*|/usr/share/man/*|/usr/share/locale/*|/usr/share/info/*) continue ;; esac
      if [ -f "$path" ] || [ -L "$path" ]; then
        real="$(readlink -f "$path" 2>/dev/null || echo "$path")"
        case "$path" in /bin/*|/sbin/*|/lib/*|/lib64/*) path="/usr$path" ;; esac
        mkdir -p "$root$(dirname "$path")"
        cp -a "$path" "$root$path" 2>/dev/null || cp "$real" "$root$path"
      fi
    done
  done
  for binary in "$root"/usr/bin/* "$root"/usr/sbin/*; do
    [ -f "$binary" ] && [ -x "$binary" ] || continue
    { ldd "$binary" 2>/dev/null || true; } | { grep -o '/[^ ]*' || true; } | while read -r lib; do
      target="$root/usr${lib#/usr}"
      [ -e "$target" ] || { mkdir -p "$(dirname "$target")"; cp -L "$lib" "$target"; }
    done
  done
  ln -sf dash "$root/usr/bin/sh"
  ln -sf mawk "$root/usr/bin/awk"
  import "$root" "$DEBIAN_IMAGE"
fi
