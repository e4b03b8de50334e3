#!/usr/bin/env bash
# Validates the deploy files offline (no container engine, no cluster, no cloud needed); run by .ci/run.
#   docker/compose.yaml            docker-compose config -q (Debian's docker-compose 1.29), with and without the simulator
#   deploy/kubernetes overlays     kubectl kustomize, then every object against the Kubernetes OpenAPI schemas
#                                  (npm kubernetes-models, @kubernetes-models/prometheus-operator)
#   deploy/ecs/tickstream.yaml     every resource and property against AWS's CloudFormation resource specification
#                                  (npm @aws-cdk/aws-service-spec)
# Needs: docker-compose, kubectl, node + npm, python3 with PyYAML. The npm packages go to a cache folder.
set -euo pipefail
cd "$(dirname "$0")/.."
cache=${TICKSTREAM_VALIDATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tickstream-validate}

echo "compose: docker/compose.yaml"
docker-compose -f docker/compose.yaml config -q
docker-compose -f docker/compose.yaml --env-file docker/simulator.env config -q

if [ ! -d "$cache/node_modules/@aws-cdk/aws-service-spec" ]; then
  mkdir -p "$cache"
  (cd "$cache" && npm install --silent --no-audit --no-fund kubernetes-models@5.1.0 \
    @kubernetes-models/prometheus-operator@6.0.0 yaml@2 @aws-cdk/aws-service-spec@0.1.216 >/dev/null)
fi
for overlay in deploy/kubernetes/overlays/*/; do
  echo "kubernetes: $overlay"
  kubectl kustomize "$overlay" | NODE_PATH="$cache/node_modules" node deploy/kubernetes/validate-schemas.mjs
done

echo "ecs: deploy/ecs/tickstream.yaml"
python=python3
"$python" -c 'import yaml' 2>/dev/null || python=/usr/bin/python3
"$python" deploy/ecs/validate-cfn.py deploy/ecs/tickstream.yaml "$cache/node_modules/@aws-cdk/aws-service-spec/db.json.gz"
