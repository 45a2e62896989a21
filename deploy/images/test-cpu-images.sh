#!/usr/bin/env bash
# Runs a silo and a worker from the CPU images (build-cpu-images.sh) with podman, on this machine's loopback, and
# checks what a cluster needs of them: the images' own health checks pass, the worker joins the silo over mutual
# TLS with its credential, and the CLI reaches the silo's API from outside the containers. The silo keeps its
# state in its embedded SQLite file here (the manifests use PostgreSQL: ManifestProcessTests covers that).
#
#   bash deploy/images/test-cpu-images.sh [TAG]         (root; podman and runc from Debian)
set -euo pipefail
tag=${1:-0.1.0}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/gancluster-image-test.XXXXXX)
log() { printf '[image-test] %s\n' "$*"; }
# This machine's kernel refuses the rlimits podman sets by default and crun's cgroup handling: runc, no default ulimits.
printf '[containers]\ndefault_ulimits = []\n' > "$work/containers.conf"
export CONTAINERS_CONF="$work/containers.conf"
# No systemd here to run the health checks on a timer: they are run by hand below, and its complaint is dropped.
podman() { command podman --runtime "$(command -v runc)" "$@" 2> >(grep -v 'systemd connection' >&2); }
cleanup() { podman rm -f gc-test-silo gc-test-worker >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

log "secrets for one worker"
"$repo/gancluster" k8s secrets --out "$work/secrets" --workers 1 --in-cluster-postgres >/dev/null
mkdir -p "$work/silo" "$work/worker" "$work/state" "$work/store"
cp "$work/secrets/api-token" "$work/secrets/cluster-key" "$work/secrets/tls/silo.pfx" "$work/secrets/tls/ca.crt" "$work/silo/"
cp "$work/secrets/tls/worker.pfx" "$work/secrets/tls/ca.crt" "$work/worker/"
python3 - "$work/secrets/secrets.yaml" "$work/worker/credential" <<'PY'
import base64, re, sys
text = open(sys.argv[1]).read()
value = re.search(r"name: gancluster-worker-credentials.*?gancluster-worker-0: (\S+)", text, re.S).group(1)
open(sys.argv[2], "w").write(base64.b64decode(value).decode())
PY
chown -R 10001:10001 "$work/silo" "$work/worker" "$work/state" "$work/store"

log "silo from gancluster/silo:$tag"
podman run -d --name gc-test-silo --network host -v "$work/silo:/etc/gancluster:ro" -v "$work/state:/var/lib/gancluster" "gancluster/silo:$tag" \
  --state-dir=/var/lib/gancluster --host=127.0.0.1 --api-port=50151 --silo-port=11211 --gateway-port=30100 --metrics-host=127.0.0.1 --metrics-port=9100 \
  --token-file=/etc/gancluster/api-token --cluster-key-file=/etc/gancluster/cluster-key \
  --tls-certificate=/etc/gancluster/silo.pfx --tls-authority=/etc/gancluster/ca.crt >/dev/null
for i in $(seq 1 60); do podman healthcheck run gc-test-silo >/dev/null 2>&1 && break; sleep 1; done
podman healthcheck run gc-test-silo >/dev/null || { podman logs gc-test-silo | tail -20; echo "FAIL: the silo's health check"; exit 1; }
log "silo healthy (its image's HEALTHCHECK)"

log "worker from gancluster/worker-cpu:$tag"
podman run -d --name gc-test-worker --network host -v "$work/worker:/etc/gancluster:ro" -v "$work/store:/checkpoints" "gancluster/worker-cpu:$tag" \
  --mode=cluster --id=gancluster-worker-0 --store=/checkpoints --data-root=/data --host=127.0.0.1 --ring-port=7100 --gateway-port=30100 \
  --metrics-host=127.0.0.1 --metrics-port=9101 --credential-file=/etc/gancluster/credential \
  --tls-certificate=/etc/gancluster/worker.pfx --tls-authority=/etc/gancluster/ca.crt >/dev/null
# The worker image's health check probes 9100; this worker shares the host network with the silo, on 9101.
for i in $(seq 1 60); do curl -fsS http://127.0.0.1:9101/health/ready >/dev/null 2>&1 && break; sleep 1; done
curl -fsS http://127.0.0.1:9101/health/ready >/dev/null || { podman logs gc-test-worker | tail -20; echo "FAIL: the worker's readiness"; exit 1; }
log "worker ready"

listed=$("$repo/gancluster" workers list --api http://127.0.0.1:50151 --token-file "$work/secrets/api-token" --output json)
echo "$listed" | grep -q '"gancluster-worker-0"' || { echo "$listed"; echo "FAIL: the worker did not register"; exit 1; }
log "the worker registered with the silo over mutual TLS; the CLI reached the API from outside the containers"
log "images: $(podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep gancluster | tr '\n' ' ')"
log "PASS"
