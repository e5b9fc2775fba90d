#!/usr/bin/env bash
# Starts Docker's engine in the background if it is not already answering on its socket.
# Tests, the demo and CI call this; it returns once GET /_ping answers, or fails after 60 s.
set -euo pipefail
sock=${DOCKER_SOCK:-/var/run/docker.sock}
ping() { curl -sf --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1; }
if ping; then exit 0; fi
if ! command -v dockerd >/dev/null 2>&1; then
  echo "dockerd is not installed: run scripts/install-deps.sh as root" >&2
  exit 3
fi
log=${DOCKERD_LOG:-/tmp/dray-dockerd.log}
nohup dockerd >"$log" 2>&1 &
for _ in $(seq 1 120); do
  if ping; then echo "[engine] dockerd is up ($sock)"; exit 0; fi
  sleep 0.5
done
echo "dockerd did not answer on $sock within 60 s; last lines of $log:" >&2
tail -n 20 "$log" >&2
exit 1
