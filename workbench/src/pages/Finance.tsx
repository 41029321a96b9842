// 财务: the budgets of a year per payer (市级 and each district), setting
// them, the approved claims awaiting payment with the payment form, and the
// payment list export.
import { useEffect, useState } from "preact/hooks";
import type { Budget, Claim } from "../../gen/stdfund/v1/registry_pb.js";
import { ClaimStatus, NoticeFormat, ObjectionOutcome, ObjectionStatus, PublicationStatus } from "../../gen/stdfund/v1/registry_pb.js";
import { ClaimView } from "../../gen/stdfund/v1/registry_service_pb.js";
import { useAction, useApp, useCan, useLoad } from "../context.js";
import { t } from "../i18n.js";
import { amountProblemKey, formatYuan, readAmount } from "../money.js";
import { halfWidthDigits, todayChina, yearChina } from "../format.js";
import { payerName, unitName } from "../catalog.js";
import { saveFile } from "../download.js";
import { href, navigate, type Route } from "../router.js";
import { ErrorBox } from "../ui/ErrorBox.js";
import { Dialog } from "../ui/Dialog.js";
import { Actions, SelectField, TextField } from "../ui/Field.js";
import { Loading, Money, PageTitle, StatusBadge } from "../ui/bits.js";
import { amountHint, DisburseDialog } from "./dialogs.js";

export function yearParam(route: Route): number {
  const y = Number(route.params.get("year"));
  return Number.isInteger(y) && y >= 2016 && y <= 9999 ? y : yearChina();
}

