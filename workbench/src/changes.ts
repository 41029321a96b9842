// What an audit entry changed, in words an official reads: the fields whose
// value differs between the record before and after, with Chinese labels and
// statuses, amounts in 元. The stored JSON stays available beside it.
import { EMPTY_CATALOG, itemName, unitName, variantName, type Catalog } from "./catalog.js";
import { formatDateTime } from "./format.js";
import { lang, tk } from "./i18n.js";
import { formatYuan, isMoney } from "./money.js";

/** One changed field. */
export interface Change { field: string; before: string; after: string }

const STATUS_NUMBER: Record<string, number> = { SUBMITTED: 1, APPROVED: 2, REJECTED: 3, DISBURSED: 4, RETURNED: 5, WITHDRAWN: 6 };

const LABELS: Record<string, [string, string]> = {
  status: ["状态", "status"],
  "note.reason": ["意见", "reason"],
  "note.by": ["处理人", "by"],
  "note.at": ["处理时间", "at"],
  "approval.amount": ["核准金额（元）", "approved amount (yuan)"],
  "approval.by": ["核准人", "approved by"],
  "approval.at": ["核准时间", "approved at"],
  "approval.reason": ["核准理由", "approval reason"],
  "approval.set_by_reviewer": ["评审核定金额", "amount set by the reviewer"],
  "approval.split.municipal": ["市级承担（元）", "municipal share (yuan)"],
  "approval.split.district": ["县（市）区承担（元）", "district share (yuan)"],
  "approval.split.fiscal_unit": ["承担单位", "fiscal unit"],
  "approval.split.share_table_id": ["分担比例表", "share table"],
  "approval.split.provisional": ["比例暂定", "provisional"],
  "approval.split.share_table_version": ["比例表版本", "share table version"],
  "approval.split.district_ratio": ["县（市）区承担比例", "district ratio"],
  paid: ["已拨付（元）", "paid (yuan)"],
  payments: ["拨付笔数", "payments"],
  estimated_amount: ["测算金额（元）", "estimated amount (yuan)"],
  one_time_key: ["一次性资助认定键", "one-time key"],
  unit_name: ["单位名称", "unit name"],
  credit_code: ["统一社会信用代码", "credit code"],
  credit_code_confirmed: ["确认信用代码无误", "credit code confirmed"],
  subject: ["标的", "subject"],
  subject_as_given: ["申报时填写的标的", "subject as typed"],
  achievement_date: ["成果日期", "achievement date"],
  year: ["年度", "year"],
  resubmissions: ["补正次数", "resubmissions"],
  updated_at: ["更新时间", "updated at"],
  total: ["预算总额（元）", "budget total (yuan)"],
  outcome: ["处理结论", "outcome"],
  resolution: ["处理意见", "resolution"],
  created_at: ["创建时间", "created at"],
  issued_by: ["发布人", "issued by"],
  issued_at: ["发布时间", "issued at"],
  objection_contact: ["异议联系方式", "objection contact"],
  recorded_by: ["登记人", "recorded by"],
  recorded_at: ["登记时间", "recorded at"],
  resolved_by: ["处理人", "resolved by"],
  resolved_at: ["处理时间", "resolved at"],
  uploaded_by: ["上传人", "uploaded by"],
  uploaded_at: ["上传时间", "uploaded at"],
  submitted_by: ["提交方", "submitted by"],
  idempotency_key: ["幂等键", "idempotency key"],
  seat: ["所在地", "seat"],
  fiscal_unit: ["承担单位", "fiscal unit"],
  item: ["资助项目", "grant item"],
  variant: ["类别", "variant"],
  clause: ["条款", "clause"],
  discretionary: ["酌定项目（金额由评审核定）", "discretionary (the reviewer sets the amount)"],
  "application.funding": ["已获上级或其他资助", "higher-level or other funding"],
  "application.role": ["本单位角色", "the applicant's role"],
  "application.accepted": ["已通过验收", "accepted"],
  "application.approved": ["已获批准", "approved"],
  "application.name": ["申报时的单位名称", "unit name as filed"],
};

const FUNDING_NUMBER: Record<string, number> = { FUNDING_LEVEL_NATIONAL: 1, FUNDING_LEVEL_PROVINCIAL: 2, FUNDING_LEVEL_COUNTY: 3, FUNDING_LEVEL_NON_FISCAL: 4 };
const ROLE_TEXT: Record<string, [string, string]> = {
  ROLE_LEAD: ["主导单位或第一起草单位", "lead or first drafting unit"],
  ROLE_PARTICIPANT: ["参与单位", "participating unit"],
};

/**
 * What the applicant filed that the claim's own fields do not show: the
 * funding already received, the role, the conditions (a resubmission that
 * adds a provincial grant lowers the estimate, and the history says why).
 */
