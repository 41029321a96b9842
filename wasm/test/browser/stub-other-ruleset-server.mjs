// TEST STUB, used only by the mismatch case of the browser test: a grpc-web
// proxy in front of a real `stdfund serve` that passes every call through
// unchanged except GetEngineInfo, whose ruleset hashes it replaces — so the
// page talks to "a server computing with another ruleset". `stdfund serve`
// has no switch to load an alternative ruleset; this stands in for one.
import { createServer } from "node:http";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { GetEngineInfoResponseSchema } from "../../pkg/grpc-gen/stdfund/v1/estimate_service_pb.js";

export const OTHER_HASH = `sha256:${"0123456789abcdef".repeat(4)}`;

/** Splits a grpc-web body into frames `{flag, data}`. */
function frames(body) {
  const out = [];
  for (let i = 0; i + 5 <= body.length;) {
    const len = body.readUInt32BE(i + 1);
    out.push({ flag: body[i], data: body.subarray(i + 5, i + 5 + len) });
    i += 5 + len;
  }
  return out;
}
function frame(flag, data) {
  const head = Buffer.alloc(5);
  head[0] = flag;
  head.writeUInt32BE(data.length, 1);
  return Buffer.concat([head, Buffer.from(data)]);
}

export function startOtherRulesetStub(upstream, origin) {
  const cors = {
    "access-control-allow-origin": origin,
    "access-control-expose-headers": "grpc-status, grpc-message, grpc-status-details-bin",
  };
  const server = createServer(async (req, res) => {
    if (req.method === "OPTIONS") {
      res.writeHead(204, { ...cors, "access-control-allow-methods": "POST",
        "access-control-allow-headers": req.headers["access-control-request-headers"] ?? "*" }).end();
      return;
    }
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const headers = {};
    for (const h of ["content-type", "x-grpc-web", "x-user-agent", "grpc-timeout"]) {
      if (req.headers[h] !== undefined) headers[h] = req.headers[h];
    }
    const answer = await fetch(upstream + req.url, { method: "POST", headers, body: Buffer.concat(chunks) });
    let body = Buffer.from(await answer.arrayBuffer());
    if (req.url === "/stdfund.v1.EstimateService/GetEngineInfo" && answer.ok) {
      body = Buffer.concat(frames(body).map(({ flag, data }) => {
        if (flag !== 0) return frame(flag, data);
        const info = fromBinary(GetEngineInfoResponseSchema, data);
        for (const r of info.rulesets) r.hash = OTHER_HASH;
        return frame(0, toBinary(GetEngineInfoResponseSchema, info));
      }));
    }
    const out = { ...cors, "content-type": answer.headers.get("content-type") ?? "application/grpc-web+proto" };
    for (const h of ["grpc-status", "grpc-message", "grpc-status-details-bin"]) {
      if (answer.headers.has(h)) out[h] = answer.headers.get(h);
    }
    res.writeHead(answer.status, out).end(body);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((r) => server.close(r)),
  })));
}
