#!/usr/bin/env bash
# One command from a fresh Debian/Ubuntu machine (as root) to the demo or to a green test run:
#   bash scripts/quickstart.sh demo     install everything, build, run the demo
#   bash scripts/quickstart.sh test     install everything, run every test
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-demo}
bash scripts/install-deps.sh
bash scripts/start-engine.sh
npm ci --no-audit --no-fund
case "$what" in
  demo) npm run build --silent && bash scripts/demo.sh ;;
  test) npm test ;;
  *) echo "usage: $0 demo|test" >&2; exit 2 ;;
esac
