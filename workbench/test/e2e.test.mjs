// A reviewer's day, end to end, against the real binary: `stdfund serve`
// (target/debug/stdfund, or $STDFUND_BIN) on a free port with a tokens file,
// once on a temporary SQLite file and once on a throwaway PostgreSQL cluster,
// the workbench at /workbench/ in Debian's Chromium (playwright-core).
//
//  - 20 claims submitted over gRPC by the portal, some with attachments;
//  - finance sets the year's budget in the page;
//  - the reviewer filters and searches the queue, approves 10 in one batch
//    (the confirmation shows count, total, budget left before and after),
//    rejects 2 in a batch (keyboard only), returns 1, which the applicant
//    corrects and resubmits over gRPC and the reviewer then approves, and
//    approves the discretionary claim with an amount and a reason (a
//    misplaced thousands separator refused, the amount read shown first);
//  - finance pays 5 (a future payment date refused, by the page and by the
//    server) and downloads the payment list (XLSX, read back);
//  - a 公示 is created, issued (frozen), an objection recorded and resolved,
//    the XLSX downloaded and read back (rows and totals), the print page;
//  - the report charts render and the report XLSX has charts;
//  - the admin filters the audit log and verifies the hash chain;
//  - roles are enforced by the server (gRPC) and by the page;
//  - first render ≤ 1 s, compressed JS + CSS ≤ 300 KB as served, no page
//    scroll at 768 px, axe-core without serious or critical violations,
//    screenshots at 1280 and 768 px into $STDFUND_SCREENSHOTS or
//    /tmp/workbench-shots.
//
// When the server answers UNIMPLEMENTED to an RPC the page needs (a server
// older than this contract), the leg is skipped with "SKIPPED: server lacks
// RPC X" — except under CI=true, where nothing may skip. Without PostgreSQL
// binaries the PostgreSQL leg is skipped the same way (fails under CI).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { get } from "node:http";
import { gunzipSync } from "node:zlib";
import readXlsxFile from "read-excel-file/node";
import { unzipSync } from "fflate";
import { launch, shotsDir } from "./browser.mjs";
import { axeCheck, noHorizontalScroll, outsideTableBox } from "./checks.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const g = await import(path.join(here, "../.build/grpc-node.mjs"));
const BIN = process.env.STDFUND_BIN ?? path.join(process.env.CARGO_TARGET_DIR ?? path.join(root, "target"), "debug", "stdfund");
const CI = ["true", "1"].includes((process.env.CI ?? "").toLowerCase());

class Skip extends Error {}

function skipOrFail(t, message) {
  if (CI) throw new Error(`${message} (CI=true: nothing may skip)`);
  console.log(message);
  t.skip(message);
}

// --- processes -----------------------------------------------------------------

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

function pgBindir() {
  const has = (d) => ["initdb", "pg_ctl", "postgres"].every((b) => existsSync(path.join(d, b)));
  if (process.env.STDFUND_PG_BINDIR) return has(process.env.STDFUND_PG_BINDIR) ? process.env.STDFUND_PG_BINDIR : null;
  const r = spawnSync("pg_config", ["--bindir"], { encoding: "utf8" });
  if (r.status === 0 && has(r.stdout.trim())) return r.stdout.trim();
  if (!existsSync("/usr/lib/postgresql")) return null;
  const versions = readdirSync("/usr/lib/postgresql").filter((v) => /^\d+$/.test(v) && has(`/usr/lib/postgresql/${v}/bin`)).sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? `/usr/lib/postgresql/${versions[0]}/bin` : null;
}

