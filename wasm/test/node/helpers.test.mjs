// (d) The form helpers agree with Rust: the cases of the rules crate's own
// unit tests (ident.rs), and the native answers of the shared vectors and of
// 20,000 generated applications — the credit code and its check, every
// standard-number subject, the fiscal unit, and the ruleset references.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as rules from "@stdfund/rules";
import { sharedVectors, vectorsTool } from "../support.mjs";

const value = (r) => {
  assert.equal(r.ok, true, JSON.stringify(r));
  return r.value;
};

test("credit codes: the cases of ident.rs credit_code_check", () => {
  assert.deepEqual(value(rules.checkCreditCode("91350100M000100Y43")),
    { creditCode: "91350100M000100Y43", checkPassed: true, expectedCheckCharacter: "3" });
  assert.deepEqual(value(rules.checkCreditCode("91350100m000100y43")),
    { creditCode: "91350100M000100Y43", checkPassed: true, expectedCheckCharacter: "3" });
  assert.deepEqual(value(rules.checkCreditCode("91350100M000100Y44")),
    { creditCode: "91350100M000100Y44", checkPassed: false, expectedCheckCharacter: "3" });
  for (const bad of ["91350100M000100Y4", "91350100I000100Y43", "91350100M000100Y４3"]) {
    const r = rules.checkCreditCode(bad);
    assert.equal(r.ok, false);
    assert.equal(r.error.code, "INVALID_CREDIT_CODE");
    assert.equal(r.error.field, "applicant.creditCode");
  }
});

test("standard numbers: the first-release cases of canon.rs standard_numbers, with RULES.md §5 year separators", () => {
  const n = (s) => { const r = rules.normaliseStandardNumber(s); return r.ok ? r.value.canonical : null; };
  const cases = [["gb/t　12345—2020", "GB/T 12345-2020"], ["GB/T12345-2020", "GB/T 12345-2020"],
    ["ＧＢ／Ｔ　１２３４５－２０２０", "GB/T 12345-2020"], ["DB35/T 1234-2020", "DB35/T 1234-2020"],
    ["DB3501/T1234–2020", "DB3501/T 1234-2020"], ["DB35 1234-2020", "DB35 1234-2020"],
    ["t/cas 123-2020", "T/CAS 123-2020"], ["ISO/IEC 27001:2013", "ISO/IEC 27001-2013"],
    ["iso 9001 : 2015", "ISO 9001-2015"], ["GB/T 054321-2020。", "GB/T 54321-2020"], ["GB/T 5432\u200b1-2020", "GB/T 54321-2020"], ["GB / T 1.1 - 2020", "GB/T 1.1-2020"],
    ["12345-2020", null], ["GB/T", null], ["", null], ["GB/T 12345#2020", null]];
  for (const [raw, want] of cases) assert.equal(n(raw), want, raw);
  const level = (s) => value(rules.normaliseStandardNumber(s)).impliedLevel;
  for (const [raw, want] of [["GB 1-2020", "NATIONAL"], ["GB/Z 1-2020", "NATIONAL"], ["JB/T 1-2020", "INDUSTRY"],
    ["DB3501/T 1-2020", "LOCAL"], ["T/CAS 1-2020", "GROUP"], ["ISO/TC 1:2020", "INTERNATIONAL"],
    ["ITU 1-2020", "INTERNATIONAL"], ["Q/FZ 1-2020", ""]]) assert.equal(level(raw), want, raw);
  const parts = value(rules.normaliseStandardNumber("db3501/t　1234—2020"));
  assert.deepEqual(parts, { canonical: "DB3501/T 1234-2020", code: "DB3501/T", number: "1234-2020", impliedLevel: "LOCAL", year: "2020" });
  const bad = rules.normaliseStandardNumber("12345-2020");
  assert.equal(bad.ok, false);
  assert.equal(bad.error.code, "INVALID_STANDARD_NUMBER");
  const lookAlike = rules.normaliseStandardNumber("\u0413B/T 12345-2020");
  assert.equal(lookAlike.ok, false);
  assert.equal(lookAlike.error.code, "INVALID_STANDARD_NUMBER");
  assert.match(lookAlike.error.messageZh, /西里尔字母/);
});

// Checks the helpers against one native answer; returns how many facts were compared.
const catalogue = value(rules.catalogue());
const kinds = new Map(catalogue.rulesets.flatMap((r) => r.document.items.map((i) => [i.id, i.subjectKind])));
const units = value(rules.fiscalUnits());
const info = value(rules.engineInfo());

