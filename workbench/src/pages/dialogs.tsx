// The dialogs that change one claim: review (approve / reject / return),
// withdrawal, a payment, an attachment.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { Claim } from "../../gen/stdfund/v1/registry_pb.js";
import { ReviewDecision } from "../../gen/stdfund/v1/registry_pb.js";
import { useAction, useApp } from "../context.js";
import { t } from "../i18n.js";
import { amountProblemKey, compareYuan, readAmount, readBack } from "../money.js";
import { isDate, todayChina } from "../format.js";
import { Dialog } from "../ui/Dialog.js";
import { ErrorBox } from "../ui/ErrorBox.js";
import { Actions, TextArea, TextField } from "../ui/Field.js";
import { Money } from "../ui/bits.js";
import type { ReviewClaimsResponse } from "../../gen/stdfund/v1/registry_service_pb.js";
import { BudgetsPreview } from "./BatchDialog.js";

/** What a review form must hold before it is sent. */
export function reviewProblems(decision: ReviewDecision, discretionary: boolean, reason: string, amount: string): { reason?: string; amount?: string } {
  const out: { reason?: string; amount?: string } = {};
  const needsReason = decision !== ReviewDecision.APPROVE || discretionary;
  if (needsReason && reason.trim() === "") out.reason = t("review.reasonRequired");
  if (decision === ReviewDecision.APPROVE && discretionary) {
    const a = readAmount(amount);
    if (a.problem === "EMPTY") out.amount = t("review.amountRequired");
    else if (a.problem !== undefined) out.amount = t(amountProblemKey(a.problem));
    else if (compareYuan(a.yuan, "0") <= 0) out.amount = t("money.notPositive");
  }
  return out;
}

/** What an amount field reads, shown beside it before anything is sent. */
export function amountHint(typed: string): string | undefined {
  const r = readBack(typed);
  return r === null ? undefined : t("money.readBack", r);
}

export function ReviewDialog({ claim, decision, onClose, onDone, notice }: {
  claim: Claim; decision: ReviewDecision; onClose: () => void; onDone: (c: Claim) => void;
  /** What the claim page warns of (other units leading the same standard), said again here. */
  notice?: ComponentChildren;
}) {
  const { api, notify } = useApp();
  // An approval of a fixed amount is previewed as a batch of one is: the
  // amount to be frozen and each budget before and after (the eleventh user
  // test found those in the batch dialog only). A refusal (a budget that
  // does not hold it) is said before anything is sent.
  const previewed = decision === ReviewDecision.APPROVE && !claim.discretionary;
  const [preview, setPreview] = useState<ReviewClaimsResponse | null>(null);
  const previewAction = useAction();
  useEffect(() => {
    if (!previewed) return;
    void previewAction.run(() => api.registry.reviewClaims({
      claimIds: [claim.claimId], seenResubmissions: [claim.resubmissions], decision: ReviewDecision.APPROVE, reason: "", dryRun: true,
    })).then((answer) => { if (answer !== undefined) setPreview(answer); });
  }, [claim.claimId, claim.resubmissions]);
  const [reason, setReason] = useState("");
  const [amount, setAmount] = useState("");
  const [tried, setTried] = useState(false);
  const action = useAction();
  const id = String(claim.claimId);
  const discretionary = claim.discretionary;
  const problems = reviewProblems(decision, discretionary, reason, amount);
  const needsReason = decision !== ReviewDecision.APPROVE || discretionary;

  const submit = async (e: Event) => {
    e.preventDefault();
    setTried(true);
    if (Object.keys(problems).length > 0) return;
    const r = await action.run(() => api.registry.reviewClaim({
      claimId: claim.claimId, decision, reason: reason.trim(),
      // The application shown: a claim resubmitted since is refused (CLAIM_CHANGED).
      seenResubmissions: claim.resubmissions,
      reviewerAmount: decision === ReviewDecision.APPROVE && discretionary ? readAmount(amount).yuan ?? "" : "",
    }));
    if (r?.claim !== undefined) {
      notify(t(`review.done.${decision as 1 | 2 | 3}`, { id }));
      onDone(r.claim);
    }
  };
  const cls = decision === ReviewDecision.APPROVE ? "primary" : "danger";
  return (
    <Dialog title={t(`review.title.${decision as 1 | 2 | 3}`, { id })} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        {decision === ReviewDecision.APPROVE && <p class="hint-block">{discretionary ? t("claim.discretionary") : t("review.approveHint")}</p>}
        {decision === ReviewDecision.APPROVE && notice}
        {previewed && (
          <div class="preview" aria-live="polite" aria-busy={previewAction.busy}>
            {previewAction.busy && <p class="loading">{t("batch.preview")}</p>}
            {preview !== null && (
              <>
                <dl class="figures">
                  <div><dt>{t("review.toFreeze")}</dt><dd data-testid="approve-amount"><Money value={preview.total} /></dd></div>
                </dl>
                <BudgetsPreview answer={preview} />
              </>
            )}
            <ErrorBox problem={previewAction.problem} />
          </div>
        )}
        {decision === ReviewDecision.APPROVE && discretionary && (
          <TextField label={t("review.amount")} required value={amount} onInput={setAmount} inputMode="decimal" hint={amountHint(amount)} error={tried ? problems.amount : null} />
        )}
        <TextArea label={t("review.reason")} required={needsReason} value={reason} onInput={setReason} maxLength={500} error={tried ? problems.reason : null} />
        <ErrorBox problem={action.problem} />
        <Actions>
          <button type="submit" class={cls} disabled={action.busy}>{t(decision === ReviewDecision.APPROVE ? "review.approve" : decision === ReviewDecision.REJECT ? "review.reject" : "review.return")}</button>
          <button type="button" onClick={onClose}>{t("app.cancel")}</button>
        </Actions>
      </form>
    </Dialog>
  );
}

