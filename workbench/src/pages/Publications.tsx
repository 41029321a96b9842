// 公示: the list of publications, a new draft (title, year, district, notice
// period start and working days, objection contact), one publication with
// its list and totals row, issuing (then frozen), XLSX / CSV downloads, the
// print-ready page, and objections recorded and resolved during the period.
import { useState } from "preact/hooks";
import type { Objection, PublicNoticeEntry, Publication } from "../../gen/stdfund/v1/registry_pb.js";
import { NoticeFormat, ObjectionOutcome, ObjectionStatus, PublicationStatus } from "../../gen/stdfund/v1/registry_pb.js";
import { useAction, useApp, useCan, useLoad } from "../context.js";
import { t, tk } from "../i18n.js";
import { formatInstant, halfWidthDigits, isDate, todayChina, yearChina } from "../format.js";
import { itemName, unitName } from "../catalog.js";
import { saveFile } from "../download.js";
import { href, navigate } from "../router.js";
import { ErrorBox } from "../ui/ErrorBox.js";
import { Dialog } from "../ui/Dialog.js";
import { Actions, SelectField, TextArea, TextField } from "../ui/Field.js";
import { KV, Loading, Money, PageTitle } from "../ui/bits.js";

function PubStatus({ status }: { status: PublicationStatus }) {
  return <span class={`badge ${status === PublicationStatus.ISSUED ? "st-approved" : "st-submitted"}`}>{tk(`pub.status.${status}`)}</span>;
}