export function Finance({ route }: { route: Route }) {
  const { api, catalog } = useApp();
  const can = useCan();
  const year = yearParam(route);
  const [yearDraft, setYearDraft] = useState(String(year));
  const budgets = useLoad(() => api.registry.listBudgets({ year }).then((r) => r.budgets), [year]);
  const page = (pageToken: string) => api.registry.listClaims({ year, status: ClaimStatus.APPROVED, view: ClaimView.SUMMARY, pageSize: 200, pageToken });
  const awaiting = useLoad(() => page(""), [year]);
  // Where each claim stands in the year's 公示: a payment an open or upheld
  // objection blocks is said before the officer fills in the form.
  const notices = useLoad(() => noticeStates(api, year), [year, awaiting.data]);
  // Pages after the first, appended by 加载更多 (none is ever cut off unseen).
  const [more, setMore] = useState<{ claims: Claim[]; token: string } | null>(null);
  useEffect(() => setMore(null), [year, awaiting.data]);
  const loadingMore = useAction();
  const shown = [...(awaiting.data?.claims ?? []), ...(more?.claims ?? [])];
  // Below 900 px (a phone, a tablet upright) the approved amount and the
  // payment button come right after the number, on the first screen.
  const narrow = (globalThis.innerWidth ?? 1280) < 900;
  const nextToken = more !== null ? more.token : awaiting.data?.nextPageToken ?? "";
  const loadMore = async () => {
    const r = await loadingMore.run(() => page(nextToken));
    if (r !== undefined) setMore({ claims: [...(more?.claims ?? []), ...r.claims], token: r.nextPageToken });
  };
  const [budgetDialog, setBudgetDialog] = useState<{ payer: string; total: string } | null>(null);
  const [paying, setPaying] = useState<Claim | null>(null);
  const exporting = useAction();
  const [exportYear, setExportYear] = useState("this");
  const [format, setFormat] = useState(String(NoticeFormat.XLSX));

  const [yearError, setYearError] = useState<string | null>(null);
  const go = (e: Event) => {
    e.preventDefault();
    // What the field holds now, not the last render's state: a 查询 pressed
    // right after typing came before the render of the typing and read the
    // year before it (found by the page test under load).
    const field = (e.currentTarget as HTMLFormElement).elements.namedItem("year");
    const typed = field instanceof HTMLInputElement ? field.value : yearDraft;
    // Full-width digits as typed on a Chinese keyboard; a year that is not
    // one is said, not ignored.
    const y = Number(halfWidthDigits(typed.trim()));
    if (typed.trim() !== "" && Number.isInteger(y) && y >= 2016 && y <= 9999) {
      setYearError(null);
      navigate(href(["finance"], { year: y }));
    } else {
      setYearError(t("pub.badYear"));
    }
  };
  const exportPayments = async (e: Event) => {
    e.preventDefault();
    const r = await exporting.run(() => api.registry.exportPayments({ year: exportYear === "this" ? year : 0, format: Number(format) }));
    if (r !== undefined) saveFile(r.content, r.fileName, r.contentType);
  };

  return (
    <section class="page">
      <PageTitle>{t("finance.title")}</PageTitle>
      <form class="inline-form" onSubmit={go}>
        <TextField label={t("finance.year")} value={yearDraft} onInput={setYearDraft} inputMode="numeric" maxLength={4} error={yearError} name="year" />
        <button type="submit">{t("app.search")}</button>
      </form>

      <section class="card" aria-labelledby="sec-budgets">
        <div class="card-head">
          <h2 id="sec-budgets">{t("finance.budgets")} · {year}</h2>
          {can("SetBudget") && <button type="button" class="primary" onClick={() => setBudgetDialog({ payer: "CITY", total: "" })}>{t("finance.setBudget")}</button>}
        </div>
        <ErrorBox problem={budgets.problem} />
        {budgets.loading && budgets.data === undefined && <Loading />}
        {budgets.data !== undefined && (budgets.data.length === 0 ? <p class="muted">{t("finance.noBudgets")}</p> : (
          <div class="table-wrap" tabIndex={0} role="region" aria-label={t("finance.budgets")}>
            <table class="data budgets">
              {/* On a phone what is left, the figure the officer looks for, comes first. */}
              <thead><tr><th scope="col">{t("finance.payer")}</th>{narrow && <th scope="col" class="num">{t("finance.left")}</th>}<th scope="col" class="num">{t("finance.total")}</th>
                <th scope="col" class="num">{t("finance.used")}</th>{!narrow && <th scope="col" class="num">{t("finance.left")}</th>}
                {can("SetBudget") && <th scope="col"><span class="sr-only">{t("finance.editBudget")}</span></th>}</tr></thead>
              <tbody>{budgets.data.map((b: Budget) => (
                <tr key={b.payer} data-payer={b.payer}>
                  <th scope="row">{payerName(catalog, b.payer, b.payerNameZh)}</th>
                  {narrow && <td class="num"><Money value={b.left} /></td>}
                  <td class="num"><Money value={b.total} /></td><td class="num"><Money value={b.used} /></td>{!narrow && <td class="num"><Money value={b.left} /></td>}
                  {can("SetBudget") && <td><button type="button" class="link" aria-label={`${t("finance.editBudget")} ${payerName(catalog, b.payer, b.payerNameZh)}`}
                    onClick={() => setBudgetDialog({ payer: b.payer || "CITY", total: b.total })}>{t("finance.editBudget")}</button></td>}
                </tr>
              ))}</tbody>
            </table>
          </div>
        ))}
      </section>

      <section class="card" aria-labelledby="sec-awaiting">
        <h2 id="sec-awaiting">{t("finance.awaiting")}</h2>
        <ErrorBox problem={awaiting.problem} />
        <ErrorBox problem={loadingMore.problem} />
        {awaiting.data !== undefined && shown.length > 0 && (
          <p class="muted small" aria-live="polite">{t("finance.shownOf", { shown: shown.length, total: String(awaiting.data.totalCount) })}</p>
        )}
        {awaiting.data !== undefined && (shown.length === 0 ? <p class="muted">{t("finance.awaitingEmpty")}</p> : (
          <div class="table-wrap" tabIndex={0} role="region" aria-label={t("finance.awaiting")}>
            <table class="data awaiting">
              <thead><tr><th scope="col">{t("col.id")}</th>
                {narrow && <th scope="col" class="num">{t("finance.approvedAmount")}</th>}
                <th scope="col">{t("col.unit")}</th><th scope="col">{t("col.district")}</th>
                {!narrow && <th scope="col" class="num">{t("finance.approvedAmount")}</th>}<th scope="col" class="num">{t("finance.paid")}</th>
                <th scope="col">{t("finance.statusAndNotice")}</th>
                {!narrow && can("RecordDisbursement") && <th scope="col"><span class="sr-only">{t("review.disburse")}</span></th>}</tr></thead>
              <tbody>{shown.map((c) => {
                const notice = notices.data?.get(String(c.claimId));
                const blocked = notice !== undefined && (notice.open > 0 || notice.upheld > 0);
                const pay = can("RecordDisbursement") && (blocked
                  ? <span class="muted nowrap" data-testid="pay-blocked">{t("finance.payBlocked")}</span>
                  : <button type="button" class="link nowrap" aria-label={`${t("review.disburse")} ${String(c.claimId)}`} onClick={() => setPaying(c)}>{t("review.disburse")}</button>);
                const approved = <Money value={c.review?.approvedAmount ?? ""} />;
                // On a phone the approved amount and the payment button come
                // right after the number, on the first screen.
                return (
                  <tr key={String(c.claimId)} data-claim-id={String(c.claimId)}>
                    <td><a href={href(["claims", String(c.claimId)])}>{String(c.claimId)}</a></td>
                    {narrow && <td class="num">{approved}
                      {/* What is already paid of it, on the first screen too. */}
                      {(c.paidAmount || "0.00") !== "0.00" && <><br /><span class="small" data-testid="paid-narrow">{t("finance.paidNarrow")} <Money value={c.paidAmount} /></span></>}
                      {pay !== false && <><br />{pay}</>}
                      {blocked && <><br /><span class="small" data-testid="pay-blocked-why"><NoticeState state={notice} loaded /></span></>}</td>}
                    <td>{c.unitName}</td><td>{unitName(catalog, c.fiscalUnit)}</td>
                    {!narrow && <td class="num">{approved}</td>}<td class="num"><Money value={c.paidAmount || "0.00"} /></td>
                    <td><StatusBadge status={c.status} /><br /><span class="small" data-testid="notice-state"><NoticeState state={notice} loaded={notices.data !== undefined} /></span></td>
                    {!narrow && pay !== false && <td>{pay}</td>}
                  </tr>
                );
              })}</tbody>
            </table>
          </div>
        ))}
        {nextToken !== "" && <div class="pager"><button type="button" onClick={() => void loadMore()} disabled={loadingMore.busy}>{t("audit.more")}</button></div>}
      </section>

      {can("ExportPayments") && (
        <section class="card" aria-labelledby="sec-export">
          <h2 id="sec-export">{t("finance.export")}</h2>
          <form class="inline-form" onSubmit={exportPayments}>
            <SelectField label={t("finance.year")} value={exportYear} onChange={setExportYear}
              options={[{ value: "this", label: String(year) }, { value: "all", label: t("finance.exportAllYears") }]} />
            <SelectField label={t("finance.format")} value={format} onChange={setFormat}
              options={[{ value: String(NoticeFormat.XLSX), label: "XLSX" }, { value: String(NoticeFormat.CSV), label: "CSV" }]} />
            <button type="submit" class="primary" disabled={exporting.busy}>{t("app.download")}</button>
          </form>
          <ErrorBox problem={exporting.problem} />
        </section>
      )}

      {budgetDialog !== null && (
        <BudgetDialog year={year} initial={budgetDialog} onClose={() => setBudgetDialog(null)}
          onDone={() => { setBudgetDialog(null); budgets.reload(); }} />
      )}
      {paying !== null && <DisburseDialog claim={paying} noticeEnd={notices.data?.get(String(paying.claimId))?.end} onClose={() => setPaying(null)} onDone={() => { setPaying(null); awaiting.reload(); budgets.reload(); }} />}
    </section>
  );
}

