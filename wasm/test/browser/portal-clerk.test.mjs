// The portal as a clerk meets it, in Debian's Chromium: the empty form has
// no error; a wrong field is named beside its label in plain Chinese once
// the clerk leaves it, its line is left out and the others are estimated;
// a value the engine says was meant is offered beside the field and taken
// with one click;
// every way of writing an amount a clerk uses is read; no horizontal
// scrolling at 320, 375 and 1280 px; axe-core finds no serious or critical
// violation; the print stylesheet and the print button give a one-page
// estimate with the date, the ruleset version and the provisional note.
// A two-digit year on a recent achievement is refused beside the subject,
// the four-digit year offered.
// Screenshots (375 and 1280: empty, filled, error, two-digit year, print) go to $STDFUND_SCREENSHOTS.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { chromiumContext, nativeEstimate, staticServer } from "./harness.mjs";
import { TEXT } from "../../portal/texts.js";
import {
  APPLICANT, ROWS, SHOTS, applicationOf, assertNoCodesOnScreen, assertNoOverflow, assertShows, fill, openPortal,
  seriousViolations, shown, type,
} from "./portal-support.mjs";

let web;
const contexts = new Map();
before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  web = await staticServer();
  for (const width of [320, 375, 1280]) contexts.set(width, await chromiumContext({ width, height: width < 900 ? 800 : 900 }));
});
after(async () => {
  for (const c of contexts.values()) await c.close();
  await web?.close();
});

// The verify button is not pressed here; the address is never contacted.
const open = (width) => openPortal(web.origin, "http://127.0.0.1:9", contexts.get(width).context);

/** The bad-amount case: row 1's funding typed as 1,00,000; rows 2 and 3 fine. */
const BAD_ROWS = [
  { ...ROWS[0], funding: [["FUNDING_LEVEL_PROVINCIAL", "1,00,000", null]] },
  ROWS[2],
  ROWS[5],
];

test("the empty form: no error, no red, a plain invitation", async () => {
  const page = await open(1280);
  assert.equal(await page.locator(".error, [aria-invalid]").count(), 0);
  const notice = page.locator("#notice");
  assert.equal(await notice.getAttribute("class"), "notice info");
  assert.equal(await notice.textContent(), TEXT.zh.empty);
  // Tabbing through every field without typing changes nothing.
  await page.focus("#creditCode");
  for (let i = 0; i < 8; i++) await page.keyboard.press("Tab");
  assert.equal(await page.locator(".error, [aria-invalid]").count(), 0, "leaving an untouched field is not an error");
  // The applicant alone: the page says what it still needs, without red.
  await type(page, "#creditCode", APPLICANT.creditCode);
  await page.keyboard.press("Tab");
  assert.equal(await notice.textContent(), TEXT.zh.needApplicant(["所在地"]));
  assert.equal(await page.locator(".error, [aria-invalid]").count(), 0);
  await page.selectOption("#seat", APPLICANT.seat);
  assert.equal(await page.locator("#lines > li .badge").textContent(), TEXT.zh.lineIncomplete);
  assert.match(await page.locator("#lines > li .reason").textContent(), /还需填写：类别、标的、完成日期/);
  // The row says what it lacks; the notice above does not ask again.
  assert.equal(await notice.textContent(), TEXT.zh.rowsToFinish);
  // No category is chosen for the clerk (the first, 国际标准 · 50万元, was
  // taken for the right one).
  assert.equal(await page.locator("#a1-variant").inputValue(), "");
  // 检查填写 shows what is missing beside each field and moves the focus to the first.
  await page.click("#check");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "a1-variant");
  assert.equal(await page.locator("#a1-variant-error").textContent(), TEXT.zh.fieldErrors.requiredVariant);
  assert.equal(await page.locator("#a1-subject-error").textContent(), TEXT.zh.fieldErrors.required);
  assert.equal(await page.locator("#a1-date-error").textContent(), TEXT.zh.fieldErrors.required);
  assert.match(await page.locator("#check-status").textContent(), /有 3 处需要修改/);
  await page.close();
});

