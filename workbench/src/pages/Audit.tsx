// 审计日志: the append-only log with filters (actor, action, dates, claim),
// paged by "load more", each entry's change, and the hash-chain check.
import { useEffect, useState } from "preact/hooks";
import type { AuditEntry } from "../../gen/stdfund/v1/registry_pb.js";
import type { VerifyAuditLogResponse } from "../../gen/stdfund/v1/registry_service_pb.js";
import { useAction, useApp, useCan } from "../context.js";
import { t, tk } from "../i18n.js";
import { formatInstant, isDate, shortHash, targetLabel } from "../format.js";
import { href, navigate, type Route } from "../router.js";
import { ErrorBox } from "../ui/ErrorBox.js";
import { Loading, PageTitle } from "../ui/bits.js";
import { SelectField, TextField } from "../ui/Field.js";
import { ChangeView } from "./ClaimDetail.js";

// `order`: "" newest first (what an admin looks for: today's approvals), `oldest` from the first entry.
interface AuditFilters { actor: string; action: string; from: string; to: string; claim: string; order: string }
const KEYS: (keyof AuditFilters)[] = ["actor", "action", "from", "to", "claim", "order"];

export function Audit({ route }: { route: Route }) {
  const { api, catalog } = useApp();
  const can = useCan();
  const applied = Object.fromEntries(KEYS.map((k) => [k, route.params.get(k) ?? ""])) as unknown as AuditFilters;
  const key = KEYS.map((k) => applied[k]).join("\u0000");
  const [draft, setDraft] = useState(applied);
  const [entries, setEntries] = useState<AuditEntry[] | undefined>(undefined);
  const [next, setNext] = useState("");
  const loading = useAction();
  const verifying = useAction();
  const [verdict, setVerdict] = useState<VerifyAuditLogResponse | null>(null);
  // `2026/CITY` as the log's targets are shown: 预算 2026 · 市级.
  const budgetName = (key: string) => targetLabel(`budget:${key.replace("/", ":")}`, catalog);
  const claimOk = applied.claim === "" || /^[1-9]\d{0,17}$/.test(applied.claim);

  const load = async (token: string) => {
    if (!claimOk) return;
    const r = await loading.run(() => api.registry.listAuditLog({
      actor: applied.actor.trim(), action: Number(applied.action) || 0, fromDate: applied.from, toDate: applied.to,
      claimId: applied.claim === "" ? 0n : BigInt(applied.claim), pageSize: 100, pageToken: token,
      newestFirst: applied.order !== "oldest",
    }));
    if (r !== undefined) {
      setEntries((prev) => (token === "" ? r.entries : [...(prev ?? []), ...r.entries]));
      setNext(r.nextPageToken);
    }
  };
  useEffect(() => { setDraft(applied); setEntries(undefined); void load(""); }, [key]);

  const set = (k: keyof AuditFilters) => (v: string) => setDraft({ ...draft, [k]: v });
  const draftClaimError = draft.claim !== "" && !/^[1-9]\d{0,17}$/.test(draft.claim.trim()) ? t("audit.badClaim") : null;
  const dateError = draft.from !== "" && draft.to !== "" && isDate(draft.from) && isDate(draft.to) && draft.from > draft.to ? t("queue.badDates") : null;
  const apply = (e: Event) => {
    e.preventDefault();
    if (draftClaimError !== null || dateError !== null) return;
    navigate(href(["audit"], { ...draft, claim: draft.claim.trim() }));
  };
  const verify = async () => {
    const r = await verifying.run(() => api.registry.verifyAuditLog({}));
    if (r !== undefined) setVerdict(r);
  };

  return (
    <section class="page">
      <div class="title-row">
        <PageTitle>{t("audit.title")}</PageTitle>
        {can("VerifyAuditLog") && <button type="button" onClick={() => void verify()} disabled={verifying.busy}>{verifying.busy ? t("audit.verifying") : t("audit.verify")}</button>}
      </div>
      <ErrorBox problem={verifying.problem} />
      {verdict !== null && (
        <div class={verdict.intact ? "notice-ok" : "error"} role="status" data-testid="verify-result">
          <p>{verdict.firstBrokenEntryId !== 0n
            ? t("audit.broken", { id: String(verdict.firstBrokenEntryId), problem: verdict.problem })
            : t("audit.intact", { count: String(verdict.entriesChecked) })}</p>
          {verdict.firstBrokenEntryId === 0n && <p data-testid="verify-seals">{verdict.sealedFromEntry === 0n
            ? t("audit.unsealed")
            : verdict.sealsKeyId !== ""
              ? t("audit.sealed", { from: String(verdict.sealedFromEntry), key: verdict.sealsKeyId })
              : t("audit.sealedUnchecked", { from: String(verdict.sealedFromEntry) })}</p>}
          {verdict.firstBrokenEntryId === 0n && (verdict.firstDivergingClaimId !== 0n
            ? <p>{t("audit.claimBroken", { id: String(verdict.firstDivergingClaimId), problem: verdict.problem })}</p>
            : <p>{t("audit.claimsAgree", { count: String(verdict.claimsChecked) })}</p>)}
          {verdict.firstBrokenEntryId === 0n && verdict.firstDivergingClaimId === 0n && (verdict.firstDivergingBudget !== ""
            ? <p>{t("audit.budgetBroken", { key: budgetName(verdict.firstDivergingBudget), problem: verdict.problem })}</p>
            : <p>{t("audit.budgetsAgree", { count: String(verdict.budgetsChecked) })}</p>)}
          {verdict.firstBrokenEntryId === 0n && verdict.firstDivergingClaimId === 0n && verdict.firstDivergingBudget === "" && (verdict.firstDivergingRecord !== ""
            ? <p>{t("audit.recordBroken", { key: targetLabel(verdict.firstDivergingRecord, catalog), problem: verdict.problem })}</p>
            : <p>{t("audit.recordsAgree", { count: String(verdict.recordsChecked) })}</p>)}
          {verdict.claimsUnverifiable !== 0n && <p class="small">{t("audit.unverifiable", { count: String(verdict.claimsUnverifiable), ids: verdict.unverifiableClaimIds.map(String).join("、") })}</p>}
          {verdict.unverifiableBudgets.length !== 0 && <p class="small">{t("audit.budgetsUnverifiable", { count: String(verdict.unverifiableBudgets.length), keys: verdict.unverifiableBudgets.map(budgetName).join("、") })}</p>}
          {verdict.unverifiableRecords.length !== 0 && <p class="small">{t("audit.recordsUnverifiable", { count: String(verdict.unverifiableRecords.length), keys: verdict.unverifiableRecords.map((r) => targetLabel(r, catalog)).join("、") })}</p>}
          {verdict.headHash !== "" && <p class="small">{t("audit.head")}：<code class="break">{verdict.headHash}</code></p>}
        </div>
      )}
      <form class="filters" onSubmit={apply} role="search" aria-label={t("queue.filters")}>
        <TextField label={t("audit.actor")} value={draft.actor} onInput={set("actor")} name="actor" />
        <SelectField label={t("audit.action")} value={draft.action} onChange={set("action")} name="action"
          options={Array.from({ length: 15 }, (_, i) => ({ value: i === 0 ? "" : String(i), label: tk(`action.${i}`) }))} />
        <TextField label={t("audit.from")} type="date" value={draft.from} onInput={set("from")} name="from" />
        <TextField label={t("audit.to")} type="date" value={draft.to} onInput={set("to")} name="to" error={dateError} />
        <TextField label={t("audit.claim")} value={draft.claim} onInput={set("claim")} inputMode="numeric" name="claim" error={draftClaimError} />
        <SelectField label={t("audit.order")} value={draft.order} onChange={set("order")} name="order"
          options={[{ value: "", label: t("audit.newestFirst") }, { value: "oldest", label: t("audit.oldestFirst") }]} />
        <div class="filter-buttons">
          <button type="submit" class="primary">{t("app.search")}</button>
          <button type="button" onClick={() => navigate(href(["audit"]))}>{t("app.reset")}</button>
        </div>
      </form>
      <ErrorBox problem={loading.problem} />
      {entries === undefined ? (loading.busy && <Loading />) : entries.length === 0 ? <p class="muted">{t("audit.empty")}</p> : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label={t("audit.title")}>
          <table class="data audit">
            <thead><tr><th scope="col">{t("audit.entry")}</th><th scope="col">{t("audit.at")}</th><th scope="col">{t("audit.actor")}</th>
              <th scope="col">{t("audit.action")}</th><th scope="col">{t("audit.claim")}</th><th scope="col">{t("audit.target")}</th>
              <th scope="col">{t("audit.hash")}</th><th scope="col">{t("audit.change")}</th></tr></thead>
            <tbody>{entries.map((e) => (
              <tr key={String(e.entryId)} data-entry-id={String(e.entryId)}>
                <td>{String(e.entryId)}</td><td class="nowrap">{formatInstant(e.at)}</td>
                <td>{e.actor}<br /><span class="muted">{tk(`role.${e.role}`)}</span></td>
                <td>{tk(`action.${e.action}`)}</td>
                <td>{e.claimId === 0n ? "" : <a href={href(["claims", String(e.claimId)])}>{String(e.claimId)}</a>}</td>
                <td title={e.target}>{targetLabel(e.target, catalog)}</td>
                <td><code title={e.entryHash}>{shortHash(e.entryHash)}</code></td>
                <td>{(e.beforeJson !== "" || e.afterJson !== "") && (
                  <details>
                    <summary>{t("audit.change")}</summary>
                    <ChangeView beforeJson={e.beforeJson} afterJson={e.afterJson} />
                  </details>
                )}</td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      )}
      {next !== "" && <div class="pager"><button type="button" onClick={() => void load(next)} disabled={loading.busy}>{t("audit.more")}</button></div>}
    </section>
  );
}
