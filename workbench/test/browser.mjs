// Debian's Chromium under playwright-core, headless, with a fresh profile,
// collecting page errors, console errors and CSP violations.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

export const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export async function launch({ viewport = { width: 1280, height: 900 }, locale = "zh-CN" } = {}) {
  const profile = mkdtempSync(path.join(tmpdir(), "stdfund-workbench-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    viewport,
    locale,
    acceptDownloads: true,
    args: [`--lang=${locale}`, ...FLAGS],
  });
  const problems = [];
  const watch = (page) => {
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => { if (m.type() === "error") problems.push(`console error: ${m.text()}`); });
  };
  context.on("page", watch);
  for (const p of context.pages()) watch(p);
  return {
    context,
    problems,
    async page() {
      return context.pages()[0] ?? context.newPage();
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function shotsDir() {
  return process.env.STDFUND_SCREENSHOTS ?? "/tmp/workbench-shots";
}