test("the category follows the standard number until the clerk picks one", async () => {
  const page = await open(1280);
  await type(page, "#creditCode", APPLICANT.creditCode);
  await page.selectOption("#seat", APPLICANT.seat);
  await type(page, "#a1-date", "2020-05-01");
  await type(page, "#a1-subject", "GB/T 12345-2020");
  await page.keyboard.press("Tab");
  assert.equal(await page.locator("#a1-variant").inputValue(), "NATIONAL", "a GB/T number is a national standard");
  await type(page, "#a1-subject", "DB35/T 1234-2020");
  await page.keyboard.press("Tab");
  assert.equal(await page.locator("#a1-variant").inputValue(), "LOCAL", "…and follows the number");
  // A number that shows no level leaves the choice to the clerk.
  await type(page, "#a1-subject", "Q/FZ 1-2020");
  await page.keyboard.press("Tab");
  assert.equal(await page.locator("#a1-variant").inputValue(), "");
  // A category the clerk picks stays.
  await page.selectOption("#a1-variant", "INDUSTRY");
  await type(page, "#a1-subject", "GB/T 12345-2020");
  await page.keyboard.press("Tab");
  assert.equal(await page.locator("#a1-variant").inputValue(), "INDUSTRY");
  await page.close();
});

test("a wrong amount: named beside its label in plain Chinese, its line left out, the others estimated", async () => {
  const page = await open(1280);
  await fill(page, APPLICANT, BAD_ROWS.map((r) => ({ ...r, funding: r.funding?.map(([l]) => [l, ""]) })));
  // Type the bad amount: no error while typing, one when the clerk leaves the field.
  await type(page, "#a1-f1-amount", "1,00,000");
  assert.equal(await page.locator("#a1-f1-amount-error").count(), 0, "no error while typing");
  await page.keyboard.press("Tab");
  const error = page.locator("#a1-f1-amount-error");
  assert.equal(await error.textContent(), "千位分隔符的位置不对：逗号应每三位一个，例如 100,000。");
  // The message sits between the field's label and the field, and describes the field.
  assert.equal(await page.evaluate(() => document.querySelector("#a1-f1-amount-error").previousElementSibling.htmlFor), "a1-f1-amount");
  assert.equal(await page.locator("#a1-f1-amount").getAttribute("aria-invalid"), "true");
  assert.match(await page.locator("#a1-f1-amount").getAttribute("aria-describedby"), /a1-f1-amount-error/);
  // Row 1 is marked and linked by the field's name; rows 2 and 3 are estimated.
  const row1 = page.locator("#lines > li[data-achievement-id=a1]");
  assert.equal(await row1.locator(".badge").textContent(), TEXT.zh.lineInvalid);
  const link = row1.locator("a.field-link");
  assert.equal(await link.textContent(), "成果1 · 已获资助 · 金额");
  const rest = applicationOf(APPLICANT, BAD_ROWS.slice(1), ["a2", "a3"]);
  const native = JSON.parse(await nativeEstimate(rest));
  await assertShows(page, native, "zh", { rows: 3 });
  assert.ok((await page.locator("#summary").innerText()).includes(TEXT.zh.excludedNote(1)));
  await assertNoCodesOnScreen(page);
  await link.click();
  assert.equal(await page.evaluate(() => document.activeElement?.id), "a1-f1-amount", "the link moves to the field");
  // English names it too.
  await page.click("#lang");
  assert.equal(await error.textContent(), "the thousands separators are misplaced: one comma every three digits, as in 100,000");
  assert.equal(await link.textContent(), "Achievement 1 · Funding · amount");
  await page.click("#lang");
  // Corrected, the line is estimated again.
  await type(page, "#a1-f1-amount", "10万");
  assert.equal(await page.locator("#a1-f1-amount-error").count(), 0);
  const all = applicationOf(APPLICANT, [ROWS[0], ROWS[2], ROWS[5]]);
  await assertShows(page, JSON.parse(await nativeEstimate(all)));
  await page.close();
});

test("a field only the engine can judge (a date before 1900): named beside the field, the other lines estimated", async () => {
  const page = await open(1280);
  const rows = [ROWS[2], { ...ROWS[1], date: "1899-12-31" }, ROWS[5]];
  await fill(page, APPLICANT, rows);
  assert.equal(await page.locator("#a2-date-error").textContent(), TEXT.zh.fieldErrors.INVALID_DATE);
  const row2 = page.locator("#lines > li[data-achievement-id=a2]");
  assert.equal(await row2.locator(".badge").textContent(), TEXT.zh.lineInvalid);
  assert.equal(await row2.locator("a.field-link").textContent(), "成果2 · 完成日期");
  const native = JSON.parse(await nativeEstimate(applicationOf(APPLICANT, [rows[0], rows[2]], ["a1", "a3"])));
  await assertShows(page, native, "zh", { rows: 3 });
  // The engine's own words and code are kept under 技术详情.
  const tech = await page.locator("#tech").textContent();
  assert.ok(tech.includes("INVALID_DATE achievements[1].date"), tech);
  await page.close();
});

