// What the portal tests share: the application a clerk types (with amounts
// in the forms clerks use), filling the page by keyboard and clicks, the
// checks that every figure shown equals the native answer, and the page-wide
// checks (no internal code on screen, no horizontal scrolling, axe-core).
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { TEXT } from "../../portal/texts.js";

export const SHOTS = process.env.STDFUND_SCREENSHOTS ?? "/tmp/portal-shots";

export const APPLICANT = { creditCode: "91350100M000100Y43", name: "福州示例科技有限公司", seat: "350102" };

// Seven lines: a top-up from provincial money typed as 10万; a group
// standard (not covered); an award with its role; a committee covered by
// national money typed as 40万元; a research project with counted and
// not-counted funding typed with a separator and in full-width digits; a
// clause-9 activity (set by the reviewer); a geographical indication not yet
// approved. `funding` is [level, as typed, the canonical yuan the page sends].
export const ROWS = [
  { item: "STANDARD_LEAD", variant: "NATIONAL", subject: "gb/t　12345—2020", date: "2020-05-01",
    funding: [["FUNDING_LEVEL_PROVINCIAL", "10万", "100000.00"]] },
  { item: "STANDARD_PARTICIPANT", variant: "GROUP", subject: "T/FZBZ 8-2019", date: "2019-08-01" },
  { item: "AWARD_CHINA", variant: "PROJECT_FIRST", subject: "GB/T 12345-2020", date: "2021-11-10", role: "ROLE_LEAD" },
  { item: "TC_SECRETARIAT", variant: "NATIONAL_TC_SC", subject: "SAC/TC 28", date: "2019-03-15",
    funding: [["FUNDING_LEVEL_NATIONAL", "40万元", "400000.00"]] },
  { item: "RESEARCH_PROJECT", variant: "MUNICIPAL", subject: "FZBZ-2020-007", date: "2022-01-20", accepted: true,
    funding: [["FUNDING_LEVEL_PROVINCIAL", "30,000.55", "30000.55"], ["FUNDING_LEVEL_COUNTY", "２００００", "20000.00"]] },
  { item: "OTHER_ACTIVITY", variant: "WTO_TBT_WARNING", subject: "福州WTO/TBT预警点2020", date: "2020-10-10" },
  { item: "GEOGRAPHICAL_INDICATION", variant: "GI_PRODUCT_PROTECTION", subject: "福州茉莉花茶", date: "2018-07-01" },
];

/** The application the page must send for these rows: what the native engine is asked. */
export function applicationOf(applicant, rows, ids = rows.map((_, i) => `a${i + 1}`)) {
  return {
    applicant,
    achievements: rows.map((r, i) => ({
      id: ids[i], item: r.item, variant: r.variant, subject: r.subject.trim(), date: r.date,
      ...(r.role ? { role: r.role } : {}),
      ...(r.accepted ? { accepted: true } : {}),
      ...(r.funding ? { higherLevelFunding: r.funding.map(([level, , amount]) => ({ level, amount })) } : {}),
    })),
  };
}

export async function openPortal(origin, serverUrl, context) {
  const page = await context.newPage();
  await page.goto(`${origin}/portal/?server=${encodeURIComponent(serverUrl)}`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 15_000 });
  return page;
}

/** Types text with the keyboard into a control, replacing what was there. */
export async function type(page, selector, text) {
  await page.focus(selector);
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Backspace");
  await page.keyboard.type(text);
}

/** Fills the applicant and the rows as a person would: keyboard for text, clicks for the rest. */
export async function fill(page, applicant, rows, { seatOther = false } = {}) {
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
    for (const [j, [level, typed]] of (r.funding ?? []).entries()) {
      await page.click(`li.row[data-id=${id}] [data-action=add-funding]`);
      await page.selectOption(`#${id}-f${j + 1}-level`, level);
      await type(page, `#${id}-f${j + 1}-amount`, typed);
    }
  }
  await page.keyboard.press("Tab"); // leave the last field, as a person would
}

/** `1270000.00` → `1,270,000.00`. */
export const grouped = (s) => s.replace(/^\d+/, (whole) => whole.replace(/\B(?=(\d{3})+(?!\d))/g, ","));

/** `1270000.00` → `127`, `105000.00` → `10.5`, `0.01` → `0.000001` (by digits, no floats). */
export function wanOf(yuan) {
  const [i, f] = yuan.split(".");
  const digits = `${i}${f}`.padStart(7, "0");
  const w = `${digits.slice(0, -6)}.${digits.slice(-6)}`.replace(/0+$/, "").replace(/\.$/, "").replace(/^0+(?=\d)/, "");
  return grouped(w);
}

/** What the page must show for an amount: `300,000.00 元（30 万元）` / `300,000.00 yuan`. */
export function shown(yuan, lang) {
  if (lang === "en") return `${grouped(yuan)} yuan`;
  // 万元 beside whole yuan only (fen would need six decimals of 万元).
  return yuan === "0.00" || !yuan.endsWith(".00") ? `${grouped(yuan)} 元` : `${grouped(yuan)} 元（${wanOf(yuan)} 万元）`;
}

