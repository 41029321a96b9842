// (e) The amount form helper: every case of the shared amount-input vectors
// (tests/vectors-forms/amount-input.json, also run natively by the rules
// crate and in Chromium) through the module's `normaliseAmount`.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as rules from "@stdfund/rules";
import { amountVectors, checkAmountVector } from "../support.mjs";

test("every amount-input vector through normaliseAmount", async (t) => {
  const cases = await amountVectors();
  assert.ok(cases.length >= 40, `only ${cases.length} cases`);
  const failed = cases.map((c) => checkAmountVector(c, rules.normaliseAmount(c.input))).filter((f) => f !== null);
  assert.deepEqual(failed, []);
  t.diagnostic(`${cases.length} cases`);
});

test("normaliseAmount: the canonical yuan is what the estimate reads", () => {
  const typed = rules.normaliseAmount("１０．５万元");
  assert.equal(typed.ok, true);
  const app = {
    applicant: { creditCode: "91350100M000100Y43", name: "示例公司", seat: "350102" },
    achievements: [{ id: "a1", item: "STANDARD_LEAD", variant: "NATIONAL", subject: "GB/T 12345-2020", date: "2020-05-01",
      higherLevelFunding: [{ level: "FUNDING_LEVEL_PROVINCIAL", amount: typed.value.yuan }] }],
  };
  const r = rules.estimate(app);
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.value.lines[0].higherLevelFundingCounted, "105000.00");
  // The raw text is not an amount for the estimate: the form must normalise first.
  app.achievements[0].higherLevelFunding[0].amount = "10.5万元";
  const raw = rules.estimate(app);
  assert.equal(raw.ok, false);
  assert.equal(raw.error.code, "INVALID_AMOUNT");
});

test("normaliseAmount never throws on a non-string", () => {
  for (const bad of [undefined, null, 5, {}, []]) {
    const r = rules.normaliseAmount(bad);
    assert.equal(r.ok, false);
    assert.equal(r.error.code, "INVALID_TYPE");
  }
});
