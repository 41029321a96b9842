// (b) Differential test: seeded random applications from the testkit
// generator (every item and variant, every reason code, malformed inputs,
// what-if rulesets), streamed from `stdfund-vectors random N SEED`, each
// evaluated by the WASM module under Node; the canonical answer must equal
// the native one byte for byte, for every application.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as rules from "@stdfund/rules";
import { answerJson, firstDifference, vectorsTool } from "../support.mjs";

const COUNT = 100_000;
const SEED = Number(process.env.STDFUND_DIFF_SEED ?? 20_161_025);

const bump = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);
const show = (map) => [...map].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}=${n}`).join(" ");

test(`differential: ${COUNT} seeded random applications (seed ${SEED}), WASM == native byte for byte`, async (t) => {
  const started = performance.now();
  let seen = 0, same = 0, assessments = 0, errors = 0, whatIf = 0;
  const mismatches = [];
  const reasons = new Map(), errorCodes = new Map(), variants = new Set();
  for await (const { seed, input, expected } of vectorsTool("random", COUNT, SEED)) {
    seen++;
    const answer = answerJson(rules.estimateCanonical(input));
    if (answer === expected) same++;
    else if (mismatches.length < 5) mismatches.push(`seed ${seed}: ${firstDifference(answer, expected)}`);
    if (expected.startsWith('{"error"')) {
      errors++;
      bump(errorCodes, /"code":"([A-Z_]+)"/.exec(expected)?.[1]);
    } else {
      assessments++;
      if (expected.startsWith('{"whatIf":true')) whatIf++;
      for (const m of expected.matchAll(/"reasonCode":"([A-Z_]+)"/g)) bump(reasons, m[1]);
    }
    for (const m of input.matchAll(/"item":"([A-Z_0-9]+)","variant":"([A-Z_0-9]+)"/g)) variants.add(`${m[1]}/${m[2]}`);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  t.diagnostic(`applications: ${seen}, byte-identical: ${same}, differing: ${seen - same} (${seconds} s)`);
  t.diagnostic(`answers: ${assessments} assessments (${whatIf} what-if), ${errors} errors`);
  t.diagnostic(`line reason codes: ${show(reasons)}`);
  t.diagnostic(`error codes: ${show(errorCodes)}`);
  assert.equal(seen, COUNT, "the generator stream ended early");
  assert.deepEqual(mismatches, [], `${seen - same} answers differ`);
  assert.equal(same, COUNT);

  // The generator must not be degenerate: every catalogue variant, several
  // reason codes, what-if answers and error answers all occur.
  const catalogue = rules.catalogue();
  assert.ok(catalogue.ok);
  const all = catalogue.value.rulesets.flatMap((r) => r.document.items.flatMap((i) => i.variants.map((v) => `${i.id}/${v.id}`)));
  const missing = all.filter((v) => !variants.has(v));
  t.diagnostic(`catalogue variants exercised: ${all.length - missing.length}/${all.length}`);
  assert.deepEqual(missing, [], "variants the generator never produced");
  assert.ok(reasons.size >= 8, `only ${reasons.size} reason codes`);
  assert.ok(whatIf > 0 && errors > 0, "no what-if or no error answers");
});
