// Money stays a decimal string: formatting works on its digits, sums are exact.
import { test } from "node:test";
import assert from "node:assert/strict";
import { amountProblemKey, chartWan, compareYuan, fenToYuan, formatWan, formatYuan, isMoney, readAmount, readBack, sumYuan, toFen } from "../../src/money.js";
import { t } from "../../src/i18n.js";
// The amount-input vectors every reader of typed amounts runs: the rules
// crate natively, the WASM form helper in Node and Chromium, and this page.
import amountVectors from "../../../tests/vectors-forms/amount-input.json";

test("isMoney accepts the contract's form and refuses the rest", () => {
  for (const ok of ["0", "0.00", "1", "300000.00", "12.5", "999999999999999.99"]) assert.ok(isMoney(ok), ok);
  for (const bad of ["", "-1", "01", "1.234", "1,000", "1e5", " 1", "1.", ".5", "NaN", "１"]) assert.ok(!isMoney(bad), bad);
});

test("exact arithmetic: no float drift, values beyond 2^53 kept", () => {
  assert.equal(sumYuan(["0.10", "0.20"]), "0.30");
  assert.equal(sumYuan(["0.1", "0.2", ""]), "0.30");
  assert.equal(sumYuan(["90071992547409.93", "0.01"]), "90071992547409.94");
  assert.equal(sumYuan([]), "0.00");
  assert.equal(fenToYuan(toFen("123.4")), "123.40");
  assert.equal(fenToYuan(-5n), "-0.05");
  assert.equal(toFen("-12.34"), -1234n);
  assert.throws(() => toFen("1.234"));
  assert.equal(compareYuan("10", "9.99"), 1);
  assert.equal(compareYuan("10.00", "10"), 0);
  assert.equal(compareYuan("0.01", "0.1"), -1);
});

test("formatYuan groups thousands on the string", () => {
  assert.equal(formatYuan("1234567.5"), "1,234,567.50");
  assert.equal(formatYuan("300000.00"), "300,000.00");
  assert.equal(formatYuan("999"), "999.00");
  assert.equal(formatYuan("1000"), "1,000.00");
  assert.equal(formatYuan("0"), "0.00");
  assert.equal(formatYuan("-1234.5"), "-1,234.50");
  assert.equal(formatYuan("999999999999999.99"), "999,999,999,999,999.99");
  assert.equal(formatYuan(""), "");
  assert.equal(formatYuan("not money"), "not money", "text that is not an amount is shown as sent");
});

test("formatWan moves the point four places, exactly", () => {
  assert.equal(formatWan("300000.00"), "30");
  assert.equal(formatWan("12345.60"), "1.23456");
  assert.equal(formatWan("0.50"), "0.00005");
  assert.equal(formatWan("0"), "0");
  assert.equal(formatWan("125000000.00"), "12,500");
  assert.equal(formatWan("-50000"), "-5");
  assert.equal(chartWan("452500.00"), 45.25);
  assert.equal(chartWan(""), 0);
});

test("typed input is read as the rules crate reads it: every shared amount-input vector", () => {
  const cases = amountVectors as { input: string; yuan?: string; problem?: string; note?: string }[];
  assert.ok(cases.length >= 40, `only ${cases.length} cases`);
  for (const c of cases) {
    const got = readAmount(c.input);
    const at = `${JSON.stringify(c.input)} ${c.note ?? ""}`;
    if (c.yuan !== undefined) assert.deepEqual(got, { yuan: c.yuan }, at);
    else assert.deepEqual(got, { problem: c.problem }, at);
  }
});

test("misplaced commas are refused, never read as another amount", () => {
  for (const typo of ["1,00,000", "10,0000", "100,00", ",100", "100,", "1,000,00", "１，００，０００", "8,0000"]) {
    assert.deepEqual(readAmount(typo), { problem: "GROUPING" }, typo);
    assert.equal(readBack(typo), null, typo);
  }
  assert.deepEqual(readAmount("100,000"), { yuan: "100000.00" });
  assert.deepEqual(readAmount("abc"), { problem: "SYNTAX" });
  assert.deepEqual(readAmount("10万"), { yuan: "100000.00" });
});

test("amounts in 万 and with 元 are read exactly, as the portal reads them", () => {
  for (const [typed, yuan] of [
    ["10万", "100000.00"], ["３万", "30000.00"], ["2.5万元", "25000.00"], ["1,000万", "10000000.00"],
    ["0.0001万", "1.00"], ["12.3456万", "123456.00"], ["8 万", "80000.00"], ["1000元", "1000.00"],
    ["1,000.50 元", "1000.50"], ["０.５万", "5000.00"], [" １２，３４５．６ ", "12345.60"], ["¥ 300,000", "300000.00"],
  ]) {
    assert.deepEqual(readAmount(typed ?? ""), { yuan }, typed);
  }
  for (const [bad, problem] of [
    ["12.345678万", "TOO_PRECISE"], ["万", "SYNTAX"], ["1,00万", "GROUPING"], ["-1万", "NEGATIVE"], ["1万万", "SYNTAX"],
    ["10万5", "SYNTAX"], ["1 000", "SYNTAX"], ["", "EMPTY"], ["1000000000000.01", "TOO_LARGE"],
  ]) {
    assert.deepEqual(readAmount(bad ?? ""), { problem }, bad);
  }
});

test("each problem has its own sentence; an empty field is the caller's to word", () => {
  const said = new Set(["GROUPING", "TOO_PRECISE", "TOO_LARGE", "NEGATIVE", "SYNTAX"].map((p) => t(amountProblemKey(p as never))));
  assert.equal(said.size, 5);
  assert.match(t(amountProblemKey("TOO_PRECISE")), /四位小数/);
});

test("the amount a field reads is shown in yuan and in 万元", () => {
  assert.deepEqual(readBack("１００，０００"), { yuan: "100,000.00", wan: "10" });
  assert.deepEqual(readBack("12345.6"), { yuan: "12,345.60", wan: "1.23456" });
  assert.equal(readBack(""), null);
  assert.deepEqual(readBack("10万"), { yuan: "100,000.00", wan: "10" });
  assert.equal(readBack("10万5"), null);
});