/** Checks every figure and label the page shows against the native assessment. */
export async function assertShows(page, native, lang = "zh", { rows = native.lines.length } = {}) {
  const x = TEXT[lang];
  assert.equal(await page.locator("#lines > li").count(), rows, "one result per row");
  for (const line of native.lines) {
    const li = page.locator(`#lines > li[data-achievement-id="${line.achievementId}"]`);
    const where = `line ${line.achievementId}`;
    const text = async (testid) => ((await li.locator(`[data-testid=${testid}]`).innerText()) ?? "").trim();
    const figure = async (testid, want, minus = false) => {
      const node = li.locator(`[data-testid=${testid}]`);
      assert.equal(await node.getAttribute("data-yuan"), want, `${where}: ${testid}`);
      assert.equal((await node.innerText()).replace(/\s*\n\s*/g, ""), `${minus ? "− " : ""}${shown(want, lang)}`, `${where}: ${testid} as shown`);
    };
    const badge = line.reasonCode === "COVERED_BY_HIGHER_LEVEL" ? x.coveredBadge : x.status[line.status];
    assert.equal(await text("status"), badge, `${where}: status`);
    assert.equal(await text("reason"), x.reasons[line.reasonCode], `${where}: reason`);
    if (line.clause) assert.ok((await text("clause")).includes(line.clause), `${where}: clause`);
    if (line.status === "LINE_STATUS_DISCRETIONARY") {
      assert.equal(await text("payable"), x.toBeSet, `${where}: discretionary`);
      assert.ok(!(await li.innerText()).includes("0.00"), `${where}: no 0.00 for a discretionary line`);
    } else {
      await figure("payable", line.payable);
      if (line.municipalAmount !== "0.00") await figure("municipal-amount", line.municipalAmount);
      if (line.higherLevelFundingCounted !== "0.00") await figure("higher-level", line.higherLevelFundingCounted, true);
      if (line.otherFundingNotCounted !== "0.00") await figure("not-counted", line.otherFundingNotCounted);
    }
    const explanation = await li.locator(".explanation").textContent();
    assert.equal(explanation, lang === "zh" ? line.explanationZh : line.explanationEn, `${where}: explanation`);
  }
  const summary = page.locator("#summary");
  for (const [testid, want] of [["total", native.total], ["municipal-share", native.split.municipalShare], ["district-share", native.split.districtShare]]) {
    const node = summary.locator(`[data-testid=${testid}]`);
    assert.equal(await node.getAttribute("data-yuan"), want, testid);
    assert.equal((await node.innerText()).replace(/\s*\n\s*/g, ""), shown(want, lang), `${testid} as shown`);
  }
  for (const s of native.split.shareTables.filter((s) => s.provisional)) {
    const said = await summary.innerText();
    assert.ok(said.includes(x.provisional), "split marked provisional");
    assert.ok(said.includes(lang === "zh" ? s.noteZh : s.noteEn), "the provisional note");
  }
  // The page estimated exactly this object with this ruleset: the receipt is under 技术详情.
  const tech = await page.locator("#tech").textContent();
  assert.ok(tech.includes(native.receipt.inputHash), "input hash under 技术详情");
  assert.ok(tech.includes(native.receipt.rulesets[0].hash), "ruleset hash under 技术详情");
  await assertNoCodesOnScreen(page);
}

/** Internal codes, ids and hashes are not on screen (only inside the closed 技术详情). */
export async function assertNoCodesOnScreen(page) {
  assert.equal(await page.locator("#tech").getAttribute("open"), null, "技术详情 is closed");
  const visible = await page.evaluate(() => document.body.innerText);
  for (const bad of [/\b[A-Z]{2,}(?:_[A-Z]+)+\b/, /\bELIGIBLE\b/, /sha256/i, /fz-share/, /\bfz-\d{4}\b/, /\[[A-Z_]+\]/, /achievements\[/, /higherLevelFunding/]) {
    const m = bad.exec(visible);
    assert.equal(m, null, `on screen: ${m?.[0]} (…${m ? visible.slice(Math.max(0, m.index - 40), m.index + 40) : ""}…)`);
  }
}

/** No horizontal scrolling: the document is no wider than the viewport. */
export async function assertNoOverflow(page, where) {
  const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(scroll <= client, `${where}: the page is ${scroll}px wide in a ${client}px viewport`);
}

const require = createRequire(import.meta.url);
export const AXE_PATH = require.resolve("axe-core/axe.min.js");

/** axe-core in the page: the serious and critical violations (none expected). */
export async function seriousViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) await page.addScriptTag({ path: AXE_PATH });
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
  });
  return result.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** WCAG relative luminance of `rgb(r, g, b)` / `rgba(...)`, and the contrast of two colours. */
function luminance(css) {
  const [r, g, b] = css.match(/[\d.]+/g).slice(0, 3).map(Number).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
export function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * The focused element's ring: its outline colour and the colour it is drawn
 * on (the element's own background for an inset ring, else the nearest
 * opaque background behind it).
 */
export async function focusRing(page) {
  return page.evaluate(() => {
    const e = document.activeElement;
    const s = getComputedStyle(e);
    const opaque = (c) => c !== "rgba(0, 0, 0, 0)" && c !== "transparent";
    let node = parseFloat(s.outlineOffset) < 0 ? e : e.parentElement;
    let background = "rgb(255, 255, 255)";
    for (; node; node = node.parentElement) {
      const c = getComputedStyle(node).backgroundColor;
      if (opaque(c)) { background = c; break; }
    }
    if (!node) background = getComputedStyle(document.documentElement).backgroundColor;
    return { id: e.id || e.tagName.toLowerCase(), style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor, background };
  });
}
