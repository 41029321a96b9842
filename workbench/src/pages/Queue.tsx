// 审核队列: claims with filters, search, sort and paging, the counts per
// status, and batch approval or rejection of the selected claims.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { ListClaimsResponse } from "../../gen/stdfund/v1/registry_service_pb.js";
import type { Claim } from "../../gen/stdfund/v1/registry_pb.js";
import { ClaimSort, ClaimView, ListClaimsRequestSchema } from "../../gen/stdfund/v1/registry_service_pb.js";
import { ClaimStatus } from "../../gen/stdfund/v1/registry_pb.js";
import { create } from "@bufbuild/protobuf";
import { useApp, useCan, useLoad } from "../context.js";
import { href, navigate, type Route } from "../router.js";
import { t, tk } from "../i18n.js";
import { amountProblemKey, compareYuan, readAmount } from "../money.js";
import { formatCount, formatInstant, isDate, narrowScreen } from "../format.js";
import { itemName, unitName } from "../catalog.js";
import { ErrorBox } from "../ui/ErrorBox.js";
import { Loading, Money, PageTitle, StatusBadge } from "../ui/bits.js";
import { SelectField, TextField } from "../ui/Field.js";
import { BatchDialog } from "./BatchDialog.js";

/** The filters a queue URL can carry, as strings. */
export interface QueueFilters {
  status: string; year: string; unit: string; item: string; clause: string;
  min: string; max: string; from: string; to: string; q: string; sort: string; size: string;
}

const FILTER_KEYS: (keyof QueueFilters)[] = ["status", "year", "unit", "item", "clause", "min", "max", "from", "to", "q", "sort", "size"];

export function filtersFrom(params: URLSearchParams): QueueFilters {
  const f = {} as QueueFilters;
  for (const k of FILTER_KEYS) f[k] = params.get(k) ?? "";
  return f;
}

/** Problems with typed filters, checked before anything is sent. */
export function filterProblems(f: QueueFilters): Partial<Record<keyof QueueFilters, string>> {
  const out: Partial<Record<keyof QueueFilters, string>> = {};
  const min = readAmount(f.min);
  const max = readAmount(f.max);
  if (min.problem !== undefined && min.problem !== "EMPTY") out.min = t(amountProblemKey(min.problem));
  if (max.problem !== undefined && max.problem !== "EMPTY") out.max = t(amountProblemKey(max.problem));
  if (min.yuan !== undefined && max.yuan !== undefined && compareYuan(min.yuan, max.yuan) > 0) out.max = t("queue.badRange");
  if (f.from !== "" && !isDate(f.from)) out.from = t("queue.badDates");
  if (f.to !== "" && !isDate(f.to)) out.to = t("queue.badDates");
  if (out.from === undefined && out.to === undefined && f.from !== "" && f.to !== "" && f.from > f.to) out.to = t("queue.badDates");
  return out;
}

/** The ListClaims request of the filters (without paging). */
export function requestOf(f: QueueFilters) {
  return create(ListClaimsRequestSchema, {
    status: Number(f.status) || ClaimStatus.UNSPECIFIED,
    year: Number(f.year) || 0,
    fiscalUnit: f.unit,
    item: f.item,
    clause: f.clause,
    amountMin: readAmount(f.min).yuan ?? "",
    amountMax: readAmount(f.max).yuan ?? "",
    submittedFrom: f.from,
    submittedTo: f.to,
    query: f.q.trim(),
    sort: Number(f.sort) || ClaimSort.UNSPECIFIED,
    pageSize: Number(f.size) || 20,
    view: ClaimView.SUMMARY,
  });
}

/** The amount a list shows for a claim: approved when there is one, else estimated. */
export function claimAmount(c: Claim): string {
  const approved = c.review?.approvedAmount ?? "";
  return approved !== "" ? approved : c.estimatedAmount;
}

const PAGES_KEY = "stdfund.queue.pages";

function rememberedPages(key: string): string[] {
  try {
    const v: unknown = JSON.parse(sessionStorage.getItem(PAGES_KEY) ?? "null");
    if (typeof v === "object" && v !== null && "key" in v && "pages" in v && v.key === key
      && Array.isArray(v.pages) && v.pages.length > 0 && v.pages.every((p: unknown) => typeof p === "string")) {
      return v.pages as string[];
    }
  } catch { /* storage unavailable or unreadable: the first page */ }
  return [""];
}

