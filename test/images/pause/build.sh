#!/usr/bin/env bash
# The pod sandbox image (containerd's sandbox_image): holds the pod's namespaces and
# waits. A shell loop instead of the pause binary: it exits on SIGTERM/SIGINT, as
# kubernetes/build/pause/linux/pause.c does.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
R="$WORK/pause"
base_rootfs "$R"
cat >"$R/pause" <<'SH'
#!/bin/sh
trap 'exit 0' TERM INT
while :; do sleep 3600 & wait $!; done
SH
chmod 0755 "$R/pause"
oci "$R" vh-contract.local/pause:1 '{"User":"65535:65535","Entrypoint":["/pause"],"WorkingDir":"/"}'
