// (f) The portal's texts (portal/texts.js): every line status, reason code
// and warning code the engine answers in the shared vectors and in 5,000
// generated applications has a plain label in Chinese and in English — no
// code, no ASCII letters in the Chinese reasons and statuses — and both
// languages define the same texts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { TEXT } from "../../portal/texts.js";
import { sharedVectors, vectorsTool } from "../support.mjs";

const CODE = /\b[A-Z]{2,}(?:_[A-Z]+)+\b/;

async function answeredCodes() {
  const statuses = new Set(), reasons = new Set(), warnings = new Set();
  const take = (expected) => {
    const a = JSON.parse(expected);
    if (a.error) return;
    for (const l of a.lines) { statuses.add(l.status); reasons.add(l.reasonCode); }
    for (const w of a.warnings) warnings.add(w.code);
  };
  for (const v of await sharedVectors()) take(v.expected);
  for await (const { expected } of vectorsTool("random", 5_000, 4242)) take(expected);
  return { statuses, reasons, warnings };
}

test("every status, reason and warning the engine answers has plain labels in both languages", async (t) => {
  const { statuses, reasons, warnings } = await answeredCodes();
  t.diagnostic(`${statuses.size} statuses, ${reasons.size} reasons, ${warnings.size} warnings`);
  assert.equal(statuses.size, 4);
  assert.ok(reasons.size >= 10, [...reasons].join());
  assert.ok(warnings.size >= 6, [...warnings].join());
  for (const lang of ["zh", "en"]) {
    const x = TEXT[lang];
    for (const s of statuses) {
      assert.equal(typeof x.status[s], "string", `${lang} status ${s}`);
      assert.doesNotMatch(x.status[s], CODE);
      if (lang === "zh") assert.doesNotMatch(x.status[s], /[A-Za-z]/, s);
    }
    for (const r of reasons) {
      assert.equal(typeof x.reasons[r], "string", `${lang} reason ${r}`);
      assert.doesNotMatch(x.reasons[r], CODE);
      if (lang === "zh") assert.doesNotMatch(x.reasons[r], /[A-Za-z]/, r);
    }
    const sample = { row: x.row(2), stated: "国家标准", implied: "行业标准", unit: "鼓楼区", amount: "20,000.00 元", expected: "3", note: "分担比例为暂定" };
    for (const w of warnings) {
      assert.equal(typeof x.warnings[w], "function", `${lang} warning ${w}`);
      const said = x.warnings[w](sample);
      assert.ok(said.length > 0);
      assert.doesNotMatch(said, CODE, `${lang} ${w}`);
    }
  }
  // The labels the page shows for discretionary lines.
  assert.equal(TEXT.zh.status.LINE_STATUS_DISCRETIONARY, "待评审核定");
  assert.equal(TEXT.zh.toBeSet, "待评审核定");
});

test("errors the engine can find in a form's fields have a plain message beside the field", () => {
  for (const lang of ["zh", "en"]) {
    const f = TEXT[lang].fieldErrors;
    for (const code of ["INVALID_DATE", "INVALID_SEAT", "INVALID_CREDIT_CODE", "INVALID_STANDARD_NUMBER", "INVALID_AMOUNT",
      "MISSING_FIELD", "FIELD_TOO_LONG"]) {
      assert.equal(typeof f[code], "string", `${lang} ${code}`);
      assert.doesNotMatch(f[code], /`|achievements\[|applicant\./, `${lang} ${code}: no field path`);
    }
  }
});

test("Chinese and English define the same texts", () => {
  const shape = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) =>
    [k, v !== null && typeof v === "object" ? shape(v) : typeof v]));
  assert.deepEqual(shape(TEXT.en), shape(TEXT.zh));
});
