// An in-memory RegistryService (and EstimateService.GetCatalog) for the
// harness page and the in-browser component tests: canned claims of every
// status, the role matrix of registry_service.proto enforced from the bearer
// token, and errors shaped as the server shapes them (ErrorInfo with
// messageZh/messageEn, LocalizedMessages). It is a test double for the page,
// not a model of the registry's rules: amounts are canned, not computed.
import { Code, ConnectError, createRouterTransport, type ConnectRouter, type HandlerContext, type Transport } from "@connectrpc/connect";
import { create, fromJson, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ErrorInfoSchema, LocalizedMessageSchema } from "../../gen/google/rpc/error_details_pb.js";
import { ClaimSort, ClaimView, RegistryService, ListClaimsResponseSchema } from "../../gen/stdfund/v1/registry_service_pb.js";
import { EstimateService } from "../../gen/stdfund/v1/estimate_service_pb.js";
import { RulesetDocumentSchema } from "../../gen/stdfund/v1/catalog_pb.js";
import {
  AccessRole, AuditAction, ClaimSchema, ClaimStatus, ObjectionOutcome, ObjectionStatus, PublicationStatus, ReviewDecision,
  TargetVisibility, type Attachment, type AuditEntry, type Budget, type Claim, type Objection, type Publication,
} from "../../gen/stdfund/v1/registry_pb.js";
import { LineStatus, Role } from "../../gen/stdfund/v1/estimate_pb.js";
import { bearer } from "../../src/api.js";
import { compareYuan, fenToYuan, sumYuan, toFen } from "../../src/money.js";
import rulesetJson from "../../../crates/stdfund-rules/rulesets/fz-2016.json";

export const TOKENS: Record<string, { name: string; role: AccessRole }> = {
  "tok-reviewer": { name: "reviewer-wang", role: AccessRole.REVIEWER },
  "tok-finance": { name: "finance-li", role: AccessRole.FINANCE },
  "tok-admin": { name: "admin-chen", role: AccessRole.ADMIN },
  "tok-portal": { name: "portal-gateway", role: AccessRole.PORTAL },
};

const ROLE_NAME: Record<number, string> = { 1: "portal", 2: "reviewer", 3: "finance", 4: "admin" };

function fail(code: Code, reason: string, zh: string, en: string, meta: Record<string, string> = {}): never {
  throw new ConnectError(en, code, undefined, [
    { desc: ErrorInfoSchema, value: { reason, domain: "stdfund.v1", metadata: { field: meta["field"] ?? "", messageZh: zh, messageEn: en, ...meta } } },
    { desc: LocalizedMessageSchema, value: { locale: "zh-CN", message: zh } },
    { desc: LocalizedMessageSchema, value: { locale: "en-US", message: en } },
  ]);
}

const R = AccessRole.REVIEWER, F = AccessRole.FINANCE, A = AccessRole.ADMIN, P = AccessRole.PORTAL;

const ruleset = fromJson(RulesetDocumentSchema, rulesetJson as never, { ignoreUnknownFields: true });
const unitNames = new Map(ruleset.fiscalUnits.map((u) => [u.code, u.nameZh]));
const items = new Map(ruleset.items.map((i) => [i.id, i]));

