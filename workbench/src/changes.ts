// What an audit entry changed, in words an official reads: the fields whose
// value differs between the record before and after, with Chinese labels and
// statuses, amounts in 元. The stored JSON stays available beside it.
import { EMPTY_CATALOG, unitName, type Catalog } from "./catalog.js";
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
};

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

function parse(text: string): Map<string, string> {
  const out = new Map<string, string>();
  if (text === "") return out;
  try { leaves(JSON.parse(text), "", out); } catch { out.set("", text); }
  return out;
}

/** Amounts, shown as the workbench shows money everywhere (`300,000.00`). */
const MONEY = new Set(["approval.amount", "approval.split.municipal", "approval.split.district", "paid", "estimated_amount", "total"]);
/** Instants, shown in China time as the history shows them. */
const INSTANTS = new Set(["updated_at", "note.at", "approval.at", "created_at", "issued_at", "recorded_at", "resolved_at", "uploaded_at"]);
/** Fiscal units and seats, shown by their names. */
const UNITS = new Set(["fiscal_unit", "seat", "approval.split.fiscal_unit"]);

function shown(field: string, value: string, catalog: Catalog): string {
  if (value === "") return "—";
  if (UNITS.has(field)) return unitName(catalog, value);
  if (MONEY.has(field) && isMoney(value)) return formatYuan(value);
  if (INSTANTS.has(field) && !Number.isNaN(Date.parse(value))) return formatDateTime(new Date(value));
  if (field === "status" && STATUS_NUMBER[value] !== undefined) return tk(`status.${STATUS_NUMBER[value]}`);
  if (value === "true") return lang() === "zh" ? "是" : "yes";
  if (value === "false") return lang() === "zh" ? "否" : "no";
  return value;
}

/** The fields an entry changed (all fields of a record created or removed). */
export function changes(beforeJson: string, afterJson: string, catalog: Catalog = EMPTY_CATALOG): Change[] {
  const before = parse(beforeJson);
  const after = parse(afterJson);
  const fields = [...new Set([...before.keys(), ...after.keys()])];
  const out: Change[] = [];
  for (const f of fields) {
    const b = before.get(f) ?? "";
    const a = after.get(f) ?? "";
    if (b === a || f === "id" || f === "claim_id") continue;
    const label = LABELS[f];
    out.push({ field: label === undefined ? f : label[lang() === "zh" ? 0 : 1], before: shown(f, b, catalog), after: shown(f, a, catalog) });
  }
  return out;
}
