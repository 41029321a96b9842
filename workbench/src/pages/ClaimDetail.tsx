// 申报详情: the applicant, the achievement, the line's explanation with its
// clause, top-up and split (暂定 when provisional), the one-time key, the
// review and payments, the attachments and the history from the audit log;
// the actions the role may take.
import { changes } from "../changes.js";
import { useState } from "preact/hooks";
import type { Attachment, AuditEntry, Claim } from "../../gen/stdfund/v1/registry_pb.js";
import type { EndedClaim, OtherFiscalUnit, SimilarClaim } from "../../gen/stdfund/v1/registry_service_pb.js";
import type { Objection } from "../../gen/stdfund/v1/registry_pb.js";
import { ClaimStatus, ObjectionOutcome, ObjectionStatus, ReviewDecision } from "../../gen/stdfund/v1/registry_pb.js";
import type { EstimateResponse, Line } from "../../gen/stdfund/v1/estimate_pb.js";
import { useAction, useApp, useCan, useLoad } from "../context.js";
import { pick, t, tk } from "../i18n.js";
import { fileKind, formatBytes, formatInstant, shortHash, targetLabel } from "../format.js";
import { formatYuan } from "../money.js";
import { itemName, rulesetTitle, unitName, variantName } from "../catalog.js";
import { objectUrl, saveFile } from "../download.js";
import { href } from "../router.js";
import { ErrorBox } from "../ui/ErrorBox.js";
import { plain } from "../errors.js";
import { Dialog } from "../ui/Dialog.js";
import { KV, Loading, Money, PageTitle, Provisional, StatusBadge } from "../ui/bits.js";
import { DisburseDialog, ReviewDialog, UploadDialog, WithdrawDialog } from "./dialogs.js";

type Open = { kind: "review"; decision: ReviewDecision } | { kind: "withdraw" } | { kind: "disburse" } | { kind: "upload" } | null;

export function ClaimDetail({ id }: { id: string }) {
  const { api } = useApp();
  const can = useCan();
  const valid = /^[1-9]\d{0,17}$/.test(id);
  const claimId = valid ? BigInt(id) : 0n;
  const loaded = useLoad(() => api.registry.getClaim({ claimId }), [id]);
  const claim = { ...loaded, data: loaded.data?.claim };
  const similar = loaded.data?.similarClaims ?? [];
  const otherLeads = loaded.data?.otherUnitsSameSubject ?? [];
  const ended = loaded.data?.endedClaims ?? [];
  const endedTotal = loaded.data?.endedClaimsTotal ?? 0;
  const otherUnits = loaded.data?.otherFiscalUnits ?? [];
  const attachments = useLoad(() => api.registry.listAttachments({ claimId }).then((r) => r.attachments), [id]);
  const history = useLoad(() => api.registry.listAuditLog({ claimId, pageSize: 500 }).then((r) => r.entries), [id]);
  const [open, setOpen] = useState<Open>(null);

  if (!valid) return <section class="page"><PageTitle>{t("claim.title", { id })}</PageTitle><p>{t("app.notFound")}</p></section>;
  const c = claim.data;
  const refresh = () => { claim.reload(); history.reload(); attachments.reload(); };
  const done = () => { setOpen(null); refresh(); };
  // A dialog closed without a decision may have met one taken elsewhere
  // meanwhile (申报…当前状态为已核准): the page shows the claim as it is now.
  const closed = () => { setOpen(null); refresh(); };

  return (
    <section class="page claim-page">
      <p class="crumb"><a href={href(["queue"])}>← {can("ReviewClaims") ? t("nav.queue") : t("nav.claims")}</a></p>
      <div class="title-row">
        <div class="title-group">
          <PageTitle>{t("claim.title", { id })}</PageTitle>
          {c !== undefined && <StatusBadge status={c.status} />}
        </div>
      </div>
      <ErrorBox problem={claim.problem} />
      {claim.loading && c === undefined && <Loading />}
      {c !== undefined && (
        <>
          <ActionBar claim={c} onOpen={setOpen} />
          <ObjectionNote claim={c} />
          <SimilarNote similar={similar} />
          <OtherLeadsNote others={otherLeads} />
          <EndedNote ended={ended} total={endedTotal} />
          <OtherUnitsNote claim={c} others={otherUnits} />
          {c.note !== undefined && c.note.reason !== "" && (
            <div class={`note note-${c.status}`} role="note">
              <strong>{tk(`status.${c.status}`)}：</strong>{c.note.reason}
              <span class="muted"> — {c.note.by} {formatInstant(c.note.at)}</span>
            </div>
          )}
          <div class="grid-2">
            <Applicant claim={c} />
            <Achievement claim={c} />
          </div>
          <Assessment claim={c} />
          {c.review !== undefined && c.review.decision !== ReviewDecision.UNSPECIFIED && <Review claim={c} />}
          {c.payments.length > 0 && <Payments claim={c} />}
          {c.objections.length > 0 && <Objections claim={c} />}
          <Attachments loaded={attachments} onUpload={can("AddAttachment") ? () => setOpen({ kind: "upload" }) : undefined} />
          <History loaded={history} />
        </>
      )}
      {c !== undefined && open?.kind === "review" && <ReviewDialog claim={c} decision={open.decision} onClose={closed} onDone={done}
        notice={<OtherLeadsNote others={otherLeads} />} />}
      {c !== undefined && open?.kind === "withdraw" && <WithdrawDialog claim={c} onClose={closed} onDone={done} />}
      {c !== undefined && open?.kind === "disburse" && <DisburseDialog claim={c} onClose={closed} onDone={done} />}
      {c !== undefined && open?.kind === "upload" && <UploadDialog claim={c} onClose={closed} onDone={done} />}
    </section>
  );
}

