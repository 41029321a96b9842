// (g) The npm package as a consumer gets it: `npm pack` of the built
// package, its manifest (sideEffects, license, repository, every export
// present), a README that refers to nothing outside the package, and the
// README's TypeScript example type-checked under `--strict` in a fresh
// project that installs the tarball (offline: the tarball and the
// typescript already in wasm/node_modules), then compiled and run.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { wasmDir } from "../support.mjs";

const pkgDir = path.join(wasmDir, "pkg");
const tsc = path.join(wasmDir, "node_modules", "typescript", "bin", "tsc");
let dir, tarball, files, project;

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), "stdfund-pack-"));
  const packed = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", dir], { cwd: pkgDir, encoding: "utf8" }));
  tarball = path.join(dir, packed[0].filename);
  files = packed[0].files.map((f) => f.path);
  // A fresh project that installs the tarball, as a consumer would.
  project = path.join(dir, "consumer");
  execFileSync("mkdir", ["-p", project]);
  writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", tarball], { cwd: project, stdio: "inherit" });
});
after(() => rmSync(dir, { recursive: true, force: true }));

const installed = (...p) => path.join(project, "node_modules", "@stdfund", "rules", ...p);

test("the manifest: sideEffects, license, repository; every export is in the tarball", () => {
  const manifest = JSON.parse(readFileSync(installed("package.json"), "utf8"));
  assert.equal(manifest.sideEffects, false);
  assert.equal(manifest.license, "Apache-2.0");
  assert.match(manifest.repository?.url ?? "", /^git\+https:\/\//);
  assert.equal(manifest.type, "module");
  const targets = [];
  const walk = (v) => (typeof v === "string" ? targets.push(v) : Object.values(v).forEach(walk));
  walk(manifest.exports);
  targets.push(manifest.types);
  for (const target of targets) assert.ok(files.includes(target.replace(/^\.\//, "")), `${target} is not in the package`);
  for (const f of ["README.md", "CHANGELOG.md", "web/stdfund_rules_bg.wasm", "node/stdfund_rules_bg.wasm"]) assert.ok(files.includes(f), f);
});

test("the README names every error code the vectors meet", () => {
  const readme = readFileSync(installed("README.md"), "utf8");
  const vectors = path.join(wasmDir, "..", "tests", "vectors");
  const codes = new Set(["TRAILING_DATA", "INVALID_SUBJECT", "INVALID_RULESET"]);
  for (const dirent of readdirSync(vectors, { recursive: true })) {
    if (!String(dirent).endsWith(".json")) continue;
    const v = JSON.parse(readFileSync(path.join(vectors, String(dirent)), "utf8"));
    if (v.expected?.error?.code) codes.add(v.expected.error.code);
  }
  for (const code of codes) assert.ok(readme.includes(`\`${code}\``), `${code} is not in the README's error list`);
});

test("the README is self-contained: every link and file it names is in the package", () => {
  const readme = readFileSync(installed("README.md"), "utf8");
  const links = [...readme.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]);
  for (const link of links) {
    if (/^(https?:|mailto:|#)/.test(link)) continue;
    assert.ok(files.includes(link.replace(/^\.\//, "")), `README links to ${link}, which is not in the package`);
  }
  // File names in code spans: anything ending in a file extension must ship.
  for (const [, name] of readme.matchAll(/`([\w./-]+\.(?:md|json|js|ts|wasm|proto))`/g)) {
    if (name.startsWith("@stdfund/rules/")) continue; // an import specifier, checked by the exports test
    assert.ok(files.some((f) => f === name || f.endsWith(`/${name}`)), `README names ${name}, which is not in the package`);
  }
  assert.doesNotMatch(readme, /\.\.\/|RULES\.md|DECISIONS\.md/);
});

/** The README's ```ts blocks, joined. */
function readmeExample() {
  const readme = readFileSync(installed("README.md"), "utf8");
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length >= 1, "the README has a TypeScript example");
  return blocks.join("\n");
}

function typeCheck(source, extra = []) {
  writeFileSync(path.join(project, "example.ts"), source);
  return spawnSync(process.execPath, [tsc, "--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext",
    "--skipLibCheck", "false", ...extra, "example.ts"], { cwd: project, encoding: "utf8" });
}

test("the README's TypeScript example type-checks under --strict against the installed package, and runs", () => {
  const checked = typeCheck(readmeExample(), ["--noEmit"]);
  assert.equal(checked.status, 0, `tsc --strict --noEmit:\n${checked.stdout}${checked.stderr}`);
  const built = typeCheck(readmeExample(), ["--outDir", "out"]);
  assert.equal(built.status, 0, `${built.stdout}${built.stderr}`);
  const run = spawnSync(process.execPath, [path.join(project, "out", "example.js")], { cwd: project, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /100,000\.00 元（10 万元）/);
  assert.match(run.stdout, /^200000\.00$/m);
  assert.match(run.stdout, /LINE_STATUS_ELIGIBLE ELIGIBLE 200000\.00/);
});

test("the type-check is real: a misuse of the package's types is refused", () => {
  const wrong = typeCheck(`import { normaliseAmount } from "@stdfund/rules";\nconst r = normaliseAmount("1");\nconst n: number = r.ok ? r.value.yuan : 0;\nexport { n };\n`, ["--noEmit"]);
  assert.notEqual(wrong.status, 0);
  assert.match(wrong.stdout, /TS2322/);
});