export function WithdrawDialog({ claim, onClose, onDone }: { claim: Claim; onClose: () => void; onDone: (c: Claim) => void }) {
  const { api, notify } = useApp();
  const [reason, setReason] = useState("");
  const action = useAction();
  const id = String(claim.claimId);
  const submit = async (e: Event) => {
    e.preventDefault();
    const r = await action.run(() => api.registry.withdrawClaim({ claimId: claim.claimId, reason: reason.trim() }));
    if (r?.claim !== undefined) { notify(t("review.withdrawn", { id })); onDone(r.claim); }
  };
  return (
    <Dialog title={t("review.withdrawTitle", { id })} onClose={onClose}>
      <form onSubmit={submit}>
        <TextArea label={t("review.reason") + t("app.optional")} value={reason} onInput={setReason} maxLength={500} />
        <ErrorBox problem={action.problem} />
        <Actions>
          <button type="submit" class="danger" disabled={action.busy}>{t("review.withdraw")}</button>
          <button type="button" onClick={onClose}>{t("app.cancel")}</button>
        </Actions>
      </form>
    </Dialog>
  );
}

/** What a payment form must hold: a date not after today, a voucher, an optional amount. */
export function disburseProblems(date: string, voucher: string, amount: string, today: string): { date?: string; voucher?: string; amount?: string } {
  const out: { date?: string; voucher?: string; amount?: string } = {};
  if (date === "") out.date = t("finance.dateRequired");
  else if (!isDate(date)) out.date = t("queue.badDates");
  else if (date > today) out.date = t("finance.futureDate");
  if (voucher.trim() === "") out.voucher = t("finance.voucherRequired");
  const a = readAmount(amount);
  if (a.problem !== undefined && a.problem !== "EMPTY") out.amount = t(amountProblemKey(a.problem));
  else if (a.yuan !== undefined && compareYuan(a.yuan, "0") <= 0) out.amount = t("money.notPositive");
  return out;
}

/**
 * A payment of an approved claim. The page checks what it can (a date in the
 * future, an empty voucher) and leaves the rest to the server, whose refusal
 * (e.g. an amount above what is unpaid) is shown as sent.
 */
