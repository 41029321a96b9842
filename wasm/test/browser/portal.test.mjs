// End to end in Debian's Chromium (playwright-core): the portal page fills a
// multi-line application through the keyboard and clicks, every amount it
// shows is checked against the NATIVE answer (`stdfund estimate`) for the
// same object, the verify button is pressed against a real `stdfund serve`
// (agreement), then against a server whose ruleset hash differs (warning).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { chromiumContext, nativeEstimate, staticServer, stdfundServe } from "./harness.mjs";
import { OTHER_HASH, startOtherRulesetStub } from "./stub-other-ruleset-server.mjs";

const SHOTS = process.env.STDFUND_SCREENSHOTS ?? "/tmp";

const APPLICANT = { creditCode: "91350100M000100Y43", name: "福州示例科技有限公司", seat: "350102" };
// Six lines: a top-up from provincial money, a group standard (not covered),
// an award with its role, a committee covered by national money, a research
// project with counted and not-counted funding (fen), and a geographical
// indication not yet approved.
const ROWS = [
  { item: "STANDARD_LEAD", variant: "NATIONAL", subject: "gb/t　12345—2020", date: "2020-05-01",
    funding: [["FUNDING_LEVEL_PROVINCIAL", "100000"]] },
  { item: "STANDARD_PARTICIPANT", variant: "GROUP", subject: "T/FZBZ 8-2019", date: "2019-08-01" },
  { item: "AWARD_CHINA", variant: "PROJECT_FIRST", subject: "GB/T 12345-2020", date: "2021-11-10", role: "ROLE_LEAD" },
  { item: "TC_SECRETARIAT", variant: "NATIONAL_TC_SC", subject: "SAC/TC 28", date: "2019-03-15",
    funding: [["FUNDING_LEVEL_NATIONAL", "400000"]] },
  { item: "RESEARCH_PROJECT", variant: "MUNICIPAL", subject: "FZBZ-2020-007", date: "2022-01-20", accepted: true,
    funding: [["FUNDING_LEVEL_PROVINCIAL", "30000.55"], ["FUNDING_LEVEL_COUNTY", "20000"]] },
  { item: "GEOGRAPHICAL_INDICATION", variant: "GI_PRODUCT_PROTECTION", subject: "福州茉莉花茶", date: "2018-07-01" },
];

/** The application the form must produce: what the native engine is asked. */
function applicationOf(applicant, rows) {
  return {
    applicant,
    achievements: rows.map((r, i) => ({
      id: `a${i + 1}`, item: r.item, variant: r.variant, subject: r.subject, date: r.date,
      ...(r.role ? { role: r.role } : {}),
      ...(r.accepted ? { accepted: true } : {}),
      ...(r.funding ? { higherLevelFunding: r.funding.map(([level, amount]) => ({ level, amount })) } : {}),
    })),
  };
}

let web, server, browser;
before(async () => {
  web = await staticServer();
  server = await stdfundServe(web.origin);
  browser = await chromiumContext();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await web?.close();
});

async function openPortal(serverUrl, context = browser.context) {
  const page = await context.newPage();
  await page.goto(`${web.origin}/portal/?server=${encodeURIComponent(serverUrl)}`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 15_000 });
  return page;
}

/** Types text with the keyboard into a focused control. */
async function type(page, selector, text) {
  await page.focus(selector);
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Backspace");
  await page.keyboard.type(text);
}

/** Fills the applicant and the rows as a person would: keyboard for text, clicks for the rest. */
async function fill(page, applicant, rows, { seatOther = false } = {}) {
  await type(page, "#creditCode", applicant.creditCode);
  await page.keyboard.press("Tab");
  await page.keyboard.type(applicant.name);
  if (seatOther) {
    await page.selectOption("#seat", "other");
    await type(page, "#seatOther", applicant.seat);
  } else {
    await page.selectOption("#seat", applicant.seat);
  }
  for (const [i, r] of rows.entries()) {
    const id = `a${i + 1}`;
    if (i > 0) {
      await page.focus("#add");
      await page.keyboard.press("Enter");
      assert.equal(await page.evaluate(() => document.activeElement?.id), `${id}-item`, "focus moves to the new row");
    }
    await page.selectOption(`#${id}-item`, r.item);
    await page.selectOption(`#${id}-variant`, r.variant);
    await type(page, `#${id}-subject`, r.subject);
    await page.fill(`#${id}-date`, r.date);
    if (r.role) await page.selectOption(`#${id}-role`, r.role);
    if (r.accepted) await page.click(`#${id}-accepted`);
    for (const [j, [level, amount]] of (r.funding ?? []).entries()) {
      await page.click(`li.row[data-id=${id}] [data-action=add-funding]`);
      await page.selectOption(`#${id}-f${j + 1}-level`, level);
      await type(page, `#${id}-f${j + 1}-amount`, amount);
    }
  }
}

