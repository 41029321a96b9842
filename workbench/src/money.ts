// Money as the contract has it: decimal strings of yuan ("300000.00").
//
// Nothing here turns money into a JavaScript number for arithmetic. Display
// formatting works on the digits of the string; the few sums the page needs
// (chart groups of report rows) are exact, in fen as BigInt. Totals shown as
// figures come from the server.

import { halfWidthDigits } from "./format.js";

/** A yuan amount as the server writes it or a person may type it: digits, at most two decimals. */
const MONEY = /^(0|[1-9]\d{0,14})(\.\d{1,2})?$/;

/** Whether `s` is a non-negative yuan amount with at most two decimals (no sign, no grouping). */
export function isMoney(s: string): boolean {
  return MONEY.test(s);
}

/** Thousands grouping written as it should be: `1,000`, `12,345,678.5`. */
const GROUPED = /^\d{1,3}(,\d{3})+(\.\d*)?$/;

/**
 * Normalises typed input: trims, makes full-width digits, commas and points
 * half-width, and drops grouping commas only when they group by thousands.
 * Misplaced commas (`1,00,000`, `10,0000`) are kept, so the text is not an
 * amount and is refused: a typo is never read as some other amount.
 */
export function normaliseMoneyInput(s: string): string {
  const t = halfWidthDigits(s.trim())
    .replace(/\uFF0E/g, ".")
    .replace(/\uFF0C/g, ",");
  // 万 (ten thousand yuan), as clerks and the portal write amounts: `30万`,
  // `2.5万元`, `1,000万`; read exactly, digit by digit (at most six decimals
  // of 万, i.e. fen).
  const wan = WAN.exec(t);
  if (wan !== null) {
    const int = (wan[1] ?? "").replace(/,/g, "");
    const frac = wan[2] ?? "";
    const head = `${int}${frac.padEnd(4, "0").slice(0, 4)}`.replace(/^0+(?=\d)/, "");
    const rest = frac.slice(4);
    return rest === "" ? head : `${head}.${rest}`;
  }
  // A trailing 元 (`1000元`, `1,000.50 元`).
  const yuan = /^(.*?)\s*元$/.exec(t)?.[1] ?? t;
  return GROUPED.test(yuan) ? yuan.replace(/,/g, "") : yuan;
}

/** An amount in 万: digits (grouped by thousands or not), up to six decimals, `万` or `万元`. */
const WAN = /^(\d+|\d{1,3}(?:,\d{3})+)(?:\.(\d{1,6}))?\s*万元?$/;

/**
 * The amount a typed field reads, formatted in yuan and in 万元, to show
 * beside the field before it is sent; null when it reads none.
 */
export function readBack(typed: string): { yuan: string; wan: string } | null {
  const a = normaliseMoneyInput(typed);
  return a !== "" && isMoney(a) ? { yuan: formatYuan(a), wan: formatWan(a) } : null;
}

/** Whether typed text is refused for its commas alone (`1,00,000`). */
export function misgrouped(typed: string): boolean {
  const a = normaliseMoneyInput(typed);
  return a.includes(",") && isMoney(a.replace(/,/g, ""));
}

/** Exact fen of a yuan string; throws on anything `isMoney` refuses (negative server values allowed). */
export function toFen(s: string): bigint {
  const negative = s.startsWith("-");
  const body = negative ? s.slice(1) : s;
  if (!isMoney(body)) throw new Error(`not a yuan amount: ${JSON.stringify(s)}`);
  const [int, frac = ""] = body.split(".");
  const fen = BigInt(int ?? "0") * 100n + BigInt((frac + "00").slice(0, 2));
  return negative ? -fen : fen;
}

/** Fen back to the contract's form, always two decimals. */
export function fenToYuan(fen: bigint): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const int = abs / 100n;
  const frac = (abs % 100n).toString().padStart(2, "0");
  return `${negative ? "-" : ""}${int}.${frac}`;
}

/** The exact sum of yuan strings (empty strings count as zero). */
export function sumYuan(values: readonly string[]): string {
  let fen = 0n;
  for (const v of values) if (v !== "") fen += toFen(v);
  return fenToYuan(fen);
}

/** -1, 0 or 1 as `a` is below, equal to or above `b`. */
export function compareYuan(a: string, b: string): number {
  const d = toFen(a) - toFen(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

function group(int: string, separator: string): string {
  let out = "";
  for (let i = 0; i < int.length; i++) {
    if (i > 0 && (int.length - i) % 3 === 0) out += separator;
    out += int[i];
  }
  return out;
}

function split(s: string): { negative: boolean; int: string; frac: string } | null {
  const negative = s.startsWith("-");
  const body = negative ? s.slice(1) : s;
  if (!isMoney(body)) return null;
  const [int = "0", frac = ""] = body.split(".");
  return { negative, int, frac: (frac + "00").slice(0, 2) };
}

/**
 * "1234567.5" → "1,234,567.50". Text that is not an amount is returned as it
 * is (the server's word stands; the page never invents a figure); empty → "".
 */
export function formatYuan(s: string): string {
  if (s === "") return "";
  const p = split(s);
  if (p === null) return s;
  return `${p.negative ? "-" : ""}${group(p.int, ",")}.${p.frac}`;
}

/**
 * The amount in 万元 (10,000 yuan), as the policy text states grants:
 * "300000.00" → "30", "12345.60" → "1.23456", "0.50" → "0.00005". Exact:
 * the decimal point moves four places in the string; trailing zeros go.
 */
export function formatWan(s: string): string {
  if (s === "") return "";
  const p = split(s);
  if (p === null) return s;
  const digits = (p.int + p.frac).padStart(7, "0"); // at least 1 integer digit + 6 decimals
  const int = digits.slice(0, -6).replace(/^0+(?=\d)/, "");
  const frac = digits.slice(-6).replace(/0+$/, "");
  return `${p.negative ? "-" : ""}${group(int, ",")}${frac === "" ? "" : "." + frac}`;
}

/** The amount as a chart needs it: a number of 万元, for drawing only (never summed). */
export function chartWan(s: string): number {
  if (s === "") return 0;
  const p = split(s);
  if (p === null) return 0;
  return Number(`${p.negative ? "-" : ""}${formatWan(s.replace(/^-/, "")).replace(/,/g, "")}`);
}
