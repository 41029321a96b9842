// (h) The field helpers: every case of the shared form-helper vectors
// (tests/vectors-forms/form-helpers.json, also run natively by the rules
// crate and in Chromium) through `checkCreditCode` and
// `normaliseStandardNumber`, with the `meant` value a refusal offers.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as rules from "@stdfund/rules";
import { checkFormHelperVector, formHelperVectors } from "../support.mjs";

test("every form-helper vector through the module's helpers", async (t) => {
  const cases = await formHelperVectors();
  assert.ok(cases.length >= 15, `only ${cases.length} cases`);
  const failed = cases.map((c) => checkFormHelperVector(c, rules[c.helper](c.input))).filter((f) => f !== null);
  assert.deepEqual(failed, []);
  t.diagnostic(`${cases.length} cases`);
});

test("what a helper offers is accepted by it, and an estimate with it has no error there", () => {
  const cc = rules.checkCreditCode("9135O100M000100Y43");
  assert.equal(cc.ok, false);
  assert.equal(cc.error.meant, "91350100M000100Y43");
  assert.equal(rules.checkCreditCode(cc.error.meant).ok, true);
  const sn = rules.normaliseStandardNumber("GB/T 12345一2020");
  assert.equal(sn.ok, false);
  assert.equal(sn.error.meant, "GB/T 12345-2020");
  const app = {
    applicant: { creditCode: cc.error.meant, name: "示例公司", seat: "350102" },
    achievements: [{ id: "a1", item: "STANDARD_LEAD", variant: "NATIONAL", subject: sn.error.meant, date: "2020-05-01" }],
  };
  const r = rules.estimate(app);
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.value.lines[0].subject, "GB/T 12345-2020");
});

test("no `meant` key on a refusal without an offer, nor on an accepted value", () => {
  const none = rules.checkCreditCode("91350100M000100Y4");
  assert.equal(none.ok, false);
  assert.equal("meant" in none.error, false);
  const lookAlike = rules.normaliseStandardNumber("\u0413B/T 12345-2020");
  assert.equal(lookAlike.ok, false);
  assert.equal("meant" in lookAlike.error, false);
  assert.equal("meant" in rules.checkCreditCode("91350100M000100Y43"), false);
});

test("with the achievement's date, a two-digit year is refused as the estimate refuses it", () => {
  // Without a date, or on a date before 2000, `-88` is a year of its own.
  for (const date of [undefined, "1999-12-31", null, 20210301, "2021/3/1"]) {
    const r = rules.normaliseStandardNumber("GB 1234-88", date);
    assert.equal(r.ok, true, `${date}: ${JSON.stringify(r)}`);
    assert.equal(r.value.canonical, "GB 1234-88");
  }
  const r = rules.normaliseStandardNumber("GB/T 23456-20", "2021-03-01");
  assert.equal(r.ok, false);
  assert.equal(r.error.code, "INVALID_STANDARD_NUMBER");
  assert.equal(r.error.meant, "GB/T 23456-2020");
  const app = {
    applicant: { creditCode: "91350100M000100Y43", name: "示例公司", seat: "350102" },
    achievements: [{ id: "a1", item: "STANDARD_LEAD", variant: "NATIONAL", subject: "GB/T 23456-20", date: "2021-03-01" }],
  };
  const e = rules.estimate(app);
  assert.equal(e.ok, false);
  assert.equal(e.error.code, r.error.code);
  assert.equal(e.error.messageZh.replace("achievements[0].subject", "subject"), r.error.messageZh);
});

test("an estimate's refusal carries `meant` as the field helpers' do, when its message offers a value", () => {
  const base = {
    applicant: { creditCode: "91350100M000100Y43", name: "示例公司", seat: "350102" },
    achievements: [{ id: "a1", item: "STANDARD_LEAD", variant: "NATIONAL", subject: "GB/T 12345-2020", date: "2020-05-01" }],
  };
  const amount = structuredClone(base);
  amount.achievements[0].higherLevelFunding = [{ level: "FUNDING_LEVEL_PROVINCIAL", amount: 100000.5 }];
  const role = structuredClone(base);
  role.achievements[0].role = "lead";
  const seat = structuredClone(base);
  seat.applicant.seat = "鼓楼区";
  for (const [app, code, meant] of [
    [amount, "INVALID_TYPE", "100000.50"],
    [role, "INVALID_ENUM_VALUE", "ROLE_LEAD"],
    [seat, "INVALID_SEAT", "350102"],
  ]) {
    for (const r of [rules.estimate(app), rules.estimateCanonical(app), rules.estimate(JSON.stringify(app))]) {
      assert.equal(r.ok, false);
      assert.equal(r.error.code, code);
      assert.equal(r.error.meant, meant, JSON.stringify(r.error));
      assert.ok(r.error.messageZh.includes(meant), r.error.messageZh);
    }
  }
  const unknown = structuredClone(base);
  unknown.achievements[0].role = "ROLE_BOSS";
  const r = rules.estimate(unknown);
  assert.equal(r.ok, false);
  assert.equal("meant" in r.error, false);
});
