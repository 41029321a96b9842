// A tiny static server for the portal: serves wasm/ (the page under /portal/,
// the built package under /pkg/) with the right MIME types, .wasm included.
// `node wasm/portal/serve.mjs [port]` prints the page's URL; the browser test
// imports `startStaticServer`. Local use only: binds 127.0.0.1.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".wasm": "application/wasm", ".json": "application/json", ".ts": "text/plain; charset=utf-8" };

export function startStaticServer(port = 0) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const file = path.resolve(ROOT, "." + decodeURIComponent(url.pathname).replace(/\/$/, "/index.html"));
    const type = TYPES[path.extname(file)];
    if (!file.startsWith(ROOT + path.sep) || type === undefined || file.includes(`${path.sep}node_modules${path.sep}`)) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": type, "cache-control": "no-store" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await startStaticServer(Number(process.argv[2] ?? 8080));
  console.log(`http://127.0.0.1:${server.address().port}/portal/`);
}
