// WASM benchmark (docs/BENCHMARKS.md, section "WASM"): module size, instantiation
// time, and time per estimate in Node and in Chromium next to native, all in
// one run on the same six-achievement application (the `SIX` input of
// crates/stdfund-rules/benches/common/mod.rs). Run after wasm/build.sh:
//   node wasm/bench/bench.mjs
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { chromiumContext, staticServer } from "../test/browser/harness.mjs";
import { root, wasmDir } from "../test/support.mjs";

const SIX = /const SIX: &str = r#"([\s\S]*?)"#;/.exec(readFileSync(path.join(root, "crates/stdfund-rules/benches/common/mod.rs"), "utf8"))?.[1];
if (!SIX) throw new Error("cannot find SIX in the native bench");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// The measuring loop, shared by Node and Chromium (serialised into the page):
// 20,000 warm-up calls, then the median of 30 batches of 5,000, as the native bench.
const measure = (rules, six) => {
  const sixObject = JSON.parse(six);
  const first = rules.estimateCanonical(six);
  if (!first.ok) throw new Error(JSON.stringify(first.error));
  const per = (f) => {
    const samples = [];
    for (let b = 0; b < 30; b++) {
      const t0 = performance.now();
      for (let i = 0; i < 5000; i++) f();
      samples.push(((performance.now() - t0) * 1e6) / 5000);
    }
    samples.sort((a, b) => a - b);
    return samples[15];
  };
  for (let i = 0; i < 20000; i++) rules.estimateCanonical(six);
  // The floor of any string answer: the answer's UTF-8 bytes turned into a
  // JS string by a TextDecoder, as the wasm-bindgen glue does it.
  const bytes = new TextEncoder().encode(first.value);
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  for (let i = 0; i < 20000; i++) decoder.decode(bytes);
  return {
    canonical: per(() => rules.estimateCanonical(six)),
    object: per(() => rules.estimate(sixObject)),
    decode: per(() => decoder.decode(bytes)),
    answerBytes: bytes.length,
    answer: first.value,
  };
};

