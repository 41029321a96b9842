// What the forms check before anything is sent, and the exact report groups.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ClaimStatus, ReviewDecision, TargetVisibility } from "../../gen/stdfund/v1/registry_pb.js";
import { ClaimSort, ClaimView, GetReportRequestSchema } from "../../gen/stdfund/v1/registry_service_pb.js";
import { create } from "@bufbuild/protobuf";
import { filterProblems, filtersFrom, requestOf } from "../../src/pages/Queue.js";
import { changes } from "../../src/changes.js";
import { disburseProblems, reviewProblems } from "../../src/pages/dialogs.js";
import { draftProblems } from "../../src/pages/Publications.js";
import { groupRows, targetPercent, wrapLabel } from "../../src/pages/Reports.js";
import { sumYuan } from "../../src/money.js";
import { setLang } from "../../src/i18n.js";
import { makeApi } from "../../src/api.js";
import { fakeTransport, makeState } from "../harness/fake.js";

setLang("zh");

test("queue filters become the ListClaims request; bad ones are caught first", () => {
  const f = filtersFrom(new URLSearchParams("status=1&year=2026&unit=350102&item=STANDARD_LEAD&clause=五(五)1&min=1,000&max=３００００&from=2026-01-01&to=2026-02-01&q=%20榕城%20&sort=2&size=50"));
  assert.deepEqual(filterProblems(f), {});
  const r = requestOf(f);
  assert.equal(r.status, ClaimStatus.SUBMITTED);
  assert.equal(r.year, 2026);
  assert.equal(r.fiscalUnit, "350102");
  assert.equal(r.item, "STANDARD_LEAD");
  assert.equal(r.clause, "五(五)1");
  assert.equal(r.amountMin, "1000.00");
  assert.equal(r.amountMax, "30000.00");
  assert.equal(r.submittedFrom, "2026-01-01");
  assert.equal(r.query, "榕城");
  assert.equal(r.sort, ClaimSort.AMOUNT_DESC);
  assert.equal(r.pageSize, 50);
  assert.equal(r.view, ClaimView.SUMMARY);
  assert.equal(requestOf(filtersFrom(new URLSearchParams())).pageSize, 20);
  const bad = filterProblems(filtersFrom(new URLSearchParams("min=abc&from=2026-02-01&to=2026-01-01")));
  assert.ok(bad.min !== undefined && bad.to !== undefined);
  assert.ok(filterProblems(filtersFrom(new URLSearchParams("min=500&max=100"))).max !== undefined);
});

test("review: reasons for reject and return, amount and reason for a discretionary approval", () => {
  assert.deepEqual(reviewProblems(ReviewDecision.APPROVE, false, "", ""), {});
  assert.ok(reviewProblems(ReviewDecision.REJECT, false, "  ", "").reason !== undefined);
  assert.ok(reviewProblems(ReviewDecision.RETURN, false, "", "").reason !== undefined);
  const d = reviewProblems(ReviewDecision.APPROVE, true, "", "");
  assert.ok(d.reason !== undefined && d.amount !== undefined);
  assert.equal(reviewProblems(ReviewDecision.APPROVE, true, "ok", "0").amount, "金额须大于 0 元。");
  assert.deepEqual(reviewProblems(ReviewDecision.APPROVE, true, "评审核定", "80,000.00"), {});
});

test("payment: no future date, a voucher, a positive amount or none", () => {
  assert.deepEqual(disburseProblems("2026-03-01", "V-1", "", "2026-03-01"), {});
  assert.equal(disburseProblems("2026-03-02", "V-1", "", "2026-03-01").date, "支付日期不能晚于今天。");
  assert.ok(disburseProblems("", "V-1", "", "2026-03-01").date !== undefined);
  assert.ok(disburseProblems("2026-03-01", " ", "", "2026-03-01").voucher !== undefined);
  assert.ok(disburseProblems("2026-03-01", "V", "-5", "2026-03-01").amount !== undefined);
  assert.equal(disburseProblems("2026-03-01", "V", "0", "2026-03-01").amount, "金额须大于 0 元。");
  assert.equal(disburseProblems("2026-03-01", "V", "1.234", "2026-03-01").amount, "金额最多两位小数（到分）；以万元填写时最多四位小数（到元）。");
  assert.equal(disburseProblems("2026-03-01", "V", "-5", "2026-03-01").amount, "金额不能为负数。");
  assert.equal(disburseProblems("2026-03-01", "V", "1,00,000", "2026-03-01").amount, "千位分隔符的位置不对：逗号应每三位一个，例如 100,000。");
  assert.equal(disburseProblems("2026-03-01", "V", "一万", "2026-03-01").amount, "金额请写成数字，例如 100000、100,000 或 10万，最多两位小数。");
  assert.deepEqual(disburseProblems("2026-03-01", "V", "100.5", "2026-03-01"), {});
});

test("publication draft: title, year, a start date, 1–30 working days, a contact", () => {
  assert.deepEqual(draftProblems({ title: "2026年第一批", year: "2026", unit: "", start: "2026-03-02", days: "5", contact: "0591-12345678" }), {});
  const p = draftProblems({ title: " ", year: "20", unit: "", start: "3/2", days: "31", contact: "" });
  assert.deepEqual(Object.keys(p).sort(), ["contact", "days", "start", "title", "year"]);
  assert.equal(p.year, "预算年度请写四位年份，2016 年起，例如 2026。");
  // Full-width digits, as typed on a Chinese keyboard.
  assert.deepEqual(draftProblems({ title: "2026年第一批", year: "２０２６", unit: "", start: "2026-03-02", days: "５", contact: "0591-12345678" }), {});
  assert.equal(draftProblems({ title: "t", year: "", unit: "", start: "2026-03-02", days: "5", contact: "c" }).year, "请填写“预算年度”。");
});

