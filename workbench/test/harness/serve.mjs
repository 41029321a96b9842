// A static server for a built page directory, with the headers web.rs sends
// (the same Content-Security-Policy, nosniff, no-referrer), so that the
// harness page meets the browser under the binary's rules.
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import path from "node:path";

export const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml" };

/** Serves `dir` at /workbench/ on a free loopback port: `{origin, close}`. */
export async function serveDir(dir) {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const name = url.pathname === "/workbench/" ? "index.html" : url.pathname.replace(/^\/workbench\//, "");
    const headers = { "content-security-policy": CONTENT_SECURITY_POLICY, "x-content-type-options": "nosniff", "referrer-policy": "no-referrer", "cache-control": "no-cache" };
    if (!url.pathname.startsWith("/workbench/") || name.includes("/") || !(path.extname(name) in TYPES)) {
      res.writeHead(404, { ...headers, "content-type": "text/plain" }).end("not found\n");
      return;
    }
    try {
      const body = readFileSync(path.join(dir, name));
      res.writeHead(200, { ...headers, "content-type": TYPES[path.extname(name)] }).end(body);
    } catch {
      res.writeHead(404, { ...headers, "content-type": "text/plain" }).end("not found\n");
    }
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}
