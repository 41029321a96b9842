// Bundles test/unit/*.test.ts for Node (esbuild) into .build/unit/, so that
// `node --test .build/unit/` runs them against the same sources the page is
// built from, and test/grpc-node.ts into .build/grpc-node.mjs for the
// end-to-end test.
import { build } from "esbuild";
import { chmodSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(here, "../../.build/unit");
rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: [...readdirSync(here).filter((f) => f.endsWith(".test.ts")).map((f) => path.join(here, f))],
  outdir: out,
  outExtension: { ".js": ".test.mjs" },
  entryNames: "[name]",
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  jsx: "automatic",
  jsxImportSource: "preact",
  packages: "bundle",
  logLevel: "warning",
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});

// The gRPC client of the end-to-end test.
await build({
  entryPoints: [path.resolve(here, "../grpc-node.ts")],
  outfile: path.resolve(out, "../grpc-node.mjs"),
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  logLevel: "warning",
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});

// The development stand-in for `stdfund serve` (test/harness/fake-serve.ts)
// and an executable that runs it, for STDFUND_BIN.
await build({
  entryPoints: [path.resolve(here, "../harness/fake-serve.ts")],
  outfile: path.resolve(out, "../fake-serve.mjs"),
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  logLevel: "warning",
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
const wrapper = path.resolve(out, "../fake-stdfund");
writeFileSync(wrapper, `#!/bin/sh\nexec node "$(dirname "$0")/fake-serve.mjs" "$@"\n`);
chmodSync(wrapper, 0o755);
