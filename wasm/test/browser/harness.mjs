// Processes for the browser tests: the static server of the portal, a real
// `stdfund serve` on a free port, the native `stdfund estimate`, and Debian's
// Chromium driven by playwright-core. Everything started here is stopped by
// the handle it returns.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";
import { startStaticServer } from "../../portal/serve.mjs";
import { root } from "../support.mjs";

export const stdfundBin = path.join(process.env.CARGO_TARGET_DIR ?? path.join(root, "target"), "debug", "stdfund");

/** The portal's static server on a free port: `{origin, close}`. */
export async function staticServer() {
  const server = await startStaticServer(0);
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

/**
 * A real `stdfund serve` on a free port (it binds 127.0.0.1:0 and logs the
 * address), with a throwaway SQLite registry and grpc-web CORS for `origin`.
 */
export async function stdfundServe(origin) {
  const dir = mkdtempSync(path.join(tmpdir(), "stdfund-e2e-"));
  const child = spawn(stdfundBin, ["serve", "--listen", "127.0.0.1:0", "--metrics-listen", "off",
    "--database-url", `sqlite://${path.join(dir, "registry.sqlite")}`, "--cors-origin", origin,
    "--log-format", "json", "--log-level", "info", "--drain-seconds", "1"], { stdio: ["ignore", "pipe", "pipe"] });
  const log = [];
  const address = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stdfund serve did not start:\n${log.join("\n")}`)), 30_000);
    child.on("exit", (code) => reject(new Error(`stdfund serve exited with ${code}:\n${log.join("\n")}`)));
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on("line", (line) => {
        log.push(line);
        try {
          const entry = JSON.parse(line);
          if (entry.message === "stdfund serving") {
            clearTimeout(timer);
            resolve(entry.listen);
          }
        } catch { /* not JSON */ }
      });
    }
  });
  return {
    url: `http://${address}`,
    log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The native answer for an application: `stdfund estimate` (canonical JSON). */
export function nativeEstimate(application) {
  return new Promise((resolve, reject) => {
    const child = spawn(stdfundBin, ["estimate", "-"], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout.on("data", (d) => { out += d; });
    child.stderr.on("data", (d) => { err += d; });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`stdfund estimate failed (${code}): ${err}`))));
    child.stdin.end(JSON.stringify(application));
  });
}

/** Debian's Chromium, headless, with a fresh profile. */
export async function chromiumContext(viewport = { width: 1280, height: 900 }) {
  const profile = mkdtempSync(path.join(tmpdir(), "stdfund-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    viewport,
    locale: "zh-CN",
    args: ["--lang=zh-CN", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const problems = [];
  context.on("page", (page) => {
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => { if (m.type() === "error") problems.push(`console error: ${m.text()}`); });
  });
  return {
    context,
    problems,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
