// (c) Errors come back as structured objects {code, field, messageZh,
// messageEn[, meant]} inside {ok: false, error}; nothing throws, whatever the input.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as rules from "@stdfund/rules";

function assertError(result, code, field) {
  assert.equal(typeof result, "object");
  assert.equal(result.ok, false, `expected an error, got ${JSON.stringify(result).slice(0, 200)}`);
  assert.deepEqual(Object.keys(result).sort(), ["error", "ok"]);
  const e = result.error;
  // `meant`, the value a message offers, when it offers one (FieldResult).
  const keys = Object.keys(e);
  assert.deepEqual(keys.slice(0, 4), ["code", "field", "messageZh", "messageEn"]);
  assert.ok(keys.length === 4 || (keys.length === 5 && keys[4] === "meant"), keys.join());
  for (const k of keys) assert.equal(typeof e[k], "string", k);
  assert.match(e.code, /^[A-Z][A-Z_]+$/);
  assert.ok(e.messageZh.length > 0 && e.messageEn.length > 0, "empty message");
  assert.match(e.messageZh, /[\u4e00-\u9fff]/, "the Chinese message has no Chinese");
  if (code !== undefined) assert.equal(e.code, code);
  if (field !== undefined) assert.equal(e.field, field);
  return e;
}

const app = (achievement, applicant = {}) => ({
  applicant: { creditCode: "91350100M000100Y43", name: "示例", seat: "350102", ...applicant },
  achievements: [{ id: "a1", item: "STANDARD_LEAD", variant: "NATIONAL", subject: "GB/T 1-2020", date: "2020-05-01", ...achievement }],
});

test("malformed applications answer the rules crate's codes and field paths", () => {
  assertError(rules.estimate(app({ date: "2020-13-01" })), "INVALID_DATE", "achievements[0].date");
  assertError(rules.estimate(app({ higherLevelFunding: [{ level: "FUNDING_LEVEL_PROVINCIAL", amount: 100 }] })),
    "INVALID_TYPE", "achievements[0].higherLevelFunding[0].amount");
  assertError(rules.estimate(app({ higherLevelFunding: [{ level: "FUNDING_LEVEL_PROVINCIAL", amount: "-1" }] })),
    "INVALID_AMOUNT", "achievements[0].higherLevelFunding[0].amount");
  assertError(rules.estimate(app({ item: "NO_SUCH_ITEM" })), "UNKNOWN_ITEM", "achievements[0].item");
  assertError(rules.estimate(app({ subject: "" })), "MISSING_FIELD", "achievements[0].subject");
  assertError(rules.estimate(app({ colour: "red" })), "UNKNOWN_FIELD");
  assertError(rules.estimate(app({}, { creditCode: "123" })), "INVALID_CREDIT_CODE", "applicant.creditCode");
  assertError(rules.estimate(app({}, { seat: "abc" })), "INVALID_SEAT", "applicant.seat");
  assertError(rules.estimate('{"applicant":'), "INVALID_JSON");
  assertError(rules.estimateCanonical('{"applicant": 5}'), "INVALID_TYPE", "applicant");
});

test("proto3 JSON's shape and nothing looser: no positional arrays, each field once", () => {
  // An object whose fields a derived reader would take by position.
  assertError(rules.estimate({ applicant: ["91350100M000100Y43", "示例", "350102"], achievements: [] }),
    "INVALID_TYPE", "applicant");
  assertError(rules.estimate([{ creditCode: "91350100M000100Y43", name: "示例", seat: "350102" }, []]),
    "INVALID_TYPE", "");
  // A field given twice (JSON text can say it; a JS object cannot), also
  // under its two names.
  const twice = JSON.stringify(app({})).replace('"date":"2020-05-01"', '"date":"2020-05-01","date":"2021-05-01"');
  const e = assertError(rules.estimateCanonical(twice), "DUPLICATE_FIELD", "achievements[0].date");
  assert.match(e.messageZh, /给了两次/);
  const names = JSON.stringify(app({})).replace('"creditCode"', '"credit_code":"91350100M000100Y43","creditCode"');
  assertError(rules.estimate(names), "DUPLICATE_FIELD", "applicant.creditCode");
});