/** Deterministic pseudo-random numbers, so every harness run looks the same. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

const UNITS = ["福州闽江智能装备有限公司", "福建榕城食品股份有限公司", "福州海峡检测技术有限公司", "福建鼓山茶业有限公司", "福州马尾船舶工业集团有限公司",
  "福清融侨新材料有限公司", "福建长乐纺织科技有限公司", "福州高新区光电研究院", "闽侯县青口汽车配件有限公司", "福建连江海洋渔业有限公司",
  "福州仓山软件科技有限公司", "福建永泰李果合作社", "福州台江商贸标准化服务中心", "罗源湾钢铁有限公司"];
const SEATS = ["350102", "350103", "350104", "350105", "350111", "350181", "350112", "350100-GXQ", "350121", "350122", "350104", "350125", "350103", "350123"];
const PLAN: [string, string, string][] = [
  ["STANDARD_LEAD", "NATIONAL", "GB/T 41235-2022"], ["STANDARD_LEAD", "LOCAL", "DB35/T 2081-2022"], ["STANDARD_PARTICIPANT", "NATIONAL", "GB/T 39001-2020"],
  ["STANDARD_LEAD", "GROUP", "T/FJSP 0012-2021"], ["AWARD_FUJIAN", "PROJECT_SECOND", "DB35/T 1801-2018"], ["TC_SECRETARIAT", "NATIONAL_WG", "SAC/TC 28/WG 3"],
  ["DEMONSTRATION_PILOT", "PROVINCIAL", "闽标试点〔2021〕17号"], ["RESEARCH_PROJECT", "MUNICIPAL", "榕科标〔2020〕5号"], ["GOOD_BEHAVIOUR", "AAAA", "证书 BZ-2021-0307"],
  ["GEOGRAPHICAL_INDICATION", "AGRICULTURAL_GI", "永泰李干"], ["OTHER_ACTIVITY", "WTO_TBT_WARNING", "福州市TBT预警平台建设"], ["STANDARD_LEAD", "INDUSTRY", "QB/T 5612-2021"],
];
const STATUSES = [ClaimStatus.SUBMITTED, ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, ClaimStatus.SUBMITTED, ClaimStatus.DISBURSED, ClaimStatus.REJECTED,
  ClaimStatus.SUBMITTED, ClaimStatus.RETURNED, ClaimStatus.APPROVED, ClaimStatus.SUBMITTED, ClaimStatus.SUBMITTED, ClaimStatus.WITHDRAWN];

/** A valid GB 32100-2015 unified social credit code. */
export function creditCode(n: number): string {
  const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const base = `91350100M${String(10000000 + n * 7919).slice(-8)}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += alphabet.indexOf(base[i] ?? "0") * (weights[i] ?? 0);
  return base + alphabet[(31 - (sum % 31)) % 31];
}

// The smallest valid PNG (1×1, blue) and a one-page PDF, as attachments.
const PNG = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk4GP4DwABhQEBnNBa9gAAAABJRU5ErkJggg=="), (c) => c.charCodeAt(0));
const PDF = new TextEncoder().encode("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");

export interface FakeState {
  year: number;
  /** sha256 hex of a file, where the platform has it (Node); else a fixed stand-in. */
  sha256?: (bytes: Uint8Array) => string;
  /** Writes rows as an XLSX workbook (with a chart part when asked), where the platform can (Node). */
  /** Who a bearer token is, where tokens are not the canned ones (fake-serve). */
  authenticate?: (token: string) => { name: string; role: AccessRole } | undefined;
  xlsx?: (sheets: { name: string; rows: (string | number)[][] }[], chart: boolean) => Uint8Array;
  claims: Claim[];
  audit: AuditEntry[];
  budgets: Map<string, string>; // `${year}|${payer}` → total
  attachments: { meta: Attachment; content: Uint8Array }[];
  publications: Publication[];
  now: () => Date;
}

function yuanOfWan(wan: string | undefined): string {
  if (wan === undefined) return "0.00";
  return fenToYuan(toFen(wan) * 10000n);
}

function half(y: string): [string, string] {
  const fen = toFen(y);
  const district = fen / 2n;
  return [fenToYuan(fen - district), fenToYuan(district)];
}

/** Builds the canned state: 24 claims of the current year, budgets, history, two attachments. */
export function makeState(year: number, now: () => Date = () => new Date(), options: { empty?: boolean } = {}): FakeState {
  const random = rng(20260101);
  const state: FakeState = { year, claims: [], audit: [], budgets: new Map(), attachments: [], publications: [], now };
  if (options.empty === true) return state;
  state.budgets.set(`${year}|CITY`, "3000000.00");
  state.budgets.set(`${year}|350102`, "500000.00");
  state.budgets.set(`${year - 1}|CITY`, "2500000.00");
  for (let i = 0; i < 24; i++) {
    const [item, variant, subject] = PLAN[i % PLAN.length] ?? PLAN[0]!;
    const unit = UNITS[i % UNITS.length] ?? "";
    const seat = SEATS[i % SEATS.length] ?? "350102";
    const fiscalUnit = seat;
    const it = items.get(item);
    const v = it?.variants.find((x) => x.id === variant);
    const discretionary = it?.condition === "DISCRETIONARY";
    const c = discretionary ? "0.00" : yuanOfWan(v?.amountWan);
    const h = i % 5 === 1 && !discretionary ? fenToYuan(toFen(c) / 4n) : "0.00";
    const payable = fenToYuan(toFen(c) - toFen(h));
    const [ms, ds] = half(payable);
    const submitted = new Date(Date.UTC(year, 0, 6 + i * 3, 1 + (i % 8), 12 + i));
    const status = i < STATUSES.length * 2 ? STATUSES[i % STATUSES.length]! : ClaimStatus.SUBMITTED;
    const code = creditCode(i + 1);
    const givenSubject = i % 3 === 0 ? subject.toLowerCase().replace("/", "／") : subject;
    const line = {
      achievementId: "a1", item, variant, clause: it?.clause ?? "", subject, oneTimeKey: `${item}|${variant}|${subject}`, date: `${year - 1}-0${1 + (i % 9)}-15`,
      rulesetId: ruleset.id, rulesetVersion: ruleset.version,
      status: discretionary ? LineStatus.DISCRETIONARY : LineStatus.ELIGIBLE, reasonCode: discretionary ? "DISCRETIONARY" : "ELIGIBLE",
      municipalAmount: c, higherLevelFundingCounted: h, otherFundingNotCounted: "0.00", payable, municipalShare: ms, districtShare: ds,
      shareTableId: ruleset.shareTable?.id ?? "", explanationZh: discretionary
        ? `条款${it?.clause}：${it?.nameZh}，资助金额由评审核定。`
        : `条款${it?.clause}：${it?.nameZh}（${v?.nameZh}）市级资助${c}元${h !== "0.00" ? `，扣除省级以上财政资助${h}元` : ""}，应付${payable}元。`,
      explanationEn: discretionary ? `Clause ${it?.clause}: ${it?.nameEn}; a reviewer sets the amount.` : `Clause ${it?.clause}: ${it?.nameEn} (${v?.nameEn}), ${payable} yuan payable.`,
    };
    const shareTable = { id: ruleset.shareTable?.id ?? "", version: ruleset.shareTable?.version ?? "", provisional: true, districtRatio: "0.50", noteZh: ruleset.shareTable?.noteZh ?? "", noteEn: ruleset.shareTable?.noteEn ?? "" };
    const estimate = {
      applicant: { creditCode: code, creditCodeCheckPassed: true, name: unit, seat, fiscalUnit, fiscalUnitNameZh: unitNames.get(fiscalUnit) ?? "", fiscalUnitNameEn: "", insideFuzhou: true },
      lines: [line], total: payable, split: { fiscalUnit, municipalShare: ms, districtShare: ds, shareTables: [shareTable] },
      warnings: [{ code: "SHARE_TABLE_PROVISIONAL", achievementId: "", messageZh: "分担比例表为暂定。", messageEn: "The share table is provisional." }],
      receipt: { engineVersion: "0.1.0", rulesets: [{ id: ruleset.id, version: ruleset.version, hash: "sha256:5d1c0e0c2f9a" }], inputHash: `sha256:${(i * 2654435761 >>> 0).toString(16).padStart(8, "0")}e3b0c44298fc1c149afbf4c8996fb924` },
    };
    const claim = create(ClaimSchema, {
      claimId: BigInt(i + 1), status, idempotencyKey: `portal-${year}-${String(i + 1).padStart(4, "0")}`, submittedBy: "portal-gateway",
      submittedAt: timestampFromDate(submitted), updatedAt: timestampFromDate(submitted), creditCode: code, creditCodeCheckPassed: true,
      unitName: unit, seat, fiscalUnit, item, variant, clause: it?.clause ?? "", subject, subjectAsGiven: givenSubject,
      oneTimeKey: `${code}|${item === "STANDARD_PARTICIPANT" ? "STANDARD_LEAD" : item}|${subject}`, achievementDate: line.date, year,
      application: { applicant: { creditCode: code, name: unit, seat }, achievements: [{ id: "a1", item, variant, subject: givenSubject, date: line.date, role: item.startsWith("AWARD") ? Role.LEAD : Role.UNSPECIFIED, accepted: it?.condition === "ACCEPTED", approved: it?.condition === "APPROVED", higherLevelFunding: h === "0.00" ? [] : [{ level: 2, amount: h, source: "福建省市场监督管理局" }] }] },
      estimate, estimatedAmount: payable, discretionary, paidAmount: "0.00",
    });
    state.claims.push(claim);
    addAudit(state, claim, AuditAction.SUBMIT, "portal-gateway", P, submitted);
    if (status === ClaimStatus.APPROVED || status === ClaimStatus.DISBURSED || status === ClaimStatus.REJECTED) {
      const at = new Date(submitted.getTime() + 86400000 * 2);
      const approve = status !== ClaimStatus.REJECTED;
      const amount = discretionary ? "80000.00" : payable;
      const [m2, d2] = half(amount);
      claim.review = { $typeName: "stdfund.v1.ClaimReview", decision: approve ? ReviewDecision.APPROVE : ReviewDecision.REJECT, reviewedBy: "reviewer-wang", reviewedAt: timestampFromDate(at),
        reason: approve ? (discretionary ? "平台建设成效显著，按评审意见核定" : "") : "标准发布日期早于政策施行日", approvedAmount: approve ? amount : "", amountSetByReviewer: approve && discretionary,
        approvalAssessment: approve ? create(ClaimSchema, { estimate }).estimate : undefined,
        approvedSplit: approve ? { $typeName: "stdfund.v1.Split", fiscalUnit, municipalShare: m2, districtShare: d2, shareTables: [{ $typeName: "stdfund.v1.ShareTableUse", ...shareTable }] } : undefined } as Claim["review"];
      addAudit(state, claim, approve ? AuditAction.APPROVE : AuditAction.REJECT, "reviewer-wang", R, at);
      if (!approve) claim.note = { $typeName: "stdfund.v1.ClaimNote", by: "reviewer-wang", at: timestampFromDate(at), reason: claim.review?.reason ?? "" };
      if (status === ClaimStatus.DISBURSED) {
        const paidAt = new Date(at.getTime() + 86400000 * 5);
        claim.payments = [{ $typeName: "stdfund.v1.Disbursement", paymentDate: paidAt.toISOString().slice(0, 10), voucherNumber: `FZCZ-${year}-${100 + i}`, municipalShare: m2, districtShare: d2, shareTableId: shareTable.id, recordedBy: "finance-li", recordedAt: timestampFromDate(paidAt), shareTable: { $typeName: "stdfund.v1.ShareTableUse", ...shareTable }, amount, payer: "CITY" }];
        claim.disbursement = claim.payments[0];
        claim.paidAmount = amount;
        addAudit(state, claim, AuditAction.DISBURSE, "finance-li", F, paidAt);
      }
    }
    if (status === ClaimStatus.RETURNED || status === ClaimStatus.WITHDRAWN) {
      const at = new Date(submitted.getTime() + 86400000);
      const returned = status === ClaimStatus.RETURNED;
      claim.note = { $typeName: "stdfund.v1.ClaimNote", by: returned ? "reviewer-wang" : "portal-gateway", at: timestampFromDate(at), reason: returned ? "请补充标准文本首页及发布公告扫描件" : "申请单位主动撤回" };
      addAudit(state, claim, returned ? AuditAction.RETURN : AuditAction.WITHDRAW, claim.note.by, returned ? R : P, at);
    }
    if (i % 4 === 0) {
      addAttachment(state, claim, i % 8 === 0 ? "标准文本首页.png" : "发布公告.pdf", i % 8 === 0 ? PNG : PDF, i % 8 === 0 ? "image/png" : "application/pdf", submitted);
    }
    void random;
  }
  return state;
}

function addAudit(state: FakeState, claim: Claim | null, action: AuditAction, actor: string, role: AccessRole, at: Date, target = "", before = "", after = ""): void {
  const prev = state.audit[state.audit.length - 1];
  const id = BigInt(state.audit.length + 1);
  state.audit.push({
    $typeName: "stdfund.v1.AuditEntry", entryId: id, claimId: claim?.claimId ?? 0n, actor, role, at: timestampFromDate(at), action,
    beforeJson: before, afterJson: after !== "" ? after : claim === null ? "" : JSON.stringify({ claimId: String(claim.claimId), status: ClaimStatus[claim.status] }),
    // The store's forms (`claim:7`, `attachment:3`, `budget:2026:CITY` …);
    // a claim's own entries name the claim.
    target: target !== "" ? target : claim === null ? "" : `claim:${claim.claimId}`, entryHash: `sha256:${(Number(id) * 2654435761 >>> 0).toString(16).padStart(8, "0")}${"ab".repeat(28)}`, previousHash: prev?.entryHash ?? "",
  } as AuditEntry);
}

function addAttachment(state: FakeState, claim: Claim, fileName: string, content: Uint8Array, contentType: string, at: Date): Attachment {
  const meta: Attachment = {
    $typeName: "stdfund.v1.Attachment", attachmentId: BigInt(state.attachments.length + 1), claimId: claim.claimId, fileName, contentType,
    sizeBytes: BigInt(content.length), sha256: `sha256:${state.sha256?.(content) ?? "0f".repeat(32)}`, uploadedBy: "portal-gateway", uploadedAt: timestampFromDate(at),
  };
  state.attachments.push({ meta, content });
  return meta;
}

function callerOf(state: FakeState, ctx: HandlerContext, rpc: string, allowed: AccessRole[]): { name: string; role: AccessRole } {
  const header = ctx.requestHeader.get("authorization") ?? "";
  const token = header.startsWith("Bearer ") ? header.slice(7) : "";
  const who = state.authenticate !== undefined ? state.authenticate(token) : TOKENS[token];
  if (who === undefined) fail(Code.Unauthenticated, "UNAUTHENTICATED", "访问令牌无效", "unknown token");
  if (!allowed.includes(who.role)) {
    const names = allowed.map((r) => ROLE_NAME[r]).join(", ");
    fail(Code.PermissionDenied, "PERMISSION_DENIED", `角色\`${ROLE_NAME[who.role]}\`无权调用${rpc};允许的角色:${names}`, `role \`${ROLE_NAME[who.role]}\` may not call ${rpc}; allowed: ${names}`,
      { role: ROLE_NAME[who.role] ?? "", allowedRoles: names });
  }
  return who;
}