test("report groups sum exactly to the server's total", async () => {
  const api = makeApi(fakeTransport(makeState(2026))(() => "tok-finance"));
  const report = await api.registry.getReport(create(GetReportRequestSchema, { year: 0 }));
  const byDistrict = groupRows(report.rows, (r) => r.fiscalUnit, (r) => r.fiscalUnitNameZh);
  const byItem = groupRows(report.rows, (r) => r.item, (r) => r.itemNameZh);
  for (const groups of [byDistrict, byItem]) {
    assert.equal(sumYuan(groups.map((g) => g.approvedAmount)), report.total?.approvedAmount);
    assert.equal(groups.reduce((a, g) => a + g.claims, 0n), report.total?.claims);
  }
  assert.ok(byDistrict.length > 3);
});

test("target completion in per cent, 0 where the registry cannot see", () => {
  const base = { $typeName: "stdfund.v1.TargetProgress" as const, targetId: "X", nameZh: "", nameEn: "", unitZh: "项", counted: [], noteZh: "", noteEn: "" };
  assert.equal(targetPercent({ ...base, figure: 8, achieved: 7n, visibility: TargetVisibility.PARTIAL }), 87.5);
  assert.equal(targetPercent({ ...base, figure: 10, achieved: 30n, visibility: TargetVisibility.FULL }), 100);
  assert.equal(targetPercent({ ...base, figure: 2000, achieved: 5n, visibility: TargetVisibility.NONE }), 0);
});

test("an audit entry's change reads in words: labels, statuses, only what changed", () => {
  const rows = changes(
    JSON.stringify({ id: 7, status: "SUBMITTED", paid: "0.00", one_time_key: "k", application_json: "{…}" }),
    JSON.stringify({ id: 7, status: "APPROVED", paid: "0.00", one_time_key: "k", approval: { amount: "300000.00", record_json: "{…}", split: { district: "150000.00" } } }),
  );
  assert.deepEqual(rows, [
    { field: "状态", before: "待审核", after: "已核准" },
    { field: "核准金额（元）", before: "—", after: "300,000.00" },
    { field: "县（市）区承担（元）", before: "—", after: "150,000.00" },
  ]);
  assert.deepEqual(changes("", "not json"), [{ field: "", before: "—", after: "not json" }]);
  // A resubmission that adds a provincial grant: the application's change is
  // said (why the estimate fell), keys and ids in words.
  const app = (funding: unknown[]) => JSON.stringify({ applicant: { creditCode: "X", name: "福州示例", seat: "350102" },
    achievements: [{ id: "a1", item: "DEMONSTRATION_PILOT", variant: "MUNICIPAL", subject: "榕标试〔2020〕3号", date: "2020-05-01", accepted: true, higherLevelFunding: funding }] });
  const resubmitted = changes(
    JSON.stringify({ status: "RETURNED", estimated_amount: "35000.00", application_json: app([]), submitted_by: "门户" }),
    JSON.stringify({ status: "SUBMITTED", estimated_amount: "25000.00", application_json: app([{ level: "FUNDING_LEVEL_PROVINCIAL", amount: "10000.00", source: "省" }]), submitted_by: "门户" }),
  );
  assert.deepEqual(resubmitted.find((r) => r.field === "已获上级或其他资助"), { field: "已获上级或其他资助", before: "—", after: "省级财政资金 10,000.00" });
  assert.deepEqual(resubmitted.find((r) => r.field === "测算金额（元）"), { field: "测算金额（元）", before: "35,000.00", after: "25,000.00" });
  assert.equal(resubmitted.some((r) => r.field === "已通过验收"), false, "unchanged, not listed");
  // A state-only entry (no application on one side) lists no application line.
  assert.equal(changes(JSON.stringify({ status: "SUBMITTED", application_json: app([]) }), JSON.stringify({ status: "APPROVED" })).some((r) => r.field.startsWith("已")), false);
  // The keys of a claim's creation in words, its item and variant by name.
  const created = changes("", JSON.stringify({ submitted_by: "门户", item: "ZZ_UNKNOWN", idempotency_key: "k1" }));
  assert.deepEqual(created.map((r) => r.field), ["提交方", "资助项目", "幂等键"]);
  // Instants in China time, as the history shows them.
  assert.deepEqual(changes(JSON.stringify({ updated_at: "2026-12-05T02:56:14.902802Z" }), JSON.stringify({ updated_at: "2026-12-05T03:00:00.000000Z" })),
    [{ field: "更新时间", before: "2026-12-05 10:56", after: "2026-12-05 11:00" }]);
});

test("bar labels wrap on a phone instead of being cut at the chart's edge", () => {
  const name = "主导或参与制定国际标准、国家标准、行业标准、地方标准";
  assert.equal(wrapLabel(name, true), name);
  const lines = wrapLabel(name, false);
  assert.ok(Array.isArray(lines));
  assert.equal((lines as string[]).join(""), name, "nothing is lost");
  assert.ok((lines as string[]).every((l) => [...l].length <= 8));
  assert.deepEqual(wrapLabel("Secretariat of a technical committee", false), ["Secretariat of a", "technical committee"]);
  assert.equal(wrapLabel("鼓楼区", false), "鼓楼区");
});
