#!/usr/bin/env bash
# npm run demo: the main job on a fresh machine, end to end and non-interactively.
# Starts the local control plane (real kube-apiserver, controller-manager, scheduler,
# etcd, kwok nodes; see test/cluster/README.md), then deploys PostHog self-hosted and
# the Model Router with vh-deploy, verifies them, and prints where everything is.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash test/cluster/up.sh >/dev/null
# shellcheck disable=SC1091
source .cluster/env
vh() { node bin/vh-deploy.js "$@"; }

echo "== 1/4 PostHog self-hosted (namespace posthog)"
vh self-hosted --domain posthog.demo.example.com --yes

echo "== 2/4 Model Router (namespace voicehelper-prod), connected to the in-cluster PostHog"
# Demo-only values, kept for this run; real deployments pass secrets via env,
# --…-file or a masked prompt.
export VH_DEPLOY_POSTHOG_API_KEY="phc_$(openssl rand -hex 16)"
export VH_DEPLOY_DB_PASSWORD="$(openssl rand -base64 24)"
router=(--image registry.example.com/voicehelper/model-router:1.4.2
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
  node bin/vh-deploy.js verify all -o json
  npm run cluster:down          # stop it
MSG
