#!/usr/bin/env bash
# The portal's grpc-web client: generates the stdfund.v1 messages and service
# descriptors from proto/ with protoc-gen-es (a local plugin, pinned in
# wasm/package-lock.json, no network) and bundles portal/grpc-client.js with
# esbuild into pkg/grpc-web.js. Called by wasm/build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf pkg/grpc-gen
PATH="$PWD/node_modules/.bin:$PATH" buf generate ../proto --template portal/buf.gen.yaml
npx --no-install esbuild portal/grpc-client.js --bundle --format=esm --platform=browser \
  --target=es2022 --minify --legal-comments=none --log-level=warning --outfile=pkg/grpc-web.js
