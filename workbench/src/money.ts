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

/** Why typed text is not an amount: the problem kinds of the rules crate's amount reader. */
export type AmountProblem = "EMPTY" | "SYNTAX" | "GROUPING" | "NEGATIVE" | "TOO_PRECISE" | "TOO_LARGE";

/** Typed text read as an amount: the contract's yuan string, or why not. */
export type TypedAmount = { yuan: string; problem?: undefined } | { yuan?: undefined; problem: AmountProblem };

/** Full-width and look-alike marks read as their plain forms (digits are folded apart). */
const FOLD: Record<string, string> = {
  "\uFF0C": ",", "\uFF0E": ".", "\u3000": " ", "\u00A0": " ", "\uFF0D": "-", "\u2212": "-", "\uFF0B": "+", "\uFFE5": "¥",
};

/** The most a person may type, in fen: 1,000,000,000,000 yuan, as the rules crate's reader. */
const MAX_TYPED_FEN = 100_000_000_000_000n;

/**
 * Reads an amount as a person types it, exactly as the portal and the
 * server's own reader do (`stdfund_rules::amount_input`, run against the
 * shared `tests/vectors-forms/amount-input.json` in the unit tests): digits
 * with `,` grouping by thousands only, full-width digits and marks, an
 * optional leading `¥`/`￥`, an optional `元`, `万` or `万元`; at most two
 * decimals in yuan and four in 万 (to the yuan). A misplaced comma, a sign,
 * an exponent, another unit is refused with its problem: a typo is never
 * read as some other amount.
 */
export function readAmount(typed: string): TypedAmount {
  let s = halfWidthDigits(typed).replace(/[\uFF0C\uFF0E\u3000\u00A0\uFF0D\u2212\uFF0B\uFFE5]/g, (c) => FOLD[c] ?? c).trim();
  if (s === "") return { problem: "EMPTY" };
  if (s.startsWith("¥")) s = s.slice(1).trimStart();
  let wan = false;
  if (s.endsWith("万元") || s.endsWith("万")) {
    wan = true;
    s = s.slice(0, s.endsWith("万元") ? -2 : -1).trimEnd();
  } else if (s.endsWith("元")) {
    s = s.slice(0, -1).trimEnd();
  }
  if (s.startsWith("-")) return { problem: /^-\d/.test(s) ? "NEGATIVE" : "SYNTAX" };
  const dot = s.indexOf(".");
  const int = dot < 0 ? s : s.slice(0, dot);
  const frac = dot < 0 ? "" : s.slice(dot + 1);
  if (dot >= 0 && !/^\d+$/.test(frac)) return { problem: "SYNTAX" };
  let digits = int;
  if (int.includes(",")) {
    if (!/^[\d,]+$/.test(int)) return { problem: "SYNTAX" };
    const [first = "", ...rest] = int.split(",");
    if (!/^[1-9]\d{0,2}$/.test(first) || rest.some((g) => g.length !== 3)) return { problem: "GROUPING" };
    digits = first + rest.join("");
  } else if (!/^\d+$/.test(int)) {
    return { problem: "SYNTAX" };
  }
  const whole = digits.replace(/^0+/, "");
  if (frac.length > (wan ? 4 : 2)) return { problem: "TOO_PRECISE" };
  if (whole.length > 13) return { problem: "TOO_LARGE" };
  const fen = wan
    ? BigInt(whole || "0") * 1_000_000n + BigInt(frac.padEnd(4, "0")) * 100n
    : BigInt(whole || "0") * 100n + BigInt(frac.padEnd(2, "0"));
  if (fen > MAX_TYPED_FEN) return { problem: "TOO_LARGE" };
  return { yuan: fenToYuan(fen) };
}

/** The page's sentence for a typed amount's problem (EMPTY: the field's own "required" is the caller's). */
export function amountProblemKey(problem: AmountProblem): "money.badGrouping" | "money.tooPrecise" | "money.tooLarge" | "money.negative" | "queue.badAmount" {
  switch (problem) {
    case "GROUPING": return "money.badGrouping";
    case "TOO_PRECISE": return "money.tooPrecise";
    case "TOO_LARGE": return "money.tooLarge";
    case "NEGATIVE": return "money.negative";
    case "EMPTY":
    case "SYNTAX": return "queue.badAmount";
  }
}

/**
 * The amount a typed field reads, formatted in yuan and in 万元, to show
 * beside the field before it is sent; null when it reads none.
 */
export function readBack(typed: string): { yuan: string; wan: string } | null {
  const a = readAmount(typed);
  return a.yuan === undefined ? null : { yuan: formatYuan(a.yuan), wan: formatWan(a.yuan) };
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
