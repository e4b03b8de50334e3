#!/usr/bin/env bash
# Validates the deploy files offline (no container engine, no cluster, no cloud needed); run by .ci/run.
#   docker/compose.yaml            docker-compose config -q (Debian's docker-compose 1.29), with each env file; Grafana's dashboard
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
docker-compose -f docker/compose.yaml --env-file docker/local.env config -q
# docker-compose reads one --env-file: local.env repeats simulator.env's settings (all but the profiles, where it
# leaves out grafana) and must keep doing so.
grep -v '^#' docker/simulator.env | grep -v '^COMPOSE_PROFILES=' | while IFS= read -r line; do
  [ -z "$line" ] || grep -qxF "$line" docker/local.env \
    || { echo "docker/local.env lacks docker/simulator.env's $line" >&2; exit 1; }
done
# Grafana runs only with Docker Hub (profile grafana): its dashboard is checked here, offline, instead of by a local
# container: valid JSON, every panel's queries on the provisioned Prometheus datasource (uid prometheus).
python3 - docker/grafana/dashboards/tickstream.json docker/grafana/provisioning/datasources/prometheus.yaml <<'PY'
import json, re, sys
dashboard = json.load(open(sys.argv[1]))
uid = re.search(r'^\s*uid:\s*(\S+)', open(sys.argv[2]).read(), re.M).group(1)
panels = [p for p in dashboard["panels"] if p.get("type") != "row"]
bad = [p.get("title") for p in panels
       if p.get("targets") and (p.get("datasource") or {}).get("uid") != uid]
bad += [p.get("title") for p in panels for t in p.get("targets", []) if not t.get("expr")]
if bad or not panels:
    sys.exit(f"grafana dashboard: panels without a query on datasource {uid}: {bad}")
print(f"grafana: {len(panels)} panels, {sum(len(p.get('targets', [])) for p in panels)} queries on datasource {uid}")
PY

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