function amountOf(c: Claim): string {
  return c.review?.approvedAmount || c.estimatedAmount;
}

function budgetOf(state: FakeState, year: number, payer: string): Budget | undefined {
  const total = state.budgets.get(`${year}|${payer}`);
  if (total === undefined) return undefined;
  const counted = state.claims.filter((c) => c.year === year && (c.status === ClaimStatus.APPROVED || c.status === ClaimStatus.DISBURSED));
  const used = sumYuan(counted.map((c) => (payer === "CITY" ? c.review?.approvedAmount ?? "" : c.fiscalUnit === payer ? c.review?.approvedSplit?.districtShare ?? "" : "")));
  return { $typeName: "stdfund.v1.Budget", year, total, used, left: fenToYuan(toFen(total) - toFen(used)), payer, payerNameZh: payer === "CITY" ? "市级" : unitNames.get(payer) ?? payer, updatedAt: undefined };
}

function summary(c: Claim, view: ClaimView): Claim {
  if (view !== ClaimView.SUMMARY) return c;
  return { ...c, application: undefined, estimate: undefined, review: c.review === undefined ? undefined : { ...c.review, approvalAssessment: undefined } };
}

function notFound(): never {
  fail(Code.NotFound, "NOT_FOUND", "未找到该申报", "no such claim");
}

function find(state: FakeState, id: bigint): Claim {
  return state.claims.find((c) => c.claimId === id) ?? notFound();
}

