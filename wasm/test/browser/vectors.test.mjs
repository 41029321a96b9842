// The shared vectors inside Chromium: the web build of the module is loaded
// into a page of the portal's origin and evaluates every vector there; each
// canonical answer must be byte-identical to the native one. The amount-input
// vectors (tests/vectors-forms/) run there through `normaliseAmount`.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { chromiumContext, staticServer } from "./harness.mjs";
import { amountVectors, checkAmountVector, sharedVectors } from "../support.mjs";

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
    const answer = (r) => (r.ok ? r.value : `{"error":${JSON.stringify(r.error)}}`);
    const failed = [];
    for (const v of vectors) {
      const text = answer(rules.estimateCanonical(v.input));
      const object = rules.estimate(JSON.parse(v.input));
      const again = object.ok ? JSON.stringify(object.value) : answer(object);
      if (text !== v.expected || again !== v.expected) failed.push(v.id);
    }
    return { evaluated: vectors.length, failed, userAgent: navigator.userAgent };
  }, vectors);
  t.diagnostic(`${result.evaluated} vectors in ${result.userAgent}`);
  assert.equal(result.evaluated, vectors.length);
  assert.deepEqual(result.failed, []);
  assert.deepEqual(browser.problems, []);
});

test("every amount-input vector, read by normaliseAmount in Chromium", async (t) => {
  const cases = await amountVectors();
  const page = await browser.context.newPage();
  await page.goto(`${web.origin}/portal/`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 15_000 });
  const failed = await page.evaluate(async ({ cases, check }) => {
    const rules = await import("/pkg/web/stdfund_rules.js");
    await rules.default();
    const checkAmountVector = new Function(`return (${check})`)();
    return cases.map((c) => checkAmountVector(c, rules.normaliseAmount(c.input))).filter((f) => f !== null);
  }, { cases, check: checkAmountVector.toString() });
  t.diagnostic(`${cases.length} cases`);
  assert.ok(cases.length >= 40);
  assert.deepEqual(failed, []);
  assert.deepEqual(browser.problems, []);
  await page.close();
});
