// A development stand-in for `stdfund serve`, to exercise the end-to-end
// test's own steps (selectors, order, downloads) while the real server lacks
// RPCs: the in-memory fake (fake.ts, empty) behind gRPC (HTTP/2) and grpc-web
// (HTTP/1.1) on one port, the built page at /workbench/ with the binary's
// headers, the tokens file read as the binary reads it. It accepts the flags
// the test passes and logs `stdfund serving` like the binary. Not a test of
// the server: its amounts and checks are canned (see fake.ts).
//
//   node test/unit/build.mjs   # also bundles this into .build/fake-serve.mjs
//   STDFUND_BIN=workbench/.build/fake-stdfund node --test workbench/test/e2e.test.mjs
import { createServer as createHttp1 } from "node:http";
import { createServer as createHttp2 } from "node:http2";
import { connect, createServer as createNet } from "node:net";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { strToU8, zipSync } from "fflate";
import { AccessRole } from "../../gen/stdfund/v1/registry_pb.js";
import { makeState, routes } from "./fake.js";
// @ts-expect-error: a plain JS module shared with the page tests
import { CONTENT_SECURITY_POLICY } from "./serve.mjs";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] ?? "" : "";
};
const here = path.dirname(fileURLToPath(import.meta.url));
const assets = path.resolve(here, "../../crates/stdfund-server/assets/workbench");

// The tokens file: [[tokens]] name / role / sha256, as auth.rs reads it.
const entries: { name: string; role: string; sha256: string }[] = [];
for (const block of readFileSync(flag("--tokens-file"), "utf8").split("[[tokens]]").slice(1)) {
  const get = (k: string) => block.match(new RegExp(`${k}\\s*=\\s*"([^"]*)"`))?.[1] ?? "";
  entries.push({ name: get("name"), role: get("role"), sha256: get("sha256") });
}
const ROLES: Record<string, AccessRole> = { portal: AccessRole.PORTAL, reviewer: AccessRole.REVIEWER, finance: AccessRole.FINANCE, admin: AccessRole.ADMIN };

const state = makeState(new Date().getFullYear(), () => new Date(), { empty: true });
state.sha256 = (b) => createHash("sha256").update(b).digest("hex");
state.authenticate = (token) => {
  const h = createHash("sha256").update(token).digest("hex");
  const e = entries.find((x) => x.sha256 === h);
  return e === undefined ? undefined : { name: e.name, role: ROLES[e.role] ?? AccessRole.UNSPECIFIED };
};
state.xlsx = (sheets, chart) => {
  const esc = (v: string) => v.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const col = (i: number) => String.fromCharCode(65 + i);
  const files: Record<string, Uint8Array> = {
    "[Content_Types].xml": strToU8(`<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>${sheets.map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join("")}</Types>`),
    "_rels/.rels": strToU8(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`),
    "xl/workbook.xml": strToU8(`<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>${sheets.map((s, i) => `<sheet name="${esc(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join("")}</sheets></workbook>`),
    "xl/_rels/workbook.xml.rels": strToU8(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${sheets.map((_, i) => `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join("")}</Relationships>`),
  };
  sheets.forEach((s, i) => {
    const rows = s.rows.map((r, ri) => `<row r="${ri + 1}">${r.map((v, ci) => typeof v === "number"
      ? `<c r="${col(ci)}${ri + 1}"><v>${v}</v></c>`
      : `<c r="${col(ci)}${ri + 1}" t="inlineStr"><is><t>${esc(v)}</t></is></c>`).join("")}</row>`).join("");
    files[`xl/worksheets/sheet${i + 1}.xml`] = strToU8(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows}</sheetData></worksheet>`);
  });
  if (chart) files["xl/charts/chart1.xml"] = strToU8(`<?xml version="1.0" encoding="UTF-8"?><c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart"/>`);
  return zipSync(files);
};

const grpc = connectNodeAdapter({ routes: routes(state) });
const TYPES: Record<string, string> = { "index.html": "text/html; charset=utf-8", "app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8", "favicon.svg": "image/svg+xml" };

function handle(req: import("node:http").IncomingMessage | import("node:http2").Http2ServerRequest, res: import("node:http").ServerResponse | import("node:http2").Http2ServerResponse) {
  const url = new URL(req.url ?? "/", "http://x");
  if (url.pathname.startsWith("/workbench")) {
    const name = url.pathname === "/workbench/" ? "index.html" : url.pathname.replace("/workbench/", "");
    const headers: Record<string, string> = { "content-security-policy": CONTENT_SECURITY_POLICY, "x-content-type-options": "nosniff", "cache-control": "no-cache" };
    const type = TYPES[name];
    if (type === undefined) { res.writeHead(404, headers); res.end(); return; }
    let body: Buffer = readFileSync(path.join(assets, name));
    if (String(req.headers["accept-encoding"] ?? "").includes("gzip")) { body = gzipSync(body, { level: 9 }); headers["content-encoding"] = "gzip"; }
    res.writeHead(200, { ...headers, "content-type": type, "content-length": String(body.length) });
    res.end(body);
    return;
  }
  (grpc as unknown as (a: unknown, b: unknown) => void)(req, res);
}

const h1 = createHttp1(handle);
// Node's HTTP/2 server reads the socket natively, so a sniffed connection is
// piped to it on a second, internal port rather than handed over.
const h2 = createHttp2(handle);
await new Promise<void>((r) => h2.listen(0, "127.0.0.1", () => r()));
const h2Port = (h2.address() as import("node:net").AddressInfo).port;
const PREFACE = "PRI * HTTP/2.0";
const server = createNet((socket) => {
  socket.once("data", (first) => {
    if (first.subarray(0, PREFACE.length).toString() === PREFACE) {
      const inner = connect(h2Port, "127.0.0.1", () => {
        inner.write(first);
        socket.pipe(inner).pipe(socket);
      });
      inner.on("error", () => socket.destroy());
      socket.on("error", () => inner.destroy());
      return;
    }
    socket.pause();
    socket.unshift(first);
    h1.emit("connection", socket);
    socket.resume();
  });
});
const [host, port] = (flag("--listen") || "127.0.0.1:0").split(":");
server.listen(Number(port), host, () => {
  const a = server.address() as import("node:net").AddressInfo;
  console.log(JSON.stringify({ message: "stdfund serving", listen: `${a.address}:${a.port}` }));
});
process.on("SIGTERM", () => process.exit(0));