function approve(state: FakeState, c: Claim, by: string, reason: string, amount: string): void {
  const value = c.discretionary ? fenToYuan(toFen(amount)) : c.estimatedAmount;
  const [m, d] = half(value);
  const left = budgetOf(state, c.year, "CITY");
  if (left === undefined) fail(Code.FailedPrecondition, "BUDGET_NOT_SET", `${c.year}年度未设置预算`, `no budget is set for ${c.year}`, { year: String(c.year) });
  if (compareYuan(value, left.left) > 0) fail(Code.FailedPrecondition, "BUDGET_EXCEEDED", `超出${c.year}年度预算:剩余${left.left}元,本次${value}元`, `over the ${c.year} budget: ${left.left} left, ${value} requested`, { year: String(c.year), total: left.total, used: left.used, left: left.left, requested: value });
  c.status = ClaimStatus.APPROVED;
  c.review = { $typeName: "stdfund.v1.ClaimReview", decision: ReviewDecision.APPROVE, reviewedBy: by, reviewedAt: timestampFromDate(state.now()), reason, approvedAmount: value, amountSetByReviewer: c.discretionary,
    approvalAssessment: c.estimate, approvedSplit: { $typeName: "stdfund.v1.Split", fiscalUnit: c.fiscalUnit, municipalShare: m, districtShare: d, shareTables: c.estimate?.split?.shareTables ?? [] } };
}

/** A claim from an application, amounts from the catalogue (the fake's stand-in for the engine). */
function claimFrom(state: FakeState, id: bigint, app: Claim["application"], year: number, by: string, key: string): Claim {
  const a = app?.achievements[0];
  const applicant = app?.applicant;
  if (a === undefined || applicant === undefined) fail(Code.InvalidArgument, "CLAIM_NEEDS_ONE_ACHIEVEMENT", "须恰好申报一项成果", "exactly one achievement");
  const it = items.get(a.item) ?? fail(Code.InvalidArgument, "UNKNOWN_ITEM", `未知资助项目${a.item}`, `unknown item ${a.item}`, { field: "achievements[0].item" });
  const v = it.variants.find((x) => x.id === a.variant) ?? fail(Code.InvalidArgument, "UNKNOWN_VARIANT", "未知类别", "unknown variant", { field: "achievements[0].variant" });
  const discretionary = it.condition === "DISCRETIONARY";
  const c = discretionary ? "0.00" : yuanOfWan(v.amountWan);
  const [ms, ds] = half(c);
  const subject = a.subject.toUpperCase().replace(/\s+/g, " ").trim();
  const shareTable = { id: ruleset.shareTable?.id ?? "", version: ruleset.shareTable?.version ?? "", provisional: true, districtRatio: "0.50", noteZh: ruleset.shareTable?.noteZh ?? "", noteEn: ruleset.shareTable?.noteEn ?? "" };
  const at = timestampFromDate(state.now());
  return create(ClaimSchema, {
    claimId: id, status: ClaimStatus.SUBMITTED, idempotencyKey: key, submittedBy: by, submittedAt: at, updatedAt: at, creditCode: applicant.creditCode.toUpperCase(),
    creditCodeCheckPassed: true, unitName: applicant.name, seat: applicant.seat, fiscalUnit: applicant.seat, item: it.id, variant: v.id, clause: it.clause, subject,
    subjectAsGiven: a.subject, oneTimeKey: `${applicant.creditCode.toUpperCase()}|${it.conflictsWithItem ?? it.id}|${subject}`, achievementDate: a.date, year, application: app,
    estimate: {
      applicant: { creditCode: applicant.creditCode, creditCodeCheckPassed: true, name: applicant.name, seat: applicant.seat, fiscalUnit: applicant.seat, fiscalUnitNameZh: unitNames.get(applicant.seat) ?? "", insideFuzhou: true },
      lines: [{ achievementId: a.id, item: it.id, variant: v.id, clause: it.clause, subject, oneTimeKey: `${it.id}|${v.id}|${subject}`, date: a.date, rulesetId: ruleset.id, rulesetVersion: ruleset.version,
        status: discretionary ? LineStatus.DISCRETIONARY : LineStatus.ELIGIBLE, reasonCode: discretionary ? "DISCRETIONARY" : "ELIGIBLE", municipalAmount: c, higherLevelFundingCounted: "0.00",
        otherFundingNotCounted: "0.00", payable: c, municipalShare: ms, districtShare: ds, shareTableId: shareTable.id,
        explanationZh: `条款${it.clause}：${it.nameZh}（${v.nameZh}），应付${c}元。`, explanationEn: `Clause ${it.clause}: ${it.nameEn} (${v.nameEn}), ${c} yuan payable.` }],
      total: c, split: { fiscalUnit: applicant.seat, municipalShare: ms, districtShare: ds, shareTables: [shareTable] }, warnings: [],
    },
    estimatedAmount: c, discretionary, paidAmount: "0.00",
  });
}

