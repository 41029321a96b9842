// (a) Every shared vector, evaluated by the built module under Node: the
// canonical JSON must be byte-identical to the native answer (`expected`).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as rules from "@stdfund/rules";
import { answerJson, firstDifference, sharedVectors } from "../support.mjs";

const vectors = await sharedVectors();

test("the shared vectors are there", () => {
  assert.ok(vectors.length >= 60, `only ${vectors.length} vectors`);
  assert.ok(vectors.some((v) => v.expected.startsWith('{"error"')), "no error vector");
  assert.ok(vectors.some((v) => v.expected.startsWith('{"whatIf":true')), "no what-if vector");
});

for (const v of vectors) {
  test(`vector ${v.id}`, () => {
    // JSON text in, canonical JSON text out.
    const text = answerJson(rules.estimateCanonical(v.input));
    assert.ok(text === v.expected, firstDifference(text, v.expected));
    // The same application as an object, and the answer as an object: the
    // object is exactly the canonical bytes, parsed.
    const object = rules.estimate(JSON.parse(v.input));
    const again = object.ok ? JSON.stringify(object.value) : answerJson(object);
    assert.ok(again === v.expected, firstDifference(again, v.expected));
  });
}

test("whatIf(application, ruleset) is estimate with whatIfRuleset set, byte for byte", () => {
  const whatIfs = vectors.filter((v) => JSON.parse(v.input).whatIfRuleset);
  assert.ok(whatIfs.length >= 2, "no what-if vectors");
  for (const v of whatIfs) {
    const { whatIfRuleset, ...application } = JSON.parse(v.input);
    const text = answerJson(rules.whatIfCanonical(application, whatIfRuleset));
    assert.ok(text === v.expected, `${v.id}: ${firstDifference(text, v.expected)}`);
    const object = rules.whatIf(JSON.stringify(application), whatIfRuleset);
    const again = object.ok ? JSON.stringify(object.value) : answerJson(object);
    assert.ok(again === v.expected, `${v.id}: ${firstDifference(again, v.expected)}`);
  }
});