test("a subject typed loosely is shown in its canonical form beside what was typed, and a look-alike repeat is a duplicate", async () => {
  const page = await open(1280);
  await fill(page, APPLICANT, [{ ...ROWS[0], subject: "GB/T 054321-2020。", funding: [] },
    { ...ROWS[0], subject: "ＧＢ／Ｔ　５４３２１—２０２０", funding: [] }]);
  const row1 = page.locator("#lines > li[data-achievement-id=a1]");
  assert.equal(await row1.locator("[data-testid=subject]").textContent(),
    TEXT.zh.subjectRead("GB/T 54321-2020", "GB/T 054321-2020。"));
  const row2 = page.locator("#lines > li[data-achievement-id=a2]");
  assert.equal(await row2.locator("[data-testid=reason]").textContent(), TEXT.zh.reasons.DUPLICATE_IN_REQUEST);
  await type(page, "#a1-subject", "GB/T 54321-2020");
  assert.equal(await row1.locator("[data-testid=subject]").textContent(), "标的：GB/T 54321-2020");
  await page.close();
});

test("a credit code typed with O for 0 and a standard number with 一 for its dash: the value meant is offered beside the field and taken with one click", async () => {
  const page = await open(320);
  const rows = [{ ...ROWS[0], subject: "GB/T 12345一2020", funding: [] }];
  // While a code is typed, more than 18 characters are counted, not cut
  // off; the spaces of a code typed in groups are not counted.
  await type(page, "#creditCode", "9135 0100 M000 100Y 43");
  assert.equal(await page.locator("#creditCode-status").textContent(), "已输入 18/18 位");
  assert.equal(await page.inputValue("#creditCode"), "9135 0100 M000 100Y 43");
  await type(page, "#creditCode", "9135 0100 M000 100Y 4311");
  assert.equal(await page.locator("#creditCode-status").textContent(), "已输入 20 位，比 18 位多 2 位");
  await fill(page, { ...APPLICANT, creditCode: "9135O100M000100Y43" }, rows);
  const cc = page.locator("#creditCode-error");
  assert.equal(await cc.textContent(),
    `${TEXT.zh.fieldErrors.creditCodeAlphabet} ${TEXT.zh.meant(APPLICANT.creditCode)} ${TEXT.zh.useMeant}`);
  const subject = page.locator("#a1-subject-error");
  assert.equal(await subject.textContent(),
    `${TEXT.zh.fieldErrors.standardNumber} ${TEXT.zh.meant("GB/T 12345-2020")} ${TEXT.zh.useMeant}`);
  await page.screenshot({ path: `${SHOTS}/clerk-320-meant.png`, fullPage: true });
  await assertNoOverflow(page, "an offered correction at 320px");
  // Nothing is read in place of what was typed: no estimate until the clerk corrects it.
  assert.equal(await page.locator("#notice").textContent(), TEXT.zh.fixApplicant(["统一社会信用代码"]));
  assert.equal(await page.locator("#lines > li").count(), 0);
  await assertNoCodesOnScreen(page);
  // English offers the same values.
  await page.click("#lang");
  assert.equal(await subject.textContent(),
    `${TEXT.en.fieldErrors.standardNumber} ${TEXT.en.meant("GB/T 12345-2020")} ${TEXT.en.useMeant}`);
  await page.click("#lang");
  // The offer is a button named by its value, reached by keyboard; taking it
  // replaces the text, removes the error and returns the focus to the field.
  const use = page.locator("#creditCode-error button");
  assert.equal(await use.getAttribute("aria-label"), TEXT.zh.useMeantLabel(APPLICANT.creditCode));
  await use.focus();
  await page.keyboard.press("Enter");
  assert.equal(await page.inputValue("#creditCode"), APPLICANT.creditCode);
  assert.equal(await cc.count(), 0);
  assert.equal(await page.evaluate(() => document.activeElement?.id), "creditCode");
  assert.match(await page.locator("#creditCode-status").textContent(), /校验位正确/);
  await page.locator("#a1-subject-error button").click();
  assert.equal(await page.inputValue("#a1-subject"), "GB/T 12345-2020");
  assert.equal(await page.locator(".error, [aria-invalid]").count(), 0);
  const native = JSON.parse(await nativeEstimate(applicationOf(APPLICANT, [{ ...rows[0], subject: "GB/T 12345-2020" }])));
  await assertShows(page, native);
  // A code pasted as printed in groups is kept whole (no length limit cuts
  // it): its spaces are named, and the code meant is offered.
  await type(page, "#creditCode", "9135 0100 M000 100Y 43");
  await page.keyboard.press("Tab");
  assert.equal(await cc.textContent(),
    `${TEXT.zh.fieldErrors.creditCodeSpaces(4)} ${TEXT.zh.meant(APPLICANT.creditCode)} ${TEXT.zh.useMeant}`);
  await page.locator("#creditCode-error button").click();
  assert.equal(await page.inputValue("#creditCode"), APPLICANT.creditCode);
  // A code with nothing clear to offer gets no button.
  await type(page, "#creditCode", "91350100M000100Y4");
  await page.keyboard.press("Tab");
  assert.equal(await cc.textContent(), TEXT.zh.fieldErrors.creditCodeLength(17));
  await page.close();
});

