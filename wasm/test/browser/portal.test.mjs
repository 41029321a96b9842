// End to end in Debian's Chromium (playwright-core): the portal page fills a
// multi-line application through the keyboard and clicks (amounts typed as
// clerks type them: 10万, 40万元, 30,000.55, ２００００), every amount and
// label it shows is checked against the NATIVE answer (`stdfund estimate`)
// for the application the page must send, the verify button is pressed
// against a real `stdfund serve` (agreement), then against a server whose
// ruleset hash differs (warning), then an unreachable one; keyboard use.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { chromiumContext, nativeEstimate, staticServer, stdfundServe } from "./harness.mjs";
import { OTHER_HASH, startOtherRulesetStub } from "./stub-other-ruleset-server.mjs";
import { APPLICANT, ROWS, SHOTS, applicationOf, assertShows, contrast, fill, focusRing, grouped, openPortal, shown, type } from "./portal-support.mjs";

let web, server, browser;
before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  web = await staticServer();
  server = await stdfundServe(web.origin);
  browser = await chromiumContext();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await web?.close();
});

const open = (serverUrl, context = browser.context) => openPortal(web.origin, serverUrl, context);

test("a seven-line application: every amount and label shown equals the native answer; the server agrees", async (t) => {
  const page = await open(server.url);
  // The credit code is checked as it is typed, without an error before the clerk leaves it.
  await type(page, "#creditCode", "91350100M000100Y4");
  assert.match(await page.locator("#creditCode-status").textContent(), /17\/18/);
  assert.equal(await page.locator(".error").count(), 0, "no error while typing");
  await page.keyboard.type("4");
  assert.match(await page.locator("#creditCode-status").textContent(), /校验位不符.*“3”/);
  assert.equal(await page.locator("#creditCode-status.warn").count(), 1);

  await fill(page, APPLICANT, ROWS);
  assert.match(await page.locator("#creditCode-status").textContent(), /校验位正确/);
  // Each typed amount is read back in 元 and 万元 beside the field.
  assert.equal(await page.locator("#a1-f1-amount-hint").textContent(), `= ${shown("100000.00", "zh")}`);
  assert.equal(await page.locator("#a5-f2-amount-hint").textContent(), `= ${shown("20000.00", "zh")}`);
  const application = applicationOf(APPLICANT, ROWS);
  const native = JSON.parse(await nativeEstimate(application));
  t.diagnostic(`native total ${native.total}; reasons ${native.lines.map((l) => l.reasonCode).join(", ")}`);
  assert.deepEqual(new Set(native.lines.map((l) => l.status)).size, 4, "the case mixes every status");
  assert.ok(new Set(native.lines.map((l) => l.reasonCode)).size >= 5, "the case mixes outcomes");
  await assertShows(page, native);
  assert.equal(await page.locator(".error, [aria-invalid]").count(), 0, "a correct form shows no error");
  // Warnings in plain words: the not-counted funding of row 5 with its amount.
  const warnings = await page.locator("#warnings").innerText();
  assert.ok(warnings.includes(`成果5：`) && warnings.includes(shown("20000.00", "zh")), warnings);

  // English, and back.
  await page.click("#lang");
  assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
  await assertShows(page, native, "en");
  await page.click("#lang");
  await assertShows(page, native, "zh");

  // Verify with the real server.
  await page.click("#verify");
  const status = page.locator("#verify-status.good");
  await status.waitFor({ timeout: 20_000 });
  const said = await status.textContent();
  assert.match(said, /核验一致/);
  assert.ok(said.includes(native.receipt.rulesets[0].hash), "the agreement keeps the hash under 技术详情");
  assert.ok(!(await status.innerText()).includes("sha256"), "…not on screen");
  assert.ok(said.includes(grouped(native.total)), "the agreement names the total");
  await page.locator("#results").screenshot({ path: `${SHOTS}/portal-1280-verified.png` });

  // Any edit makes the verification stale.
  await type(page, "#a4-subject", "SAC/TC 29");
  assert.match(await page.locator("#verify-status").textContent(), /重新核验/);

  // A credit code typed in full width: the page and the server refuse it
  // alike, each offering the code meant; the two agree (the grpc-web client
  // dropped the server's `meant` and the page said 答复不一致).
  await type(page, "#creditCode", "９１３５０１８１ＭＡ３ＫＬＭ４５６Ｋ");
  await page.click("#verify");
  const refused = page.locator("#verify-status.good");
  await refused.waitFor({ timeout: 20_000 });
  assert.match(await refused.textContent(), /服务端同样无法测算/);
  assert.deepEqual(browser.problems, []);
  await page.close();
});

