// Dates, instants, sizes and hashes for display. Instants are shown in China
// Standard Time whatever the browser's zone, as the registry's dates are.
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { lang, t, tk } from "./i18n.js";
import { EMPTY_CATALOG, payerName, type Catalog } from "./catalog.js";

const ZONE = "Asia/Shanghai";

export function formatInstant(ts: Timestamp | undefined): string {
  if (ts === undefined) return "";
  return formatDateTime(timestampDate(ts));
}

/** An instant as `YYYY-MM-DD HH:MM`, China Standard Time. */
export function formatDateTime(d: Date): string {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).formatToParts(d);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}`;
}

/** Today in China Standard Time, `YYYY-MM-DD`. */
export function todayChina(now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** The current year in China Standard Time. */
export function yearChina(now: Date = new Date()): number {
  return Number(todayChina(now).slice(0, 4));
}

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export function isDate(s: string): boolean {
  return DATE.test(s);
}

export function formatBytes(n: bigint | number): string {
  const v = typeof n === "bigint" ? Number(n) : n;
  if (v < 1024) return `${v} B`;
  if (v < 1024 * 1024) return `${(v / 1024).toFixed(1)} KB`;
  return `${(v / 1024 / 1024).toFixed(1)} MB`;
}

/** A file's kind as an official names it (`PDF`, `PNG 图片`), not its MIME type. */
export function fileKind(contentType: string): string {
  const kinds: Record<string, string> = {
    "application/pdf": "PDF",
    "image/png": t("file.image", { kind: "PNG" }),
    "image/jpeg": t("file.image", { kind: "JPEG" }),
  };
  return kinds[contentType.toLowerCase()] ?? contentType;
}

/** `sha256:abcdef…` shortened for a table cell (the full value in the title). */
export function shortHash(h: string): string {
  const body = h.replace(/^sha256:/, "");
  return body.length > 12 ? `${body.slice(0, 12)}…` : body;
}

/** Thousands grouping of a count (not money). */
export function formatCount(n: bigint | number): string {
  return new Intl.NumberFormat(lang() === "zh" ? "zh-CN" : "en-GB").format(n);
}

/**
 * An audit entry's target (`claim:12`, `attachment:3`, `budget:2026:350102`…)
 * in words: 申报 12, 材料 3, 预算 2026 · 鼓楼区 (the payer named from the
 * catalogue; `CITY` is 市级). An unknown kind is shown as stored.
 */
export function targetLabel(target: string, catalog: Catalog = EMPTY_CATALOG): string {
  const [kind, ...rest] = target.split(":");
  const kinds = ["claim", "attachment", "publication", "objection", "budget", "payment"];
  if (kind === undefined || !kinds.includes(kind) || rest.length === 0) return target;
  const parts = kind === "budget" && rest.length === 2 ? [rest[0] ?? "", payerName(catalog, rest[1] ?? "")] : rest;
  return `${tk(`target.${kind}`)} ${parts.join(" · ")}`;
}

/** Full-width digits (`０`–`９`, as a Chinese keyboard types them) as ASCII digits. */
export function halfWidthDigits(s: string): string {
  return s.replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

/** Whether the page is phone-narrow (under 640 px): the queue's filters fold, bar labels wrap. */
export function narrowScreen(): boolean {
  return (globalThis.innerWidth ?? 1280) < 640;
}
