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
  step "dray deploy — load the images straight into Docker's engine (no registry) and start every service"
  dray deploy
  printf 'GET 127.0.0.1:18080/ → %s' "$(curl -s http://127.0.0.1:18080/)"

  step "dray deploy again — nothing changed, so nothing is touched"
  dray deploy

  step "change one service (orders) and deploy: only its container is replaced"
  main=services/orders/main.go
  cp "$main" "$main.demo-backup"
  trap 'mv -f "$main.demo-backup" "$main"' EXIT
  sed -i 's/orders: ready to take orders/orders: ready to take orders (edited by the demo)/' "$main"
  dray deploy
  printf 'GET 127.0.0.1:18081/ → %s' "$(curl -s http://127.0.0.1:18081/)"
  mv -f "$main.demo-backup" "$main"
  trap - EXIT

  step "the containers: api and users kept their IDs and uptime"
  docker ps --filter label=dray.project=shop --format 'table {{.Names}}\t{{.ID}}\t{{.Status}}\t{{.Ports}}'
  echo "(remove them with: docker rm -f \$(docker ps -aq --filter label=dray.project=shop))"
else
  echo "(Docker's engine is not running: scripts/start-engine.sh starts it)"
fi