/** A decimal string with thousands separators, as the page writes it. */
const grouped = (s) => s.replace(/^\d+/, (whole) => whole.replace(/\B(?=(\d{3})+(?!\d))/g, ","));

/** The digits of a displayed amount: `300,000.00 元` → `300000.00`. */
const amount = (text) => text.replace(/[^\d.]/g, "");

/** Checks every figure the page shows against the native assessment. */
async function assertShows(page, native, lang = "zh") {
  const lines = page.locator("#lines > li.line");
  assert.equal(await lines.count(), native.lines.length, "one result per line");
  for (const line of native.lines) {
    const li = page.locator(`#lines > li[data-achievement-id="${line.achievementId}"]`);
    const text = async (testid) => (await li.locator(`[data-testid=${testid}]`).textContent()) ?? "";
    const where = `line ${line.achievementId}`;
    assert.equal(amount(await text("payable")), line.payable, `${where}: payable`);
    assert.equal(amount(await text("municipal-amount")), line.municipalAmount, `${where}: C`);
    assert.equal(amount(await text("higher-level")), line.higherLevelFundingCounted, `${where}: H`);
    if (line.otherFundingNotCounted !== "0.00") {
      assert.equal(amount(await text("not-counted")), line.otherFundingNotCounted, `${where}: not counted`);
    }
    if (line.clause) assert.ok((await text("clause")).includes(line.clause), `${where}: clause`);
    assert.ok((await li.textContent()).includes(line.reasonCode), `${where}: reason code`);
    const explanation = await li.locator(".explanation").textContent();
    assert.equal(explanation, lang === "zh" ? line.explanationZh : line.explanationEn, `${where}: explanation`);
  }
  const shown = async (testid) => amount((await page.locator(`#summary [data-testid=${testid}]`).textContent()) ?? "");
  assert.equal(await shown("total"), native.total, "total");
  assert.equal(await shown("municipal-share"), native.split.municipalShare, "municipal share");
  assert.equal(await shown("district-share"), native.split.districtShare, "district share");
  if (native.split.shareTables.some((s) => s.provisional)) {
    assert.ok((await page.locator("#summary").textContent()).includes(lang === "zh" ? "暂定" : "provisional"), "split marked provisional");
  }
  // The page estimated exactly this object: same input hash, same ruleset.
  assert.ok((await page.locator("#receipt").textContent()).includes(native.receipt.inputHash), "input hash");
  assert.equal(await page.locator("[data-testid=ruleset-hash]").textContent(), native.receipt.rulesets[0].hash);
}

