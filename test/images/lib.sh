# Helpers for test/images/*/build.sh. Sourced, not run.
#   base_rootfs DIR            busybox-static as /bin/busybox + one link per applet,
#                              /etc/passwd + /etc/group with root and nobody, /tmp 1777,
#                              /root 0700 (as in Alpine and Debian base images)
#   add_user DIR NAME UID GID HOME
#   oci DIR REF CONFIG_JSON    archive DIR as image REF into $OUT/<name>_<tag>.tar
set -euo pipefail
IMAGES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUSYBOX="${VH_BUSYBOX:-/bin/busybox}"
: "${OUT:?OUT (the folder for the image archives) must be set}"

base_rootfs() {
  local d="$1" a
  [ -x "$BUSYBOX" ] || { echo "images: $BUSYBOX is missing (Debian package busybox-static; test/cluster/ci-prereqs.sh installs it)" >&2; return 1; }
  file_is_static "$BUSYBOX" || { echo "images: $BUSYBOX is not statically linked (install busybox-static)" >&2; return 1; }
  rm -rf "$d" && mkdir -p "$d"/{bin,etc,tmp,root,proc,sys,dev,run,var/run}
  cp "$BUSYBOX" "$d/bin/busybox"
  for a in $("$BUSYBOX" --list); do [ "$a" = busybox ] || ln -s busybox "$d/bin/$a"; done
  ln -s bin "$d/sbin"; mkdir -p "$d/usr"; ln -s ../bin "$d/usr/bin"; ln -s ../bin "$d/usr/sbin"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$d/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' >"$d/etc/group"
  chmod 1777 "$d/tmp"; chmod 0700 "$d/root"
}
# ldd fails on a statically linked binary ("not a dynamic executable")
file_is_static() { ! ldd "$1" >/dev/null 2>&1; }

add_user() { # DIR NAME UID GID HOME
  echo "$2:x:$3:$4:$2:$5:/bin/sh" >>"$1/etc/passwd"
  grep -q "^[^:]*:x:$4:" "$1/etc/group" || echo "$2:x:$4:" >>"$1/etc/group"
  mkdir -p "$1$5" && chown "$3:$4" "$1$5"
}

oci() { # DIR REF CONFIG_JSON
  local ref="$2" file
  file="$OUT/$(echo "${ref##*/}" | tr ':' '_').tar"
  printf '%s' "$3" >"$OUT/.config.json"
  node "$IMAGES_DIR/build-oci.mjs" --rootfs "$1" --name "$ref" --config "$OUT/.config.json" --out "$file" >&2
  rm -f "$OUT/.config.json"
  echo "$file"
}
