#!/usr/bin/env bash
# The README demo: build the example monorepo into reproducible images, show them and where the
# time went, prove reproducibility, and run one image in Docker's engine.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
dray() { node "$repo/bin/dray.js" "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

[ -f dist/cli/main.js ] || npm run build --silent

cd examples/shop
step "dray build — every service, linux/amd64 + linux/arm64, no daemon"
dray build

step "the images, tagged in the OCI layout at examples/shop/.dray/oci"
node -e '
  const idx = require("./.dray/oci/index.json");
  for (const m of idx.manifests) console.log(m.annotations["org.opencontainers.image.ref.name"].padEnd(22), m.digest.slice(0, 19), m.mediaType.split(".").pop());'

step "skopeo (an independent reader) sees the same image"
skopeo inspect --config oci:.dray/oci:api.linux-amd64 | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const c=JSON.parse(s);console.log({architecture:c.architecture,created:c.created,entrypoint:c.config.Entrypoint,user:c.config.User,diff_ids:c.rootfs.diff_ids.length})})'

step "dray build again — same inputs, same digests"
dray build --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const x of JSON.parse(s).services)for(const p of x.platforms)console.log(x.name.padEnd(8),p.platform.padEnd(12),p.imageId.slice(0,19))})'

step "dray verify — rebuild elsewhere with another path, clock, umask, TZ, locale and an empty Go cache"
dray verify api web

if curl -sf --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null 2>&1; then
  step "run the api image (FROM scratch, non-root) in Docker's engine"
  name=dray-demo-api
  docker rm -f "$name" >/dev/null 2>&1 || true
  skopeo copy --quiet oci:.dray/oci:api.linux-amd64 docker-daemon:dray-demo/api:latest
  docker run -d --name "$name" -p 127.0.0.1:18080:8080 dray-demo/api:latest >/dev/null
  for _ in $(seq 1 50); do curl -sf http://127.0.0.1:18080/healthz >/dev/null && break; sleep 0.1; done
  printf 'GET / → %s\n' "$(curl -s http://127.0.0.1:18080/)"
  docker rm -f "$name" >/dev/null
else
  echo "(Docker's engine is not running: scripts/start-engine.sh starts it)"
fi