export function DisburseDialog({ claim, onClose, onDone, noticeEnd }: {
  claim: Claim; onClose: () => void; onDone: (c: Claim) => void;
  /** The last day of the 公示 the claim is on, when the page knows it. */
  noticeEnd?: string;
}) {
  const { api, notify } = useApp();
  const [date, setDate] = useState(todayChina());
  const [voucher, setVoucher] = useState("");
  const [amount, setAmount] = useState("");
  const [tried, setTried] = useState(false);
  const action = useAction();
  // A refusal speaks of what was sent: it goes once a field changes.
  const edit = (set: (v: string) => void) => (v: string) => { set(v); action.clear(); };
  const id = String(claim.claimId);
  const problems = disburseProblems(date, voucher, amount, todayChina());
  const submit = async (e: Event) => {
    e.preventDefault();
    setTried(true);
    if (Object.keys(problems).length > 0) return;
    const r = await action.run(() => api.registry.recordDisbursement({
      claimId: claim.claimId, paymentDate: date, voucherNumber: voucher.trim(), amount: readAmount(amount).yuan ?? "", payer: "",
    }));
    if (r?.claim !== undefined) { notify(t("finance.disbursed", { id })); onDone(r.claim); }
  };
  return (
    <Dialog title={t("finance.disburseTitle", { id })} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <dl class="figures">
          <div><dt>{t("finance.approvedAmount")}</dt><dd><Money value={claim.review?.approvedAmount ?? ""} /></dd></div>
          <div><dt>{t("finance.paid")}</dt><dd><Money value={claim.paidAmount || "0.00"} /></dd></div>
        </dl>
        {/* Not a refusal (whether to pay during the 公示 is the policy
            owner's, R31): said before the officer pays. */}
        {noticeEnd !== undefined && todayChina() <= noticeEnd && (
          <p class="note note-similar" role="note" data-testid="notice-running">{t("finance.noticeRunning", { end: noticeEnd })}</p>
        )}
        <TextField label={t("finance.paymentDate")} type="date" required value={date} onInput={edit(setDate)} error={tried ? problems.date : null} name="paymentDate" />
        <TextField label={t("finance.voucher")} required value={voucher} onInput={edit(setVoucher)} maxLength={64} error={tried ? problems.voucher : null} name="voucher" />
        <TextField label={t("finance.amount")} hint={amountHint(amount) ?? t("finance.amountHint")} value={amount} onInput={edit(setAmount)} inputMode="decimal" error={tried ? problems.amount : null} name="amount" />
        <ErrorBox problem={action.problem} />
        <Actions>
          <button type="submit" class="primary" disabled={action.busy}>{t("review.disburse")}</button>
          <button type="button" onClick={onClose}>{t("app.cancel")}</button>
        </Actions>
      </form>
    </Dialog>
  );
}

export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

export function UploadDialog({ claim, onClose, onDone }: { claim: Claim; onClose: () => void; onDone: () => void }) {
  const { api, notify } = useApp();
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<string | null>(null);
  const action = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    if (file === null) { setError(t("att.file")); return; }
    if (file.size > MAX_ATTACHMENT_BYTES) { setError(t("att.tooLarge")); return; }
    const content = new Uint8Array(await file.arrayBuffer());
    const r = await action.run(() => api.registry.addAttachment({ claimId: claim.claimId, fileName: file.name, content }));
    if (r !== undefined) { notify(t("att.uploaded", { name: file.name })); onDone(); }
  };
  return (
    <Dialog title={t("att.upload")} onClose={onClose}>
      <form onSubmit={submit}>
        <div class="field">
          <label for="upload-file">{t("att.file")}</label>
          <input id="upload-file" type="file" accept="application/pdf,image/jpeg,image/png" aria-describedby={error === null ? undefined : "upload-error"}
            onChange={(e) => { setError(null); setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null); }} />
          {error !== null && <span class="field-error" id="upload-error">{error}</span>}
        </div>
        <ErrorBox problem={action.problem} />
        <Actions>
          <button type="submit" class="primary" disabled={action.busy}>{t("att.upload")}</button>
          <button type="button" onClick={onClose}>{t("app.cancel")}</button>
        </Actions>
      </form>
    </Dialog>
  );
}