function ActionBar({ claim, onOpen }: { claim: Claim; onOpen: (o: Open) => void }) {
  const can = useCan();
  const buttons = [];
  if (claim.status === ClaimStatus.SUBMITTED && can("ReviewClaim")) {
    buttons.push(<button type="button" class="primary" onClick={() => onOpen({ kind: "review", decision: ReviewDecision.APPROVE })}>{t("review.approve")}</button>);
    buttons.push(<button type="button" class="danger" onClick={() => onOpen({ kind: "review", decision: ReviewDecision.REJECT })}>{t("review.reject")}</button>);
    buttons.push(<button type="button" onClick={() => onOpen({ kind: "review", decision: ReviewDecision.RETURN })}>{t("review.return")}</button>);
  }
  const blocking = blockingObjection(claim);
  if (claim.status === ClaimStatus.APPROVED && can("RecordDisbursement") && blocking === undefined) {
    buttons.push(<button type="button" class="primary" onClick={() => onOpen({ kind: "disburse" })}>{t("review.disburse")}</button>);
  }
  if (claim.status === ClaimStatus.APPROVED && can("ReviewClaim") && blocking?.outcome === ObjectionOutcome.UPHELD && unpaid(claim)) {
    buttons.push(<button type="button" class="danger" onClick={() => onOpen({ kind: "review", decision: ReviewDecision.REJECT })}>{t("review.revoke")}</button>);
  }
  if ((claim.status === ClaimStatus.SUBMITTED || claim.status === ClaimStatus.RETURNED) && can("WithdrawClaim")) {
    buttons.push(<button type="button" onClick={() => onOpen({ kind: "withdraw" })}>{t("review.withdraw")}</button>);
  }
  if (buttons.length === 0) return null;
  return <div class="action-bar" role="group" aria-label={t("claim.actions")}>{buttons}</div>;
}

/** The objection that stops a payment (as the registry decides): the first open or upheld one. */
function blockingObjection(c: Claim): Objection | undefined {
  return c.objections.find((o) => o.status === ObjectionStatus.OPEN || o.outcome === ObjectionOutcome.UPHELD);
}

