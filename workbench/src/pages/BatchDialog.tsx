// The confirmation of a batch review: ReviewClaims with dry_run shows the
// count, the total and each year's municipal budget left before and after;
// the same request without dry_run then does it, all or none.
import { useEffect, useRef, useState } from "preact/hooks";
import type { Claim } from "../../gen/stdfund/v1/registry_pb.js";
import { ReviewDecision } from "../../gen/stdfund/v1/registry_pb.js";
import type { ReviewClaimsResponse } from "../../gen/stdfund/v1/registry_service_pb.js";
import { useAction, useApp } from "../context.js";
import { t } from "../i18n.js";
import { formatYuan } from "../money.js";
import { Dialog } from "../ui/Dialog.js";
import { ErrorBox } from "../ui/ErrorBox.js";
import { Actions, TextArea } from "../ui/Field.js";
import { Money } from "../ui/bits.js";
import type { Problem } from "../errors.js";
import { claimAmount } from "./Queue.js";
import { payerName } from "../catalog.js";

export function BatchDialog({ decision, claims, onClose, onDone }: {
  decision: 1 | 2; claims: Claim[]; onClose: () => void; onDone: (text: string) => void;
}) {
  const { api } = useApp();
  // Claims the reviewer left out here because the budget does not hold them.
  const [leftOut, setLeftOut] = useState<ReadonlySet<string>>(new Set());
  const chosen = claims.filter((c) => !leftOut.has(String(c.claimId)));
  const ids = chosen.map((c) => c.claimId);
  // The applications the queue showed: a claim resubmitted since refuses the batch (CLAIM_CHANGED).
  const seenResubmissions = chosen.map((c) => c.resubmissions);
  const reject = decision === ReviewDecision.REJECT;
  const [reason, setReason] = useState("");
  const [touched, setTouched] = useState(false);
  const [preview, setPreview] = useState<{ reason: string; answer: ReviewClaimsResponse } | null>(null);
  const previewAction = useAction();
  const commit = useAction();
  const generation = useRef(0);

  // The preview: at once for an approval (its figures do not depend on the
  // reason); for a rejection once a reason is typed, again when it changes.
  const previewReason = reject ? reason.trim() : "";
  useEffect(() => {
    if (reject && previewReason === "") { setPreview(null); return; }
    const mine = ++generation.current;
    const timer = setTimeout(() => {
      void previewAction.run(() => api.registry.reviewClaims({ claimIds: ids, seenResubmissions, decision, reason: previewReason, dryRun: true }))
        .then((answer) => { if (answer !== undefined && generation.current === mine) setPreview({ reason: previewReason, answer }); });
    }, reject ? 400 : 0);
    return () => clearTimeout(timer);
  }, [previewReason, leftOut]);

  const ready = preview !== null && (!reject || preview.reason === previewReason) && !previewAction.busy;
  const reasonError = reject && touched && reason.trim() === "" ? t("batch.reasonRequired") : null;

  const confirm = async (e: Event) => {
    e.preventDefault();
    setTouched(true);
    if (!ready) return;
    const answer = await commit.run(() => api.registry.reviewClaims({ claimIds: ids, seenResubmissions, decision, reason: reason.trim(), dryRun: false }));
    if (answer !== undefined) {
      onDone(reject ? t("batch.done.2", { count: answer.count }) : t("batch.done.1", { count: answer.count, total: formatYuan(answer.total) }));
    }
  };

  const p = preview?.answer;
  const problem = previewAction.problem ?? commit.problem;
  // The server this page is served by names every claim over the budget
  // (`claimIdsOver`, R36); a refusal without it is shown as it is told.
  const overBudget = problem?.reason === "BUDGET_EXCEEDED" && problem.metadata["claimIdsOver"] !== undefined
    && chosen.some((c) => String(c.claimId) === problem.metadata["claimId"]);
  return (
    <Dialog title={t(`batch.title.${decision}`)} onClose={onClose} wide>
      <form onSubmit={confirm} class="batch-form">
        <TextArea label={t("batch.reason")} required={reject} value={reason} maxLength={500}
          onInput={(v) => { setReason(v); setTouched(true); }} error={reasonError} />
        <div class="preview" aria-live="polite" aria-busy={previewAction.busy}>
          {previewAction.busy && <p class="loading">{t("batch.preview")}</p>}
          {p !== undefined && (
            <>
              <dl class="figures">
                <div><dt>{t("batch.count")}</dt><dd data-testid="batch-count">{p.count}</dd></div>
                <div><dt>{t("batch.total")}</dt><dd data-testid="batch-total"><Money value={p.total} /></dd></div>
              </dl>
              <BudgetsPreview answer={p} />
            </>
          )}
        </div>
        {/* Over budget, the table below says it (with each claim): the box would say it twice. */}
        <ErrorBox problem={overBudget ? null : problem} />
        <OverBudget claims={chosen} problem={problem}
          onLeaveOut={(over) => setLeftOut(new Set([...leftOut, ...over]))} />
        {leftOut.size > 0 && <p class="muted small" data-testid="left-out">{t("batch.leftOut", {
          ids: [...leftOut].slice(0, 10).join("、") + (leftOut.size > 10 ? t("batch.overMore", { count: leftOut.size }) : "") })}</p>}
        <Actions>
          <button type="submit" class={reject ? "danger" : "primary"} disabled={!ready || commit.busy} data-autofocus={!reject}>
            {t(`batch.confirm.${decision}`, { count: p?.count ?? ids.length })}
          </button>
          <button type="button" onClick={onClose}>{t("app.cancel")}</button>
        </Actions>
      </form>
    </Dialog>
  );
}

