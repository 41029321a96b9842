// The page's role matrix is the one at the top of registry_service.proto
// (with its 1.1.0 amendments), and the role is found from the token.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Code, ConnectError, createRouterTransport } from "@connectrpc/connect";
import { AccessRole } from "../../gen/stdfund/v1/registry_pb.js";
import { RegistryService } from "../../gen/stdfund/v1/registry_service_pb.js";
import { can, isWorkbenchRole, pagesFor, type Rpc } from "../../src/roles.js";
import { bearer, makeApi } from "../../src/api.js";
import { detectRole, identify } from "../../src/session.js";
import { fakeTransport, makeState } from "../harness/fake.js";

const proto = readFileSync(path.resolve(process.cwd(), "../proto/stdfund/v1/registry_service.proto"), "utf8");

/** The matrix rows of the proto comment: RPC → [portal, reviewer, finance, admin] cells. */
function protoMatrix(): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const m of proto.matchAll(/^\/\/\s{3}(\w+)\s+(own|yes|-)\s+(yes|-)\s+(yes|-)\s+(yes|-)\s*$/gm)) rows.set(m[1]!, [m[2]!, m[3]!, m[4]!, m[5]!]);
  return rows;
}

test("every RPC of the proto matrix, for each workbench role, as the page has it", () => {
  const rows = protoMatrix();
  assert.ok(rows.size >= 28, `matrix rows found: ${rows.size}`);
  assert.match(proto, /Since 1\.1\.0 GetReport and GetTargetProgress also admit reviewers/);
  assert.match(proto, /ListAuditLog admits reviewers and finance for the entries of one claim/);
  const amended: Record<string, [string, string, string, string]> = { GetReport: ["-", "yes", "yes", "yes"], GetTargetProgress: ["-", "yes", "yes", "yes"] };
  for (const [rpc, cells] of rows) {
    if (rpc === "SubmitClaim") continue; // no workbench page submits
    const [, reviewer, finance, admin] = amended[rpc] ?? cells;
    assert.equal(can(AccessRole.REVIEWER, rpc as Rpc), reviewer === "yes", `${rpc} reviewer`);
    assert.equal(can(AccessRole.FINANCE, rpc as Rpc), finance === "yes", `${rpc} finance`);
    assert.equal(can(AccessRole.ADMIN, rpc as Rpc), admin === "yes", `${rpc} admin`);
  }
  assert.ok(can(AccessRole.REVIEWER, "ListClaimAuditLog") && can(AccessRole.FINANCE, "ListClaimAuditLog"));
  assert.ok(!can(AccessRole.REVIEWER, "ListAuditLog") && !can(AccessRole.FINANCE, "ListAuditLog"));
});

test("the pages of each role", () => {
  assert.deepEqual(pagesFor(AccessRole.REVIEWER), ["queue", "publications", "reports"]);
  assert.deepEqual(pagesFor(AccessRole.FINANCE), ["queue", "finance", "publications", "reports"]);
  assert.deepEqual(pagesFor(AccessRole.ADMIN), ["queue", "finance", "publications", "reports", "audit"]);
  assert.deepEqual(pagesFor(AccessRole.PORTAL), []);
  assert.ok(!isWorkbenchRole(AccessRole.PORTAL) && !isWorkbenchRole(AccessRole.UNSPECIFIED));
});

test("the role is found from the token with cheap calls", async () => {
  const transport = fakeTransport(makeState(2026));
  const role = (token: string) => detectRole(makeApi(transport(() => token)));
  assert.equal(await role("tok-admin"), AccessRole.ADMIN);
  assert.equal(await role("tok-reviewer"), AccessRole.REVIEWER);
  assert.equal(await role("tok-finance"), AccessRole.FINANCE);
  assert.equal(await role("tok-portal"), AccessRole.PORTAL);
  await assert.rejects(role("nonsense"), (e: unknown) => ConnectError.from(e).code === Code.Unauthenticated);
});

test("GetCaller names the token and its role", async () => {
  const transport = fakeTransport(makeState(2026));
  const who = (token: string) => identify(makeApi(transport(() => token)));
  assert.deepEqual(await who("tok-reviewer"), { role: AccessRole.REVIEWER, name: "reviewer-wang" });
  assert.deepEqual(await who("tok-admin"), { role: AccessRole.ADMIN, name: "admin-chen" });
  assert.deepEqual(await who("tok-portal"), { role: AccessRole.PORTAL, name: "portal-gateway" });
  await assert.rejects(who("nonsense"), (e: unknown) => ConnectError.from(e).code === Code.Unauthenticated);
});

test("a server without GetCaller: the role from cheap calls, no name", async () => {
  const older = createRouterTransport((r) => r.service(RegistryService, {
    listAuditLog: () => { throw new ConnectError("denied", Code.PermissionDenied, undefined, undefined, undefined); },
    listBudgets: () => ({ budgets: [] }),
    exportPayments: () => { throw new ConnectError("denied", Code.PermissionDenied); },
  }), { transport: { interceptors: [bearer(() => "x")] } });
  assert.deepEqual(await identify(makeApi(older)), { role: AccessRole.REVIEWER, name: "" });
});

test("without the role in the refusal, ListBudgets and ExportPayments decide", async () => {
  // A server that refuses without naming the role.
  const refuse = () => { throw new ConnectError("denied", Code.PermissionDenied); };
  const server = (roles: { budgets: boolean; payments: boolean }) => createRouterTransport((r) => r.service(RegistryService, {
    listAuditLog: refuse,
    listBudgets: () => (roles.budgets ? { budgets: [] } : refuse()),
    exportPayments: () => (roles.payments ? (() => { throw new ConnectError("format", Code.InvalidArgument); })() : refuse()),
  }), { transport: { interceptors: [bearer(() => "x")] } });
  assert.equal(await detectRole(makeApi(server({ budgets: false, payments: false }))), AccessRole.PORTAL);
  assert.equal(await detectRole(makeApi(server({ budgets: true, payments: false }))), AccessRole.REVIEWER);
  assert.equal(await detectRole(makeApi(server({ budgets: true, payments: true }))), AccessRole.FINANCE);
});