test("a district typed by its name under 其他地区: its code is offered, and taking it chooses the district in the list", async () => {
  const page = await open(375);
  const rows = [{ ...ROWS[2] }];
  await fill(page, { ...APPLICANT, seat: "鼓楼区" }, rows, { seatOther: true });
  const error = page.locator("#seatOther-error");
  assert.equal(await error.textContent(), `${TEXT.zh.fieldErrors.seatOther} ${TEXT.zh.meant("350102")} ${TEXT.zh.useMeant}`);
  await page.locator("#seatOther-error button").click();
  assert.equal(await page.inputValue("#seat"), "350102");
  assert.equal(await page.locator("#seatOther-field").isHidden(), true);
  assert.equal(await page.evaluate(() => document.activeElement?.id), "seat");
  assert.equal(await page.locator(".error, [aria-invalid]").count(), 0);
  await assertShows(page, JSON.parse(await nativeEstimate(applicationOf(APPLICANT, rows))));
  // A code outside the list is still taken as typed; a name of no one place gets no offer.
  await page.selectOption("#seat", "other");
  await type(page, "#seatOther", "350203");
  await page.keyboard.press("Tab");
  assert.equal(await error.count(), 0);
  // Full-width digits, as a Chinese keyboard types them, are the code.
  await type(page, "#seatOther", "３５０２０３");
  await page.keyboard.press("Tab");
  assert.equal(await error.count(), 0);
  await type(page, "#seatOther", "福州市");
  await page.keyboard.press("Tab");
  assert.equal(await error.textContent(), TEXT.zh.fieldErrors.seatOther);
  await page.close();
});

test("a participating unit under 五(五)1 is told which item to claim under, not that the category is not covered", async () => {
  const page = await open(375);
  await fill(page, APPLICANT, [{ ...ROWS[0], funding: [], role: "ROLE_PARTICIPANT" }]);
  const li = page.locator("#lines > li[data-achievement-id=a1]");
  const reason = await li.locator("[data-testid=reason]").innerText();
  assert.match(reason, /参与单位请按“.+”（五\(五\)2）申报/);
  assert.doesNotMatch(reason, /不在资助范围/);
  await page.close();
});

