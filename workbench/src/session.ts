// The signed-in session: a bearer token and the role it grants, kept in
// sessionStorage only (gone when the tab closes, never in localStorage or a
// cookie).
//
// The sign-in form is one way to obtain a token; `establish` is the only
// entry, so a single-sign-on front can replace the form by calling it with
// the token its flow yields (see workbench/README.md).
import { Code, ConnectError } from "@connectrpc/connect";
import { AccessRole, NoticeFormat } from "../gen/stdfund/v1/registry_pb.js";
import type { Api } from "./api.js";
import { problemOf } from "./errors.js";
import { roleFromName } from "./roles.js";

export interface Session {
  token: string;
  role: AccessRole;
  /** The token's name (GetCaller); empty when the server is older than GetCaller. */
  name: string;
}

const KEY = "stdfund.workbench.session";

export function loadSession(): Session | null {
  try {
    const raw = globalThis.sessionStorage?.getItem(KEY);
    if (raw == null) return null;
    const v = JSON.parse(raw) as Partial<Session>;
    if (typeof v.token === "string" && v.token !== "" && typeof v.role === "number") {
      return { token: v.token, role: v.role, name: typeof v.name === "string" ? v.name : "" };
    }
  } catch {
    // A damaged entry is the same as none.
  }
  return null;
}

export function saveSession(s: Session): void {
  globalThis.sessionStorage?.setItem(KEY, JSON.stringify(s));
}

/** Signing out forgets everything the page kept for the tab (the session, the queue's pages). */
export function clearSession(): void {
  globalThis.sessionStorage?.clear();
}

/**
 * Who the token `api` calls with is: its name and role, from GetCaller. A
 * server older than GetCaller (UNIMPLEMENTED) is asked for the role alone
 * ([`detectRole`]), and the name stays empty. UNAUTHENTICATED and transport
 * failures are thrown.
 */
export async function identify(api: Api): Promise<{ role: AccessRole; name: string }> {
  try {
    const me = await api.registry.getCaller({});
    return { role: me.role, name: me.name };
  } catch (e) {
    if (ConnectError.from(e).code !== Code.Unimplemented) throw e;
  }
  return { role: await detectRole(api), name: "" };
}

/**
 * The role of the token `api` calls with, found by cheap authorized calls:
 * ListAuditLog of one entry is admin only, and the server names the caller's
 * role when it refuses (PERMISSION_DENIED, metadata `role`). Should a server
 * not name it, ListBudgets (refused to the portal) and ExportPayments without
 * a format (refused to reviewers before the format is checked) decide.
 * UNAUTHENTICATED and transport failures are thrown.
 */
export async function detectRole(api: Api): Promise<AccessRole> {
  try {
    await api.registry.listAuditLog({ pageSize: 1 });
    return AccessRole.ADMIN;
  } catch (e) {
    const p = problemOf(e);
    if (p.code === Code.Unauthenticated) throw e;
    if (p.code === Code.PermissionDenied) {
      const named = roleFromName(p.metadata["role"] ?? "");
      if (named !== undefined) return named;
    } else if (p.code !== Code.InvalidArgument) {
      throw e;
    }
  }
  try {
    await api.registry.listBudgets({ year: 0 });
  } catch (e) {
    if (ConnectError.from(e).code === Code.PermissionDenied) return AccessRole.PORTAL;
    throw e;
  }
  try {
    await api.registry.exportPayments({ year: 0, format: NoticeFormat.UNSPECIFIED });
    return AccessRole.FINANCE;
  } catch (e) {
    const code = ConnectError.from(e).code;
    if (code === Code.PermissionDenied) return AccessRole.REVIEWER;
    if (code === Code.InvalidArgument) return AccessRole.FINANCE;
    throw e;
  }
}
