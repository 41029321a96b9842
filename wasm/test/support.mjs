// Shared by the Node and browser tests: where things are, the native
// reference (the stdfund-vectors tool of stdfund-testkit), and how an
// executor's answer is written as canonical JSON.
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import path from "node:path";

export const wasmDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const root = path.resolve(wasmDir, "..");

/**
 * Streams the JSON Lines of `stdfund-vectors <args>` (release build: the
 * generator and the native estimates are ~20x faster than debug), parsed.
 * Rejects when the tool fails.
 */
export async function* vectorsTool(...args) {
  const child = spawn("cargo", ["run", "-q", "--release", "--locked", "-p", "stdfund-testkit",
    "--bin", "stdfund-vectors", "--", ...args.map(String)], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal }));
  });
  const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.length > 0) yield JSON.parse(line);
  }
  const { code, signal } = await exited;
  if (code !== 0) throw new Error(`stdfund-vectors ${args.join(" ")} exited with ${code ?? signal}`);
}

/** All shared vectors, `{id, input, expected}` with canonical JSON text. */
export async function sharedVectors() {
  const all = [];
  for await (const v of vectorsTool("vectors")) all.push(v);
  return all;
}

/**
 * The canonical JSON of a `Result<string>` answer, written as
 * `stdfund_testkit::answer_json` writes the native one: the assessment, or
 * `{"error": report}` with the report's fields in declaration order.
 */
export function answerJson(result) {
  if (result.ok) return result.value;
  const { code, field, messageZh, messageEn } = result.error;
  return `{"error":${JSON.stringify({ code, field, messageZh, messageEn })}}`;
}

/** The first position where two strings differ, with some context. */
export function firstDifference(a, b) {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return `at byte ${i}: wasm …${a.slice(Math.max(0, i - 40), i + 40)}… native …${b.slice(Math.max(0, i - 40), i + 40)}…`;
}

/** The amount-input vectors: `[{input, yuan?, wan?, wanText?, textZh?, textEn?, error?, problem?, note?}]`. */
export async function amountVectors() {
  return JSON.parse(await readFile(path.join(root, "tests", "vectors-forms", "amount-input.json"), "utf8"));
}

/**
 * Checks one amount-input case against a `normaliseAmount` answer: null when
 * it passes, otherwise what differs. Plain data in, plain data out, so the
 * browser test can run the same function inside the page.
 */
export function checkAmountVector(c, r) {
  const where = `input ${JSON.stringify(c.input)}`;
  if (c.yuan !== undefined) {
    if (!r.ok) return `${where}: refused with ${r.error.code}/${r.error.problem}`;
    for (const k of ["yuan", "wan", "wanText", "textZh", "textEn"]) {
      if (c[k] !== undefined && r.value[k] !== c[k]) return `${where}: ${k} ${JSON.stringify(r.value[k])}, want ${JSON.stringify(c[k])}`;
    }
    return null;
  }
  if (r.ok) return `${where}: accepted as ${r.value.yuan}, want ${c.error}/${c.problem}`;
  if (r.error.code !== c.error || r.error.problem !== c.problem) return `${where}: ${r.error.code}/${r.error.problem}, want ${c.error}/${c.problem}`;
  if (!r.error.messageZh || /[A-Za-z`]/.test(r.error.messageZh)) return `${where}: Chinese message ${JSON.stringify(r.error.messageZh)}`;
  return null;
}

/** The form-helper vectors: `[{helper, input, value?, error?, meant?, note?}]`. */
export async function formHelperVectors() {
  return JSON.parse(await readFile(path.join(root, "tests", "vectors-forms", "form-helpers.json"), "utf8"));
}

/**
 * Checks one form-helper case against the helper's answer: null when it
 * passes, otherwise what differs. An error case without `meant` must offer
 * none. Plain data in, plain data out, so the browser test can run the same
 * function inside the page.
 */
export function checkFormHelperVector(c, r) {
  const where = `${c.helper}(${JSON.stringify(c.input)})`;
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  if (c.value !== undefined) {
    if (!r.ok) return `${where}: refused with ${r.error.code}`;
    const got = Object.fromEntries(Object.keys(c.value).map((k) => [k, r.value[k]]));
    if (!same(got, c.value) || Object.keys(r.value).length !== Object.keys(c.value).length) {
      return `${where}: ${JSON.stringify(r.value)}, want ${JSON.stringify(c.value)}`;
    }
    return null;
  }
  if (r.ok) return `${where}: accepted as ${JSON.stringify(r.value)}, want ${c.error}`;
  if (r.error.code !== c.error) return `${where}: ${r.error.code}, want ${c.error}`;
  if (r.error.meant !== c.meant) return `${where}: meant ${JSON.stringify(r.error.meant)}, want ${JSON.stringify(c.meant)}`;
  if (c.meant !== undefined && !r.error.messageZh.includes(c.meant)) return `${where}: the message does not offer ${c.meant}`;
  return null;
}