function BudgetDialog({ year, initial, onClose, onDone }: { year: number; initial: { payer: string; total: string }; onClose: () => void; onDone: () => void }) {
  const { api, catalog, notify } = useApp();
  const [payer, setPayer] = useState(initial.payer);
  const [total, setTotal] = useState(initial.total);
  const [tried, setTried] = useState(false);
  const action = useAction();
  const read = readAmount(total);
  const value = read.yuan ?? "";
  const error = read.problem !== undefined ? t(amountProblemKey(read.problem)) : null;
  const submit = async (e: Event) => {
    e.preventDefault();
    setTried(true);
    if (error !== null) return;
    const r = await action.run(() => api.registry.setBudget({ year, total: value, payer }));
    if (r?.budget !== undefined) {
      notify(t("finance.budgetSaved", { payer: payerName(catalog, payer), year, total: formatYuan(r.budget.total) }));
      onDone();
    }
  };
  const payers = [{ value: "CITY", label: t("finance.city") }, ...catalog.fiscalUnits.map((u) => ({ value: u.id, label: unitName(catalog, u.id) }))];
  return (
    <Dialog title={t("finance.budgetTitle", { year })} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        {/* What each budget is charged with: 市级 and 市本级 read alike (the ninth user test). */}
        <SelectField label={t("finance.payer")} value={payer} onChange={setPayer} options={payers} name="payer"
          hint={payer === "CITY" ? t("finance.payerHintCity") : payer === "350100" ? t("finance.payerHintSeat")
            : t("finance.payerHintDistrict", { unit: unitName(catalog, payer) })} />
        <TextField label={t("finance.total")} required value={total} onInput={(v) => { setTotal(v); action.clear(); }} inputMode="decimal" hint={amountHint(total)} error={tried ? error : null} name="total" />
        <ErrorBox problem={action.problem} />
        <Actions>
          <button type="submit" class="primary" disabled={action.busy}>{t("app.save")}</button>
          <button type="button" onClick={onClose}>{t("app.cancel")}</button>
        </Actions>
      </form>
    </Dialog>
  );
}

