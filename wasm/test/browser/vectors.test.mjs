// The shared vectors inside Chromium: the web build of the module is loaded
// into a page of the portal's origin and evaluates every vector there; each
// canonical answer must be byte-identical to the native one. The amount-input
// and form-helper vectors (tests/vectors-forms/) run there through
// `normaliseAmount`, `checkCreditCode` and `normaliseStandardNumber`.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { chromiumContext, staticServer } from "./harness.mjs";
import { amountVectors, checkAmountVector, checkFormHelperVector, formHelperVectors, sharedVectors } from "../support.mjs";

let web, browser;
before(async () => {
  web = await staticServer();
  browser = await chromiumContext();
});
after(async () => {
  await browser?.close();
  await web?.close();
});

test("every shared vector, evaluated in Chromium, is byte-identical to native", async (t) => {
  const vectors = await sharedVectors();
  assert.ok(vectors.length >= 60);
  const page = await browser.context.newPage();
  await page.goto(`${web.origin}/portal/`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 15_000 });
  const result = await page.evaluate(async (vectors) => {
    const rules = await import("/pkg/web/stdfund_rules.js");
    await rules.default();
    // An error as the vectors hold it: its four fields (`meant`, the value a
    // message offers, is checked against the messages apart).
    const answer = (r) => {
      if (r.ok) return r.value;
      const { code, field, messageZh, messageEn } = r.error;
      return `{"error":${JSON.stringify({ code, field, messageZh, messageEn })}}`;
    };
    const failed = [];
    for (const v of vectors) {
      const text = answer(rules.estimateCanonical(v.input));
      const object = rules.estimate(JSON.parse(v.input));
      const again = object.ok ? JSON.stringify(object.value) : answer(object);
      if (text !== v.expected || again !== v.expected) failed.push(v.id);
      // What `meant` offers is what the messages offer.
      if (!object.ok && object.error.meant !== undefined && !object.error.messageEn.includes(object.error.meant)) {
        failed.push(`${v.id} (meant)`);
      }
    }
    return { evaluated: vectors.length, failed, userAgent: navigator.userAgent };
  }, vectors);
  t.diagnostic(`${result.evaluated} vectors in ${result.userAgent}`);
  assert.equal(result.evaluated, vectors.length);
  assert.deepEqual(result.failed, []);
  assert.deepEqual(browser.problems, []);
});

/**
 * Runs form vectors inside a page of the portal's origin: each case through
 * the module's export `c.helper` (or `helper`), checked by `check` (a plain
 * function of support.mjs, sent as its source). Returns what failed.
 */
async function formVectorsInPage(cases, check, helper) {
  const page = await browser.context.newPage();
  await page.goto(`${web.origin}/portal/`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 15_000 });
  const failed = await page.evaluate(async ({ cases, check, helper }) => {
    const rules = await import("/pkg/web/stdfund_rules.js");
    await rules.default();
    const checkVector = new Function(`return (${check})`)();
    return cases.map((c) => checkVector(c, rules[c.helper ?? helper](c.input))).filter((f) => f !== null);
  }, { cases, check: check.toString(), helper });
  await page.close();
  return failed;
}

test("every amount-input vector, read by normaliseAmount in Chromium", async (t) => {
  const cases = await amountVectors();
  assert.ok(cases.length >= 40);
  assert.deepEqual(await formVectorsInPage(cases, checkAmountVector, "normaliseAmount"), []);
  assert.deepEqual(browser.problems, []);
  t.diagnostic(`${cases.length} cases`);
});

test("every form-helper vector, answered by the field helpers in Chromium", async (t) => {
  const cases = await formHelperVectors();
  assert.ok(cases.length >= 15);
  assert.deepEqual(await formVectorsInPage(cases, checkFormHelperVector), []);
  assert.deepEqual(browser.problems, []);
  t.diagnostic(`${cases.length} cases`);
});