/** An export answer: XLSX where the platform can write one, else CSV text. */
function fileOf(state: FakeState, base: string, format: number, sheets: { name: string; rows: (string | number)[][] }[], chart: boolean) {
  if (format === 2 && state.xlsx !== undefined) {
    return { fileName: `${base}.xlsx`, contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", content: state.xlsx(sheets, chart) };
  }
  const csv = (sheets[0]?.rows ?? []).map((r) => r.join(",")).join("\r\n");
  return { fileName: `${base}.csv`, contentType: "text/csv; charset=utf-8", content: new TextEncoder().encode(csv) };
}

/** Registers the fake services on a router over `state`. */
export function routes(state: FakeState): (router: ConnectRouter) => void {
  const caller = (ctx: HandlerContext, rpc: string, allowed: AccessRole[]) => callerOf(state, ctx, rpc, allowed);
  const file = (base: string, format: number, sheets: { name: string; rows: (string | number)[][] }[], chart: boolean) => fileOf(state, base, format, sheets, chart);
  return (router) => {
    router.service(EstimateService, {
      getCatalog: () => ({ engineVersion: "0.1.0", rulesets: [{ hash: "sha256:5d1c0e0c2f9a", document: ruleset }] }),
      getEngineInfo: () => ({ engineVersion: "0.1.0", rulesets: [] }),
      estimate: () => fail(Code.Unimplemented, "UNIMPLEMENTED", "未实现", "not implemented"),
      // eslint-disable-next-line require-yield
      async *estimateBatch() { fail(Code.Unimplemented, "UNIMPLEMENTED", "未实现", "not implemented"); },
    });
    router.service(RegistryService, {
      submitClaim: (req, ctx) => {
        const who = caller(ctx, "SubmitClaim", [P, A]);
        const existing = state.claims.find((c) => c.submittedBy === who.name && c.idempotencyKey === req.idempotencyKey);
        if (existing !== undefined) return { claim: existing, created: false };
        const c = claimFrom(state, BigInt(state.claims.length + 1), req.application, req.year || state.year, who.name, req.idempotencyKey);
        const holder = state.claims.find((x) => x.oneTimeKey === c.oneTimeKey && x.status !== ClaimStatus.REJECTED && x.status !== ClaimStatus.WITHDRAWN);
        if (holder !== undefined) fail(Code.AlreadyExists, "ALREADY_GRANTED", "该成果已申报", "the one-time key is held", { existingClaimId: String(holder.claimId) });
        state.claims.push(c);
        addAudit(state, c, AuditAction.SUBMIT, who.name, who.role, state.now());
        return { claim: c, created: true };
      },
      getClaim: (req, ctx) => {
        caller(ctx, "GetClaim", [R, F, A]);
        const c = find(state, req.claimId);
        // As the server: other units' live claims to lead the same standard.
        const live = (o: Claim) => o.status !== ClaimStatus.WITHDRAWN && o.status !== ClaimStatus.REJECTED;
        const leads = !(c.item === "STANDARD_LEAD" || c.item.startsWith("AWARD")) ? []
          : state.claims.filter((o) => o !== c && o.item === c.item && o.subject === c.subject && o.creditCode !== c.creditCode && live(o))
            .map((o) => ({ claimId: o.claimId, subject: o.subject, status: o.status, unitName: o.unitName, creditCode: o.creditCode }));
        return { claim: summary(c, req.view), otherUnitsSameSubject: leads };
      },
      listClaims: (req, ctx) => {
        caller(ctx, "ListClaims", [R, F, A]);
        const q = req.query.trim().toLowerCase();
        const base = state.claims.filter((c) =>
          (req.year === 0 || c.year === req.year) && (req.fiscalUnit === "" || c.fiscalUnit === req.fiscalUnit) && (req.clause === "" || c.clause === req.clause)
          && (req.item === "" || c.item === req.item) && (q === "" || c.unitName.toLowerCase().includes(q) || c.creditCode.toLowerCase().startsWith(q))
          && (req.amountMin === "" || compareYuan(amountOf(c), req.amountMin) >= 0) && (req.amountMax === "" || compareYuan(amountOf(c), req.amountMax) <= 0));
        const matching = base.filter((c) => req.status === ClaimStatus.UNSPECIFIED || c.status === req.status);
        const sorted = [...matching];
        if (req.sort === ClaimSort.SUBMITTED_DESC) sorted.sort((a, b) => Number((b.submittedAt?.seconds ?? 0n) - (a.submittedAt?.seconds ?? 0n)));
        if (req.sort === ClaimSort.AMOUNT_DESC) sorted.sort((a, b) => compareYuan(amountOf(b), amountOf(a)));
        if (req.sort === ClaimSort.AMOUNT_ASC) sorted.sort((a, b) => compareYuan(amountOf(a), amountOf(b)));
        if (req.sort === ClaimSort.UNIT_NAME) sorted.sort((a, b) => (a.unitName < b.unitName ? -1 : a.unitName > b.unitName ? 1 : Number(a.claimId - b.claimId)));
        const size = req.pageSize || 50;
        const offset = Number(req.pageToken || "0");
        const page = sorted.slice(offset, offset + size);
        const counts = [1, 2, 3, 4, 5, 6].map((s) => ({ status: s, count: BigInt(base.filter((c) => c.status === s).length) })).filter((s) => s.count > 0n);
        return create(ListClaimsResponseSchema, { claims: page.map((c) => summary(c, req.view)), nextPageToken: offset + size < sorted.length ? String(offset + size) : "", totalCount: BigInt(matching.length), statusCounts: counts });
      },
      reviewClaim: (req, ctx) => {
        const who = caller(ctx, "ReviewClaim", [R, A]);
        const c = find(state, req.claimId);
        if (c.status !== ClaimStatus.SUBMITTED) fail(Code.FailedPrecondition, "INVALID_STATE", `申报当前状态为${ClaimStatus[c.status]},不能审核`, `the claim is ${ClaimStatus[c.status]}`, { status: ClaimStatus[c.status] });
        if (req.decision !== ReviewDecision.APPROVE && req.reason.trim() === "") fail(Code.InvalidArgument, "MISSING_FIELD", "缺少必填字段reason", "missing field reason", { field: "reason" });
        if (req.decision === ReviewDecision.APPROVE) {
          if (c.discretionary && req.reviewerAmount === "") fail(Code.InvalidArgument, "MISSING_FIELD", "酌定项目须填写评审核定金额", "a discretionary line needs reviewer_amount", { field: "reviewer_amount" });
          approve(state, c, who.name, req.reason, req.reviewerAmount);
          addAudit(state, c, AuditAction.APPROVE, who.name, who.role, state.now());
        } else {
          c.status = req.decision === ReviewDecision.REJECT ? ClaimStatus.REJECTED : ClaimStatus.RETURNED;
          c.note = { $typeName: "stdfund.v1.ClaimNote", by: who.name, at: timestampFromDate(state.now()), reason: req.reason };
          c.review = { $typeName: "stdfund.v1.ClaimReview", decision: req.decision, reviewedBy: who.name, reviewedAt: timestampFromDate(state.now()), reason: req.reason, approvedAmount: "", amountSetByReviewer: false, approvalAssessment: undefined, approvedSplit: undefined };
          addAudit(state, c, req.decision === ReviewDecision.REJECT ? AuditAction.REJECT : AuditAction.RETURN, who.name, who.role, state.now());
        }
        return { claim: c };
      },
      reviewClaims: (req, ctx) => {
        const who = caller(ctx, "ReviewClaims", [R, A]);
        const claims = req.claimIds.map((id) => find(state, id));
        for (const c of claims) if (c.status !== ClaimStatus.SUBMITTED) fail(Code.FailedPrecondition, "INVALID_STATE", `申报${c.claimId}不是待审核状态`, `claim ${c.claimId} is not submitted`, { status: ClaimStatus[c.status] });
        if (req.decision === ReviewDecision.REJECT && req.reason.trim() === "") fail(Code.InvalidArgument, "MISSING_FIELD", "驳回须填写理由", "a rejection needs a reason", { field: "reason" });
        if (req.decision === ReviewDecision.APPROVE && claims.some((c) => c.discretionary)) fail(Code.InvalidArgument, "REVIEWER_AMOUNT_NOT_ALLOWED", "批量审核不能核准酌定项目", "a batch cannot approve a discretionary claim");
        const approving = req.decision === ReviewDecision.APPROVE;
        const total = approving ? sumYuan(claims.map((c) => c.estimatedAmount)) : "0.00";
        const years = [...new Set(claims.map((c) => c.year))];
        const before = years.map((y) => budgetOf(state, y, "CITY")).filter((b): b is Budget => b !== undefined);
        const after = before.map((b) => {
          const add = approving ? sumYuan(claims.filter((c) => c.year === b.year).map((c) => c.estimatedAmount)) : "0.00";
          return { ...b, used: sumYuan([b.used, add]), left: fenToYuan(toFen(b.left) - toFen(add)) };
        });
        if (after.some((b) => toFen(b.left) < 0n)) {
          // As the store: in the order given, every claim the budget does not hold once
          // those before it that fit are approved; the first is `claimId`.
          const left = new Map(before.map((b) => [b.year, toFen(b.left)]));
          const over = claims.filter((c) => {
            const l = (left.get(c.year) ?? 0n) - toFen(c.estimatedAmount);
            if (l < 0n) return true;
            left.set(c.year, l);
            return false;
          });
          const ids = over.map((c) => String(c.claimId));
          fail(Code.FailedPrecondition, "BUDGET_EXCEEDED", `预算不足以核准申报${ids.join("、")}`, "over the year's budget", { claimId: ids[0] ?? "", claimIdsOver: ids.join(","), claimPayersOver: ids.map(() => "CITY").join(",") });
        }
        if (!req.dryRun) {
          for (const c of claims) {
            if (approving) approve(state, c, who.name, req.reason, "");
            else { c.status = ClaimStatus.REJECTED; c.note = { $typeName: "stdfund.v1.ClaimNote", by: who.name, at: timestampFromDate(state.now()), reason: req.reason }; }
            addAudit(state, c, approving ? AuditAction.APPROVE : AuditAction.REJECT, who.name, who.role, state.now());
          }
        }
        return { claims, count: claims.length, total, budgetsBefore: before, budgetsAfter: after, dryRun: req.dryRun };
      },
      withdrawClaim: (req, ctx) => {
        const who = caller(ctx, "WithdrawClaim", [P, A]);
        const c = find(state, req.claimId);
        c.status = ClaimStatus.WITHDRAWN;
        c.note = { $typeName: "stdfund.v1.ClaimNote", by: who.name, at: timestampFromDate(state.now()), reason: req.reason };
        addAudit(state, c, AuditAction.WITHDRAW, who.name, who.role, state.now());
        return { claim: c };
      },
      resubmitClaim: (req, ctx) => {
        const who = caller(ctx, "ResubmitClaim", [P, A]);
        const c = find(state, req.claimId);
        if (c.status !== ClaimStatus.RETURNED) fail(Code.FailedPrecondition, "INVALID_STATE", "只有退回补正的申报可以重新提交", "only a returned claim can be resubmitted", { status: ClaimStatus[c.status] });
        const fresh = claimFrom(state, c.claimId, req.application, c.year, c.submittedBy, c.idempotencyKey);
        Object.assign(c, { ...fresh, submittedAt: c.submittedAt, status: ClaimStatus.SUBMITTED, resubmissions: c.resubmissions + 1, note: undefined, review: undefined });
        addAudit(state, c, AuditAction.RESUBMIT, who.name, who.role, state.now());
        return { claim: c };
      },
      addAttachment: (req, ctx) => {
        const who = caller(ctx, "AddAttachment", [P, A]);
        const c = find(state, req.claimId);
        const head = req.content.slice(0, 4);
        const type = head[0] === 0x25 && head[1] === 0x50 ? "application/pdf" : head[0] === 0x89 ? "image/png" : head[0] === 0xff ? "image/jpeg" : "";
        if (type === "" || (type === "application/pdf" && !(head[2] === 0x44 && head[3] === 0x46))) fail(Code.InvalidArgument, "UNSUPPORTED_FILE_TYPE", "只接受 PDF、JPEG 或 PNG 文件", "only PDF, JPEG or PNG files are accepted", { field: "content" });
        const meta = addAttachment(state, c, req.fileName, req.content, type, state.now());
        meta.uploadedBy = who.name;
        addAudit(state, c, AuditAction.ATTACH, who.name, who.role, state.now(), `attachment:${meta.attachmentId}`);
        return { attachment: meta };
      },
      listAttachments: (req, ctx) => { caller(ctx, "ListAttachments", [R, F, A]); find(state, req.claimId); return { attachments: state.attachments.filter((a) => a.meta.claimId === req.claimId).map((a) => a.meta) }; },
      getAttachment: (req, ctx) => {
        caller(ctx, "GetAttachment", [R, F, A]);
        const a = state.attachments.find((x) => x.meta.attachmentId === req.attachmentId) ?? fail(Code.NotFound, "NOT_FOUND", "未找到该材料", "no such attachment");
        return { attachment: a.meta, content: a.content };
      },
      recordDisbursement: (req, ctx) => {
        const who = caller(ctx, "RecordDisbursement", [F, A]);
        const c = find(state, req.claimId);
        if (c.status !== ClaimStatus.APPROVED) fail(Code.FailedPrecondition, "INVALID_STATE", "只有已核准的申报可以拨付", "only an approved claim can be paid", { status: ClaimStatus[c.status] });
        if (req.paymentDate > new Date(state.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10)) fail(Code.InvalidArgument, "PAYMENT_DATE_IN_FUTURE", "支付日期不能晚于今天", "the payment date is in the future", { field: "payment_date" });
        const unpaid = fenToYuan(toFen(c.review?.approvedAmount ?? "0") - toFen(c.paidAmount || "0"));
        const amount = req.amount === "" ? unpaid : req.amount;
        if (compareYuan(amount, unpaid) > 0) fail(Code.InvalidArgument, "AMOUNT_ABOVE_UNPAID", `支付金额超过未付金额${unpaid}元`, `the amount is above the unpaid ${unpaid} yuan`, { field: "amount" });
        const [m, d] = half(amount);
        const p = { $typeName: "stdfund.v1.Disbursement" as const, paymentDate: req.paymentDate, voucherNumber: req.voucherNumber, municipalShare: m, districtShare: d, shareTableId: "", recordedBy: who.name, recordedAt: timestampFromDate(state.now()), shareTable: undefined, amount, payer: "CITY" };
        c.payments = [...c.payments, p];
        c.disbursement = p;
        c.paidAmount = sumYuan([c.paidAmount, amount]);
        if (c.paidAmount === c.review?.approvedAmount) c.status = ClaimStatus.DISBURSED;
        addAudit(state, c, AuditAction.DISBURSE, who.name, who.role, state.now());
        return { claim: c };
      },
      exportPublicNotice: (_req, ctx) => { caller(ctx, "ExportPublicNotice", [F, A]); return { fileName: "notice.csv", contentType: "text/csv", content: new Uint8Array(), entries: [] }; },
      getReport: (req, ctx) => {
        caller(ctx, "GetReport", [R, F, A]);
        const groups = new Map<string, Claim[]>();
        for (const c of state.claims.filter((x) => req.year === 0 || x.year === req.year)) {
          const k = `${c.year}|${c.fiscalUnit}|${c.clause}|${c.item}`;
          groups.set(k, [...(groups.get(k) ?? []), c]);
        }
        const figures = (cs: Claim[]) => ({
          claims: BigInt(cs.length), submitted: BigInt(cs.filter((c) => c.status === ClaimStatus.SUBMITTED).length), approved: BigInt(cs.filter((c) => c.status === ClaimStatus.APPROVED).length),
          rejected: BigInt(cs.filter((c) => c.status === ClaimStatus.REJECTED).length), disbursed: BigInt(cs.filter((c) => c.status === ClaimStatus.DISBURSED).length),
          returned: BigInt(cs.filter((c) => c.status === ClaimStatus.RETURNED).length), withdrawn: BigInt(cs.filter((c) => c.status === ClaimStatus.WITHDRAWN).length),
          approvedAmount: sumYuan(cs.filter((c) => c.status === ClaimStatus.APPROVED || c.status === ClaimStatus.DISBURSED).map((c) => c.review?.approvedAmount ?? "")),
          municipalShare: "0.00", districtShare: "0.00", paidAmount: sumYuan(cs.map((c) => c.paidAmount)),
        });
        const rows = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, cs]) => {
          const c = cs[0]!;
          return { year: c.year, fiscalUnit: c.fiscalUnit, fiscalUnitNameZh: unitNames.get(c.fiscalUnit) ?? "", clause: c.clause, item: c.item, itemNameZh: items.get(c.item)?.nameZh ?? "", figures: figures(cs) };
        });
        const all = state.claims.filter((x) => req.year === 0 || x.year === req.year);
        const years = [...new Set(all.map((c) => c.year))];
        return { rows, total: figures(all), budgets: years.map((y) => budgetOf(state, y, "CITY")).filter((b): b is Budget => b !== undefined) };
      },
      getTargetProgress: (_req, ctx) => {
        caller(ctx, "GetTargetProgress", [R, F, A]);
        return {
          ruleset: { id: ruleset.id, version: ruleset.version }, periodFrom: "2016-04-25", periodTo: "2020-12-31",
          targets: ruleset.targets2020.map((tg, i) => ({ targetId: tg.id, nameZh: tg.nameZh, nameEn: tg.nameEn, figure: tg.figure, unitZh: tg.unitZh,
            visibility: i === 1 ? TargetVisibility.NONE : i % 2 === 0 ? TargetVisibility.PARTIAL : TargetVisibility.FULL, achieved: i === 1 ? 0n : BigInt(Math.min(tg.figure, 3 + i * 2)),
            counted: [], noteZh: i === 1 ? "企业标准自我声明公开不经资助登记，无法统计。" : "仅统计已申领资助的成果。", noteEn: i === 1 ? "Not visible to the registry." : "Counts only achievements a grant was claimed for." })),
        };
      },
      listAuditLog: (req, ctx) => {
        caller(ctx, "ListAuditLog", req.claimId === 0n ? [A] : [R, F, A]);
        const size = req.pageSize || 100;
        const matching = state.audit.filter((e) => (req.claimId === 0n || e.claimId === req.claimId) && (req.actor === "" || e.actor === req.actor) && (req.action === 0 || e.action === req.action));
        const all = req.newestFirst ? [...matching].reverse() : matching;
        const offset = Number(req.pageToken || "0");
        return { entries: all.slice(offset, offset + size), nextPageToken: offset + size < all.length ? String(offset + size) : "" };
      },
      setBudget: (req, ctx) => {
        const who = caller(ctx, "SetBudget", [F, A]);
        const payer = req.payer === "" ? "CITY" : req.payer;
        state.budgets.set(`${req.year}|${payer}`, fenToYuan(toFen(req.total)));
        addAudit(state, null, AuditAction.SET_BUDGET, who.name, who.role, state.now(), `budget:${req.year}:${payer}`);
        return { budget: budgetOf(state, req.year, payer) };
      },
      getBudget: (req, ctx) => {
        caller(ctx, "GetBudget", [R, F, A]);
        return { budget: budgetOf(state, req.year, req.payer || "CITY") ?? fail(Code.NotFound, "BUDGET_NOT_SET", "未设置预算", "no budget") };
      },
      listBudgets: (req, ctx) => {
        caller(ctx, "ListBudgets", [R, F, A]);
        const keys = [...state.budgets.keys()].map((k) => k.split("|") as [string, string]).filter(([y]) => req.year === 0 || Number(y) === req.year)
          .sort(([ya, pa], [yb, pb]) => (ya !== yb ? Number(ya) - Number(yb) : pa === "CITY" ? -1 : pb === "CITY" ? 1 : pa < pb ? -1 : 1));
        return { budgets: keys.map(([y, p]) => budgetOf(state, Number(y), p)).filter((b): b is Budget => b !== undefined) };
      },
      exportPayments: (req, ctx) => {
        caller(ctx, "ExportPayments", [F, A]);
        if (req.format === 0) fail(Code.InvalidArgument, "MISSING_FIELD", "缺少文件格式", "missing format", { field: "format" });
        const rows: (string | number)[][] = [["申报编号", "单位名称", "支付日期", "凭证号", "金额"], ...state.claims.filter((c) => req.year === 0 || c.year === req.year)
          .flatMap((c) => c.payments.map((p) => [Number(c.claimId), c.unitName, p.paymentDate, p.voucherNumber, Number(p.amount)]))];
        return file(`stdfund-payments-${req.year || "all"}`, req.format, [{ name: "拨付清单", rows }], false);
      },
      exportReport: (req, ctx) => {
        caller(ctx, "ExportReport", [R, F, A]);
        const cs = state.claims.filter((c) => req.year === 0 || c.year === req.year);
        const by = (key: (c: Claim) => string) => [...new Set(cs.map(key))].map((k) => [k, cs.filter((c) => key(c) === k).length]);
        return file(`stdfund-report-${req.year || "all"}`, 2, [
          { name: "按区县", rows: [["区县", "申报数"], ...by((c) => unitNames.get(c.fiscalUnit) ?? c.fiscalUnit)] },
          { name: "按项目", rows: [["资助项目", "申报数"], ...by((c) => items.get(c.item)?.nameZh ?? c.item)] },
          { name: "按年度", rows: [["年度", "申报数"], ...by((c) => String(c.year))] },
        ], true);
      },
      createPublication: (req, ctx) => {
        const who = caller(ctx, "CreatePublication", [R, A]);
        const issued = new Set(state.publications.filter((p) => p.status === PublicationStatus.ISSUED).flatMap((p) => p.entries.map((e) => e.claimId)));
        const chosen = state.claims.filter((c) => c.year === req.year && (c.status === ClaimStatus.APPROVED || c.status === ClaimStatus.DISBURSED)
          && (req.fiscalUnit === "" || c.fiscalUnit === req.fiscalUnit) && (req.claimIds.length === 0 ? !issued.has(c.claimId) : req.claimIds.includes(c.claimId)));
        const end = new Date(`${req.periodStart}T00:00:00Z`);
        for (let n = 1; n < req.workingDays;) { end.setUTCDate(end.getUTCDate() + 1); if (end.getUTCDay() !== 0 && end.getUTCDay() !== 6) n++; }
        const p: Publication = {
          $typeName: "stdfund.v1.Publication", publicationId: BigInt(state.publications.length + 1), title: req.title, year: req.year, fiscalUnit: req.fiscalUnit, status: PublicationStatus.DRAFT,
          periodStart: req.periodStart, periodEnd: end.toISOString().slice(0, 10), workingDays: req.workingDays, objectionContact: req.objectionContact,
          entries: chosen.map((c, i) => ({ $typeName: "stdfund.v1.PublicNoticeEntry", row: i + 1, claimId: c.claimId, unitName: c.unitName, creditCode: c.creditCode, fiscalUnitNameZh: unitNames.get(c.fiscalUnit) ?? "", item: c.item, itemNameZh: items.get(c.item)?.nameZh ?? "", clause: c.clause, subject: c.subject, amount: c.review?.approvedAmount ?? "" })),
          total: sumYuan(chosen.map((c) => c.review?.approvedAmount ?? "")), count: chosen.length, createdBy: who.name, createdAt: timestampFromDate(state.now()), issuedBy: "", issuedAt: undefined, objections: [],
        };
        state.publications.push(p);
        addAudit(state, null, AuditAction.PUBLICATION_CREATE, who.name, who.role, state.now(), `publication:${p.publicationId}`);
        return { publication: p };
      },
      issuePublication: (req, ctx) => {
        const who = caller(ctx, "IssuePublication", [R, A]);
        const p = state.publications.find((x) => x.publicationId === req.publicationId) ?? notFound();
        if (p.status === PublicationStatus.ISSUED) fail(Code.FailedPrecondition, "INVALID_STATE", "公示已发布", "already issued");
        p.status = PublicationStatus.ISSUED; p.issuedBy = who.name; p.issuedAt = timestampFromDate(state.now());
        addAudit(state, null, AuditAction.PUBLICATION_ISSUE, who.name, who.role, state.now(), `publication:${p.publicationId}`);
        return { publication: p };
      },
      getPublication: (req, ctx) => { caller(ctx, "GetPublication", [R, F, A]); return { publication: state.publications.find((x) => x.publicationId === req.publicationId) ?? notFound() }; },
      listPublications: (req, ctx) => { caller(ctx, "ListPublications", [R, F, A]); return { publications: [...state.publications].reverse().filter((p) => req.year === 0 || p.year === req.year).map((p) => ({ ...p, entries: [], objections: [] })) }; },
      exportPublication: (req, ctx) => {
        caller(ctx, "ExportPublication", [R, F, A]);
        const p = state.publications.find((x) => x.publicationId === req.publicationId) ?? notFound();
        const rows: (string | number)[][] = [["序号", "申报编号", "单位名称", "统一社会信用代码", "所在地", "资助项目", "条款", "标的", "资助金额（元）"],
          ...p.entries.map((e) => [e.row, Number(e.claimId), e.unitName, e.creditCode, e.fiscalUnitNameZh, e.itemNameZh, e.clause, e.subject, Number(e.amount)]),
          ["合计", "", `${p.count}件`, "", "", "", "", "", Number(p.total)]];
        return file(`stdfund-publication-${p.publicationId}`, req.format, [{ name: "公示名单", rows }], false);
      },
      recordObjection: (req, ctx) => {
        const who = caller(ctx, "RecordObjection", [R, A]);
        const p = state.publications.find((x) => x.publicationId === req.publicationId) ?? notFound();
        if (p.status !== PublicationStatus.ISSUED) fail(Code.FailedPrecondition, "INVALID_STATE", "公示尚未发布", "the publication is not issued");
        if (req.receivedOn < p.periodStart || req.receivedOn > p.periodEnd) fail(Code.FailedPrecondition, "OUTSIDE_NOTICE_PERIOD", "收到日期不在公示期内", "received outside the notice period", { field: "received_on" });
        const o: Objection = { $typeName: "stdfund.v1.Objection", objectionId: BigInt(state.publications.flatMap((x) => x.objections).length + 1), publicationId: p.publicationId, claimId: req.claimId, receivedOn: req.receivedOn, objector: req.objector, contact: req.contact, content: req.content, status: ObjectionStatus.OPEN, outcome: ObjectionOutcome.UNSPECIFIED, resolution: "", recordedBy: who.name, recordedAt: timestampFromDate(state.now()), resolvedBy: "", resolvedAt: undefined };
        p.objections.push(o);
        addAudit(state, find(state, req.claimId), AuditAction.OBJECTION_RECORD, who.name, who.role, state.now(), `objection:${o.objectionId}`);
        return { objection: o };
      },
      resolveObjection: (req, ctx) => {
        const who = caller(ctx, "ResolveObjection", [R, A]);
        const o = state.publications.flatMap((p) => p.objections).find((x) => x.objectionId === req.objectionId) ?? notFound();
        o.status = ObjectionStatus.RESOLVED; o.outcome = req.outcome; o.resolution = req.resolution; o.resolvedBy = who.name; o.resolvedAt = timestampFromDate(state.now());
        addAudit(state, find(state, o.claimId), AuditAction.OBJECTION_RESOLVE, who.name, who.role, state.now(), `objection:${o.objectionId}`);
        return { objection: o };
      },
      getCaller: (_req, ctx) => {
        const who = caller(ctx, "GetCaller", [AccessRole.PORTAL, R, F, A]);
        return { name: who.name, role: who.role };
      },
      verifyAuditLog: (_req, ctx) => {
        caller(ctx, "VerifyAuditLog", [A]);
        return { intact: true, entriesChecked: BigInt(state.audit.length), firstBrokenEntryId: 0n, problem: "", headHash: state.audit[state.audit.length - 1]?.entryHash ?? "", claimsChecked: BigInt(state.claims.length), firstDivergingClaimId: 0n, claimsUnverifiable: 0n, unverifiableClaimIds: [] };
      },
    });
  };
}

/** A transport factory over one shared state, as the app's `transport` option wants it. */
export function fakeTransport(state: FakeState): (token: () => string) => Transport {
  return (token) => createRouterTransport(routes(state), { transport: { interceptors: [bearer(token)] } });
}

export type { MessageInitShape };
