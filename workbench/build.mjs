// Bundles the workbench with esbuild: src/main.tsx → app.js, src/app.css →
// app.css, plus index.html and favicon.svg, into the output directory
// (crates/stdfund-server/assets/workbench/ by default, committed and embedded
// by the binary). Minified, no source maps, no timestamps: the same sources
// give the same bytes. Licence comments of the bundled libraries are kept at
// the end of app.js.
//
//   node build.mjs [--out DIR] [--entry FILE]
//
// `--entry test/harness/harness.tsx --out .build/harness` builds the test
// harness page (the same app over an in-memory transport).
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const out = path.resolve(here, opt("--out", "../crates/stdfund-server/assets/workbench"));
const entry = path.resolve(here, opt("--entry", "src/main.tsx"));

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const common = {
  bundle: true,
  minify: true,
  target: ["es2022", "chrome109", "firefox115", "safari16"],
  logLevel: "warning",
  charset: "utf8",
  sourcemap: false,
  metafile: true,
};

const js = await build({
  ...common,
  entryPoints: [entry],
  outfile: path.join(out, "app.js"),
  format: "esm",
  platform: "browser",
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "eof",
  treeShaking: true,
  define: { "process.env.NODE_ENV": '"production"' },
});
await build({ ...common, entryPoints: [path.join(here, "src/app.css")], outfile: path.join(out, "app.css") });
copyFileSync(path.join(here, "src/index.html"), path.join(out, "index.html"));
copyFileSync(path.join(here, "src/favicon.svg"), path.join(out, "favicon.svg"));

if (args.includes("--analyze")) {
  const { analyzeMetafile } = await import("esbuild");
  console.log(await analyzeMetafile(js.metafile));
}
