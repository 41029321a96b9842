// Both dictionaries have every key, the same placeholders, and a label for
// every value of every enum the page shows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Code } from "@connectrpc/connect";
import { dictionaries, setLang, t, tk, pick } from "../../src/i18n.js";
import { AccessRole, AuditAction, ClaimStatus, ObjectionOutcome, ObjectionStatus, PublicationStatus, ReviewDecision, TargetVisibility } from "../../gen/stdfund/v1/registry_pb.js";
import { ClaimSort } from "../../gen/stdfund/v1/registry_service_pb.js";
import { FundingLevel, LineStatus, Role } from "../../gen/stdfund/v1/estimate_pb.js";

const { zh, en } = dictionaries;
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test("every key in both languages, none empty, same placeholders", () => {
  assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort());
  for (const key of Object.keys(zh) as (keyof typeof zh)[]) {
    assert.ok(zh[key].trim() !== "", `zh ${key} empty`);
    assert.ok(en[key].trim() !== "", `en ${key} empty`);
    assert.deepEqual(placeholders(zh[key]), placeholders(en[key]), key);
  }
});

test("Chinese texts are Chinese and English texts are not", () => {
  const han = /\p{Script=Han}/u;
  // The language switch names the other language on purpose.
  const exempt = new Set(["app.lang.switch"]);
  for (const key of Object.keys(zh) as (keyof typeof zh)[]) {
    if (exempt.has(key)) continue;
    if (/^(error\.grpc|role|status|action|sort|decision|line|funding)\./.test(key) || han.test(zh[key]) || /^[\s\p{P}\d×]*$/u.test(zh[key])) continue;
    assert.fail(`zh ${key} has no Chinese: ${zh[key]}`);
  }
  for (const key of Object.keys(en) as (keyof typeof en)[]) {
    if (exempt.has(key)) continue;
    assert.ok(!han.test(en[key]), `en ${key} has Chinese: ${en[key]}`);
  }
});

function enumValues(e: object): number[] {
  return Object.values(e).filter((v): v is number => typeof v === "number");
}

test("a label for every enum value shown", () => {
  const need: [string, number[]][] = [
    ["status", enumValues(ClaimStatus)],
    ["action", enumValues(AuditAction)],
    ["role", enumValues(AccessRole)],
    ["sort", enumValues(ClaimSort)],
    ["decision", enumValues(ReviewDecision).filter((v) => v !== 0)],
    ["line", enumValues(LineStatus).filter((v) => v !== 0)],
    ["role.line", enumValues(Role)],
    ["funding", enumValues(FundingLevel)],
    ["report.visibility", enumValues(TargetVisibility).filter((v) => v !== 0)],
    ["pub.status", enumValues(PublicationStatus).filter((v) => v !== 0)],
    ["pub.objStatus", enumValues(ObjectionStatus).filter((v) => v !== 0)],
    ["pub.objOutcome", enumValues(ObjectionOutcome).filter((v) => v !== 0)],
    ["error.grpc", enumValues(Code).filter((v) => v !== 0)],
  ];
  for (const [prefix, values] of need) {
    assert.ok(values.length > 0, prefix);
    for (const v of values) {
      assert.ok(`${prefix}.${v}` in zh, `zh ${prefix}.${v}`);
      assert.ok(`${prefix}.${v}` in en, `en ${prefix}.${v}`);
    }
  }
});

test("t fills placeholders; the switch changes the language; pick prefers the current one", () => {
  setLang("zh");
  assert.equal(t("queue.count", { count: 12 }), "共 12 条");
  assert.equal(tk("status.1"), "待审核");
  assert.equal(tk("no.such.key"), "no.such.key");
  assert.equal(pick("中文", "English"), "中文");
  setLang("en");
  assert.equal(t("queue.count", { count: 12 }), "12 claims");
  assert.equal(pick("中文", "English"), "English");
  assert.equal(pick("中文", ""), "中文");
  setLang("zh");
});

test("audit targets are read in words, never as stored keys, in both languages", async () => {
  const { targetLabel } = await import("../../src/format.js");
  setLang("zh");
  assert.equal(targetLabel("claim:12"), "申报 12");
  assert.equal(targetLabel("budget:2026:350102"), "预算 2026 · 350102");
  // The payer named: the city, and a district from the catalogue.
  assert.equal(targetLabel("budget:2026:CITY"), "预算 2026 · 市级");
  const catalog = { rulesets: [], items: [], fiscalUnits: [{ id: "350102", zh: "鼓楼区", en: "Gulou District" }], clauses: [], targets: [] };
  assert.equal(targetLabel("budget:2026:350102", catalog), "预算 2026 · 鼓楼区");
  assert.equal(targetLabel("attachment:3"), "材料 3");
  setLang("en");
  assert.equal(targetLabel("publication:4"), "Notice 4");
  assert.equal(targetLabel("payment:9"), "Payment 9");
  assert.equal(targetLabel("budget:2026:CITY"), "Budget 2026 · Municipal");
  // What the page does not know is shown as stored, not dropped.
  assert.equal(targetLabel("something:1"), "something:1");
  assert.equal(targetLabel(""), "");
  setLang("zh");
});

test("a ruleset is named by its title and version; an id the catalogue lacks is shown as stored", async () => {
  const { rulesetTitle } = await import("../../src/catalog.js");
  const catalog = {
    rulesets: [{ id: "fz-2016", version: "1.1.0", zh: "福州标准化意见", en: "Fuzhou standardization opinion" }],
    items: [], fiscalUnits: [], clauses: [], targets: [],
  };
  setLang("zh");
  assert.equal(rulesetTitle(catalog, "fz-2016", "1.1.0"), "福州标准化意见（1.1.0 版）");
  // An older version of a known id keeps the title and says its own version.
  assert.equal(rulesetTitle(catalog, "fz-2016", "1.0.0"), "福州标准化意见（1.0.0 版）");
  assert.equal(rulesetTitle(catalog, "xm-2020", "1.0.0"), "xm-2020 1.0.0");
  assert.equal(rulesetTitle(catalog, "", ""), "", "a line under no ruleset names none");
  setLang("en");
  assert.equal(rulesetTitle(catalog, "fz-2016", "1.1.0"), "Fuzhou standardization opinion (version 1.1.0)");
  setLang("zh");
});
