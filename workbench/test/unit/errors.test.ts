// Errors as the server sends them — gRPC status, ErrorInfo (reason, metadata
// messageZh / messageEn), LocalizedMessages — decoded from the grpc-web wire
// and shown in the person's language, never as raw codes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import { ErrorInfoSchema, LocalizedMessageSchema } from "../../gen/google/rpc/error_details_pb.js";
import { RegistryService } from "../../gen/stdfund/v1/registry_service_pb.js";
import { problemOf, problemMessage } from "../../src/errors.js";
import { setLang } from "../../src/i18n.js";

/** The error as stdfund-server's status.rs / registry_error.rs shape it. */
function serverError(code: Code, reason: string, zh: string, en: string, meta: Record<string, string> = {}): ConnectError {
  return new ConnectError(en, code, undefined, [
    { desc: ErrorInfoSchema, value: { reason, domain: "stdfund.v1", metadata: { field: "", messageZh: zh, messageEn: en, ...meta } } },
    { desc: LocalizedMessageSchema, value: { locale: "zh-CN", message: zh } },
    { desc: LocalizedMessageSchema, value: { locale: "en-US", message: en } },
  ]);
}

/** A grpc-web answer carrying only trailers (grpc-status, -message, -status-details-bin). */
function grpcWebFetch(err: ConnectError): typeof fetch {
  return async () => {
    const trailer = setTrailerStatus(new Headers(), err);
    let text = "";
    trailer.forEach((v, k) => { text += `${k}: ${v}\r\n`; });
    const payload = new TextEncoder().encode(text);
    const frame = new Uint8Array(5 + payload.length);
    frame[0] = 0x80;
    new DataView(frame.buffer).setUint32(1, payload.length);
    frame.set(payload, 5);
    return new Response(frame, { status: 200, headers: { "content-type": "application/grpc-web+proto" } });
  };
}

async function overTheWire(err: ConnectError) {
  const client = createClient(RegistryService, createGrpcWebTransport({ baseUrl: "http://127.0.0.1:9", fetch: grpcWebFetch(err), useBinaryFormat: true }));
  try {
    await client.listClaims({});
  } catch (e) {
    return problemOf(e);
  }
  throw new Error("the call succeeded");
}

test("BUDGET_EXCEEDED: the message in Chinese, then English; figures kept for the disclosure", async () => {
  const p = await overTheWire(serverError(Code.FailedPrecondition, "BUDGET_EXCEEDED", "超出2026年度预算:剩余20000.00元,本次300000.00元", "over the 2026 budget: 20000.00 left, 300000.00 requested",
    { year: "2026", total: "100000.00", used: "80000.00", left: "20000.00", requested: "300000.00" }));
  assert.equal(p.code, Code.FailedPrecondition);
  assert.equal(p.codeName, "FailedPrecondition");
  assert.equal(p.reason, "BUDGET_EXCEEDED");
  assert.deepEqual(p.metadata, { year: "2026", total: "100000.00", used: "80000.00", left: "20000.00", requested: "300000.00" });
  setLang("zh");
  assert.equal(problemMessage(p), "超出2026年度预算:剩余20000.00元,本次300000.00元");
  setLang("en");
  assert.equal(problemMessage(p), "over the 2026 budget: 20000.00 left, 300000.00 requested");
  setLang("zh");
});

test("values the server quotes in backticks are shown in quotation marks", async () => {
  const p = await overTheWire(serverError(Code.NotFound, "NOT_FOUND", "申报`99999`不存在", "claim `99999` does not exist"));
  setLang("zh");
  assert.equal(problemMessage(p), "申报“99999”不存在");
  setLang("en");
  assert.equal(problemMessage(p), "claim “99999” does not exist");
  setLang("zh");
});

test("a field error names the field", async () => {
  const p = await overTheWire(serverError(Code.InvalidArgument, "INVALID_AMOUNT", "金额格式错误", "malformed amount", { field: "amount_min" }));
  assert.equal(p.field, "amount_min");
  assert.equal(p.reason, "INVALID_AMOUNT");
  assert.ok(!("field" in p.metadata) && !("messageZh" in p.metadata));
});

test("PERMISSION_DENIED is told with the role, in the page's words", async () => {
  const p = await overTheWire(serverError(Code.PermissionDenied, "PERMISSION_DENIED", "角色`finance`无权调用ReviewClaim;允许的角色:reviewer, admin",
    "role `finance` may not call ReviewClaim; allowed: reviewer, admin", { role: "finance", allowedRoles: "reviewer, admin" }));
  setLang("zh");
  assert.equal(problemMessage(p), "当前角色（财务）无权执行此操作。");
  setLang("en");
  assert.equal(problemMessage(p), "Your role (finance) may not do this.");
  setLang("zh");
});

test("without details: the page's sentence for the code, never the raw code", async () => {
  const p = await overTheWire(new ConnectError("upstream connect error", Code.Unavailable));
  assert.equal(p.reason, "");
  setLang("zh");
  assert.equal(problemMessage(p), "无法连接服务，请检查网络后重试。");
  const unimplemented = await overTheWire(new ConnectError("", Code.Unimplemented));
  assert.equal(problemMessage(unimplemented), "服务端尚不支持此功能。");
});

test("a transport failure (fetch rejects) is a readable sentence", async () => {
  const client = createClient(RegistryService, createGrpcWebTransport({ baseUrl: "http://127.0.0.1:9", fetch: async () => { throw new TypeError("Failed to fetch"); } }));
  const p = await client.listClaims({}).then(() => { throw new Error("succeeded"); }, problemOf);
  setLang("zh");
  const m = problemMessage(p);
  assert.ok(/[\u4e00-\u9fff]/.test(m), m);
  assert.ok(!m.includes("Failed to fetch"));
});

test("ErrorInfo of another domain is not taken for ours", () => {
  const e = new ConnectError("x", Code.Internal, undefined, [{ desc: ErrorInfoSchema, value: { reason: "OTHER", domain: "example.com", metadata: { messageZh: "别的" } } }]);
  const p = problemOf(e);
  assert.equal(p.reason, "");
  setLang("zh");
  assert.equal(problemMessage(p), "服务内部错误，请联系管理员。");
});