export function Publications() {
  const { api } = useApp();
  const can = useCan();
  const list = useLoad(() => api.registry.listPublications({ year: 0 }).then((r) => r.publications), []);
  const [creating, setCreating] = useState(false);
  return (
    <section class="page">
      <div class="title-row">
        <PageTitle>{t("pub.title")}</PageTitle>
        {can("CreatePublication") && <button type="button" class="primary" onClick={() => setCreating(true)}>{t("pub.create")}</button>}
      </div>
      <ErrorBox problem={list.problem} />
      {list.loading && list.data === undefined && <Loading />}
      {list.data !== undefined && (list.data.length === 0 ? <p class="muted">{t("pub.empty")}</p> : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label={t("pub.list")}>
          <table class="data publications">
            <thead><tr><th scope="col">{t("col.id")}</th><th scope="col">{t("pub.name")}</th><th scope="col">{t("pub.year")}</th>
              <th scope="col">{t("pub.start")}</th><th scope="col">{t("pub.end")}</th><th scope="col" class="num">{t("pub.count")}</th>
              <th scope="col" class="num">{t("pub.total")}</th><th scope="col">{t("pub.status")}</th></tr></thead>
            <tbody>{list.data.map((p) => (
              <tr key={String(p.publicationId)} data-publication-id={String(p.publicationId)}>
                <td>{String(p.publicationId)}</td>
                <td><a href={href(["publications", String(p.publicationId)])}>{p.title}</a></td>
                <td>{p.year}</td><td class="nowrap">{p.periodStart}</td><td class="nowrap">{p.periodEnd}</td><td class="num">{p.count}</td>
                <td class="num"><Money value={p.total} /></td><td><PubStatus status={p.status} /></td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      ))}
      {creating && <CreateDialog onClose={() => setCreating(false)} />}
    </section>
  );
}

export interface DraftForm { title: string; year: string; unit: string; start: string; days: string; contact: string }

export function draftProblems(f: DraftForm): Partial<Record<keyof DraftForm, string>> {
  const out: Partial<Record<keyof DraftForm, string>> = {};
  if (f.title.trim() === "") out.title = t("pub.fieldRequired", { field: t("pub.name") });
  const y = Number(halfWidthDigits(f.year.trim()));
  if (f.year.trim() === "") out.year = t("pub.fieldRequired", { field: t("pub.year") });
  else if (!Number.isInteger(y) || y < 2016 || y > 9999) out.year = t("pub.badYear");
  if (!isDate(f.start)) out.start = t("pub.fieldRequired", { field: t("pub.start") });
  // Full-width digits as typed on a Chinese keyboard (`５`).
  const d = Number(halfWidthDigits(f.days.trim()));
  if (!Number.isInteger(d) || d < 1 || d > 30) out.days = t("pub.daysRange");
  if (f.contact.trim() === "") out.contact = t("pub.fieldRequired", { field: t("pub.contact") });
  return out;
}

function CreateDialog({ onClose }: { onClose: () => void }) {
  const { api, catalog, notify } = useApp();
  const [f, setF] = useState<DraftForm>({ title: "", year: String(yearChina()), unit: "", start: todayChina(), days: "5", contact: "" });
  const [tried, setTried] = useState(false);
  const action = useAction();
  const problems = draftProblems(f);
  const set = (k: keyof DraftForm) => (v: string) => setF({ ...f, [k]: v });
  const submit = async (e: Event) => {
    e.preventDefault();
    setTried(true);
    if (Object.keys(problems).length > 0) return;
    const r = await action.run(() => api.registry.createPublication({
      title: f.title.trim(), year: Number(halfWidthDigits(f.year.trim())), fiscalUnit: f.unit, claimIds: [], periodStart: f.start,
      workingDays: Number(halfWidthDigits(f.days.trim())), objectionContact: f.contact.trim(),
    }));
    const p = r?.publication;
    if (p !== undefined) {
      notify(t("pub.created", { id: String(p.publicationId) }));
      navigate(href(["publications", String(p.publicationId)]));
    }
  };
  const err = (k: keyof DraftForm) => (tried ? problems[k] : null);
  return (
    <Dialog title={t("pub.create")} onClose={onClose} wide>
      <form onSubmit={submit} noValidate class="form-grid">
        <TextField class="wide" label={t("pub.name")} required value={f.title} onInput={set("title")} maxLength={200} error={err("title")} name="title" />
        <TextField label={t("pub.year")} required value={f.year} onInput={set("year")} inputMode="numeric" maxLength={4} error={err("year")} name="year" />
        <SelectField label={t("pub.district")} value={f.unit} onChange={set("unit")} name="unit"
          options={[{ value: "", label: t("app.any") }, ...catalog.fiscalUnits.map((u) => ({ value: u.id, label: unitName(catalog, u.id) }))]} />
        <TextField label={t("pub.start")} type="date" required value={f.start} onInput={set("start")} error={err("start")} name="start" />
        <TextField label={t("pub.days")} required value={f.days} onInput={set("days")} inputMode="numeric" maxLength={2} error={err("days")} name="days" />
        <TextField class="wide" label={t("pub.contact")} required value={f.contact} onInput={set("contact")} maxLength={200} error={err("contact")} name="contact" />
        <ErrorBox problem={action.problem} />
        <Actions>
          <button type="submit" class="primary" disabled={action.busy}>{t("pub.create")}</button>
          <button type="button" onClick={onClose}>{t("app.cancel")}</button>
        </Actions>
      </form>
    </Dialog>
  );
}

/** The list with its totals row (count and total as the server sent them). */
function EntriesTable({ p }: { p: Publication }) {
  const { catalog } = useApp();
  // On a phone the amount comes right after the claim number, on the first screen
  // (the notice as posted keeps its order on the print page).
  const narrow = (globalThis.innerWidth ?? 1280) < 900;
  const amount = (e: PublicNoticeEntry) => <td class="num"><Money value={e.amount} /></td>;
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={t("pub.entries")}>
      <table class="data entries" data-testid="publication-entries">
        <thead><tr><th scope="col">{t("pub.row")}</th><th scope="col">{t("col.id")}</th>
          {narrow && <th scope="col" class="num">{t("col.amount")}</th>}<th scope="col">{t("col.unit")}</th>
          <th scope="col">{t("col.creditCode")}</th><th scope="col">{t("col.district")}</th><th scope="col">{t("col.item")}</th>
          <th scope="col">{t("col.clause")}</th><th scope="col">{t("col.subject")}</th>{!narrow && <th scope="col" class="num">{t("col.amount")}</th>}</tr></thead>
        <tbody>{p.entries.map((e) => (
          <tr key={String(e.claimId)} data-claim-id={String(e.claimId)}>
            <td>{e.row}</td><td>{String(e.claimId)}</td>{narrow && amount(e)}<td>{e.unitName}</td><td><code>{e.creditCode}</code></td>
            <td class="nowrap">{e.fiscalUnitNameZh}</td><td>{catalog.items.some((i) => i.id === e.item) ? itemName(catalog, e.item) : e.itemNameZh}</td><td class="nowrap">{e.clause}</td>
            <td class="subject">{e.subject}</td>{!narrow && amount(e)}
          </tr>
        ))}</tbody>
        <tfoot><tr class="totals" data-testid="totals-row">
          {narrow ? <>
            <th scope="row" colSpan={2}>{t("pub.totalRow")}</th><td class="num"><strong><Money value={p.total} /></strong></td>
            <td colSpan={6}>{t("pub.count")}：{p.count}</td>
          </> : <>
            <th scope="row" colSpan={2}>{t("pub.totalRow")}</th><td colSpan={6}>{t("pub.count")}：{p.count}</td>
            <td class="num"><strong><Money value={p.total} /></strong></td>
          </>}
        </tr></tfoot>
      </table>
    </div>
  );
}

export function PublicationDetail({ id }: { id: string }) {
  const { api, notify } = useApp();
  const can = useCan();
  const valid = /^[1-9]\d{0,17}$/.test(id);
  const pub = useLoad(() => api.registry.getPublication({ publicationId: valid ? BigInt(id) : 0n }).then((r) => r.publication), [id]);
  const issuing = useAction();
  const exporting = useAction();
  const [confirmIssue, setConfirmIssue] = useState(false);
  const [recording, setRecording] = useState(false);
  const [resolving, setResolving] = useState<Objection | null>(null);
  const p = pub.data;

  const download = async (format: NoticeFormat) => {
    if (p === undefined) return;
    const r = await exporting.run(() => api.registry.exportPublication({ publicationId: p.publicationId, format }));
    if (r !== undefined) saveFile(r.content, r.fileName, r.contentType);
  };
  const issue = async () => {
    if (p === undefined) return;
    const r = await issuing.run(() => api.registry.issuePublication({ publicationId: p.publicationId }));
    setConfirmIssue(false);
    if (r?.publication !== undefined) { notify(t("pub.issued", { id })); pub.reload(); }
  };
  const issued = p?.status === PublicationStatus.ISSUED;

  return (
    <section class="page">
      <p class="crumb"><a href={href(["publications"])}>← {t("pub.list")}</a></p>
      <div class="title-row">
        <div class="title-group">
          <PageTitle>{p?.title ?? t("pub.title")}</PageTitle>
          {p !== undefined && <PubStatus status={p.status} />}
        </div>
      </div>
      <ErrorBox problem={pub.problem} />
      {pub.loading && p === undefined && <Loading />}
      {p !== undefined && (
        <>
          <div class="action-bar" role="group" aria-label={t("claim.actions")}>
            {!issued && can("IssuePublication") && <button type="button" class="primary" onClick={() => setConfirmIssue(true)}>{t("pub.issue")}</button>}
            <button type="button" onClick={() => void download(NoticeFormat.XLSX)} disabled={exporting.busy}>{t("pub.xlsx")}</button>
            <button type="button" onClick={() => void download(NoticeFormat.CSV)} disabled={exporting.busy}>{t("pub.csv")}</button>
            <a class="button" href={href(["publications", id, "print"])}>{t("pub.print")}</a>
          </div>
          <ErrorBox problem={exporting.problem ?? issuing.problem} />
          <section class="card">
            <p>{t("pub.periodText", { start: p.periodStart, end: p.periodEnd, days: p.workingDays })}</p>
            <p>{t("pub.contactText", { contact: p.objectionContact })}</p>
            <p class="muted small">{t("pub.createdBy")}：{p.createdBy} {formatInstant(p.createdAt)}
              {issued && <> · {t("pub.issuedBy")}：{p.issuedBy} {formatInstant(p.issuedAt)} · {t("pub.frozen")}</>}</p>
          </section>
          <section class="card" aria-labelledby="sec-entries">
            <h2 id="sec-entries">{t("pub.entries")}</h2>
            <EntriesTable p={p} />
          </section>
          <section class="card" aria-labelledby="sec-objections">
            <div class="card-head">
              <h2 id="sec-objections">{t("pub.objections")}</h2>
              {can("RecordObjection") && <button type="button" disabled={!issued} onClick={() => setRecording(true)}
                aria-describedby={issued ? undefined : "only-issued"}>{t("pub.recordObjection")}</button>}
            </div>
            {!issued && <p class="muted small" id="only-issued">{t("pub.onlyIssued")}</p>}
            {p.objections.length === 0 ? <p class="muted">{t("pub.objectionsEmpty")}</p> : (
              <div class="table-wrap" tabIndex={0} role="region" aria-label={t("pub.objections")}>
                <table class="data objections">
                  <thead><tr><th scope="col">{t("col.id")}</th><th scope="col">{t("pub.objClaim")}</th><th scope="col">{t("pub.objReceived")}</th>
                    <th scope="col">{t("pub.objector")}</th><th scope="col">{t("pub.objContent")}</th><th scope="col">{t("pub.status")}</th>
                    <th scope="col">{t("pub.resolution")}</th>{can("ResolveObjection") && <th scope="col"><span class="sr-only">{t("pub.resolve")}</span></th>}</tr></thead>
                  <tbody>{p.objections.map((o) => (
                    <tr key={String(o.objectionId)} data-objection-id={String(o.objectionId)}>
                      <td>{String(o.objectionId)}</td><td><a href={href(["claims", String(o.claimId)])}>{String(o.claimId)}</a></td>
                      <td>{o.receivedOn}</td><td>{o.objector}{o.contact !== "" && <><br /><span class="muted">{o.contact}</span></>}</td>
                      <td class="prose">{o.content}</td>
                      <td>{tk(`pub.objStatus.${o.status}`)}{o.status === ObjectionStatus.RESOLVED && <><br /><strong>{tk(`pub.objOutcome.${o.outcome}`)}</strong></>}</td>
                      <td class="prose">{o.resolution}{o.resolvedBy !== "" && <><br /><span class="muted">{o.resolvedBy} {formatInstant(o.resolvedAt)}</span></>}</td>
                      {can("ResolveObjection") && <td>{o.status === ObjectionStatus.OPEN &&
                        <button type="button" class="link" onClick={() => setResolving(o)} aria-label={`${t("pub.resolve")} ${String(o.objectionId)}`}>{t("pub.resolve")}</button>}</td>}
                    </tr>
                  ))}</tbody>
                </table>
              </div>
            )}
          </section>
          {confirmIssue && (
            <Dialog title={t("pub.issue")} onClose={() => setConfirmIssue(false)}>
              <p>{t("pub.issueConfirm", { title: p.title })}</p>
              <dl class="figures">
                <div><dt>{t("pub.count")}</dt><dd>{p.count}</dd></div>
                <div><dt>{t("pub.total")}</dt><dd><Money value={p.total} /></dd></div>
              </dl>
              <ErrorBox problem={issuing.problem} />
              <Actions>
                <button type="button" class="primary" data-autofocus onClick={() => void issue()} disabled={issuing.busy}>{t("pub.issue")}</button>
                <button type="button" onClick={() => setConfirmIssue(false)}>{t("app.cancel")}</button>
              </Actions>
            </Dialog>
          )}
          {recording && <ObjectionDialog p={p} onClose={() => setRecording(false)} onDone={() => { setRecording(false); pub.reload(); }} />}
          {resolving !== null && <ResolveDialog o={resolving} entry={p.entries.find((e) => e.claimId === resolving.claimId)} onClose={() => setResolving(null)} onDone={() => { setResolving(null); pub.reload(); }} />}
        </>
      )}
    </section>
  );
}

function ObjectionDialog({ p, onClose, onDone }: { p: Publication; onClose: () => void; onDone: () => void }) {
  const { api, notify } = useApp();
  // No claim is chosen for the official (an objection filed in a hurry
  // would land on the first line), and the day received starts as today
  // only when today is inside the period.
  const [claim, setClaim] = useState("");
  const today = todayChina();
  const [received, setReceived] = useState(today >= p.periodStart && today <= p.periodEnd ? today : "");
  const [objector, setObjector] = useState("");
  const [contact, setContact] = useState("");
  const [content, setContent] = useState("");
  const [tried, setTried] = useState(false);
  const action = useAction();
  const problems: Record<string, string> = {};
  if (claim === "") problems["claim"] = t("pub.fieldRequired", { field: t("pub.objClaim") });
  if (!isDate(received)) problems["received"] = t("pub.fieldRequired", { field: t("pub.objReceived") });
  else if (received < p.periodStart || received > p.periodEnd) problems["received"] = t("pub.objOutsidePeriod", { start: p.periodStart, end: p.periodEnd });
  else if (received > today) problems["received"] = t("pub.objInFuture", { today });
  if (objector.trim() === "") problems["objector"] = t("pub.fieldRequired", { field: t("pub.objector") });
  if (content.trim() === "") problems["content"] = t("pub.fieldRequired", { field: t("pub.objContent") });
  const submit = async (e: Event) => {
    e.preventDefault();
    setTried(true);
    if (Object.keys(problems).length > 0) return;
    const r = await action.run(() => api.registry.recordObjection({
      publicationId: p.publicationId, claimId: BigInt(claim), receivedOn: received, objector: objector.trim(), contact: contact.trim(), content: content.trim(),
    }));
    if (r?.objection !== undefined) { notify(t("pub.objRecorded", { id: String(r.objection.objectionId) })); onDone(); }
  };
  const err = (k: string) => (tried ? problems[k] ?? null : null);
  return (
    <Dialog title={t("pub.recordObjection")} onClose={onClose} wide>
      <form onSubmit={submit} noValidate class="form-grid">
        <SelectField class="wide" label={t("pub.objClaim")} value={claim} onChange={setClaim} name="claim" error={err("claim")}
          options={[{ value: "", label: t("pub.objChooseClaim") },
            ...p.entries.map((e) => ({ value: String(e.claimId), label: `${e.row}. ${e.unitName} · ${e.subject}（${String(e.claimId)}）` }))]} />
        <TextField label={t("pub.objReceived")} type="date" required value={received} onInput={setReceived} min={p.periodStart} max={p.periodEnd < today ? p.periodEnd : today}
          hint={t("pub.objPeriodHint", { start: p.periodStart, end: p.periodEnd })} error={err("received")} name="received" />
        <TextField label={t("pub.objector")} required value={objector} onInput={setObjector} maxLength={100} error={err("objector")} name="objector" />
        <TextField class="wide" label={t("pub.objContact") + t("app.optional")} value={contact} onInput={setContact} maxLength={100} name="contact" />
        <TextArea class="wide" label={t("pub.objContent")} required value={content} onInput={setContent} maxLength={2000} error={err("content")} name="content" />
        <ErrorBox problem={action.problem} />
        <Actions>
          <button type="submit" class="primary" disabled={action.busy}>{t("pub.recordObjection")}</button>
          <button type="button" onClick={onClose}>{t("app.cancel")}</button>
        </Actions>
      </form>
    </Dialog>
  );
}

function ResolveDialog({ o, entry, onClose, onDone }: { o: Objection; entry: PublicNoticeEntry | undefined; onClose: () => void; onDone: () => void }) {
  const { api, notify } = useApp();
  // No outcome is chosen for the reviewer: a resolution cannot be changed
  // once recorded, and a dismissal lets the claim be paid.
  const [outcome, setOutcome] = useState("");
  const [resolution, setResolution] = useState("");
  const [tried, setTried] = useState(false);
  const action = useAction();
  const id = String(o.objectionId);
  const error = resolution.trim() === "" ? t("pub.fieldRequired", { field: t("pub.resolution") }) : null;
  const outcomeError = outcome === "" ? t("pub.outcomeRequired") : null;
  const submit = async (e: Event) => {
    e.preventDefault();
    setTried(true);
    if (error !== null || outcomeError !== null) return;
    const r = await action.run(() => api.registry.resolveObjection({ objectionId: o.objectionId, outcome: Number(outcome), resolution: resolution.trim() }));
    if (r?.objection !== undefined) { notify(t("pub.objResolved", { id })); onDone(); }
  };
  return (
    <Dialog title={t("pub.resolveTitle", { id })} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        {/* Which claim, from whom, when: two objections on one claim read
            alike, and a resolution cannot be changed (the tenth user test). */}
        <div data-testid="objection-context"><KV items={[
          [t("pub.objClaim"), <>{t("claim.title", { id: String(o.claimId) })}{entry !== undefined && <> · {entry.unitName} ·「{entry.subject}」</>}</>],
          [t("pub.objector"), <>{o.objector}{o.contact !== "" && <span class="muted"> {o.contact}</span>}</>],
          [t("pub.objReceived"), o.receivedOn],
          [t("pub.objContent"), <span class="prose">{o.content}</span>],
        ]} /></div>
        <fieldset class="radios">
          <legend>{t("pub.outcome")}</legend>
          {[ObjectionOutcome.UPHELD, ObjectionOutcome.DISMISSED].map((v) => (
            <label key={v}><input type="radio" name="outcome" value={String(v)} checked={outcome === String(v)} onChange={() => setOutcome(String(v))} /> {tk(`pub.objOutcome.${v}`)}</label>
          ))}
          {tried && outcomeError !== null && <span class="field-error" role="alert" data-testid="outcome-error">{outcomeError}</span>}
        </fieldset>
        <TextArea label={t("pub.resolution")} required value={resolution} onInput={setResolution} maxLength={2000} error={tried ? error : null} name="resolution" />
        <ErrorBox problem={action.problem} />
        <Actions>
          <button type="submit" class="primary" disabled={action.busy}>{t("pub.resolve")}</button>
          <button type="button" onClick={onClose}>{t("app.cancel")}</button>
        </Actions>
      </form>
    </Dialog>
  );
}

/** The print-ready page: the notice as it is posted, without the workbench around it. */
export function PublicationPrint({ id }: { id: string }) {
  const { api } = useApp();
  const valid = /^[1-9]\d{0,17}$/.test(id);
  const pub = useLoad(() => api.registry.getPublication({ publicationId: valid ? BigInt(id) : 0n }).then((r) => r.publication), [id]);
  const p = pub.data;
  return (
    <div class="print-page">
      <div class="print-toolbar no-print">
        <a href={href(["publications", id])}>← {t("pub.backToPub")}</a>
        <button type="button" class="primary" onClick={() => globalThis.print()}>{t("pub.printNow")}</button>
        <span class="muted small">{t("pub.printHint")}</span>
      </div>
      <ErrorBox problem={pub.problem} />
      {p !== undefined && (
        <article class="notice">
          <h1>{p.title}</h1>
          <p>{t("pub.periodText", { start: p.periodStart, end: p.periodEnd, days: p.workingDays })}</p>
          <EntriesTable p={p} />
          <p>{t("pub.contactText", { contact: p.objectionContact })}</p>
          <p class="notice-status"><PubStatus status={p.status} />{p.issuedAt !== undefined && <> {formatInstant(p.issuedAt)}</>}</p>
        </article>
      )}
    </div>
  );
}