test("a six-line application: every amount shown equals the native answer; the server agrees", async (t) => {
  const page = await openPortal(server.url);
  // The credit code is checked as it is typed.
  await type(page, "#creditCode", "91350100M000100Y4");
  assert.match(await page.locator("#creditCode-status").textContent(), /17\/18/);
  await page.keyboard.type("4");
  assert.match(await page.locator("#creditCode-status").textContent(), /校验位不符.*“3”/);
  assert.equal(await page.locator("#creditCode-status.warn").count(), 1);

  await fill(page, APPLICANT, ROWS);
  assert.match(await page.locator("#creditCode-status").textContent(), /校验位正确/);
  const application = applicationOf(APPLICANT, ROWS);
  const native = JSON.parse(await nativeEstimate(application));
  t.diagnostic(`native total ${native.total}; reasons ${native.lines.map((l) => l.reasonCode).join(", ")}`);
  assert.ok(new Set(native.lines.map((l) => l.reasonCode)).size >= 4, "the case should mix outcomes");
  await assertShows(page, native);

  // English, and back.
  await page.click("#lang");
  assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
  await assertShows(page, native, "en");
  await page.click("#lang");
  await assertShows(page, native, "zh");
  await page.screenshot({ path: `${SHOTS}/stdfund-portal-desktop.png`, fullPage: true });

  // Verify with the real server.
  await page.click("#verify");
  const status = page.locator("#verify-status.good");
  await status.waitFor({ timeout: 20_000 });
  const said = await status.textContent();
  assert.match(said, /核验一致/);
  assert.ok(said.includes(native.receipt.rulesets[0].hash), "the agreement names the hash");
  assert.ok(said.includes(grouped(native.total)), "the agreement names the total");
  await page.locator("#results").screenshot({ path: `${SHOTS}/stdfund-portal-verified.png` });

  // Any edit makes the verification stale.
  await type(page, "#a4-subject", "SAC/TC 29");
  assert.match(await page.locator("#verify-status").textContent(), /重新核验/);
  assert.deepEqual(browser.problems, []);
  await page.close();
});

test("a server whose ruleset hash differs: the page warns", async () => {
  const stub = await startOtherRulesetStub(server.url, web.origin);
  try {
    const page = await openPortal(stub.url);
    const applicant = { creditCode: "91350100M000100Y43", name: "长乐示例公司", seat: "350182" };
    const rows = [{ item: "GOOD_BEHAVIOUR", variant: "AAAA", subject: "BZ-AAAA-2019-0088", date: "2019-09-09" }];
    await fill(page, applicant, rows, { seatOther: true });
    await assertShows(page, JSON.parse(await nativeEstimate(applicationOf(applicant, rows))));
    await page.click("#verify");
    const status = page.locator("#verify-status.warn");
    await status.waitFor({ timeout: 20_000 });
    const said = await status.textContent();
    assert.match(said, /规则集不一致/);
    assert.ok(said.includes(OTHER_HASH), "the warning shows the server's hash");
    assert.equal(await page.locator("#verify-status.good").count(), 0);
    await page.locator("#results").screenshot({ path: `${SHOTS}/stdfund-portal-mismatch.png` });
    await page.close();
  } finally {
    await stub.close();
  }
});

test("an unreachable server is reported, not taken for agreement", async () => {
  const page = await openPortal("http://127.0.0.1:9");
  await fill(page, APPLICANT, ROWS.slice(0, 1));
  await page.click("#verify");
  const status = page.locator("#verify-status.bad");
  await status.waitFor({ timeout: 20_000 });
  assert.match(await status.textContent(), /无法连接服务端/);
  await page.close();
});

test("keyboard only: focus order, visible focus, add and remove rows", async () => {
  const page = await openPortal(server.url);
  const active = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.className);
  await page.keyboard.press("Tab");
  assert.equal(await active(), "skip");
  const order = [];
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press("Tab");
    order.push(await active());
  }
  assert.deepEqual(order, ["lang", "creditCode", "name", "seat", "a1-item", "a1-variant"]);
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, "none", "focus is visible");
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

test("a phone-sized screen (375 px): no horizontal scrolling, the figures are there", async () => {
  const phone = await chromiumContext({ width: 375, height: 812 });
  try {
    const page = await openPortal(server.url, phone.context);
    await fill(page, APPLICANT, ROWS.slice(0, 3));
    const native = JSON.parse(await nativeEstimate(applicationOf(APPLICANT, ROWS.slice(0, 3))));
    await assertShows(page, native);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `the page is ${width}px wide`);
    assert.equal(amount(await page.locator("#total-bar").textContent()), native.total);
    await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
    assert.equal(await page.locator("#total-bar").isVisible(), true, "the total bar shows while the summary is out of sight");
    await page.screenshot({ path: `${SHOTS}/stdfund-portal-375-top.png` });
    await page.locator("#results").screenshot({ path: `${SHOTS}/stdfund-portal-375-results.png` });
    assert.deepEqual(phone.problems, []);
  } finally {
    await phone.close();
  }
});