test("the subject's label says what the chosen item takes: an award's is the awarded standard's number", async () => {
  const page = await open(375);
  await fill(page, APPLICANT, [ROWS[2]]);
  assert.equal(await page.locator("label[for=a1-subject]").textContent(), TEXT.zh.subjectOf.AWARDED_STANDARD);
  await page.selectOption("#a1-item", "TC_SECRETARIAT");
  assert.equal(await page.locator("label[for=a1-subject]").textContent(), TEXT.zh.subjectOf.COMMITTEE);
  await page.click("#lang");
  assert.equal(await page.locator("label[for=a1-subject]").textContent(), TEXT.en.subjectOf.COMMITTEE);
  // A geographical indication's subject is the product, not its approval number.
  await page.selectOption("#a1-item", "GEOGRAPHICAL_INDICATION");
  assert.match(await page.locator("label[for=a1-subject]").textContent(), /product's name/);
  await page.click("#lang");
  assert.equal(await page.locator("label[for=a1-subject]").textContent(), TEXT.zh.subjectOfItem.GEOGRAPHICAL_INDICATION);
  await page.close();
});

test("a completion date after today is estimated with a warning that the registry will not take it yet", async () => {
  const page = await open(375);
  const next = `${new Date().getFullYear() + 1}-03-01`;
  await fill(page, APPLICANT, [{ ...ROWS[0], funding: [] }]);
  const li = page.locator("#lines > li[data-achievement-id=a1]");
  assert.equal(await li.locator("[data-testid=date-future]").count(), 0, "a past date is not warned");
  await page.fill("#a1-date", next);
  await page.keyboard.press("Tab");
  await li.locator("[data-testid=date-future]").waitFor();
  assert.equal(await li.locator("[data-testid=date-future]").innerText(), TEXT.zh.dateFuture);
  await page.close();
});

test("amounts as clerks write them, each read into exact yuan by the page", async () => {
  const page = await open(1280);
  await fill(page, APPLICANT, [{ ...ROWS[0], funding: [["FUNDING_LEVEL_PROVINCIAL", "1"]] }]);
  for (const [typed, yuan] of [["100000", "100000.00"], ["100,000", "100000.00"], ["１００，０００", "100000.00"],
    ["10万", "100000.00"], ["10.5万元", "105000.00"], ["１０．５万", "105000.00"], ["¥12,345.60", "12345.60"], [" 100000 元 ", "100000.00"]]) {
    await type(page, "#a1-f1-amount", typed);
    const h = page.locator("#lines > li[data-achievement-id=a1] [data-testid=higher-level]");
    assert.equal(await h.getAttribute("data-yuan"), yuan, typed);
    assert.equal(await page.locator("#a1-f1-amount-hint").textContent(), `= ${shown(yuan, "zh")}`, typed);
    assert.equal(await page.locator(".error").count(), 0, typed);
  }
  await page.close();
});

test("a standard number with a two-digit year on a recent achievement is refused beside the field, the four-digit year offered; 375 and 1280 px", async () => {
  for (const width of [375, 1280]) {
    const page = await open(width);
    const rows = [{ ...ROWS[0], subject: "GB/T 23456-20", date: "2021-03-01", funding: [] }, ROWS[3]];
    await fill(page, APPLICANT, rows);
    const subject = page.locator("#a1-subject-error");
    assert.equal(await subject.textContent(),
      `${TEXT.zh.fieldErrors.standardNumber} ${TEXT.zh.meant("GB/T 23456-2020")} ${TEXT.zh.useMeant}`);
    assert.equal(await page.locator("#a1-subject").getAttribute("aria-invalid"), "true");
    // Its line is marked and linked to the field; the other line is still
    // estimated; no internal code on screen, no sideways scrolling.
    const row1 = page.locator("#lines > li[data-achievement-id=a1]");
    assert.equal(await row1.locator(".badge").textContent(), TEXT.zh.lineInvalid);
    const rest = JSON.parse(await nativeEstimate(applicationOf(APPLICANT, [rows[1]], ["a2"])));
    await assertShows(page, rest, "zh", { rows: 2 });
    await assertNoCodesOnScreen(page);
    await assertNoOverflow(page, `a two-digit year at ${width}px`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${SHOTS}/clerk-${width}-two-digit-year.png`, fullPage: true });
    await page.locator("li.row[data-id=a1]").screenshot({ path: `${SHOTS}/clerk-${width}-two-digit-year-row.png` });
    // Taken with one click, the line is estimated as the native engine does.
    await page.locator("#a1-subject-error button").click();
    assert.equal(await page.inputValue("#a1-subject"), "GB/T 23456-2020");
    assert.equal(await page.locator(".error, [aria-invalid]").count(), 0);
    const native = JSON.parse(await nativeEstimate(applicationOf(APPLICANT, [{ ...rows[0], subject: "GB/T 23456-2020" }, rows[1]])));
    await assertShows(page, native);
    await page.close();
  }
});

test("a standard number without its year is estimated with a note that a claim needs it; an award without a role asks for it, a participant's says why it is not granted; 375 and 1280 px", async () => {
  for (const width of [375, 1280]) {
    const page = await open(width);
    const rows = [
      { ...ROWS[0], subject: "GB/T 12345", funding: [] },
      { ...ROWS[2], role: undefined },
    ];
    await fill(page, APPLICANT, rows);
    const row1 = page.locator("#lines > li[data-achievement-id=a1]");
    assert.equal(await row1.locator("[data-testid=year-missing]").textContent(), TEXT.zh.yearMissing("GB/T 12345"));
    assert.equal(await row1.locator(".badge").textContent(), TEXT.zh.status.LINE_STATUS_ELIGIBLE);
    // The role left unfilled is asked for, not answered 不予资助.
    const row2 = page.locator("#lines > li[data-achievement-id=a2]");
    assert.equal(await row2.locator(".badge").textContent(), TEXT.zh.lineIncomplete);
    assert.equal(await row2.locator(".reason").textContent(), TEXT.zh.stillNeeded(["本单位角色"]));
    await page.click("#check");
    assert.equal(await page.locator("#a2-role-error").textContent(), TEXT.zh.fieldErrors.requiredRole);
    // A participating unit chosen: the line says why the award does not pay it.
    await page.selectOption("#a2-role", "ROLE_PARTICIPANT");
    assert.equal(await row2.locator(".reason").textContent(), TEXT.zh.reasonLeadRequired);
    assert.equal(await row2.locator(".badge").textContent(), TEXT.zh.status.LINE_STATUS_INELIGIBLE);
    // The split note says the enterprise receives the whole amount either way.
    assert.ok((await page.locator("#summary").textContent()).includes(TEXT.zh.splitNote));
    await assertNoCodesOnScreen(page);
    await assertNoOverflow(page, `no year, award without a role at ${width}px`);
    await page.screenshot({ path: `${SHOTS}/clerk-${width}-year-missing.png`, fullPage: true });
    await page.locator("#results").screenshot({ path: `${SHOTS}/clerk-${width}-year-missing-results.png` });
    await page.close();
  }
});

test("检查填写 on an application without any achievement says so, not that it is complete", async () => {
  const page = await open(375);
  await type(page, "#creditCode", APPLICANT.creditCode);
  await page.selectOption("#seat", APPLICANT.seat);
  await page.locator("li.row[data-id=a1] [data-action=remove-row]").click();
  await page.click("#check");
  assert.equal(await page.locator("#check-status").textContent(), TEXT.zh.checkNoRows);
  assert.equal(await page.evaluate(() => document.activeElement?.id), "add");
  await page.close();
});

test("no horizontal scrolling at 320, 375 and 1280 px: empty, filled, with an error; screenshots", async () => {
  const scenes = {
    empty: async () => {},
    filled: async (page) => fill(page, APPLICANT, ROWS.slice(0, 6)),
    error: async (page) => {
      await fill(page, APPLICANT, [{ ...ROWS[0], subject: "GB/T 一二三", funding: [["FUNDING_LEVEL_PROVINCIAL", "1,00,000"]] },
        { ...ROWS[3], subject: "一个很长很长的技术委员会代号".repeat(6) }]);
      await page.click("#check");
    },
  };
  for (const width of [320, 375, 1280]) {
    for (const [scene, act] of Object.entries(scenes)) {
      const page = await open(width);
      await act(page);
      await assertNoOverflow(page, `${scene} at ${width}px`);
      if (scene === "error") assert.ok((await page.locator(".error").count()) >= 2, "the error scene shows errors");
      if (width !== 320) {
        await page.evaluate(() => window.scrollTo(0, 0));
        await page.screenshot({ path: `${SHOTS}/portal-${width}-${scene}.png`, fullPage: true });
        await page.locator("#results").screenshot({ path: `${SHOTS}/portal-${width}-${scene}-results.png` });
      }
      // English is wider: check it too.
      await page.click("#lang");
      await assertNoOverflow(page, `${scene} at ${width}px in English`);
      await page.close();
    }
  }
  assert.deepEqual([...contexts.values()].flatMap((c) => c.problems), []);
});

test("axe-core: no serious or critical violation on the empty form, a filled form, a form with an error and an offered correction", async () => {
  for (const width of [375, 1280]) {
    const page = await open(width);
    assert.deepEqual(await seriousViolations(page), [], `empty form at ${width}px`);
    await fill(page, APPLICANT, ROWS);
    assert.deepEqual(await seriousViolations(page), [], `filled form at ${width}px`);
    await type(page, "#a1-f1-amount", "-5万");
    await page.keyboard.press("Tab");
    await page.click("#check");
    assert.equal(await page.locator("#a1-f1-amount-error").textContent(), "金额不能为负数。");
    assert.deepEqual(await seriousViolations(page), [], `form with an error at ${width}px`);
    await page.click("#tech > summary");
    assert.deepEqual(await seriousViolations(page), [], `技术详情 open at ${width}px`);
    // An error that offers the value meant, with its button.
    await type(page, "#a1-subject", "GB/T 12345一2020");
    await page.keyboard.press("Tab");
    assert.equal(await page.locator("#a1-subject-error button").count(), 1);
    assert.deepEqual(await seriousViolations(page), [], `an offered correction at ${width}px`);
    await page.close();
  }
});

test("print: the button prints; the sheet is one page with the date, the ruleset version and the provisional note", async () => {
  const page = await open(1280);
  const rows = ROWS.slice(0, 6);
  await fill(page, APPLICANT, rows);
  const native = JSON.parse(await nativeEstimate(applicationOf(APPLICANT, rows)));
  // The button calls window.print().
  await page.evaluate(() => { window.printed = 0; window.print = () => { window.printed++; }; });
  await page.click("#print");
  assert.equal(await page.evaluate(() => window.printed), 1);

  await page.emulateMedia({ media: "print" });
  for (const chrome of ["#form", "header.top", "#verify", "#print", "#lang", "#total-bar"]) {
    assert.equal(await page.locator(chrome).isVisible(), false, `${chrome} is not printed`);
  }
  const sheet = page.locator("#print-sheet");
  assert.equal(await sheet.isVisible(), true);
  const printed = await sheet.innerText();
  const today = await page.evaluate(() => {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  });
  const r = native.receipt.rulesets[0];
  for (const want of [TEXT.zh.printTitle, `测算日期`, today, `第 ${r.version} 版（规则集编号 ${r.id}`, "《福州市人民政府关于进一步实施标准化发展战略的意见", shown(native.total, "zh"),
    native.split.shareTables[0].noteZh, TEXT.zh.toBeSet, APPLICANT.name, APPLICANT.creditCode]) {
    assert.ok(printed.includes(want), `the printed sheet has ${want}:\n${printed}`);
  }
  assert.equal(await sheet.locator("tbody > tr").count(), rows.length, "one printed row per line");
  // A top-up shows its arithmetic on paper (row 1: the municipal amount less
  // the province's 10万); a line the national money covers (row 4) reads 无需补足.
  const row1 = await sheet.locator("tbody > tr").nth(0).innerText();
  for (const want of [TEXT.zh.c, TEXT.zh.h, shown(native.lines[0].municipalAmount, "zh"), shown(native.lines[0].higherLevelFundingCounted, "zh")]) {
    assert.ok(row1.includes(want), `row 1 prints ${want}:\n${row1}`);
  }
  assert.equal(native.lines[3].reasonCode, "COVERED_BY_HIGHER_LEVEL");
  assert.ok((await sheet.locator("tbody > tr").nth(3).locator("[data-testid=print-result]").innerText()).startsWith(`${TEXT.zh.coveredBadge}：`));
  assert.equal(await page.locator("#print-sheet input, #print-sheet button, #print-sheet select").count(), 0);
  await page.screenshot({ path: `${SHOTS}/portal-1280-print.png`, fullPage: true });

  const pdf = await page.pdf({ format: "A4", printBackground: true });
  writeFileSync(`${SHOTS}/portal-estimate.pdf`, pdf);
  const pages = pdf.toString("latin1").match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? [];
  assert.equal(pages.length, 1, `the estimate prints on ${pages.length} pages`);
  await page.close();

  // On a phone too: the same one-page sheet.
  const phone = await open(375);
  await fill(phone, APPLICANT, rows);
  await phone.emulateMedia({ media: "print" });
  await phone.screenshot({ path: `${SHOTS}/portal-375-print.png`, fullPage: true });
  const phonePdf = await phone.pdf({ format: "A4" });
  assert.equal((phonePdf.toString("latin1").match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length, 1);
  await phone.close();
});

test("a unit of 市本级 is told the city pays it all, without a district line of 0.00", async () => {
  const page = await open(375);
  await fill(page, { ...APPLICANT, seat: "350100" }, [ROWS[0]]);
  await page.locator("[data-testid=municipal-share]").waitFor();
  assert.equal(await page.locator("[data-testid=district-share]").count(), 0);
  assert.match(await page.locator("#summary").innerText(), /市级财政承担（市本级无县（市）区承担部分）/);
  // A district's unit still reads both lines.
  await page.selectOption("#seat", "350102");
  await page.locator("[data-testid=district-share]").waitFor();
  await page.close();
});