function agree(inputText, expectedText, where) {
  const input = JSON.parse(inputText);
  const expected = JSON.parse(expectedText);
  let facts = 0;
  const rawCode = input.applicant?.creditCode ?? "";
  const check = rules.checkCreditCode(rawCode);
  if (expected.error) {
    const e = expected.error;
    if (e.code === "INVALID_CREDIT_CODE") {
      // The native error, and the code it offers (if any) as `meant` beside.
      assert.equal(check.ok, false, where);
      const { meant, ...report } = check.error;
      assert.deepEqual(report, e, where);
      if (meant !== undefined) assert.ok(e.messageZh.includes(`是否应为${meant}`), where);
      facts++;
    }
    const m = /^achievements\[(\d+)\]\.subject$/.exec(e.field);
    if (e.code === "INVALID_STANDARD_NUMBER" && m) {
      const ach = input.achievements[Number(m[1])];
      const r = rules.normaliseStandardNumber(ach.subject, ach.date);
      assert.equal(r.ok, false, `${where}: native rejects the subject, the helper accepts it`);
      assert.equal(r.error.code, "INVALID_STANDARD_NUMBER");
      if (r.error.meant !== undefined) assert.ok(e.messageZh.includes(`是否应为${r.error.meant}`), where);
      facts++;
    }
    return facts;
  }
  // The applicant as the native engine understood it.
  const c = value(check);
  assert.equal(c.creditCode, expected.applicant.creditCode, where);
  assert.equal(c.checkPassed, expected.applicant.creditCodeCheckPassed, where);
  const warning = expected.warnings.find((w) => w.code === "CREDIT_CODE_CHECK_MISMATCH");
  assert.equal(Boolean(warning), !c.checkPassed, where);
  if (warning) assert.match(warning.messageEn, new RegExp(`gives \`${c.expectedCheckCharacter}\``), where);
  facts += 2;
  if (expected.applicant.insideFuzhou && !expected.whatIf) {
    const unit = units.find((u) => u.code === expected.applicant.fiscalUnit);
    assert.ok(unit, `${where}: fiscal unit ${expected.applicant.fiscalUnit} not in fiscalUnits()`);
    assert.equal(unit.nameZh, expected.applicant.fiscalUnitNameZh);
    assert.equal(unit.nameEn, expected.applicant.fiscalUnitNameEn);
    facts++;
  }
  // Every standard-number subject, normalised as the native engine did.
  expected.lines.forEach((line, i) => {
    const kind = kinds.get(line.item);
    if ((kind === "STANDARD_NUMBER" || kind === "AWARDED_STANDARD") && line.subject !== "") {
      const r = value(rules.normaliseStandardNumber(input.achievements[i].subject, input.achievements[i].date));
      assert.equal(r.canonical, line.subject, `${where}: line ${line.achievementId}`);
      facts++;
    }
  });
  // The rulesets the native engine applied are the ones the module reports.
  if (!expected.whatIf) {
    for (const ref of expected.receipt.rulesets) {
      assert.deepEqual(info.rulesets.find((r) => r.id === ref.id && r.version === ref.version), ref, where);
      facts++;
    }
  }
  return facts;
}

test("helpers agree with the native answers of the shared vectors", async (t) => {
  let facts = 0;
  for (const v of await sharedVectors()) facts += agree(v.input, v.expected, v.id);
  t.diagnostic(`facts compared: ${facts}`);
  assert.ok(facts > 100);
});

test("helpers agree with the native answers of 20,000 generated applications", async (t) => {
  let facts = 0, apps = 0;
  for await (const { seed, input, expected } of vectorsTool("random", 20_000, 777)) {
    facts += agree(input, expected, `seed ${seed}`);
    apps++;
  }
  t.diagnostic(`applications: ${apps}, facts compared: ${facts}`);
  assert.equal(apps, 20_000);
});

test("engine info and catalogue agree with each other", () => {
  assert.ok(info.engineVersion.length > 0);
  assert.equal(catalogue.engineVersion, info.engineVersion);
  assert.deepEqual(catalogue.rulesets.map((r) => r.hash), info.rulesets.map((r) => r.hash));
  for (const r of info.rulesets) assert.match(r.hash, /^sha256:[0-9a-f]{64}$/);
  const newest = catalogue.rulesets.at(-1).document;
  assert.deepEqual(units, newest.fiscalUnits);
});