function unpaid(c: Claim): boolean {
  return c.payments.length === 0;
}

/**
 * The applicant's other live claims of the same item whose subjects read alike
 * (〔〕 and [], 第 and leading zeros aside): perhaps one achievement, which the
 * one-time rule, comparing canonical forms, does not see. For the reviewer to check.
 */
function SimilarNote({ similar }: { similar: SimilarClaim[] }) {
  if (similar.length === 0) return null;
  return (
    <div class="note note-similar" role="note" data-testid="similar-claims">
      {t("claim.similar")}
      <ul>{similar.map((s) => (
        <li key={String(s.claimId)}>
          <a href={href(["claims", String(s.claimId)])}>{t("claim.title", { id: String(s.claimId) })}</a>
          {"「"}{s.subject}{"」"} <StatusBadge status={s.status} />
        </li>
      ))}</ul>
    </div>
  );
}

/**
 * The applicant's earlier claims of the same achievement that ended unpaid
 * (rejected, withdrawn, revoked on an upheld objection), with why: the same
 * application filed again is not new to the bureau.
 */
function EndedNote({ ended, total }: { ended: EndedClaim[]; total: number }) {
  if (ended.length === 0) return null;
  return (
    <div class="note note-similar" role="note" data-testid="ended-claims">
      {t("claim.ended")}
      <ul>{ended.map((e) => (
        <li key={String(e.claimId)}>
          <a href={href(["claims", String(e.claimId)])}>{t("claim.title", { id: String(e.claimId) })}</a>
          {"「"}{e.subject}{"」"} <StatusBadge status={e.status} />
          {e.upheldObjections > 0 && <> <strong>{t("claim.endedUpheld", { count: String(e.upheldObjections) })}</strong></>}
          {e.reason !== "" && <>{t("claim.endedReason", { reason: e.reason })}</>}
        </li>
      ))}</ul>
      {total > ended.length && <p class="muted">{t("claim.endedMore", { count: String(total - ended.length) })}</p>}
    </div>
  );
}

/**
 * The fiscal units other than this claim's under which the same credit code
 * filed (its other claims, and this claim before a resubmission changed its
 * seat): a unit has one fiscal relationship, and a district unit filed under
 * 市本级 puts the whole grant on the city's budget. For the reviewer to check.
 */
function OtherUnitsNote({ claim, others }: { claim: Claim; others: OtherFiscalUnit[] }) {
  const { catalog } = useApp();
  if (others.length === 0) return null;
  const own = unitName(catalog, claim.fiscalUnit);
  return (
    <div class="note note-similar" role="note" data-testid="other-fiscal-units">
      {t("claim.otherUnits", { unit: own === claim.fiscalUnit ? own : `${own}（${claim.fiscalUnit}）` })}
      <ul>{others.map((u) => (
        <li key={u.fiscalUnit}>
          <strong>{unitName(catalog, u.fiscalUnit)}</strong>{u.fiscalUnit !== unitName(catalog, u.fiscalUnit) && <>（{u.fiscalUnit}）</>}
          {u.thisClaimBefore && <>{t("claim.otherUnitsBefore")}</>}
          {u.claimIds.length > 0 && <>{t("claim.otherUnitsClaims")}{u.claimIds.map((id, i) => (
            <span key={String(id)}>{i > 0 ? "、" : ""}<a href={href(["claims", String(id)])}>{t("claim.title", { id: String(id) })}</a></span>
          ))}</>}
          {u.claimsTotal > u.claimIds.length && <span class="muted">{t("claim.otherUnitsMore", { count: String(u.claimsTotal - u.claimIds.length) })}</span>}
        </li>
      ))}</ul>
    </div>
  );
}

/**
 * Other units' live claims to be the lead (or first drafting unit, or an
 * award's first unit) of the same standard or award: each may be paid, but
 * one standard has one first drafting unit. For the reviewer to check.
 */