/** Each budget the approval draws on, named, with what is left before and after it. */
export function BudgetsPreview({ answer: p }: { answer: ReviewClaimsResponse }) {
  const { catalog } = useApp();
  if (p.budgetsBefore.length === 0) return <p class="muted">{t("batch.noBudget")}</p>;
  return (
    <table class="data compact budgets-preview">
      <thead><tr><th scope="col">{t("finance.year")}</th><th scope="col" class="num">{t("finance.total")}</th><th scope="col" class="num">{t("batch.before")}</th><th scope="col" class="num">{t("batch.after")}</th></tr></thead>
      <tbody>
        {p.budgetsBefore.map((b) => {
          const after = p.budgetsAfter.find((a) => a.year === b.year && a.payer === b.payer);
          return (
            <tr key={`${b.year}-${b.payer}`}>
              <th scope="row">{t("batch.budgetYear", { year: b.year, payer: payerName(catalog, b.payer, b.payerNameZh) })}
                {after !== undefined && after.left === b.left && <span class="muted small"> {t("batch.budgetUntouched")}</span>}</th>
              <td class="num"><Money value={b.total} /></td>
              <td class="num" data-testid="budget-before"><Money value={b.left} /></td>
              <td class="num" data-testid="budget-after"><Money value={after?.left ?? ""} /></td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/**
 * When the budget does not hold the batch: the claims chosen, in the order
 * they are approved, each with its amount and whether the budget holds it
 * once those before it that fit are approved (the server checks every one);
 * the reviewer may leave out those that do not fit and approve the rest.
 */
function OverBudget({ claims, problem, onLeaveOut }: { claims: Claim[]; problem: Problem | null; onLeaveOut: (ids: string[]) => void }) {
  const { catalog } = useApp();
  if (problem?.reason !== "BUDGET_EXCEEDED") return null;
  const first = problem.metadata["claimId"] ?? "";
  const listed = problem.metadata["claimIdsOver"];
  if (listed === undefined || !claims.some((c) => String(c.claimId) === first)) return null;
  const named = listed.split(",").filter((x) => x !== "");
  // Beside each claim listed, the budget it exceeds (`claimPayersOver`).
  const payers = (problem.metadata["claimPayersOver"] ?? "").split(",");
  const over = new Map(named.map((id, i) => [id, payers[i] ?? ""]));
  // At most 50 are listed; the count says how many there are (left out,
  // the next preview lists the rest).
  const total = Math.max(Number(problem.metadata["claimsOverTotal"] ?? named.length) || named.length, named.length);
  const fit = claims.length - total;
  const shown = named.slice(0, 10).join("、") + (total > 10 ? t("batch.overMore", { count: total }) : "");
  return (
    <>
      <table class="data compact over-budget" data-testid="over-budget">
        <caption>{t("batch.overBudgetAll", { ids: shown })}</caption>
        <thead><tr><th scope="col">{t("col.id")}</th><th scope="col">{t("col.unit")}</th><th scope="col" class="num">{t("col.amount")}</th><th scope="col">{t("batch.fits")}</th></tr></thead>
        <tbody>{claims.map((c) => {
          const id = String(c.claimId);
          const payer = over.get(id);
          const state = payer === undefined ? t("batch.fitsYes")
            : payer === "" ? t("batch.doesNotFit") : t("batch.doesNotFitBudget", { payer: payerName(catalog, payer) });
          return (
            <tr key={id} class={over.has(id) ? "does-not-fit" : ""}>
              <td>{id}</td><td>{c.unitName}</td><td class="num"><Money value={claimAmount(c)} /></td><td>{state}</td>
            </tr>
          );
        })}</tbody>
      </table>
      {fit > 0 && (
        <button type="button" onClick={() => onLeaveOut(named)} data-testid="leave-out">{t("batch.approveFitting", { count: fit })}</button>
      )}
    </>
  );
}
