#!/usr/bin/env bash
# The gRPC contract's and the Python client's tooling, each step only when
# missing or out of date (safe to run twice, works offline once installed):
#  - buf, pinned in proto/package.json + package-lock.json, into proto/node_modules;
#  - the virtualenv /.venv with the pinned grpcio stack of
#    tests/python/requirements.txt (grpcio-tools generates the client from proto/).
set -euo pipefail
cd "$(dirname "$0")/../.."

command -v npm >/dev/null || { echo "npm is required (node 20)"; exit 1; }
command -v python3 >/dev/null || { echo "python3 is required"; exit 1; }

if [ ! -x proto/node_modules/.bin/buf ]; then
  echo "installing buf (proto/package-lock.json)"
  (cd proto && npm ci --no-audit --no-fund --loglevel=error)
fi
proto/node_modules/.bin/buf --version >/dev/null

req=tests/python/requirements.txt
stamp=.venv/.stdfund-grpc-requirements.txt
if [ ! -x .venv/bin/python ]; then
  echo "creating .venv"
  python3 -m venv .venv
fi
if ! cmp -s "$req" "$stamp"; then
  echo "installing $req into .venv"
  .venv/bin/python -m pip install --disable-pip-version-check --quiet -r "$req"
  cp "$req" "$stamp"
fi
.venv/bin/python -c "import grpc, grpc_tools, grpc_health, google.rpc.status_pb2" >/dev/null
