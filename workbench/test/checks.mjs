// Checks shared by the page tests and the end-to-end test: axe-core, the
// page-wide horizontal scroll, and the focus ring's width and contrast.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's serious and critical violations on the page as it is (WCAG 2.1 AA rules). */
export async function axeCheck(page) {
  // Evaluated over the DevTools protocol, so the page's CSP does not block it.
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    globalThis.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
}

/** True when the page itself does not scroll sideways (wide tables scroll inside their box). */
export async function noHorizontalScroll(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
}

/** The focused element's outline width (px) and its contrast with the background around it. */
export async function focusRing(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (el === null || el === document.body) return { width: 0, contrast: 0, what: "nothing focused" };
    const style = getComputedStyle(el);
    const parse = (c) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    let bgEl = el.parentElement;
    let bg = [255, 255, 255];
    while (bgEl !== null) {
      const c = parse(getComputedStyle(bgEl).backgroundColor);
      if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) { bg = c.slice(0, 3); break; }
      bgEl = bgEl.parentElement;
    }
    const ring = parse(style.outlineColor).slice(0, 3);
    const [a, b] = [lum(ring), lum(bg)].sort((x, y) => y - x);
    return { width: style.outlineStyle === "none" ? 0 : parseFloat(style.outlineWidth), contrast: Math.round(((a + 0.05) / (b + 0.05)) * 100) / 100, what: el.tagName + " " + (el.textContent ?? "").slice(0, 20) };
  });
}

/**
 * For each body row of `table`: the elements `select` picks in it (in
 * document order) that are not wholly inside the table's scrolling box, and
 * rows where it picks other than `count` elements — what a person sees
 * only by swiping sideways, or not at all.
 */
export async function outsideTableBox(table, select, count) {
  return table.evaluate((t, [sel, n]) => {
    const box = t.closest(".table-wrap").getBoundingClientRect();
    const out = [];
    for (const row of t.querySelectorAll("tbody tr")) {
      const id = row.getAttribute("data-claim-id");
      const els = [...row.querySelectorAll(sel)];
      if (els.length !== n) out.push(`${id}: ${els.length} of ${n} (${sel})`);
      for (const el of els) {
        const r = el.getBoundingClientRect();
        if (r.left < box.left || r.right > box.right) out.push(`${id}: ${el.textContent} at ${r.left}–${r.right}, outside ${box.left}–${box.right}`);
      }
    }
    return out;
  }, [select, count]);
}