function rememberPages(key: string, pages: string[]): void {
  try { sessionStorage.setItem(PAGES_KEY, JSON.stringify({ key, pages })); } catch { /* storage unavailable */ }
}

export function Queue({ route }: { route: Route }) {
  const { api, catalog, notify } = useApp();
  const can = useCan();
  const applied = filtersFrom(route.params);
  const key = FILTER_KEYS.map((k) => applied[k]).join("\u0000");
  const [draft, setDraft] = useState<QueueFilters>(applied);
  // Page tokens; the last is the page shown. Kept for the tab, so that Back
  // from a claim (or a reload) returns to the page the reviewer was on.
  const [pages, setPages] = useState<string[]>(() => rememberedPages(key));
  const [selected, setSelected] = useState<Map<bigint, Claim>>(new Map());
  const [batch, setBatch] = useState<1 | 2 | null>(null);
  // 查询 refused for a filter in error: the list below is still the last query's.
  const [refused, setRefused] = useState(false);
  const [more, setMore] = useState(false);
  const problems = filterProblems(applied);
  const draftProblems = filterProblems(draft);
  const valid = Object.keys(problems).length === 0;

  const shownKey = useRef(key);
  useEffect(() => {
    if (shownKey.current === key) return;
    shownKey.current = key;
    setDraft(applied); setPages([""]); setSelected(new Map()); setRefused(false);
  }, [key]);
  useEffect(() => { rememberPages(key, pages); }, [key, pages]);

  const token = pages[pages.length - 1] ?? "";
  const list = useLoad<ListClaimsResponse | null>(
    () => (valid ? api.registry.listClaims({ ...requestOf(applied), pageToken: token }) : Promise.resolve(null)),
    [key, token],
  );

  // A claim decided meanwhile (in another tab, by another reviewer) leaves
  // the selection when the list shows it so: a batch is only of claims that
  // still await review.
  useEffect(() => {
    const decided = (list.data?.claims ?? []).filter((c) => c.status !== ClaimStatus.SUBMITTED && selected.has(c.claimId));
    if (decided.length === 0) return;
    const next = new Map(selected);
    for (const c of decided) next.delete(c.claimId);
    setSelected(next);
  }, [list.data]);

  const reviewer = can("ReviewClaims");
  const claims = list.data?.claims ?? [];
  const selectable = claims.filter((c) => c.status === ClaimStatus.SUBMITTED);
  const allOnPage = selectable.length > 0 && selectable.every((c) => selected.has(c.claimId));

  const apply = (e: Event) => {
    e.preventDefault();
    if (Object.keys(draftProblems).length > 0) { setRefused(true); return; }
    setRefused(false);
    navigate(href(["queue"], { ...draft }));
  };
  const reset = () => navigate(href(["queue"]));
  const setStatus = (s: number) => navigate(href(["queue"], { ...applied, status: s === 0 ? "" : String(s) }));
  const toggle = (c: Claim) => {
    const next = new Map(selected);
    if (next.has(c.claimId)) next.delete(c.claimId); else next.set(c.claimId, c);
    setSelected(next);
  };
  const toggleAll = () => {
    const next = new Map(selected);
    if (allOnPage) for (const c of selectable) next.delete(c.claimId);
    else for (const c of selectable) next.set(c.claimId, c);
    setSelected(next);
  };

  const counts = new Map((list.data?.statusCounts ?? []).map((s) => [s.status, s.count]));
  const allCount = [...counts.values()].reduce((a, b) => a + b, 0n);
  const statuses = [ClaimStatus.UNSPECIFIED, ClaimStatus.SUBMITTED, ClaimStatus.RETURNED, ClaimStatus.APPROVED, ClaimStatus.DISBURSED, ClaimStatus.REJECTED, ClaimStatus.WITHDRAWN];
  const activeStatus = Number(applied.status) || 0;

  const itemOptions = useMemo(() => [{ value: "", label: t("app.any") }, ...catalog.items.map((i) => ({ value: i.id, label: `${itemName(catalog, i.id)}（${i.clause}）` }))], [catalog, route]);
  const unitOptions = useMemo(() => [{ value: "", label: t("app.any") }, ...catalog.fiscalUnits.map((u) => ({ value: u.id, label: unitName(catalog, u.id) }))], [catalog, route]);
  const clauseOptions = [{ value: "", label: t("app.any") }, ...catalog.clauses.map((c) => ({ value: c, label: c }))];
  const sortOptions = [0, 1, 2, 3, 4].map((s) => ({ value: s === 0 ? "" : String(s), label: tk(`sort.${s}`) }));
  const set = (k: keyof QueueFilters) => (v: string) => setDraft({ ...draft, [k]: v });
  // On a phone the filters beyond the search box are folded (they filled two
  // screens before the first claim); one in error is always shown.
  const folded = !more && narrowScreen() && Object.keys(draftProblems).every((k) => k === "q");
  // On a phone the amount, with the status under it, comes right after the
  // number, so that both are on the first screen without swiping sideways.
  const narrow = narrowScreen();
  const amountCell = (c: Claim) => (
    <td class="num">{c.discretionary && claimAmount(c) === c.estimatedAmount && (c.review?.approvedAmount ?? "") === ""
      ? <span class="muted">{tk("line.4")}</span> : <Money value={claimAmount(c)} />}
      {narrow && <><br /><StatusBadge status={c.status} /></>}</td>
  );

  return (
    <section class="page">
      <PageTitle>{reviewer ? t("queue.title") : t("queue.titleReadOnly")}</PageTitle>

      <form class="filters" onSubmit={apply} aria-label={t("queue.filters")} role="search">
        <TextField class="wide" label={t("queue.search")} hint={t("queue.searchHint")} value={draft.q} onInput={set("q")} name="q" type="search" />
        {narrowScreen() && (
          <button type="button" class="more-filters" aria-expanded={!folded} onClick={() => setMore(folded)}>
            {t(folded ? "queue.moreFilters" : "queue.fewerFilters")}
          </button>
        )}
        {!folded && <div id="more-filters" class="more-fields">
        <TextField label={t("queue.year")} value={draft.year} onInput={set("year")} name="year" inputMode="numeric" maxLength={4} />
        <SelectField label={t("queue.district")} value={draft.unit} onChange={set("unit")} options={unitOptions} name="unit" />
        <SelectField label={t("queue.item")} value={draft.item} onChange={set("item")} options={itemOptions} name="item" />
        <SelectField label={t("queue.clause")} value={draft.clause} onChange={set("clause")} options={clauseOptions} name="clause" />
        <TextField label={t("queue.amountMin")} value={draft.min} onInput={set("min")} name="min" inputMode="decimal" error={draftProblems.min} />
        <TextField label={t("queue.amountMax")} value={draft.max} onInput={set("max")} name="max" inputMode="decimal" error={draftProblems.max} />
        <TextField label={t("queue.from")} value={draft.from} onInput={set("from")} name="from" type="date" error={draftProblems.from} />
        <TextField label={t("queue.to")} value={draft.to} onInput={set("to")} name="to" type="date" error={draftProblems.to} />
        <SelectField label={t("queue.sort")} value={draft.sort} onChange={set("sort")} options={sortOptions} name="sort" />
        <SelectField label={t("queue.pageSize")} value={draft.size} onChange={set("size")} name="size"
          options={["", "50", "100"].map((v) => ({ value: v, label: v === "" ? "20" : v }))} />
        </div>}
        <div class="filter-buttons">
          <button type="submit" class="primary">{t("app.search")}</button>
          <button type="button" onClick={reset}>{t("app.reset")}</button>
        </div>
      </form>

      <nav class="status-tabs" aria-label={t("queue.statusTabs")}>
        <ul>
          {statuses.map((s) => {
            const n = s === 0 ? allCount : counts.get(s) ?? 0n;
            return (
              <li key={s}>
                <a href={href(["queue"], { ...applied, status: s === 0 ? "" : String(s) })} aria-current={activeStatus === s ? "true" : undefined}
                  onClick={(e) => { e.preventDefault(); setStatus(s); }}>
                  {tk(`status.${s}`)} <span class="count">{list.data === undefined ? "" : formatCount(n)}</span>
                </a>
              </li>
            );
          })}
        </ul>
      </nav>

      <ErrorBox problem={list.problem} />

      {reviewer && (
        <div class="batch-bar" role="group" aria-label={t("queue.selected", { count: selected.size })}>
          <span aria-live="polite">{t("queue.selected", { count: selected.size })}</span>
          <button type="button" class="primary" disabled={selected.size === 0} onClick={() => setBatch(1)}>{t("queue.batchApprove")}</button>
          <button type="button" class="danger" disabled={selected.size === 0} onClick={() => setBatch(2)}>{t("queue.batchReject")}</button>
          <button type="button" disabled={selected.size === 0} onClick={() => setSelected(new Map())}>{t("queue.clearSelection")}</button>
        </div>
      )}

      {list.loading && list.data === undefined ? <Loading /> : list.data != null && (
        <>
          {refused && Object.keys(draftProblems).length > 0 && <p class="note stale-note" role="status" data-testid="filter-refused">{t("queue.notRequeried")}</p>}
          <p class="result-count" aria-live="polite">{t("queue.count", { count: formatCount(list.data.totalCount) })}</p>
          {claims.length === 0 ? <p class="empty">{t("queue.empty")}</p> : (
            <div class="table-wrap" tabIndex={0} role="region" aria-label={reviewer ? t("queue.title") : t("queue.titleReadOnly")} aria-busy={list.loading}>
              <table class="data claims">
                <thead>
                  <tr>
                    {reviewer && <th scope="col" class="sel"><input type="checkbox" checked={allOnPage} disabled={selectable.length === 0}
                      aria-label={t("queue.selectAll")} onChange={toggleAll} /></th>}
                    <th scope="col">{t("col.id")}</th>
                    {narrow && <th scope="col" class="num">{t("col.amount")}</th>}
                    <th scope="col">{t("col.unit")}</th>
                    {!narrow && <th scope="col" class="num">{t("col.amount")}</th>}
                    {!narrow && <th scope="col">{t("col.status")}</th>}
                    <th scope="col">{t("col.item")}</th>
                    <th scope="col">{t("col.district")}</th>
                    <th scope="col">{t("col.subject")}</th>
                    <th scope="col">{t("col.submittedAt")}</th>
                  </tr>
                </thead>
                <tbody>
                  {claims.map((c) => (
                    <tr key={String(c.claimId)} data-claim-id={String(c.claimId)}>
                      {reviewer && <td class="sel"><input type="checkbox" checked={selected.has(c.claimId)}
                        disabled={c.status !== ClaimStatus.SUBMITTED} aria-label={t("queue.selectRow", { id: String(c.claimId) })}
                        onChange={() => toggle(c)} /></td>}
                      <td><a href={href(["claims", String(c.claimId)])}>{String(c.claimId)}</a></td>
                      {narrow && amountCell(c)}
                      <td><span class="unit-name">{c.unitName}</span><br /><code class="muted">{c.creditCode}</code></td>
                      {!narrow && amountCell(c)}
                      {!narrow && <td><StatusBadge status={c.status} /></td>}
                      <td>{itemName(catalog, c.item)}<br /><span class="muted nowrap">{c.clause}</span></td>
                      <td class="nowrap">{unitName(catalog, c.fiscalUnit)}</td>
                      <td class="subject">{c.subject}</td>
                      <td class="nowrap">{formatInstant(c.submittedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <div class="pager">
            <button type="button" disabled={pages.length <= 1} onClick={() => setPages(pages.slice(0, -1))}>{t("queue.prev")}</button>
            <span>{t("queue.pageOf", { page: pages.length, pages: Math.max(1, Math.ceil(Number(list.data.totalCount) / (Number(applied.size) || 20))) })}</span>
            <button type="button" disabled={list.data.nextPageToken === ""} onClick={() => setPages([...pages, list.data?.nextPageToken ?? ""])}>{t("queue.next")}</button>
          </div>
        </>
      )}

      {batch !== null && (
        <BatchDialog decision={batch} claims={[...selected.values()]} onClose={() => { setBatch(null); list.reload(); }}
          onDone={(text) => { setBatch(null); setSelected(new Map()); notify(text); list.reload(); }} />
      )}
    </section>
  );
}