test("a server whose ruleset hash differs: the page warns", async () => {
  const stub = await startOtherRulesetStub(server.url, web.origin);
  try {
    const page = await open(stub.url);
    const applicant = { creditCode: "91350100M000100Y43", name: "长乐示例公司", seat: "350182" };
    const rows = [{ item: "GOOD_BEHAVIOUR", variant: "AAAA", subject: "BZ-AAAA-2019-0088", date: "2019-09-09" }];
    await fill(page, applicant, rows, { seatOther: true });
    await assertShows(page, JSON.parse(await nativeEstimate(applicationOf(applicant, rows))));
    await page.click("#verify");
    const status = page.locator("#verify-status.warn");
    await status.waitFor({ timeout: 20_000 });
    const said = await status.textContent();
    assert.match(said, /规则不一致/);
    assert.ok(said.includes(OTHER_HASH), "the warning keeps the server's hash under 技术详情");
    assert.equal(await page.locator("#verify-status.good").count(), 0);
    await page.locator("#results").screenshot({ path: `${SHOTS}/portal-1280-mismatch.png` });
    await page.close();
  } finally {
    await stub.close();
  }
});

test("an unreachable server is reported, not taken for agreement", async () => {
  const page = await open("http://127.0.0.1:9");
  await fill(page, APPLICANT, ROWS.slice(0, 1));
  await page.click("#verify");
  const status = page.locator("#verify-status.bad");
  await status.waitFor({ timeout: 20_000 });
  // A sentence for the clerk on screen; the address and the browser's words
  // only under 技术详情.
  assert.match(await status.innerText(), /暂时无法连接审核系统，请稍后再试；本页的测算结果不受影响。/);
  assert.ok(!(await status.innerText()).includes("127.0.0.1"), "no address on screen");
  assert.ok((await status.textContent()).includes("http://127.0.0.1:9"), "the address kept under 技术详情");
  assert.equal(await page.locator("#server").isVisible(), false, "the server address is folded away");
  await page.close();
});

test("keyboard only: focus order, a focus ring of at least 3:1, add and remove rows", async () => {
  const page = await open(server.url);
  const active = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.className);
  await page.keyboard.press("Tab");
  assert.equal(await active(), "skip");
  const order = [];
  const rings = [];
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press("Tab");
    order.push(await active());
    rings.push(await focusRing(page));
  }
  assert.deepEqual(order, ["lang", "creditCode", "name", "seat", "a1-item", "a1-variant"]);
  // Tab on to the buttons of the form and of the results.
  for (const id of ["add", "check", "print", "verify"]) {
    await page.focus(`#${id}`);
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Tab");
    assert.equal(await active(), id);
    rings.push(await focusRing(page));
  }
  await page.focus("#tech > summary");
  rings.push(await focusRing(page));
  for (const r of rings) {
    assert.notEqual(r.style, "none", `${r.id}: focus is visible`);
    assert.ok(r.width >= 2, `${r.id}: the ring is ${r.width}px`);
    const ratio = contrast(r.color, r.background);
    assert.ok(ratio >= 3, `${r.id}: ring ${r.color} on ${r.background} is ${ratio.toFixed(2)}:1`);
  }
  // Add a row with the keyboard, then remove it with the keyboard.
  await page.focus("#add");
  await page.keyboard.press("Enter");
  assert.equal(await active(), "a2-item");
  assert.equal(await page.locator("#rows > li").count(), 2);
  await page.focus("li.row[data-id=a2] [data-action=remove-row]");
  await page.keyboard.press("Space");
  assert.equal(await page.locator("#rows > li").count(), 1);
  assert.equal(await active(), "a1-item");
  // The result region is announced politely; every control has a label.
  assert.equal(await page.locator("#live[aria-live=polite]").count(), 1);
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll("input, select, button")]
    .filter((e) => e.offsetParent !== null && (e.labels?.length ?? 0) === 0 && !e.textContent.trim() && !e.getAttribute("aria-label"))
    .map((e) => e.id || e.outerHTML.slice(0, 60)));
  assert.deepEqual(unlabelled, []);
  await page.close();
});

test("the phone's total bar: white ring on the dark bar, the total in 元 and 万元", async () => {
  const phone = await chromiumContext({ width: 375, height: 812 });
  try {
    const page = await open(server.url, phone.context);
    await fill(page, APPLICANT, ROWS.slice(0, 3));
    const native = JSON.parse(await nativeEstimate(applicationOf(APPLICANT, ROWS.slice(0, 3))));
    await assertShows(page, native);
    await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
    const bar = page.locator("#total-bar");
    assert.equal(await bar.isVisible(), true, "the total bar shows while the summary is out of sight");
    assert.ok((await bar.textContent()).includes(shown(native.total, "zh")));
    // `查看明细 ↓` on one line: the arrow does not fall to a line of its own.
    const link = await bar.locator(".nowrap").evaluate((e) => e.getClientRects().length);
    assert.equal(link, 1, "查看明细 ↓ in one piece");
    await page.focus("#total-bar");
    const r = await focusRing(page);
    assert.ok(contrast(r.color, r.background) >= 3, `total bar ring ${r.color} on ${r.background}`);
    assert.deepEqual(phone.problems, []);
  } finally {
    await phone.close();
  }
});