function applicationLeaves(text: string, out: Map<string, string>): void {
  let app: { applicant?: { name?: string }; achievements?: Record<string, unknown>[] };
  try { app = JSON.parse(text) as typeof app; } catch { return; }
  const a = app.achievements?.[0] ?? {};
  const funding = Array.isArray(a["higherLevelFunding"]) ? a["higherLevelFunding"] as { level?: string; amount?: string }[] : [];
  // Only what was stated: an empty list or an unset flag is no line.
  if (funding.length > 0) {
    out.set("application.funding", funding.map((f) => {
      const n = FUNDING_NUMBER[f.level ?? ""];
      return `${n === undefined ? f.level ?? "" : tk(`funding.${n}`)} ${isMoney(f.amount ?? "") ? formatYuan(f.amount ?? "") : f.amount ?? ""}`;
    }).join("；"));
  }
  const role = typeof a["role"] === "string" ? a["role"] : "";
  if (role !== "" && role !== "ROLE_UNSPECIFIED") out.set("application.role", ROLE_TEXT[role]?.[lang() === "zh" ? 0 : 1] ?? role);
  if (a["accepted"] === true) out.set("application.accepted", "true");
  if (a["approved"] === true) out.set("application.approved", "true");
  if ((app.applicant?.name ?? "") !== "") out.set("application.name", app.applicant?.name ?? "");
}

/** Every leaf of a record, by dotted path; arrays count as their length. */
function leaves(v: unknown, path: string, out: Map<string, string>): void {
  if (Array.isArray(v)) { out.set(path, String(v.length)); return; }
  if (v !== null && typeof v === "object") {
    for (const [k, w] of Object.entries(v as Record<string, unknown>)) {
      // The frozen assessment and the filing's payloads are long documents: the raw record shows them.
      if (k === "record_json" || k === "application_json" || k === "estimate_json") continue;
      leaves(w, path === "" ? k : `${path}.${k}`, out);
    }
    return;
  }
  out.set(path, v === null || v === undefined ? "" : String(v));
}

function parse(text: string): { fields: Map<string, string>; application: string | undefined } {
  const out = new Map<string, string>();
  if (text === "") return { fields: out, application: undefined };
  try {
    const v: unknown = JSON.parse(text);
    leaves(v, "", out);
    const app = v !== null && typeof v === "object" ? (v as Record<string, unknown>)["application_json"] : undefined;
    return { fields: out, application: typeof app === "string" ? app : undefined };
  } catch {
    out.set("", text);
    return { fields: out, application: undefined };
  }
}

/** Amounts, shown as the workbench shows money everywhere (`300,000.00`). */
const MONEY = new Set(["approval.amount", "approval.split.municipal", "approval.split.district", "paid", "estimated_amount", "total"]);
/** Instants, shown in China time as the history shows them. */
const INSTANTS = new Set(["updated_at", "note.at", "approval.at", "created_at", "issued_at", "recorded_at", "resolved_at", "uploaded_at"]);
/** Fiscal units and seats, shown by their names. */
const UNITS = new Set(["fiscal_unit", "seat", "approval.split.fiscal_unit"]);

function shown(field: string, value: string, catalog: Catalog, record: Map<string, string>): string {
  if (value === "") return "—";
  if (UNITS.has(field)) return unitName(catalog, value);
  if (field === "item") return itemName(catalog, value);
  if (field === "variant") return variantName(catalog, record.get("item") ?? "", value);
  if (MONEY.has(field) && isMoney(value)) return formatYuan(value);
  if (INSTANTS.has(field) && !Number.isNaN(Date.parse(value))) return formatDateTime(new Date(value));
  if (field === "status" && STATUS_NUMBER[value] !== undefined) return tk(`status.${STATUS_NUMBER[value]}`);
  if (value === "true") return lang() === "zh" ? "是" : "yes";
  if (value === "false") return lang() === "zh" ? "否" : "no";
  return value;
}

/** The fields an entry changed (all fields of a record created or removed). */
export function changes(beforeJson: string, afterJson: string, catalog: Catalog = EMPTY_CATALOG): Change[] {
  const b0 = parse(beforeJson);
  const a0 = parse(afterJson);
  const before = b0.fields;
  const after = a0.fields;
  // The application compared where both sides carry it (a resubmission), or
  // shown where the entry creates the claim; an entry of state only has none.
  if (a0.application !== undefined && (b0.application !== undefined || beforeJson === "")) {
    if (b0.application !== undefined) applicationLeaves(b0.application, before);
    applicationLeaves(a0.application, after);
  }
  const fields = [...new Set([...before.keys(), ...after.keys()])];
  const out: Change[] = [];
  for (const f of fields) {
    const b = before.get(f) ?? "";
    const a = after.get(f) ?? "";
    if (b === a || f === "id" || f === "claim_id") continue;
    const label = LABELS[f];
    out.push({ field: label === undefined ? f : label[lang() === "zh" ? 0 : 1], before: shown(f, b, catalog, before), after: shown(f, a, catalog, after) });
  }
  return out;
}
