// Failed calls, as the person at the screen should read them.
//
// The server sends a gRPC status whose details carry google.rpc.ErrorInfo
// (reason = the stable code, domain `stdfund.v1`, metadata messageZh /
// messageEn and the case's figures) and zh-CN / en-US LocalizedMessages. The
// page shows the message in the current language; the code, the reason and
// the metadata only in a 技术详情 disclosure.
import { Code, ConnectError } from "@connectrpc/connect";
import { ErrorInfoSchema, LocalizedMessageSchema } from "../gen/google/rpc/error_details_pb.js";
import { tk, lang, type Lang } from "./i18n.js";

export const ERROR_DOMAIN = "stdfund.v1";

/** What the page knows about a failed call. */
export interface Problem {
  /** The gRPC code (number) and its name. */
  code: Code;
  codeName: string;
  /** The stable reason (ErrorInfo.reason), or "" when the server sent none. */
  reason: string;
  /** The field concerned, or "". */
  field: string;
  messageZh: string;
  messageEn: string;
  /** Every ErrorInfo metadata entry except the messages. */
  metadata: Record<string, string>;
  /** The status message as received (English), for the disclosure. */
  raw: string;
}

/** Rebuilds a Problem from anything a call threw. */
export function problemOf(e: unknown): Problem {
  const err = ConnectError.from(e);
  const info = err.findDetails(ErrorInfoSchema).find((i) => i.domain === ERROR_DOMAIN);
  const localized = err.findDetails(LocalizedMessageSchema);
  const byLocale = (locale: string) => localized.find((m) => m.locale === locale)?.message ?? "";
  const metadata: Record<string, string> = {};
  let messageZh = byLocale("zh-CN");
  let messageEn = byLocale("en-US");
  let field = "";
  if (info !== undefined) {
    for (const [k, v] of Object.entries(info.metadata)) {
      if (k === "messageZh") messageZh ||= v;
      else if (k === "messageEn") messageEn ||= v;
      else if (k === "field") field = v;
      else metadata[k] = v;
    }
  }
  return {
    code: err.code,
    codeName: Code[err.code] ?? String(err.code),
    reason: info?.reason ?? "",
    field,
    messageZh,
    messageEn,
    metadata,
    raw: err.rawMessage,
  };
}

/**
 * The sentence to show: the server's message in the current language; for a
 * refusal by role, the page's own sentence naming the role; otherwise the
 * page's sentence for the gRPC code (never the raw code).
 */
export function problemMessage(p: Problem, l: Lang = lang()): string {
  if (p.code === Code.PermissionDenied) {
    const roleNumber = ROLE_NUMBERS[p.metadata["role"] ?? ""];
    if (roleNumber !== undefined) return tk("error.permission", { role: tk(`role.${roleNumber}`) });
  }
  const server = l === "en" ? p.messageEn || p.messageZh : p.messageZh || p.messageEn;
  if (server !== "") return plain(server);
  return tk(`error.grpc.${p.code}`);
}

/**
 * A server sentence as an official reads it: the values it quotes in
 * backticks (申报`99999`不存在, written for a terminal) in quotation marks.
 */
export function plain(message: string): string {
  return message.replace(/`([^`]*)`/g, "“$1”");
}

/** Role spellings of the tokens file → AccessRole numbers. */
const ROLE_NUMBERS: Record<string, number> = { portal: 1, reviewer: 2, finance: 3, admin: 4 };

/** Whether the server lacks the RPC (an older server than this page). */
export function isUnimplemented(p: Problem): boolean {
  return p.code === Code.Unimplemented;
}
