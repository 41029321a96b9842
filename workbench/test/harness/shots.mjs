// Screenshots of the harness page (the app over the in-memory fake) at 1280
// and 768 px, for a person to look at: node test/harness/shots.mjs [role]
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launch, shotsDir } from "../browser.mjs";
import { serveDir } from "./serve.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = path.join(shotsDir(), "harness");
mkdirSync(dir, { recursive: true });
const role = process.argv[2] ?? "admin";
const server = await serveDir(path.join(here, "../../.build/harness"));
for (const width of [1280, 768]) {
  const b = await launch({ viewport: { width, height: 900 } });
  const page = await b.page();
  await page.goto(`${server.origin}/workbench/`);
  await page.screenshot({ path: path.join(dir, `${width}-signin.png`) });
  await page.getByLabel("访问令牌").fill(`tok-${role}`);
  await page.getByRole("button", { name: "登录" }).click();
  await page.locator("table.claims").waitFor();
  const pages = [["queue", "#/queue"], ["claim", "#/claims/3"], ["claim-submitted", "#/claims/1"], ["finance", "#/finance"], ["reports", "#/reports"], ["audit", "#/audit"], ["publications", "#/publications"]];
  for (const [name, hash] of pages) {
    await page.goto(`${server.origin}/workbench/${hash}`);
    await page.waitForTimeout(400);
    await page.screenshot({ path: path.join(dir, `${width}-${name}.png`), fullPage: true });
  }
  console.log(width, b.problems);
  await b.close();
}
await server.close();
console.log(`screenshots in ${dir}`);
