// The portal's grpc-web client for stdfund.v1.EstimateService, bundled by
// build-grpc.sh (esbuild) into wasm/pkg/grpc-web.js. It speaks grpc-web
// through @connectrpc/connect-web with the message types protoc-gen-es
// generates from proto/stdfund/v1, and hands the page proto3 JSON — the same
// shape the WASM module answers — so the two can be compared byte for byte.
import { createClient, ConnectError, Code } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { fromJson, toJson } from "@bufbuild/protobuf";
import { BinaryReader } from "@bufbuild/protobuf/wire";
import {
  EstimateService,
  GetEngineInfoResponseSchema,
} from "../pkg/grpc-gen/stdfund/v1/estimate_service_pb.js";
import { EstimateRequestSchema, EstimateResponseSchema } from "../pkg/grpc-gen/stdfund/v1/estimate_pb.js";

// Every field written, defaults included, as the rules crate's canonical JSON does.
const JSON_OPTIONS = { alwaysEmitImplicit: true };
const TIMEOUT_MS = 10_000;

/** Decodes a google.rpc.ErrorInfo (reason = 1, domain = 2, metadata = 3 map<string, string>). */
function decodeErrorInfo(bytes) {
  const reader = new BinaryReader(bytes);
  const info = { reason: "", domain: "", metadata: {} };
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === 2) info.reason = reader.string();
    else if (field === 2 && wireType === 2) info.domain = reader.string();
    else if (field === 3 && wireType === 2) {
      const entry = new BinaryReader(reader.bytes());
      let key = "", value = "";
      while (entry.pos < entry.len) {
        const [f, w] = entry.tag();
        if (f === 1 && w === 2) key = entry.string();
        else if (f === 2 && w === 2) value = entry.string();
        else entry.skip(w);
      }
      info.metadata[key] = value;
    } else reader.skip(wireType);
  }
  return info;
}

/**
 * The engine's `{code, field, messageZh, messageEn}` rebuilt from a failed call
 * (with `meant`, the value a refused field was probably meant to be, when the
 * server names one, last as the WASM module writes it), or null.
 */
function errorReportOf(err) {
  const detail = err.details.find((d) => "type" in d && d.type === "google.rpc.ErrorInfo");
  if (err.code !== Code.InvalidArgument || detail === undefined) return null;
  const info = decodeErrorInfo(detail.value);
  const report = {
    code: info.reason,
    field: info.metadata.field ?? "",
    messageZh: info.metadata.messageZh ?? "",
    messageEn: info.metadata.messageEn ?? err.rawMessage,
  };
  if (info.metadata.meant !== undefined && info.metadata.meant !== "") report.meant = info.metadata.meant;
  return report;
}

/**
 * A client for the server at `baseUrl` (e.g. `http://127.0.0.1:50051`).
 * `engineInfo()` answers the GetEngineInfo response as proto3 JSON;
 * `estimateCanonical(application)` answers `{ok: true, value: <JSON text>}`,
 * `{ok: false, error: ErrorReport}` for an input error, and throws a
 * `ConnectError` when the server cannot be reached or fails otherwise.
 */
export function serverClient(baseUrl) {
  const transport = createGrpcWebTransport({ baseUrl, useBinaryFormat: true });
  const client = createClient(EstimateService, transport);
  return {
    baseUrl,
    async engineInfo() {
      const response = await client.getEngineInfo({}, { timeoutMs: TIMEOUT_MS });
      return toJson(GetEngineInfoResponseSchema, response, JSON_OPTIONS);
    },
    async estimateCanonical(application) {
      let request;
      try {
        request = fromJson(EstimateRequestSchema, application);
      } catch (e) {
        return { ok: false, error: { code: "NOT_SENDABLE", field: "", messageZh: `无法编码为请求:${e.message}`, messageEn: `cannot be encoded as a request: ${e.message}` } };
      }
      try {
        const response = await client.estimate(request, { timeoutMs: TIMEOUT_MS });
        return { ok: true, value: JSON.stringify(toJson(EstimateResponseSchema, response, JSON_OPTIONS)) };
      } catch (e) {
        const err = ConnectError.from(e);
        const report = errorReportOf(err);
        if (report !== null) return { ok: false, error: report };
        throw err;
      }
    },
  };
}

export { ConnectError };