function OtherLeadsNote({ others }: { others: SimilarClaim[] }) {
  if (others.length === 0) return null;
  return (
    <div class="note note-similar" role="note" data-testid="other-leads">
      {t("claim.otherLeads")}
      <ul>{others.map((s) => (
        <li key={String(s.claimId)}>
          <a href={href(["claims", String(s.claimId)])}>{t("claim.title", { id: String(s.claimId) })}</a>
          {" "}{s.unitName}（{s.creditCode}）{"「"}{s.subject}{"」"} <StatusBadge status={s.status} />
        </li>
      ))}</ul>
    </div>
  );
}

/** Why an approved claim cannot be paid, and what can be done, above everything else. */
function ObjectionNote({ claim: c }: { claim: Claim }) {
  const o = blockingObjection(c);
  if (o === undefined || (c.status !== ClaimStatus.APPROVED && c.status !== ClaimStatus.DISBURSED)) return null;
  const id = String(o.objectionId);
  const key = o.status === ObjectionStatus.OPEN ? "claim.objectionOpen" : unpaid(c) ? "claim.objectionUpheld" : "claim.objectionUpheldPaid";
  return <div class="note note-objection" role="alert">{t(key, { id })}</div>;
}

function Objections({ claim: c }: { claim: Claim }) {
  return (
    <section class="card" aria-labelledby="sec-objections">
      <h2 id="sec-objections">{t("claim.objections")}</h2>
      <div class="table-wrap" tabIndex={0} role="region" aria-label={t("claim.objections")}>
        <table class="data compact objections">
          <thead><tr><th scope="col">{t("col.id")}</th><th scope="col">{t("claim.objPublication")}</th><th scope="col">{t("pub.objReceived")}</th>
            <th scope="col">{t("pub.objector")}</th><th scope="col">{t("pub.objContent")}</th><th scope="col">{t("pub.status")}</th>
            <th scope="col">{t("pub.resolution")}</th></tr></thead>
          <tbody>{c.objections.map((o) => (
            <tr key={String(o.objectionId)}>
              <td>{String(o.objectionId)}</td><td><a href={href(["publications", String(o.publicationId)])}>{String(o.publicationId)}</a></td>
              <td>{o.receivedOn}</td><td>{o.objector}{o.contact !== "" && <><br /><span class="muted">{o.contact}</span></>}</td>
              <td class="prose">{o.content}</td>
              <td>{tk(`pub.objStatus.${o.status}`)}{o.status === ObjectionStatus.RESOLVED && <><br /><strong>{tk(`pub.objOutcome.${o.outcome}`)}</strong></>}</td>
              <td class="prose">{o.resolution}{o.resolvedBy !== "" && <><br /><span class="muted">{o.resolvedBy} {formatInstant(o.resolvedAt)}</span></>}</td>
            </tr>
          ))}</tbody>
        </table>
      </div>
    </section>
  );
}

function Applicant({ claim: c }: { claim: Claim }) {
  const { catalog } = useApp();
  const fiscal = c.estimate?.applicant?.fiscalUnitNameZh !== undefined && c.estimate.applicant.fiscalUnitNameZh !== ""
    ? pick(c.estimate.applicant.fiscalUnitNameZh, c.estimate.applicant.fiscalUnitNameEn) : unitName(catalog, c.fiscalUnit);
  return (
    <section class="card" aria-labelledby="sec-applicant">
      <h2 id="sec-applicant">{t("claim.applicant")}</h2>
      <KV items={[
        [t("claim.unitName"), c.unitName],
        [t("claim.creditCode"), <>
          <code>{c.creditCode}</code>{" "}
          <span class={c.creditCodeCheckPassed ? "ok" : "warn"}>{c.creditCodeCheckPassed ? t("claim.checkPassed") : t("claim.checkFailed")}</span>
          {c.creditCodeConfirmed && <span class="muted">{t("claim.checkConfirmedNote")}</span>}
        </>],
        [t("claim.seat"), unitName(catalog, c.seat) === c.seat ? c.seat : `${unitName(catalog, c.seat)} (${c.seat})`],
        [t("claim.fiscalUnit"), `${fiscal} (${c.fiscalUnit})`],
        [t("claim.year"), String(c.year)],
        [t("claim.submittedBy"), c.submittedBy],
        [t("claim.submittedAt"), formatInstant(c.submittedAt)],
        [t("claim.updatedAt"), formatInstant(c.updatedAt)],
        [t("claim.resubmissions"), c.resubmissions > 0 ? String(c.resubmissions) : ""],
      ]} />
    </section>
  );
}