/** A claim in the year's issued publications: the last day of its notice period, its open and upheld objections. */
interface Notice { end: string; open: number; upheld: number }

/** Each claim on an issued publication of `year`, by claim number. */
async function noticeStates(api: ReturnType<typeof useApp>["api"], year: number): Promise<Map<string, Notice>> {
  const issued = (await api.registry.listPublications({ year })).publications.filter((p) => p.status === PublicationStatus.ISSUED);
  const full = await Promise.all(issued.map((p) => api.registry.getPublication({ publicationId: p.publicationId }).then((r) => r.publication)));
  const out = new Map<string, Notice>();
  const of = (id: bigint, end: string): Notice => {
    const n = out.get(String(id)) ?? { end, open: 0, upheld: 0 };
    if (n.end < end) n.end = end;
    out.set(String(id), n);
    return n;
  };
  for (const p of full) {
    if (p === undefined) continue;
    for (const e of p.entries) of(e.claimId, p.periodEnd);
    for (const o of p.objections) {
      const n = of(o.claimId, p.periodEnd);
      if (o.status === ObjectionStatus.OPEN) n.open += 1;
      else if (o.outcome === ObjectionOutcome.UPHELD) n.upheld += 1;
    }
  }
  return out;
}

function NoticeState({ state, loaded }: { state: Notice | undefined; loaded: boolean }) {
  if (!loaded) return null;
  if (state === undefined) return <span class="muted">{t("finance.notice.none")}</span>;
  if (state.open > 0) return <span class="badge st-rejected">{t("finance.notice.open", { count: state.open })}</span>;
  if (state.upheld > 0) return <span class="badge st-rejected">{t("finance.notice.upheld")}</span>;
  return <>{todayChina() <= state.end ? t("finance.notice.during", { end: state.end }) : t("finance.notice.done")}</>;
}
