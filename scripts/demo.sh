#!/usr/bin/env bash
# npm run demo: the main job on a fresh machine, end to end and non-interactively.
# Starts the local control plane (real kube-apiserver, controller-manager, scheduler,
# etcd, kwok nodes and one real node; see test/cluster/README.md), then deploys PostHog
# self-hosted (kwok) and the Model Router (a real container on the real node) with
# vh-deploy, verifies them, and prints where everything is.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash test/cluster/up.sh >/dev/null
# shellcheck disable=SC1091
source .cluster/env
vh() { node bin/vh-deploy.js "$@"; }

echo "== 1/4 PostHog self-hosted (namespace posthog)"
vh self-hosted --domain posthog.demo.example.com --insecure-http --yes

echo "== 2/4 Model Router (namespace voicehelper-prod), connected to the in-cluster PostHog"
# Demo-only values, kept for this run; real deployments pass secrets via env,
# --…-file or a masked prompt.
export VH_DEPLOY_POSTHOG_API_KEY="phc_$(openssl rand -hex 16)"
export VH_DEPLOY_DB_PASSWORD="$(openssl rand -base64 24)"
# On the real node (test/cluster/README.md, "The real node"): a real container from the
# contract image of the seed's Model Router answers /health behind vh-deploy's checks.
# That image runs as root in /root (test/images/README.md), so the pod runs as root.
if [ -f .cluster/real-node/ready ]; then
  echo "   on the real node vh-real-node: image vh-contract.local/model-router:seed, run as root (scripts/demo-real-node.yaml)"
  kubectl get namespace voicehelper-prod >/dev/null 2>&1 || kubectl create namespace voicehelper-prod >/dev/null
  kubectl label namespace voicehelper-prod vh-deploy.io/real-node=true --overwrite >/dev/null
  image=(--image vh-contract.local/model-router:seed --config scripts/demo-real-node.yaml)
else
  echo "   the real node is not running ($(cat .cluster/real-node/unavailable 2>/dev/null || echo 'no reason recorded')): the Model Router runs on a kwok node"
  image=(--image registry.example.com/voicehelper/model-router:1.4.2)
fi
router=("${image[@]}"
  --posthog-host http://posthog-web.posthog.svc.cluster.local:8000
  --db-host posthog-postgres.posthog.svc.cluster.local --db-user model_router --db-ssl-mode disable
  --redis-addr posthog-redis.posthog.svc.cluster.local:6379)
vh model-router --yes "${router[@]}"

echo "== 3/4 a second run would change nothing (vh-deploy diff)"
vh diff model-router "${router[@]}"

echo "== 4/4 verify"
vh verify all || { echo "verify failed"; exit 1; }

cat <<MSG

Done. The cluster keeps running:
  source .cluster/env           # KUBECONFIG and kubectl on PATH
  kubectl get pods -A
  kubectl -n voicehelper-prod logs deploy/model-router   # the real container's log
  node bin/vh-deploy.js verify all -o json
  npm run cluster:down          # stop it
MSG