function Achievement({ claim: c }: { claim: Claim }) {
  const { catalog } = useApp();
  const a = c.application?.achievements[0];
  return (
    <section class="card" aria-labelledby="sec-achievement">
      <h2 id="sec-achievement">{t("claim.achievement")}</h2>
      <KV items={[
        [t("claim.item"), itemName(catalog, c.item)],
        [t("claim.variant"), variantName(catalog, c.item, c.variant)],
        [t("claim.clause"), c.clause],
        [t("claim.subjectGiven"), c.subjectAsGiven !== "" ? <span class="subject" data-testid="subject-as-given">{c.subjectAsGiven}</span> : ""],
        [t("claim.subject"), <span class="subject" data-testid="subject">{c.subject}</span>],
        [t("claim.date"), c.achievementDate],
        [t("claim.role"), a === undefined ? "" : tk(`role.line.${a.role}`)],
        [t("claim.accepted"), a?.accepted === true ? t("app.yes") : ""],
        [t("claim.approved"), a?.approved === true ? t("app.yes") : ""],
      ]} />
      <details class="receipt">
        <summary>{t("claim.techDetails")}</summary>
        <KV items={[[t("claim.oneTimeKey"), <code class="break" data-testid="one-time-key">{c.oneTimeKey}</code>]]} />
      </details>
      {a !== undefined && a.higherLevelFunding.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label={t("claim.funding")}>
          <table class="data compact">
            <caption>{t("claim.funding")}</caption>
            <thead><tr><th scope="col">{t("claim.fundingLevel")}</th><th scope="col" class="num">{t("claim.fundingAmount")}</th><th scope="col">{t("claim.fundingSource")}</th></tr></thead>
            <tbody>{a.higherLevelFunding.map((f) => <tr><td>{tk(`funding.${f.level}`)}</td><td class="num"><Money value={f.amount} /></td><td>{f.source}</td></tr>)}</tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The frozen approval assessment when there is one, else the one computed at submission. */
function assessmentOf(c: Claim): { assessment: EstimateResponse | undefined; approved: boolean } {
  const frozen = c.review?.approvalAssessment;
  if (frozen !== undefined && frozen.lines.length > 0) return { assessment: frozen, approved: true };
  return { assessment: c.estimate, approved: false };
}

function Assessment({ claim: c }: { claim: Claim }) {
  const { catalog } = useApp();
  const { assessment, approved } = assessmentOf(c);
  const line: Line | undefined = assessment?.lines[0];
  if (assessment === undefined || line === undefined) return null;
  const table = assessment.split?.shareTables.find((s) => s.id === line.shareTableId) ?? assessment.split?.shareTables[0];
  const provisional = table?.provisional === true;
  // The provisional share table is said with the split (暂定 and its note),
  // not again as a warning naming the table's id; quoted values in quotation
  // marks, not a terminal's backticks.
  const shownWarnings = assessment.warnings.filter((w) => w.code !== "SHARE_TABLE_PROVISIONAL");
  const counted = line.higherLevelFundingCounted;
  return (
    <section class="card" aria-labelledby="sec-assessment">
      <h2 id="sec-assessment">{t("claim.assessment")} <span class="muted small">{approved ? t("claim.atApproval") : t("claim.atSubmission")} · <span data-testid="ruleset-title">{rulesetTitle(catalog, line.rulesetId, line.rulesetVersion)}</span></span></h2>
      <p class="explanation" data-testid="explanation"><span class="clause-tag">{line.clause}</span> {pick(line.explanationZh, line.explanationEn)}</p>
      {c.discretionary && <p class="hint-block" data-testid="discretionary-note">{c.review?.approvedAmount !== undefined && c.review.approvedAmount !== ""
        ? t("claim.discretionaryApproved", { amount: formatYuan(c.review.approvedAmount) }) : t("claim.discretionary")}</p>}
      {/* A discretionary line has no computed amount to top up or split (C = 0
          until a reviewer sets it): its arithmetic of zeros is not shown beside
          the approval record's figures (the tenth user test). */}
      {!c.discretionary && <div class="grid-2">
        <KV items={[
          [t("claim.lineStatus"), tk(`line.${line.status}`)],
          [t("claim.municipalAmount"), <Money value={line.municipalAmount} />],
          [t("claim.higherCounted"), <Money value={counted} />],
          [t("claim.otherNotCounted"), line.otherFundingNotCounted !== "" && line.otherFundingNotCounted !== "0.00" ? <Money value={line.otherFundingNotCounted} /> : ""],
          [t("claim.payable"), <strong><Money value={line.payable} /></strong>],
          [t("claim.estimatedAmount"), <Money value={c.estimatedAmount} />],
        ]} />
        <div>
          <h3>{t("claim.topUp")}</h3>
          <p data-testid="top-up">{t("claim.topUpText", { c: formatYuan(line.municipalAmount), h: formatYuan(counted === "" ? "0.00" : counted), p: formatYuan(line.payable) })}</p>
          <h3>{t("claim.split")} <Provisional show={provisional} /></h3>
          <KV items={[
            [t("claim.municipalShare"), <Money value={line.municipalShare} />],
            [t("claim.districtShare"), <Money value={line.districtShare} />],
            [t("claim.shareTable"), table === undefined ? "" : t(table.provisional ? "claim.shareTableProvisional" : "claim.shareTableVersion", { version: table.version })],
            [t("claim.districtRatio"), table?.districtRatio ?? ""],
          ]} />
          {table !== undefined && provisional && <p class="muted small" data-testid="provisional-note">{pick(table.noteZh, table.noteEn)}</p>}
        </div>
      </div>}
      {c.discretionary && <KV items={[[t("claim.lineStatus"), tk(`line.${line.status}`)]]} />}
      {shownWarnings.length > 0 && (
        <>
          <h3>{t("claim.warnings")}</h3>
          <ul class="warnings">{shownWarnings.map((w) => <li>{plain(pick(w.messageZh, w.messageEn))}</li>)}</ul>
        </>
      )}
      <details class="receipt">
        <summary>{t("claim.techDetails")}</summary>
        <KV items={[
          [t("claim.reasonCode"), <code>{line.reasonCode}</code>],
          [t("claim.warningCodes"), assessment.warnings.map((w) => w.code).join("、")],
          [t("claim.engine"), assessment.receipt?.engineVersion ?? ""],
          [t("claim.ruleset"), (assessment.receipt?.rulesets ?? []).map((r) => `${r.id} ${r.version} ${r.hash}`).join("；")],
          [t("claim.shareTableId"), table === undefined ? "" : `${table.id} ${table.version}`],
          [t("claim.inputHash"), assessment.receipt === undefined ? "" : <code class="break">{assessment.receipt.inputHash}</code>],
        ]} />
      </details>
    </section>
  );
}

function Review({ claim: c }: { claim: Claim }) {
  const r = c.review;
  if (r === undefined) return null;
  const split = r.approvedSplit;
  const provisional = split?.shareTables.some((s) => s.provisional) === true;
  return (
    <section class="card" aria-labelledby="sec-review">
      <h2 id="sec-review">{t("claim.review")}</h2>
      <KV items={[
        [t("claim.decision"), tk(`decision.${r.decision}`)],
        [t("claim.reviewedBy"), r.reviewedBy],
        [t("claim.reviewedAt"), formatInstant(r.reviewedAt)],
        [t("claim.reviewReason"), r.reason],
        [t("claim.approvedAmount"), r.approvedAmount !== "" ? <strong><Money value={r.approvedAmount} /></strong> : ""],
        [t("claim.amountByReviewer"), r.amountSetByReviewer ? t("app.yes") : ""],
        [t("claim.approvedSplit"), split === undefined ? "" : <>
          {t("claim.municipalShare")} <Money value={split.municipalShare} />；{t("claim.districtShare")} <Money value={split.districtShare} /> <Provisional show={provisional} />
        </>],
      ]} />
    </section>
  );
}

function Payments({ claim: c }: { claim: Claim }) {
  return (
    <section class="card" aria-labelledby="sec-payments">
      <h2 id="sec-payments">{t("claim.payments")}</h2>
      <div class="table-wrap" tabIndex={0} role="region" aria-label={t("claim.payments")}>
        <table class="data compact">
          <thead><tr>
            <th scope="col">{t("claim.paymentDate")}</th><th scope="col">{t("claim.voucher")}</th><th scope="col" class="num">{t("finance.amount")}</th>
            <th scope="col" class="num">{t("claim.municipalShare")}</th><th scope="col" class="num">{t("claim.districtShare")}</th>
            <th scope="col">{t("claim.payer")}</th><th scope="col">{t("claim.recordedBy")}</th>
          </tr></thead>
          <tbody>{c.payments.map((p) => (
            <tr><td>{p.paymentDate}</td><td>{p.voucherNumber}</td><td class="num"><Money value={p.amount} /></td>
              <td class="num"><Money value={p.municipalShare} /></td><td class="num"><Money value={p.districtShare} /> <Provisional show={p.shareTable?.provisional === true} /></td>
              <td>{p.payer === "CITY" || p.payer === "" ? t("finance.city") : p.payer}</td><td>{p.recordedBy} <span class="muted">{formatInstant(p.recordedAt)}</span></td></tr>
          ))}</tbody>
          <tfoot><tr><th scope="row" colSpan={2}>{t("claim.paidAmount")}</th><td class="num"><strong><Money value={c.paidAmount} /></strong></td><td colSpan={4} /></tr></tfoot>
        </table>
      </div>
    </section>
  );
}

function Attachments({ loaded, onUpload }: { loaded: ReturnType<typeof useLoad<Attachment[]>>; onUpload: (() => void) | undefined }) {
  const { api } = useApp();
  const action = useAction();
  const [preview, setPreview] = useState<{ name: string; url: string } | null>(null);
  const fetchOne = (a: Attachment) => action.run(() => api.registry.getAttachment({ attachmentId: a.attachmentId }));
  const download = async (a: Attachment) => {
    const r = await fetchOne(a);
    if (r !== undefined) saveFile(r.content, r.attachment?.fileName ?? a.fileName, r.attachment?.contentType ?? a.contentType);
  };
  const view = async (a: Attachment) => {
    const r = await fetchOne(a);
    if (r === undefined) return;
    const url = objectUrl(r.content, a.contentType);
    if (a.contentType.startsWith("image/")) setPreview({ name: a.fileName, url });
    else {
      globalThis.open(url, "_blank", "noopener");
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    }
  };
  const list = loaded.data ?? [];
  return (
    <section class="card" aria-labelledby="sec-attachments">
      <div class="card-head">
        <h2 id="sec-attachments">{t("claim.attachments")}</h2>
        {onUpload !== undefined && <button type="button" onClick={onUpload}>{t("att.upload")}</button>}
      </div>
      <ErrorBox problem={loaded.problem ?? action.problem} />
      {loaded.data !== undefined && (list.length === 0 ? <p class="muted">{t("claim.attachmentsEmpty")}</p> : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label={t("claim.attachments")}>
          <table class="data compact attachments">
            <thead><tr><th scope="col">{t("att.name")}</th><th scope="col">{t("att.type")}</th><th scope="col" class="num">{t("att.size")}</th>
              <th scope="col">{t("att.sha256")}</th><th scope="col">{t("att.uploadedBy")}</th><th scope="col"><span class="sr-only">{t("claim.actions")}</span></th></tr></thead>
            <tbody>{list.map((a) => (
              <tr key={String(a.attachmentId)} data-attachment-id={String(a.attachmentId)}>
                <td class="break">{a.fileName}</td><td title={a.contentType}>{fileKind(a.contentType)}</td><td class="num">{formatBytes(a.sizeBytes)}</td>
                <td><code title={a.sha256}>{shortHash(a.sha256)}</code></td>
                <td>{a.uploadedBy} <span class="muted">{formatInstant(a.uploadedAt)}</span></td>
                <td class="nowrap">
                  <button type="button" class="link" onClick={() => void view(a)} aria-label={`${t("att.view")} ${a.fileName}`}>{t("att.view")}</button>{" "}
                  <button type="button" class="link" onClick={() => void download(a)} aria-label={`${t("att.download")} ${a.fileName}`}>{t("att.download")}</button>
                </td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      ))}
      {preview !== null && (
        <Dialog title={t("att.preview", { name: preview.name })} wide onClose={() => { URL.revokeObjectURL(preview.url); setPreview(null); }}>
          <img class="attachment-preview" src={preview.url} alt={preview.name} />
        </Dialog>
      )}
    </section>
  );
}

/** Pretty JSON of an audit record, or the text as stored when it is not JSON. */
export function prettyJson(text: string): string {
  if (text === "") return "";
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** What an audit entry changed, field by field in words; the stored records folded beneath. */
export function ChangeView({ beforeJson, afterJson }: { beforeJson: string; afterJson: string }) {
  const rows = changes(beforeJson, afterJson, useApp().catalog);
  return (
    <>
      {rows.length > 0 && (
        <table class="changes" data-testid="changes">
          <thead><tr><th scope="col">{t("audit.field")}</th><th scope="col">{t("audit.before")}</th><th scope="col">{t("audit.after")}</th></tr></thead>
          <tbody>{rows.map((r) => <tr key={r.field}><th scope="row">{r.field}</th><td>{r.before}</td><td>{r.after}</td></tr>)}</tbody>
        </table>
      )}
      <details class="raw">
        <summary>{t("audit.raw")}</summary>
        <div class="json-pair">
          {beforeJson !== "" && <div><h4>{t("audit.before")}</h4><pre>{prettyJson(beforeJson)}</pre></div>}
          {afterJson !== "" && <div><h4>{t("audit.after")}</h4><pre>{prettyJson(afterJson)}</pre></div>}
        </div>
      </details>
    </>
  );
}

function History({ loaded }: { loaded: ReturnType<typeof useLoad<AuditEntry[]>> }) {
  const entries = loaded.data ?? [];
  return (
    <section class="card" aria-labelledby="sec-history">
      <h2 id="sec-history">{t("claim.history")}</h2>
      <ErrorBox problem={loaded.problem} />
      {loaded.data !== undefined && (entries.length === 0 ? <p class="muted">{t("claim.historyEmpty")}</p> : (
        <ol class="timeline" data-testid="history">
          {entries.map((e) => (
            <li key={String(e.entryId)} data-action={e.action}>
              <span class="when">{formatInstant(e.at)}</span>
              <span class="what"><strong>{tk(`action.${e.action}`)}</strong> · {e.actor} <span class="muted">（{tk(`role.${e.role}`)}）</span>
                {e.target !== "" && <span class="muted"> · {targetLabel(e.target)}</span>}</span>
              {(e.beforeJson !== "" || e.afterJson !== "") && (
                <details>
                  <summary>{t("claim.historyChange")}</summary>
                  <ChangeView beforeJson={e.beforeJson} afterJson={e.afterJson} />
                </details>
              )}
            </li>
          ))}
        </ol>
      ))}
    </section>
  );
}
