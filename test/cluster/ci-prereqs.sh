#!/usr/bin/env bash
# Installs what the e2e cluster harness needs on a Debian/Ubuntu host, only if missing:
#   ip (iproute2), openssl, curl, base64/sha256sum/setsid/nsenter (coreutils, util-linux), awk,
#   and for the real node (test/cluster/real-node-up.sh): containerd, runc, the CNI plugins
#   (containernetworking-plugins, in /usr/lib/cni) and busybox-static (the images' rootfs),
#   and zsh and fish (the completion tests load the generated scripts in the real shells)
# and checks that Go (for test/cluster/build.sh) and Node are present.
# Runs unattended (CI=true, no stdin) as root.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

need=()
command -v ip >/dev/null || need+=(iproute2)
command -v openssl >/dev/null || need+=(openssl)
command -v curl >/dev/null || need+=(curl ca-certificates)
command -v setsid >/dev/null || need+=(util-linux)
command -v sha256sum >/dev/null || need+=(coreutils)
command -v awk >/dev/null || need+=(gawk)
command -v nsenter >/dev/null || need+=(util-linux)
command -v containerd >/dev/null || need+=(containerd)
command -v runc >/dev/null || need+=(runc)
[ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
{ [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; } || need+=(busybox-static)
command -v zsh >/dev/null || need+=(zsh)
command -v fish >/dev/null || need+=(fish)

if [ "${#need[@]}" -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "ci-prereqs: need root to install: ${need[*]}" >&2; exit 1; }
  echo "ci-prereqs: installing ${need[*]}" >&2
  apt-get update -qq </dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" </dev/null
else
  echo "ci-prereqs: iproute2, openssl, curl, util-linux, coreutils, awk, containerd, runc, CNI plugins, busybox-static, zsh, fish present" >&2
fi

command -v go >/dev/null || { echo "ci-prereqs: 'go' is not on PATH; test/cluster/build.sh needs Go >= 1.26 to build the control plane" >&2; exit 1; }
command -v node >/dev/null || { echo "ci-prereqs: 'node' is not on PATH" >&2; exit 1; }
gov="$(go env GOVERSION)"
case "$gov" in
  go1.2[6-9]* | go1.[3-9]* | go[2-9]*) ;;
  *) echo "ci-prereqs: $gov is too old; the pinned control plane needs Go >= 1.26 (GOTOOLCHAIN=local)" >&2; exit 1 ;;
esac
[ "$(id -u)" = 0 ] || echo "ci-prereqs: warning: the harness must run as root (ip netns add)" >&2
echo "ci-prereqs: ok ($gov, node $(node --version))" >&2