test("half a surrogate pair is refused, not replaced: as text, as an escape and inside an object", () => {
  // A JavaScript string with a lone surrogate: TextEncoder would turn it into
  // U+FFFD and the answer would carry a name nobody typed.
  const text = JSON.stringify(app({}, { name: "X" })).replace('"X"', '"\ud800"');
  let e = assertError(rules.estimateCanonical(text), "INVALID_JSON", "");
  assert.match(e.messageEn, /surrogate/);
  assert.match(e.messageEn, /line 1, column \d+/);
  assert.match(e.messageZh, /代理项/);
  // The same as a JSON escape, and from an object (JSON.stringify escapes it).
  const escaped = JSON.stringify(app({}, { name: "X" })).replace('"X"', '"\\udc00"');
  assertError(rules.estimate(escaped), "INVALID_JSON", "applicant.name");
  e = assertError(rules.estimate(app({}, { name: "福州\ud83d" })), "INVALID_JSON", "applicant.name");
  assert.doesNotMatch(e.messageEn, /not valid JSON/);
  // A genuine U+FFFD and a whole pair (an emoji) are characters.
  assert.equal(rules.estimate(app({}, { name: "福州\ufffd" })).ok, true);
  assert.equal(rules.estimateCanonical(JSON.stringify(app({}, { name: "福州\ud83d\ude00" }))).ok, true);
});

test("what-if with a broken ruleset is INVALID_RULESET at whatIfRuleset", () => {
  assertError(rules.whatIf(app({}), "{}"), "INVALID_RULESET", "whatIfRuleset");
  assertError(rules.whatIf(app({}), { id: "x" }), "INVALID_RULESET", "whatIfRuleset");
  assertError(rules.whatIfCanonical(app({}), "not json"), "INVALID_RULESET", "whatIfRuleset");
  assertError(rules.whatIf(app({}), undefined), "INVALID_JSON", "whatIfRuleset");
});

test("an empty what-if ruleset is INVALID_RULESET, never the rules in force", () => {
  for (const doc of ["", "  \n"]) {
    assertError(rules.whatIf(app({}), doc), "INVALID_RULESET", "whatIfRuleset");
    assertError(rules.whatIfCanonical(JSON.stringify(app({})), doc), "INVALID_RULESET", "whatIfRuleset");
  }
});

test("JSON text after a byte-order mark is read as stdfund estimate reads it", () => {
  const text = JSON.stringify(app({}));
  const plain = rules.estimateCanonical(text);
  assert.equal(plain.ok, true);
  assert.deepEqual(rules.estimateCanonical("\uFEFF" + text), plain);
  assert.equal(rules.estimate("\uFEFF" + text).ok, true);
});

test("hostile inputs never throw and never trap the module", () => {
  const cyclic = {};
  cyclic.self = cyclic;
  const inputs = [undefined, null, 5, true, "", "{", "[]", [], {}, { applicant: [] }, () => 1, Symbol("s"),
    cyclic, { big: 1n }, "\u0000", "x".repeat(1 << 20), { achievements: new Array(201).fill({}) },
    JSON.stringify({ applicant: { name: "名".repeat(1000) } })];
  for (let round = 0; round < 200; round++) {
    for (const input of inputs) {
      for (const f of [rules.estimate, rules.estimateCanonical, (x) => rules.whatIf(x, x)]) {
        let result;
        assert.doesNotThrow(() => { result = f(input); }, `threw on ${String(typeof input)}`);
        assertError(result);
      }
    }
    for (const input of [undefined, null, 5, {}, Symbol("s")]) {
      assertError(rules.checkCreditCode(input), "INVALID_TYPE");
      assertError(rules.normaliseStandardNumber(input), "INVALID_TYPE");
      assertError(rules.checkSeat(input), "INVALID_TYPE");
    }
  }
  // Still healthy after 10,000+ failed calls.
  const ok = rules.estimate(app({}));
  assert.equal(ok.ok, true);
  assert.equal(ok.value.total, "300000.00");
});

test("error vectors and canonical errors carry the same object", () => {
  const r = rules.estimateCanonical(JSON.stringify(app({ role: "ROLE_BOSS" })));
  const e = assertError(r, "INVALID_ENUM_VALUE", "achievements[0].role");
  assert.match(e.messageEn, /ROLE_BOSS/);
  assert.deepEqual(rules.estimate(app({ role: "ROLE_BOSS" })), r);
});