// --- sizes -------------------------------------------------------------------------------------
const wasm = readFileSync(path.join(wasmDir, "pkg/web/stdfund_rules_bg.wasm"));
const glue = readFileSync(path.join(wasmDir, "pkg/web/stdfund_rules.js"));
const sizes = {
  raw: wasm.length,
  // GNU gzip on the file, exactly as wasm/build.sh reports it (the header
  // carries the file name: 22 bytes more than from standard input; Node's
  // zlib at level 9 gives a few KB more).
  gzip: execFileSync("gzip", ["-9c", path.join(wasmDir, "pkg/web/stdfund_rules_bg.wasm")], { maxBuffer: 1 << 24 }).length,
  brotli: brotliCompressSync(wasm, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  glueGzip: gzipSync(glue, { level: 9 }).length,
};

// --- native (same run) -----------------------------------------------------------------------
process.stderr.write("native: cargo bench -p stdfund-rules --bench estimate\n");
const nativeOut = execFileSync("cargo", ["bench", "-q", "--locked", "-p", "stdfund-rules", "--bench", "estimate"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
const native = Number(/full +JSON in → canonical JSON out: +(\d+) ns/.exec(nativeOut)?.[1]);
if (!Number.isFinite(native)) throw new Error(`cannot read the native bench:\n${nativeOut}`);

// --- Node ----------------------------------------------------------------------------------------
process.stderr.write("node: instantiation and first estimate in 15 fresh processes, then the estimate loop\n");
const nodeInit = [], nodeFirst = [];
for (let i = 0; i < 15; i++) {
  // Instantiation, then the first estimate: V8 compiles a WASM function when
  // it is first called, and the first call also reads the embedded rulesets.
  const r = spawnSync(process.execPath, ["--input-type=module", "-e",
    `const t0 = performance.now(); const m = await import(${JSON.stringify(path.join(wasmDir, "pkg/node/index.js"))}); const t1 = performance.now();
     if (!m.estimateCanonical(${JSON.stringify(SIX)}).ok) throw new Error("SIX failed"); console.log(t1 - t0, performance.now() - t1);`], { encoding: "utf8" });
  const [init, first] = r.stdout.trim().split(" ").map(Number);
  if (!Number.isFinite(init) || !Number.isFinite(first)) throw new Error(`a fresh Node process failed:\n${r.stderr}`);
  nodeInit.push(init);
  nodeFirst.push(first);
}
const rules = await import("@stdfund/rules");
const nodeRun = measure(rules, SIX);
const nativeAnswer = execFileSync("cargo", ["run", "-q", "--locked", "-p", "stdfund-server", "--bin", "stdfund", "--", "estimate", "-"], { cwd: root, input: SIX, encoding: "utf8" }).trim();
if (nodeRun.answer !== nativeAnswer) throw new Error("the WASM answer for SIX differs from native");

// --- Chromium ----------------------------------------------------------------------------------
process.stderr.write("chromium: instantiation on 10 fresh pages, then the estimate loop\n");
const web = await staticServer();
const browser = await chromiumContext();
let chromeInit = [], chromeFirst = [], chromeRun, userAgent;
try {
  for (let i = 0; i < 10; i++) {
    const page = await browser.context.newPage();
    await page.goto(`${web.origin}/pkg/package.json`);
    const [init, first] = await page.evaluate(async (six) => {
      const bytes = await (await fetch("/pkg/web/stdfund_rules_bg.wasm")).arrayBuffer();
      const m = await import("/pkg/web/stdfund_rules.js");
      const t0 = performance.now();
      await m.default({ module_or_path: bytes });
      const t1 = performance.now();
      if (!m.estimateCanonical(six).ok) throw new Error("SIX failed");
      return [t1 - t0, performance.now() - t1];
    }, SIX);
    chromeInit.push(init);
    chromeFirst.push(first);
    await page.close();
  }
  const page = await browser.context.newPage();
  await page.goto(`${web.origin}/pkg/package.json`);
  ({ chromeRun, userAgent } = await page.evaluate(async ({ six, measureSource }) => {
    const m = await import("/pkg/web/stdfund_rules.js");
    await m.default();
    const measure = new Function(`return (${measureSource})`)();
    return { chromeRun: measure(m, six), userAgent: navigator.userAgent };
  }, { six: SIX, measureSource: measure.toString() }));
  if (chromeRun.answer !== nativeAnswer) throw new Error("the Chromium answer for SIX differs from native");
} finally {
  await browser.close();
  await web.close();
}

// --- report --------------------------------------------------------------------------------------
const kb = (n) => `${(n / 1024).toFixed(1)} KiB (${n} bytes)`;
const us = (ns) => `${(ns / 1000).toFixed(2)} µs`;
const ms = (x) => `${x.toFixed(2)} ms`;
const ratio = (x) => `${(x / native).toFixed(2)}×`;
const cpu = os.cpus()[0]?.model ?? "unknown";
const lines = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${os.availableParallelism()} cores (\`nproc\` = ${execFileSync("nproc", { encoding: "utf8" }).trim()}), ${cpu}; Node ${process.version}; ${userAgent.match(/HeadlessChrome\/[\d.]+/)?.[0] ?? userAgent}.`,
  "",
  "| what | value |",
  "|---|---|",
  `| \`stdfund_rules_bg.wasm\` after \`wasm-opt -Oz\` | ${kb(sizes.raw)} |`,
  `| gzipped (\`gzip -9\`) — target ≤ 150 KB | **${kb(sizes.gzip)}** |`,
  `| brotli (q 11) | ${kb(sizes.brotli)} |`,
  `| JS glue (web), gzipped | ${kb(sizes.glueGzip)} |`,
  `| instantiation, Node (import of the package in a fresh process: read, compile, instantiate; median of 15) | ${ms(median(nodeInit))} |`,
  `| instantiation, Chromium (\`init()\` with the bytes already fetched: compile + instantiate; median of 10 fresh pages) | ${ms(median(chromeInit))} |`,
  `| first estimate after instantiation, Node (the functions it calls compiled on first use, the embedded rulesets read; median of the 15 processes) | ${ms(median(nodeFirst))} |`,
  `| first estimate after instantiation, Chromium (median of the 10 pages) | ${ms(median(chromeFirst))} |`,
  "",
  "Time per estimate of the six-achievement application (median of 30 batches of 5,000 after 20,000 warm-up calls):",
  "",
  "| executor | call | time | vs native |",
  "|---|---|---|---|",
  `| native (\`cargo bench -p stdfund-rules --bench estimate\`, \`estimate_json\`) | JSON text → canonical JSON | ${us(native)} | 1× |`,
  `| WASM in Node | \`estimateCanonical(text)\` → canonical JSON text | **${us(nodeRun.canonical)}** | ${ratio(nodeRun.canonical)} |`,
  `| WASM in Node | \`estimate(object)\` → object | ${us(nodeRun.object)} | ${ratio(nodeRun.object)} |`,
  `| WASM in Chromium | \`estimateCanonical(text)\` → canonical JSON text | **${us(chromeRun.canonical)}** | ${ratio(chromeRun.canonical)} |`,
  `| WASM in Chromium | \`estimate(object)\` → object | ${us(chromeRun.object)} | ${ratio(chromeRun.object)} |`,
  "",
  `The floor of a string answer in each engine: the ${nodeRun.answerBytes}-byte answer's UTF-8 turned into a JS string by a \`TextDecoder\`, as the glue does for every string it returns (same loop):`,
  "",
  "| engine | answer bytes → JS string | vs native estimate | estimate less the floor | vs native |",
  "|---|---|---|---|---|",
  `| Node | ${us(nodeRun.decode)} | ${ratio(nodeRun.decode)} | ${us(nodeRun.canonical - nodeRun.decode)} | ${ratio(nodeRun.canonical - nodeRun.decode)} |`,
  `| Chromium | ${us(chromeRun.decode)} | ${ratio(chromeRun.decode)} | ${us(chromeRun.canonical - chromeRun.decode)} | ${ratio(chromeRun.canonical - chromeRun.decode)} |`,
];
console.log(lines.join("\n"));