/** A throwaway cluster as tests/python/pg_cluster.py starts one: initdb, pg_ctl on a free port, stopped and removed after. */
async function startPostgres(bindir) {
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(tmpdir(), "stdfund-wb-pg-"));
  if (asRoot) chownSync(dir, Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout.trim()), Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim()));
  const run = (bin, args) => {
    const cmd = asRoot ? ["runuser", "-u", "postgres", "--", path.join(bindir, bin), ...args] : [path.join(bindir, bin), ...args];
    return spawnSync(cmd[0], cmd.slice(1), { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  };
  const data = path.join(dir, "data");
  const init = run("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stdout}${init.stderr}`);
  let port = 0;
  for (let i = 0; i < 5 && port === 0; i++) {
    const p = await freePort();
    const r = run("pg_ctl", ["-D", data, "-o", `-p ${p} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`, "-l", path.join(dir, "server.log"), "-w", "-t", "30", "start"]);
    if (r.status === 0) port = p;
  }
  if (port === 0) throw new Error(`PostgreSQL did not start: ${existsSync(path.join(dir, "server.log")) ? readFileSync(path.join(dir, "server.log"), "utf8") : ""}`);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      run("pg_ctl", ["-D", data, "-m", "immediate", "stop"]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `stdfund serve` on a free port with a fresh tokens file; answers its URL, tokens and a stop function. */
async function startServer(databaseUrl, dir) {
  const tokens = Object.fromEntries(["portal", "reviewer", "finance", "admin"].map((r) => [r, `${r}-${randomBytes(12).toString("hex")}`]));
  const names = { portal: "portal-gateway", reviewer: "reviewer-wang", finance: "finance-li", admin: "admin-chen" };
  const toml = Object.entries(tokens).map(([role, tok]) =>
    `[[tokens]]\nname = "${names[role]}"\nrole = "${role}"\nsha256 = "${createHash("sha256").update(tok).digest("hex")}"\n`).join("\n");
  const tokensFile = path.join(dir, "tokens.toml");
  // Owner-only whatever the umask: the server refuses a tokens file writable by group or others.
  writeFileSync(tokensFile, toml, { mode: 0o600 });
  // The audit key, as a deployment gives it: every entry is sealed.
  const keyFile = path.join(dir, "audit.key");
  writeFileSync(keyFile, randomBytes(32).toString("hex"), { mode: 0o600 });
  const child = spawn(BIN, ["serve", "--listen", "127.0.0.1:0", "--metrics-listen", "off", "--database-url", databaseUrl,
    "--tokens-file", tokensFile, "--audit-key-file", keyFile, "--log-format", "json", "--log-level", "info", "--drain-seconds", "1"], { stdio: ["ignore", "pipe", "pipe"] });
  const log = [];
  const address = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stdfund serve did not start:\n${log.join("\n")}`)), 60_000);
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`stdfund serve exited with ${code}:\n${log.join("\n")}`)); });
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on("line", (line) => {
        log.push(line);
        try {
          const e = JSON.parse(line);
          if (e.message === "stdfund serving") { clearTimeout(timer); resolve(e.listen); }
        } catch { /* not JSON */ }
      });
    }
  });
  return {
    url: `http://${address}`, tokens, names, log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}

// --- the claims ----------------------------------------------------------------

const ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
function creditCode(run, n) {
  const base = `91350100M${String((run + n * 7919) % 1e8).padStart(8, "0")}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += ALPHABET.indexOf(base[i]) * WEIGHTS[i];
  return base + ALPHABET[(31 - (sum % 31)) % 31];
}

/** Twenty applications across items, districts and clauses; the 12th is discretionary (五(五)9). */
function applications(run) {
  const plan = [
    ["STANDARD_LEAD", "NATIONAL", "GB/T 3%03d-2019", "350102", {}],
    ["STANDARD_LEAD", "LOCAL", "DB35/T 3%03d-2019", "350103", {}],
    ["STANDARD_LEAD", "GROUP", "T/FJBZ 3%03d-2020", "350104", {}],
    ["STANDARD_LEAD", "INDUSTRY", "JB/T 3%03d-2019", "350105", {}],
    ["STANDARD_PARTICIPANT", "NATIONAL", "GB/T 3%03d-2020", "350111", {}],
    ["AWARD_FUJIAN", "PROJECT_SECOND", "DB35/T 3%03d-2017", "350112", { role: g.Role.LEAD }],
    ["TC_SECRETARIAT", "NATIONAL_TC_SC", "SAC/TC 3%03d", "350121", {}],
    ["DEMONSTRATION_PILOT", "MUNICIPAL", "榕标试点〔2019〕3%03d号", "350122", { accepted: true }],
    ["RESEARCH_PROJECT", "MUNICIPAL", "榕科标〔2019〕3%03d号", "350123", { accepted: true }],
    ["GOOD_BEHAVIOUR", "AAAA", "BZ-2019-3%03d", "350124", {}],
    ["GEOGRAPHICAL_INDICATION", "AGRICULTURAL_GI", "永泰芙蓉李3%03d", "350125", { approved: true }],
    ["OTHER_ACTIVITY", "WTO_TBT_WARNING", "福州TBT预警平台3%03d", "350181", {}],
    ["STANDARD_LEAD", "LOCAL", "DB35/T 3%03d-2020", "350102", {}],
    ["STANDARD_LEAD", "GROUP", "T/FZSP 3%03d-2020", "350103", {}],
    ["STANDARD_LEAD", "NATIONAL", "GB/T 3%03d-2020", "350104", {}],
    ["STANDARD_LEAD", "LOCAL", "DB35/T 3%03d-2019", "350181", {}],
    ["STANDARD_LEAD", "GROUP", "T/FJSP 3%03d-2019", "350100-GXQ", {}],
    ["STANDARD_PARTICIPANT", "INDUSTRY", "QB/T 3%03d-2019", "350121", {}],
    ["STANDARD_LEAD", "INDUSTRY", "SJ/T 3%03d-2020", "350111", {}],
    ["STANDARD_LEAD", "LOCAL", "DB35/T 3%03d-2018", "350105", {}],
  ];
  const units = ["福州闽江智能装备", "福建榕城食品", "福州海峡检测技术", "福建鼓山茶业", "福州马尾船舶工业", "福建长乐纺织科技", "闽侯青口汽车配件", "福建连江海洋渔业",
    "罗源湾钢铁", "闽清陶瓷", "永泰李果合作", "福清融侨新材料", "福州仓山软件科技", "福州台江商贸", "福州三坊七巷文旅", "福清核电配套",
    "福州高新光电研究", "闽侯上街智造", "晋安北峰茶业", "马尾琅岐生物"];
  return plan.map(([item, variant, subject, seat, extra], i) => {
    const code = creditCode(run, i + 1);
    const name = `${units[i]}${i === 1 ? "股份有限公司" : "有限公司"}`;
    return {
      code, name, seat, item,
      application: {
        applicant: { creditCode: code, name, seat },
        achievements: [{ id: "a1", item, variant, subject: subject.replace("%03d", String((run + i) % 1000).padStart(3, "0")), date: i % 2 === 0 ? "2019-06-18" : "2020-03-10", ...extra }],
      },
    };
  });
}

// Tiny but real files, recognised by their content.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk4GP4DwABhQEBnNBa9gAAAABJRU5ErkJggg==", "base64");
const PDF = Buffer.from("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");

/** Today in China Standard Time, and a day some days away. */
function chinaDate(offsetDays = 0) {
  const d = new Date(Date.now() + 8 * 3600_000 + offsetDays * 86400_000);
  return d.toISOString().slice(0, 10);
}

// The RPCs the page and this test use; an older server answers UNIMPLEMENTED.
async function probe(reg, auth) {
  const calls = {
    ListBudgets: () => reg.listBudgets({ year: 0 }, auth.admin),
    ReviewClaims: () => reg.reviewClaims({ claimIds: [], decision: g.ReviewDecision.APPROVE, dryRun: true }, auth.admin),
    WithdrawClaim: () => reg.withdrawClaim({ claimId: 0n }, auth.admin),
    ResubmitClaim: () => reg.resubmitClaim({ claimId: 0n }, auth.admin),
    AddAttachment: () => reg.addAttachment({ claimId: 0n }, auth.admin),
    ListAttachments: () => reg.listAttachments({ claimId: 0n }, auth.admin),
    GetAttachment: () => reg.getAttachment({ attachmentId: 0n }, auth.admin),
    ExportPayments: () => reg.exportPayments({ year: 0 }, auth.admin),
    ExportReport: () => reg.exportReport({ year: 0 }, auth.admin),
    CreatePublication: () => reg.createPublication({}, auth.admin),
    IssuePublication: () => reg.issuePublication({ publicationId: 0n }, auth.admin),
    GetPublication: () => reg.getPublication({ publicationId: 0n }, auth.admin),
    ListPublications: () => reg.listPublications({ year: 0 }, auth.admin),
    ExportPublication: () => reg.exportPublication({ publicationId: 0n }, auth.admin),
    RecordObjection: () => reg.recordObjection({}, auth.admin),
    ResolveObjection: () => reg.resolveObjection({ objectionId: 0n }, auth.admin),
    VerifyAuditLog: () => reg.verifyAuditLog({}, auth.admin),
  };
  const missing = [];
  for (const [name, call] of Object.entries(calls)) {
    try { await call(); } catch (e) { if (g.ConnectError.from(e).code === g.Code.Unimplemented) missing.push(name); }
  }
  return missing;
}

async function expectCode(promise, code, what) {
  try {
    await promise;
  } catch (e) {
    const err = g.ConnectError.from(e);
    assert.equal(g.Code[err.code], g.Code[code], `${what}: ${err.message}`);
    return g.problemOf(e);
  }
  assert.fail(`${what}: the call succeeded`);
}

/** Finds, in sheet rows, the row holding `needle` (a cell equal to it as text). */
function rowWith(rows, needle) {
  return rows.find((r) => r.some((c) => c !== null && String(c).trim() === needle));
}
const cellNumber = (c) => (typeof c === "number" ? c : Number(String(c).replace(/,/g, "")));

// --- the day ---------------------------------------------------------------------

async function reviewersDay(t, leg, databaseUrl) {
  const dir = mkdtempSync(path.join(tmpdir(), `stdfund-wb-e2e-${leg}-`));
  const shots = path.join(shotsDir(), `e2e-${leg}`);
  mkdirSync(shots, { recursive: true });
  const server = await startServer(databaseUrl, dir);
  let browser;
  try {
    const transport = g.createGrpcTransport({ baseUrl: server.url });
    const reg = g.createClient(g.RegistryService, transport);
    const auth = Object.fromEntries(Object.entries(server.tokens).map(([r, tok]) => [r, { headers: { authorization: `Bearer ${tok}` }, timeoutMs: 30_000 }]));

    // The page is served by the binary, same origin, with its headers.
    const index = await fetch(`${server.url}/workbench/`);
    assert.equal(index.status, 200, "the binary serves /workbench/ (web.rs wired into server.rs)");
    const csp = index.headers.get("content-security-policy") ?? "";
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /connect-src 'self'/);
    assert.equal(index.headers.get("x-content-type-options"), "nosniff");
    let served = 0;
    for (const asset of ["app.js", "app.css"]) {
      const plain = Buffer.from(await (await fetch(`${server.url}/workbench/${asset}`, { headers: { "accept-encoding": "identity" } })).arrayBuffer());
      const gz = await new Promise((resolve, reject) => {
        get(`${server.url}/workbench/${asset}`, { headers: { "accept-encoding": "gzip" } }, (res) => {
          const chunks = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => resolve({ encoding: res.headers["content-encoding"], bytes: Buffer.concat(chunks) }));
        }).on("error", reject);
      });
      assert.equal(gz.encoding, "gzip", `${asset} is sent compressed`);
      assert.deepEqual(gunzipSync(gz.bytes), plain);
      served += gz.bytes.length;
    }
    console.log(`[${leg}] page weight as served: ${(served / 1024).toFixed(1)} KiB (JS + CSS, gzip)`);
    assert.ok(served <= 300 * 1024, `page weight ${served} bytes`);

    const missing = await probe(reg, auth);
    if (missing.length > 0) throw new Skip(`SKIPPED: server lacks RPC ${missing.join(", ")}`);

    // Role enforcement by the server.
    await expectCode(reg.listClaims({}, { timeoutMs: 10_000 }), g.Code.Unauthenticated, "no token");
    const denied = await expectCode(reg.reviewClaims({ claimIds: [1n], decision: g.ReviewDecision.APPROVE, dryRun: true }, auth.portal), g.Code.PermissionDenied, "portal ReviewClaims");
    assert.equal(denied.metadata.role, "portal");
    await expectCode(reg.reviewClaim({ claimId: 1n, decision: g.ReviewDecision.APPROVE }, auth.finance), g.Code.PermissionDenied, "finance ReviewClaim");
    await expectCode(reg.setBudget({ year: 2030, total: "1.00" }, auth.reviewer), g.Code.PermissionDenied, "reviewer SetBudget");
    await expectCode(reg.listAuditLog({ pageSize: 1 }, auth.reviewer), g.Code.PermissionDenied, "reviewer ListAuditLog of everything");
    await expectCode(reg.createPublication({ title: "x", year: 2030, periodStart: chinaDate(), workingDays: 5, objectionContact: "x" }, auth.finance), g.Code.PermissionDenied, "finance CreatePublication");
    await expectCode(reg.verifyAuditLog({}, auth.finance), g.Code.PermissionDenied, "finance VerifyAuditLog");

    // 20 claims over gRPC, some with attachments.
    const year = Number(chinaDate().slice(0, 4));
    const run = Number.parseInt(randomBytes(3).toString("hex"), 16) % 1_000_000;
    const apps = applications(run);
    const claims = [];
    for (const [i, a] of apps.entries()) {
      const r = await reg.submitClaim({ idempotencyKey: `e2e-${run}-${i}`, application: a.application, year }, auth.portal);
      assert.ok(r.created, `claim ${i} created`);
      assert.equal(r.claim.status, g.ClaimStatus.SUBMITTED, `claim ${i}`);
      claims.push({ ...a, id: r.claim.claimId, estimated: r.claim.estimatedAmount, discretionary: r.claim.discretionary, fiscalUnit: r.claim.fiscalUnit, clause: r.claim.clause });
    }
    assert.equal(claims.filter((c) => c.discretionary).length, 1, "exactly the 12th is discretionary");
    for (const i of [0, 3, 7]) {
      const att = await reg.addAttachment({ claimId: claims[i].id, fileName: i === 3 ? "发布公告.pdf" : "标准文本首页.png", content: i === 3 ? PDF : PNG }, auth.portal);
      assert.equal(att.attachment.contentType, i === 3 ? "application/pdf" : "image/png");
      assert.equal(att.attachment.sha256, `sha256:${createHash("sha256").update(i === 3 ? PDF : PNG).digest("hex")}`);
    }
    await expectCode(reg.addAttachment({ claimId: claims[1].id, fileName: "说明.pdf", content: Buffer.from("not really a pdf") }, auth.portal), g.Code.InvalidArgument, "a file that is not PDF/JPEG/PNG by content");

    // The browser: first render, sign-in.
    browser = await launch({ viewport: { width: 1280, height: 900 } });
    const page = await browser.page();
    const t0 = Date.now();
    await page.goto(`${server.url}/workbench/`);
    await page.getByLabel("访问令牌").waitFor();
    const wall = Date.now() - t0;
    // Navigation start → the page's first render (performance mark), as the browser measures it.
    const firstRender = Math.round(await page.evaluate(() => performance.getEntriesByName("workbench-first-render")[0]?.startTime ?? Infinity));
    console.log(`[${leg}] first render: ${firstRender} ms after navigation start (${wall} ms including the test driver)`);
    assert.ok(firstRender <= 1000, `first render ${firstRender} ms`);
    await page.screenshot({ path: path.join(shots, "1280-signin.png") });

    const signIn = async (role) => {
      await page.goto(`${server.url}/workbench/`);
      if (await page.locator(".role-chip").count() > 0) await page.getByRole("button", { name: "退出登录" }).click();
      await page.getByLabel("访问令牌").fill(server.tokens[role]);
      await page.getByRole("button", { name: "登录" }).click();
      await page.locator(".role-chip").waitFor();
    };
    // Opens an address as a person typing it would: a fresh document, so that
    // nothing the previous address showed (a queue, another claim) is still
    // on screen when the next step reads the page. (A goto that changes only
    // the hash is a same-document navigation: it returns before the page has
    // even seen the new route.)
    const go = async (hash) => {
      await page.goto("about:blank");
      await page.goto(`${server.url}/workbench/${hash}`);
      await page.locator("main h1").first().waitFor();
    };
    const toast = (text) => page.locator(".toast").filter({ hasText: text }).waitFor();

    // A portal token gets no workbench.
    await page.getByLabel("访问令牌").fill(server.tokens.portal);
    await page.getByRole("button", { name: "登录" }).click();
    await page.getByText("该令牌属于门户角色").waitFor();

    // Finance sets the year's municipal budget.
    await signIn("finance");
    assert.deepEqual(await page.locator("nav.main-nav a").allTextContents(), ["申报查询", "财务", "公示", "报表"]);
    await go(`#/finance?year=${year}`);
    await page.getByRole("button", { name: "设置预算" }).click();
    await page.getByRole("dialog").getByLabel("预算总额（元）").fill("3,000,000");
    await page.getByRole("dialog").getByRole("button", { name: "保存" }).click();
    await toast("3,000,000.00");
    await page.locator("table.budgets tr[data-payer=CITY]").waitFor();
    assert.match(await page.locator("table.budgets tr[data-payer=CITY]").textContent(), /3,000,000\.00/);

    // The reviewer's queue: counts, filters, search, sort.
    await signIn("reviewer");
    assert.deepEqual(await page.locator("nav.main-nav a").allTextContents(), ["审核队列", "公示", "报表"]);
    // The header names who is signed in (GetCaller), as claims and the audit log record them.
    assert.equal(await page.getByTestId("caller").textContent(), `当前登录：${server.names.reviewer}（审核）`);
    await go(`#/queue?year=${year}`);
    await page.locator("table.claims tbody tr").first().waitFor();
    const tab = (name) => page.locator(".status-tabs a").filter({ hasText: name }).locator(".count");
    assert.equal(await tab("待审核").textContent(), "20");
    assert.match(await page.locator(".result-count").textContent(), /共 20 条/);
    const district = claims[0].fiscalUnit;
    const inDistrict = claims.filter((c) => c.fiscalUnit === district).length;
    await page.getByLabel("所在区县").selectOption(district);
    await page.getByRole("button", { name: "查询" }).click();
    await page.waitForFunction((d) => location.hash.includes(`unit=${d}`), district);
    await page.locator(".result-count").filter({ hasText: `共 ${inDistrict} 条` }).waitFor();
    await page.getByRole("button", { name: "重置" }).click();
    // The reset reloads the queue: type once it is back (all claims shown).
    await page.waitForFunction(() => !location.hash.includes("unit="));
    await page.locator(".result-count").filter({ hasText: "共 20 条" }).waitFor();
    await page.getByLabel("单位名称或信用代码").fill("榕城食品");
    await page.getByRole("button", { name: "查询" }).click();
    await page.locator(".result-count").filter({ hasText: "共 1 条" }).waitFor();
    assert.equal(await page.locator("table.claims tbody tr").getAttribute("data-claim-id"), String(claims[1].id));
    await go(`#/queue?q=${claims[5].code.slice(0, 14)}`);
    await page.locator(`table.claims tr[data-claim-id="${claims[5].id}"]`).waitFor();
    await go(`#/queue?item=STANDARD_LEAD&year=${year}`);
    await page.locator(".result-count").filter({ hasText: `共 ${claims.filter((c) => c.item === "STANDARD_LEAD").length} 条` }).waitFor();
    await go(`#/queue?year=${year}&min=100000&max=200000`);
    const inRange = claims.filter((c) => !c.discretionary && g.compareYuan(c.estimated, "100000") >= 0 && g.compareYuan(c.estimated, "200000") <= 0).length;
    await page.locator(".result-count").filter({ hasText: `共 ${inRange} 条` }).waitFor();
    await go(`#/queue?year=${year}&sort=2&status=1`);
    await page.locator("table.claims tbody tr").first().waitFor();
    const shown = await page.locator("table.claims td.num .money").evaluateAll((els) => els.map((e) => e.getAttribute("data-yuan")));
    for (let i = 1; i < shown.length; i++) assert.ok(g.compareYuan(shown[i - 1], shown[i]) >= 0, "largest amount first");
    await page.screenshot({ path: path.join(shots, "1280-queue.png"), fullPage: true });

    // Batch approval of 10: the confirmation shows count, total, budget before and after.
    const batch = claims.slice(0, 10);
    const total = g.sumYuan(batch.map((c) => c.estimated));
    await go(`#/queue?year=${year}&status=1&size=50`);
    for (const c of batch) await page.getByLabel(`选择申报 ${c.id}`, { exact: true }).check();
    await page.getByRole("button", { name: "批量核准" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByTestId("batch-count").waitFor();
    assert.equal(await dialog.getByTestId("batch-count").textContent(), "10");
    assert.equal(await dialog.getByTestId("batch-total").locator(".money").getAttribute("data-yuan"), total);
    assert.equal(await dialog.getByTestId("budget-before").locator(".money").getAttribute("data-yuan"), "3000000.00");
    assert.equal(await dialog.getByTestId("budget-after").locator(".money").getAttribute("data-yuan"), g.fenToYuan(g.toFen("3000000.00") - g.toFen(total)));
    await page.screenshot({ path: path.join(shots, "1280-batch-confirm.png") });
    await dialog.getByRole("button", { name: "确认核准 10 件" }).click();
    await toast("已核准 10 件");
    for (const c of batch) assert.equal((await reg.getClaim({ claimId: c.id }, auth.reviewer)).claim.status, g.ClaimStatus.APPROVED);

    // Batch rejection of 2, keyboard only.
    const rejects = claims.slice(12, 14);
    await go(`#/queue?year=${year}&status=1&size=50`);
    await page.locator("table.claims tbody tr").first().waitFor();
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.textContent?.trim() ?? "");
    await page.locator("#page-title").focus();
    for (const c of rejects) {
      let guard = 0;
      while ((await focused()) !== `选择申报 ${c.id}` && guard++ < 200) await page.keyboard.press("Tab");
      await page.keyboard.press("Space");
    }
    let guard = 0;
    while ((await focused()) !== "批量驳回" && guard++ < 200) await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Enter");
    // Type once the dialog is open with its reason field focused (the page
    // places focus there as it opens the dialog).
    await page.waitForFunction(() => document.activeElement?.tagName === "TEXTAREA" && document.querySelector("dialog[open]")?.contains(document.activeElement) === true);
    await page.keyboard.type("标准发布日期早于政策施行日，不予资助");
    await dialog.getByTestId("batch-count").filter({ hasText: "2" }).waitFor();
    guard = 0;
    while (!(await focused()).startsWith("确认驳回") && guard++ < 20) await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await toast("已驳回 2 件");
    for (const c of rejects) assert.equal((await reg.getClaim({ claimId: c.id }, auth.reviewer)).claim.status, g.ClaimStatus.REJECTED);

    // Return one for correction; the applicant corrects and resubmits the same claim.
    const returned = claims[14];
    await go(`#/claims/${returned.id}`);
    await page.getByRole("button", { name: "退回补正" }).click();
    await dialog.getByRole("button", { name: "退回补正" }).click();
    await dialog.getByText("请填写理由。").waitFor();
    await dialog.getByLabel("理由").fill("请补充标准文本首页及发布公告扫描件");
    await dialog.getByRole("button", { name: "退回补正" }).click();
    await toast(`申报 ${returned.id} 已退回补正`);
    await page.locator(".badge").filter({ hasText: "退回补正" }).first().waitFor();
    const corrected = structuredClone(returned.application);
    corrected.achievements[0].date = "2020-05-20";
    const resubmitted = await reg.resubmitClaim({ claimId: returned.id, application: corrected }, auth.portal);
    assert.equal(resubmitted.claim.status, g.ClaimStatus.SUBMITTED);
    assert.equal(resubmitted.claim.claimId, returned.id, "the same claim");
    assert.equal(resubmitted.claim.resubmissions, 1);
    await reg.addAttachment({ claimId: returned.id, fileName: "补正材料.png", content: PNG }, auth.portal);
    await go(`#/claims/${returned.id}`);
    const history = page.getByTestId("history");
    await history.waitFor();
    for (const action of ["提交", "退回补正", "重新提交", "上传材料"]) await history.getByText(action, { exact: true }).first().waitFor();
    await page.getByRole("button", { name: "核准", exact: true }).click();
    // The amount to be frozen and each budget before and after, as a batch
    // of one shows them.
    await dialog.getByTestId("approve-amount").waitFor();
    assert.equal(await dialog.getByTestId("approve-amount").locator(".money").getAttribute("data-yuan"), resubmitted.claim.estimatedAmount);
    assert.match(await dialog.locator("table.budgets-preview tbody th").first().textContent(), /^\d{4} 年度市级预算/);
    await dialog.getByRole("button", { name: "核准", exact: true }).click();
    await toast(`申报 ${returned.id} 已核准`);

    // Returned by another official and resubmitted while the reviewer has it
    // open: the reviewer's rejection is refused (CLAIM_CHANGED), nothing
    // changes, and closing the dialog shows the claim as it now stands.
    const stale = claims[15];
    await go(`#/claims/${stale.id}`);
    await page.getByRole("button", { name: "驳回", exact: true }).click();
    await dialog.getByLabel("理由").fill("材料不全，不予资助");
    await reg.reviewClaim({ claimId: stale.id, decision: g.ReviewDecision.RETURN, reason: "请核对成果日期" }, auth.admin);
    await reg.resubmitClaim({ claimId: stale.id, application: stale.application }, auth.portal);
    await dialog.getByRole("button", { name: "驳回", exact: true }).click();
    await dialog.getByText(`申报${stale.id}在审核期间已被补正后重新提交`, { exact: false }).waitFor();
    await page.screenshot({ path: path.join(shots, "1280-claim-changed.png") });
    const staleNow = (await reg.getClaim({ claimId: stale.id }, auth.reviewer)).claim;
    assert.equal(staleNow.status, g.ClaimStatus.SUBMITTED, "the stale rejection changed nothing");
    assert.equal(staleNow.resubmissions, 1);
    await dialog.getByRole("button", { name: "取消" }).click();
    await page.getByTestId("history").getByText("重新提交", { exact: true }).first().waitFor();

    // The discretionary claim: amount and reason required.
    const disc = claims.find((c) => c.discretionary);
    await page.waitForTimeout(1100);
    await go(`#/claims/${disc.id}`);
    await page.getByText("酌定项目：金额由评审核定").first().waitFor();
    // The notice of the claim just approved stays on its page.
    assert.equal(await page.locator(".toast").filter({ hasText: `申报 ${returned.id} 已核准` }).count(), 0);
    await page.getByRole("button", { name: "核准", exact: true }).click();
    await dialog.getByRole("button", { name: "核准", exact: true }).click();
    await dialog.getByText("酌定项目须填写核定金额。").waitFor();
    // A typo in the grouping is refused, never read as some other amount.
    const amount = dialog.getByLabel("评审核定金额（元）");
    await amount.fill("8,0000");
    await dialog.getByLabel("理由").fill("预警平台年度通报 12 期，成效显著，按评审意见核定");
    await dialog.getByRole("button", { name: "核准", exact: true }).click();
    await dialog.getByText("千位分隔符的位置不对：逗号应每三位一个，例如 100,000。").waitFor();
    assert.equal((await reg.getClaim({ claimId: disc.id }, auth.reviewer)).claim.review?.approvedAmount ?? "", "");
    // The amount read is shown beside the field before it is sent.
    await amount.fill("８０，０００");
    await dialog.getByText("= 80,000.00 元（8 万元）").waitFor();
    await dialog.getByRole("button", { name: "核准", exact: true }).click();
    await toast(`申报 ${disc.id} 已核准`);
    assert.equal((await reg.getClaim({ claimId: disc.id }, auth.reviewer)).claim.review.approvedAmount, "80000.00");
    // Approved, its page says the amount set, without the estimate's zeros.
    await page.getByTestId("discretionary-note").filter({ hasText: "核准 80,000.00" }).waitFor();
    assert.equal(await page.getByTestId("top-up").count(), 0, "no top-up arithmetic for a discretionary line");

    // The claim page: applicant, explanation with clause, split 暂定, one-time key, subject as typed, attachments.
    const first = claims[0];
    await go(`#/claims/${first.id}`);
    const full = (await reg.getClaim({ claimId: first.id }, auth.reviewer)).claim;
    assert.equal(await page.getByTestId("one-time-key").textContent(), full.oneTimeKey);
    assert.equal(await page.getByTestId("subject").textContent(), full.subject);
    if (full.subjectAsGiven !== "") assert.equal(await page.getByTestId("subject-as-given").textContent(), full.subjectAsGiven);
    assert.match(await page.getByTestId("explanation").textContent(), new RegExp(full.clause.replace(/[()]/g, "\\$&")));
    if (full.review?.approvedSplit?.shareTables.some((s) => s.provisional)) await page.locator(".st-provisional").first().waitFor();
    const [pngDownload] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "下载 标准文本首页.png" }).click()]);
    assert.deepEqual(readFileSync(await pngDownload.path()), PNG);
    await page.getByRole("button", { name: "查看 标准文本首页.png" }).click();
    await dialog.getByRole("img", { name: "标准文本首页.png" }).waitFor();
    await page.keyboard.press("Escape");
    await page.screenshot({ path: path.join(shots, "1280-claim.png"), fullPage: true });
    // A reviewer sees the claim's history (ListAuditLog of one claim) but has no payment button.
    assert.equal(await page.getByRole("button", { name: "登记拨付" }).count(), 0);

    // Finance pays 5: a future date is refused (by the page, and by the server), the list exported.
    await signIn("finance");
    await go(`#/finance?year=${year}`);
    const toPay = batch.slice(0, 5);
    for (const [i, c] of toPay.entries()) {
      await page.getByRole("button", { name: `登记拨付 ${c.id}`, exact: true }).click();
      await dialog.getByLabel("凭证号").fill(`FZCZ-${year}-${run}-${i}`);
      if (i === 0) {
        await dialog.getByLabel("支付日期").fill(chinaDate(3));
        await dialog.getByRole("button", { name: "登记拨付" }).click();
        await dialog.getByText("支付日期不能晚于今天。").waitFor();
        await dialog.getByLabel("支付日期").fill(chinaDate());
      }
      await dialog.getByRole("button", { name: "登记拨付" }).click();
      await toast(`申报 ${c.id} 已登记拨付`);
      // Paid in full, the claim leaves the list; wait for the list to settle.
      await page.locator(`table.awaiting tr[data-claim-id="${c.id}"]`).waitFor({ state: "detached" });
    }
    const future = await reg.recordDisbursement({ claimId: batch[5].id, paymentDate: chinaDate(3), voucherNumber: `FZCZ-future-${run}` }, auth.finance)
      .then(() => null, (e) => g.ConnectError.from(e));
    assert.ok(future !== null, "the server refuses a payment dated in the future");
    assert.ok([g.Code.InvalidArgument, g.Code.FailedPrecondition].includes(future.code), future.message);
    assert.equal((await reg.getClaim({ claimId: batch[5].id }, auth.finance)).claim.status, g.ClaimStatus.APPROVED, "the future-dated payment was not recorded");
    for (const c of toPay) assert.equal((await reg.getClaim({ claimId: c.id }, auth.finance)).claim.status, g.ClaimStatus.DISBURSED);
    // Part of a claim paid: on a phone the list says what is paid beside the amount.
    await reg.recordDisbursement({ claimId: batch[8].id, paymentDate: chinaDate(), voucherNumber: `FZCZ-part-${run}`, amount: "1000.00" }, auth.finance);
    await page.setViewportSize({ width: 375, height: 800 });
    await page.reload();
    await page.locator(`table.awaiting tr[data-claim-id="${batch[8].id}"]`).getByTestId("paid-narrow").filter({ hasText: "1,000.00" }).waitFor();
    await page.screenshot({ path: path.join(shots, "375-finance.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.reload();
    await page.locator("table.awaiting").waitFor();
    await page.getByLabel("文件格式").selectOption({ label: "XLSX" });
    const [payments] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "下载" }).click()]);
    assert.match(payments.suggestedFilename(), /\.xlsx$/);
    const paySheets = await readXlsxFile(await payments.path());
    const payRows = paySheets[0].data;
    for (const c of toPay) assert.ok(rowWith(payRows, String(c.id)) ?? rowWith(payRows, c.name), `payment of claim ${c.id} in the list`);
    await page.screenshot({ path: path.join(shots, "1280-finance.png"), fullPage: true });

    // 公示: create, issue (frozen), objection recorded and resolved, XLSX read back, print page.
    await signIn("reviewer");
    await go("#/publications");
    await page.getByRole("button", { name: "新建公示" }).click();
    await dialog.getByLabel("公示标题").fill(`${year}年度标准化资助资金拟资助名单公示`);
    await dialog.getByLabel("预算年度").fill(String(year));
    await dialog.getByLabel("公示期开始").fill(chinaDate());
    await dialog.getByLabel("公示期（工作日）").fill("5");
    await dialog.getByLabel("异议受理联系方式").fill("福州市市场监督管理局标准化处 0591-87654321");
    await dialog.getByRole("button", { name: "新建公示" }).click();
    await page.getByTestId("publication-entries").waitFor();
    const approvedIds = [...batch, returned, disc].map((c) => String(c.id)).sort();
    const listed = (await page.locator("[data-testid=publication-entries] tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-claim-id")))).sort();
    assert.deepEqual(listed, approvedIds);
    const pubId = BigInt(new URL(page.url()).hash.split("/")[2]);
    const draft = (await reg.getPublication({ publicationId: pubId }, auth.reviewer)).publication;
    assert.equal(draft.count, 12);
    assert.equal(await page.getByTestId("totals-row").locator(".money").getAttribute("data-yuan"), draft.total);
    await page.getByRole("button", { name: "发布公示" }).click();
    await dialog.getByRole("button", { name: "发布公示" }).click();
    await toast(`公示 ${pubId} 已发布`);
    await page.getByText("已发布，名单已冻结。").waitFor();
    await page.getByRole("button", { name: "登记异议" }).click();
    assert.equal(await dialog.getByLabel("异议涉及的申报").inputValue(), "", "no claim chosen for the official");
    await dialog.getByLabel("异议涉及的申报").selectOption(String(disc.id));
    await dialog.getByLabel("异议人").fill("张先生");
    await dialog.getByLabel("异议内容").fill("该平台建设资金已由区级财政全额保障，请核实是否重复资助。");
    await dialog.getByRole("button", { name: "登记异议" }).click();
    await page.locator("table.objections tbody tr").waitFor();
    await page.getByRole("button", { name: /^处理 / }).click();
    // The dialog says which claim, from whom and when.
    const context = await dialog.getByTestId("objection-context").innerText();
    for (const part of [`申报 ${disc.id}`, "张先生", chinaDate(), "该平台建设资金已由区级财政全额保障"]) assert.ok(context.includes(part), `${part} in ${context}`);
    // No outcome is chosen for the reviewer: without one nothing is sent.
    assert.equal(await dialog.getByLabel("异议不成立").isChecked(), false);
    assert.equal(await dialog.getByLabel("异议成立", { exact: true }).isChecked(), false);
    await dialog.getByLabel("处理意见").fill("经核实，区级资金用于平台运维，与本项资助用途不同，异议不成立。");
    await dialog.getByRole("button", { name: "处理" }).click();
    await dialog.getByTestId("outcome-error").waitFor();
    assert.equal((await reg.getPublication({ publicationId: pubId }, auth.reviewer)).publication.objections[0].outcome, g.ObjectionOutcome.UNSPECIFIED);
    await dialog.getByLabel("异议不成立").check();
    await dialog.getByRole("button", { name: "处理" }).click();
    // The reviewer approved this claim, so does not dismiss an objection
    // against it (不相容职务分离): the dialog says so, and the admin does.
    await dialog.getByText("不相容职务分离").first().waitFor();
    await page.screenshot({ path: path.join(shots, "1280-objection-refused.png") });
    await page.setViewportSize({ width: 375, height: 800 });
    assert.ok(await noHorizontalScroll(page), "the refused dismissal scrolls sideways at 375 px");
    await page.screenshot({ path: path.join(shots, "375-objection-refused.png") });
    await page.setViewportSize({ width: 1280, height: 900 });
    assert.equal((await reg.getPublication({ publicationId: pubId }, auth.reviewer)).publication.objections[0].outcome, g.ObjectionOutcome.UNSPECIFIED);
    await signIn("admin");
    await go(`#/publications/${pubId}`);
    await page.locator("table.objections tbody tr").waitFor();
    await page.getByRole("button", { name: /^处理 / }).click();
    await dialog.getByLabel("处理意见").fill("经核实，区级资金用于平台运维，与本项资助用途不同，异议不成立。");
    await dialog.getByLabel("异议不成立").check();
    await dialog.getByRole("button", { name: "处理" }).click();
    await page.locator("table.objections").getByText("异议不成立", { exact: true }).waitFor();
    const issued = (await reg.getPublication({ publicationId: pubId }, auth.reviewer)).publication;
    assert.equal(issued.status, g.PublicationStatus.ISSUED);
    assert.equal(issued.objections.length, 1);
    assert.equal(issued.objections[0].outcome, g.ObjectionOutcome.DISMISSED);
    await expectCode(reg.issuePublication({ publicationId: pubId }, auth.reviewer), g.Code.FailedPrecondition, "issuing twice");
    const [pubXlsx] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "下载 XLSX" }).click()]);
    const pubRows = (await readXlsxFile(await pubXlsx.path()))[0].data;
    for (const e of issued.entries) {
      const row = rowWith(pubRows, e.unitName);
      assert.ok(row, `${e.unitName} in the XLSX`);
      assert.ok(row.some((c) => c !== null && Math.abs(cellNumber(c) - Number(e.amount)) < 0.005), `amount of ${e.claimId}`);
    }
    const totals = pubRows.find((r) => r.some((c) => c !== null && String(c).includes("合计")));
    assert.ok(totals, "a totals row");
    assert.ok(totals.some((c) => c !== null && Math.abs(cellNumber(c) - Number(issued.total)) < 0.005), `total ${issued.total} in ${JSON.stringify(totals)}`);
    await page.screenshot({ path: path.join(shots, "1280-publication.png"), fullPage: true });
    await page.getByRole("link", { name: "打印版" }).click();
    await page.locator("article.notice h1").waitFor();
    await page.emulateMedia({ media: "print" });
    assert.equal(await page.locator(".print-toolbar").isVisible(), false, "the toolbar is not printed");
    await page.screenshot({ path: path.join(shots, "1280-print.png"), fullPage: true });
    await page.emulateMedia({ media: "screen" });

    // Reports: the charts render; the XLSX has charts.
    await go(`#/reports?year=${year}`);
    for (const id of ["chart-district", "chart-item", "chart-year", "chart-targets"]) {
      const canvas = page.getByTestId(id);
      await canvas.waitFor();
      const painted = await canvas.evaluate((c) => {
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n;
      });
      assert.ok(painted > 1000, `${id} painted ${painted} pixels`);
    }
    assert.match(await page.getByTestId("report-total").textContent(), /20/);
    // The years offered are those with claims (here this year only), not
    // the five before it.
    await page.waitForFunction(() => document.querySelectorAll("select[name=year] option").length > 1);
    assert.deepEqual(await page.locator("select[name=year] option").allTextContents(), ["全部年度", String(year)]);
    // Printed for a leader: a title naming the year and the day, no controls.
    await page.emulateMedia({ media: "print" });
    assert.match(await page.getByTestId("print-title").innerText(), new RegExp(`${year}年度（截至 ${chinaDate()}）`));
    assert.equal(await page.getByRole("button", { name: "下载报表 XLSX" }).isVisible(), false, "no button on paper");
    assert.equal(await page.getByLabel("预算年度").isVisible(), false, "no select on paper");
    await page.screenshot({ path: path.join(shots, "1280-reports-print.png"), fullPage: true });
    await page.emulateMedia({ media: "screen" });
    assert.equal(await page.getByTestId("print-title").isVisible(), false, "the print title is for paper");
    const [report] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "下载报表 XLSX" }).click()]);
    const reportBytes = readFileSync(await report.path());
    const parts = Object.keys(unzipSync(reportBytes));
    assert.ok(parts.some((p) => /^xl\/charts\/chart\d+\.xml$/.test(p)), `charts in the report workbook: ${parts.join(" ")}`);
    assert.ok((await readXlsxFile(reportBytes)).length >= 3, "sheets by district, item, year (and targets)");
    await page.screenshot({ path: path.join(shots, "1280-reports.png"), fullPage: true });

    // The admin: audit log with filters, the hash chain.
    await signIn("admin");
    await go(`#/audit?action=${g.AuditAction.APPROVE}`);
    await page.locator("table.audit tbody tr").first().waitFor();
    const approvals = await page.locator("table.audit tbody tr").count();
    assert.ok(approvals >= 12, `${approvals} approvals listed`);
    await go(`#/audit?claim=${returned.id}`);
    await page.locator("table.audit tbody tr").first().waitFor();
    const actions = await page.locator("table.audit tbody tr td:nth-child(4)").allTextContents();
    for (const a of ["提交", "退回补正", "重新提交", "核准"]) assert.ok(actions.includes(a), `${a} in ${actions}`);
    await page.getByRole("button", { name: "校验哈希链" }).click();
    await page.getByTestId("verify-result").filter({ hasText: "哈希链完整" }).waitFor();
    await page.getByTestId("verify-result").filter({ hasText: "申报记录与日志一致" }).waitFor();
    await page.getByTestId("verify-result").filter({ hasText: "预算记录与日志一致" }).waitFor();
    await page.getByTestId("verify-result").filter({ hasText: "公示、异议和材料与日志一致" }).waitFor();
    await page.getByTestId("verify-seals").filter({ hasText: "封签有效：自第 1 条起每条记录都由审计密钥 k-" }).waitFor();
    await page.screenshot({ path: path.join(shots, "1280-audit.png"), fullPage: true });

    // An objection upheld against an approved, unpaid claim: it cannot be
    // paid, the claim page says why, and the approval is revoked from it.
    const objected = batch[5];
    const recorded = (await reg.recordObjection({ publicationId: pubId, claimId: objected.id, receivedOn: chinaDate(),
      objector: "李女士", contact: "138-0000-0000", content: "第一起草单位另有其人。" }, auth.admin)).objection;
    await reg.resolveObjection({ objectionId: recorded.objectionId, outcome: g.ObjectionOutcome.UPHELD, resolution: "经核查异议成立，拟撤销资助。" }, auth.admin);
    await expectCode(reg.recordDisbursement({ claimId: objected.id, paymentDate: chinaDate(), voucherNumber: "V-OBJ-1" }, auth.finance),
      g.Code.FailedPrecondition, "paying a claim an objection was upheld against");
    await go(`#/claims/${objected.id}`);
    await page.getByRole("alert").filter({ hasText: `异议 ${recorded.objectionId} 成立：不能拨付` }).waitFor();
    assert.equal(await page.getByRole("button", { name: "登记拨付" }).count(), 0, "no payment button while the objection stands");
    await page.locator("table.objections").getByText("异议成立", { exact: true }).waitFor();
    await page.screenshot({ path: path.join(shots, "1280-claim-objection-upheld.png"), fullPage: true });
    // The finance list says it before the form: the objection upheld, no payment button.
    await go(`#/finance?year=${year}`);
    const blockedRow = page.locator(`table.awaiting tr[data-claim-id="${objected.id}"]`);
    await blockedRow.getByTestId("notice-state").getByText("异议成立").waitFor();
    await blockedRow.getByTestId("pay-blocked").waitFor();
    assert.equal(await blockedRow.getByRole("button", { name: /登记拨付/ }).count(), 0);
    // A claim still in its notice period may be paid, but the dialog says so first.
    const running = page.locator(`table.awaiting tr[data-claim-id="${batch[6].id}"]`);
    await running.getByRole("button", { name: `登记拨付 ${batch[6].id}`, exact: true }).click();
    await dialog.getByTestId("notice-running").filter({ hasText: "公示期至" }).waitFor();
    await dialog.getByRole("button", { name: "取消" }).click();
    await dialog.waitFor({ state: "detached" });
    await go(`#/claims/${objected.id}`);
    // On a phone: the notice and the revoke button first, no sideways scroll, no codes.
    await page.setViewportSize({ width: 375, height: 800 });
    await page.waitForTimeout(200);
    assert.ok(await noHorizontalScroll(page), "the claim with an upheld objection scrolls sideways at 375 px");
    const phoneText = await page.locator("main, body").first().innerText();
    assert.doesNotMatch(phoneText, /OBJECTION_|UPHELD|ObjectionOutcome/, "an internal code on the claim page");
    await page.screenshot({ path: path.join(shots, "375-claim-objection-upheld.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole("button", { name: "撤销核准（驳回）" }).click();
    await dialog.getByLabel("理由").fill("公示期内异议成立，撤销核准。");
    await dialog.getByRole("button", { name: "驳回" }).click();
    await page.locator(".badge").filter({ hasText: "已驳回" }).first().waitFor();
    assert.equal((await reg.getClaim({ claimId: objected.id }, auth.finance)).claim.status, g.ClaimStatus.REJECTED);
    // The same application filed again comes with how it fared before.
    const refiled = await reg.submitClaim({ idempotencyKey: `e2e-${run}-refiled`, application: objected.application, year }, auth.portal);
    await go(`#/claims/${refiled.claim.claimId}`);
    const ended = page.getByTestId("ended-claims");
    await ended.getByText("公示异议成立 1 件").waitFor();
    await ended.getByText("理由：公示期内异议成立，撤销核准。").waitFor();
    await ended.getByRole("link", { name: `申报 ${objected.id}` }).waitFor();
    await page.screenshot({ path: path.join(shots, "1280-claim-ended.png"), fullPage: true });
    await page.setViewportSize({ width: 375, height: 800 });
    await page.waitForTimeout(200);
    assert.ok(await noHorizontalScroll(page), "the refiled claim scrolls sideways at 375 px");
    await page.screenshot({ path: path.join(shots, "375-claim-ended.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    // The same unit files another standard under 市本级: the reviewer reads
    // where else it filed (a unit has one fiscal relationship).
    const moved = structuredClone(objected.application);
    moved.applicant.seat = "350100";
    moved.achievements = [{ id: "a1", item: "STANDARD_LEAD", variant: "NATIONAL", subject: `GB/T 7${String(run % 1000).padStart(3, "0")}1-2021`, date: "2021-04-01" }];
    const movedClaim = (await reg.submitClaim({ idempotencyKey: `e2e-${run}-moved`, application: moved, year }, auth.portal)).claim;
    await go(`#/claims/${movedClaim.claimId}`);
    const units = page.getByTestId("other-fiscal-units");
    await units.getByText(/本申报为市本级/).waitFor();
    await units.getByRole("link", { name: `申报 ${refiled.claim.claimId}` }).waitFor();
    await units.getByRole("link", { name: `申报 ${objected.id}` }).waitFor();
    assert.match(await units.innerText(), new RegExp(`（${objected.seat}）`), "the other seat's code beside its name");
    await page.screenshot({ path: path.join(shots, "1280-claim-other-units.png"), fullPage: true });

    // 768 px and axe-core on the main pages, as the admin.
    for (const width of [1280, 768, 375]) {
      await page.setViewportSize({ width, height: 900 });
      for (const [name, hash] of [["queue", `#/queue?year=${year}`], ["claim", `#/claims/${returned.id}`], ["finance", `#/finance?year=${year}`],
        ["publication", `#/publications/${pubId}`], ["reports", `#/reports?year=${year}`], ["audit", "#/audit"]]) {
        await go(hash);
        await page.waitForTimeout(200);
        assert.ok(await noHorizontalScroll(page), `${name} at ${width} px scrolls sideways`);
        const v = await axeCheck(page);
        assert.deepEqual(v, [], `${name} at ${width}: ${JSON.stringify(v)}`);
        if (width !== 1280) await page.screenshot({ path: path.join(shots, `${width}-${name}.png`), fullPage: true });
        // On a phone each line's amount is on the first screen.
        if (width === 375 && name === "publication") assert.deepEqual(await outsideTableBox(page.locator("table.entries"), "td.num > .money", 1), []);
      }
    }
    assert.deepEqual(browser.problems, [], "no page errors, console errors or CSP violations");
  } catch (e) {
    // What the page showed when a step failed.
    const page = browser?.context.pages()[0];
    if (page !== undefined && !(e instanceof Skip)) await page.screenshot({ path: path.join(shots, "failure.png"), fullPage: true }).catch(() => {});
    throw e;
  } finally {
    await browser?.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function leg(t, name, databaseUrl) {
  try {
    await reviewersDay(t, name, databaseUrl);
  } catch (e) {
    if (e instanceof Skip) skipOrFail(t, `[${name}] ${e.message}`);
    else throw e;
  }
}

test("a reviewer's day on SQLite", { timeout: 600_000 }, async (t) => {
  if (!existsSync(BIN)) throw new Error(`no binary at ${BIN}: cargo build -p stdfund-server --bin stdfund`);
  const dir = mkdtempSync(path.join(tmpdir(), "stdfund-wb-sqlite-"));
  try {
    await leg(t, "sqlite", `sqlite://${path.join(dir, "registry.sqlite")}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a reviewer's day on PostgreSQL", { timeout: 600_000 }, async (t) => {
  if (!existsSync(BIN)) throw new Error(`no binary at ${BIN}: cargo build -p stdfund-server --bin stdfund`);
  const bindir = pgBindir();
  if (bindir === null) { skipOrFail(t, "SKIPPED: no PostgreSQL server binaries (initdb, pg_ctl, postgres)"); return; }
  const pg = await startPostgres(bindir);
  try {
    await leg(t, "postgres", pg.url);
  } finally {
    pg.stop();
  }
});
