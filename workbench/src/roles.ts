// Who may call what: the role matrix at the top of
// proto/stdfund/v1/registry_service.proto, as the page uses it to hide or
// disable what a role cannot do. The server enforces the same matrix; a
// refusal it sends anyway (PERMISSION_DENIED) is shown as a message.
import { AccessRole } from "../gen/stdfund/v1/registry_pb.js";

export type Rpc =
  | "GetClaim" | "ListClaims" | "ReviewClaim" | "RecordDisbursement" | "ExportPublicNotice"
  | "GetReport" | "GetTargetProgress" | "ListAuditLog" | "ListClaimAuditLog" | "SetBudget" | "GetBudget"
  | "ReviewClaims" | "WithdrawClaim" | "ResubmitClaim" | "AddAttachment" | "ListAttachments"
  | "GetAttachment" | "ListBudgets" | "ExportPayments" | "ExportReport" | "CreatePublication"
  | "IssuePublication" | "GetPublication" | "ListPublications" | "ExportPublication"
  | "RecordObjection" | "ResolveObjection" | "VerifyAuditLog" | "GetCaller";

const R = AccessRole.REVIEWER;
const F = AccessRole.FINANCE;
const A = AccessRole.ADMIN;

/**
 * The workbench roles allowed per RPC (the portal role has no workbench).
 * `ListClaimAuditLog` is ListAuditLog with `claim_id` set, which reviewers
 * and finance may call since 1.1.0; without it ListAuditLog is admin only.
 * WithdrawClaim, ResubmitClaim and AddAttachment are the applicant's, so in
 * the workbench only an admin has them.
 */
const MATRIX: Record<Rpc, readonly AccessRole[]> = {
  GetClaim: [R, F, A],
  ListClaims: [R, F, A],
  ReviewClaim: [R, A],
  RecordDisbursement: [F, A],
  ExportPublicNotice: [F, A],
  GetReport: [R, F, A],
  GetTargetProgress: [R, F, A],
  ListAuditLog: [A],
  ListClaimAuditLog: [R, F, A],
  SetBudget: [F, A],
  GetBudget: [R, F, A],
  ReviewClaims: [R, A],
  WithdrawClaim: [A],
  ResubmitClaim: [A],
  AddAttachment: [A],
  ListAttachments: [R, F, A],
  GetAttachment: [R, F, A],
  ListBudgets: [R, F, A],
  ExportPayments: [F, A],
  ExportReport: [R, F, A],
  CreatePublication: [R, A],
  IssuePublication: [R, A],
  GetPublication: [R, F, A],
  ListPublications: [R, F, A],
  ExportPublication: [R, F, A],
  RecordObjection: [R, A],
  ResolveObjection: [R, A],
  VerifyAuditLog: [A],
  GetCaller: [R, F, A],
};

/** Whether `role` may call `rpc` from the workbench. */
export function can(role: AccessRole, rpc: Rpc): boolean {
  return MATRIX[rpc].includes(role);
}

/** Whether a role may use the workbench at all. */
export function isWorkbenchRole(role: AccessRole): boolean {
  return role === R || role === F || role === A;
}

/** The pages in the navigation, in order, with the RPC each needs. */
export const PAGES = [
  { route: "queue", rpc: "ListClaims" },
  { route: "finance", rpc: "ListBudgets", also: "SetBudget" },
  { route: "publications", rpc: "ListPublications" },
  { route: "reports", rpc: "GetReport" },
  { route: "audit", rpc: "ListAuditLog" },
] as const satisfies readonly { route: string; rpc: Rpc; also?: Rpc }[];

/** The pages a role sees in the navigation. */
export function pagesFor(role: AccessRole): string[] {
  return PAGES.filter((p) => can(role, p.rpc) && (!("also" in p) || can(role, p.also))).map((p) => p.route);
}

/** The tokens-file spelling of a role (the server's PERMISSION_DENIED metadata `role`). */
export function roleFromName(name: string): AccessRole | undefined {
  switch (name) {
    case "portal": return AccessRole.PORTAL;
    case "reviewer": return AccessRole.REVIEWER;
    case "finance": return AccessRole.FINANCE;
    case "admin": return AccessRole.ADMIN;
    default: return undefined;
  }
}
