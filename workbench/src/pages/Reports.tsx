// 报表: the report by district, grant item and year, and the progress toward
// the 2020 targets, as charts with their data tables, and the XLSX workbook
// (with its own charts) from ExportReport.
import { useEffect, useRef, useState } from "preact/hooks";
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip,
  type ChartConfiguration,
} from "chart.js";
import type { ReportRow, TargetProgress } from "../../gen/stdfund/v1/registry_pb.js";
import { TargetVisibility } from "../../gen/stdfund/v1/registry_pb.js";
import { useAction, useApp, useLoad } from "../context.js";
import { lang, pick, t, tk } from "../i18n.js";
import { chartWan, sumYuan } from "../money.js";
import { formatCount, narrowScreen } from "../format.js";
import { itemName, payerName, unitName } from "../catalog.js";
import { saveFile } from "../download.js";
import { href, navigate, type Route } from "../router.js";
import { ErrorBox } from "../ui/ErrorBox.js";
import { Loading, Money, PageTitle } from "../ui/bits.js";
import { SelectField } from "../ui/Field.js";
import { todayChina, yearChina } from "../format.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend, LineController, LineElement, PointElement);

/** One group of report rows: exact sums of the rows' figures. */
export interface Group {
  key: string;
  label: string;
  claims: bigint;
  approvedAmount: string;
  paidAmount: string;
}

/** Groups rows by `keyOf`, summing counts as BigInt and money exactly (never as floats). */
export function groupRows(rows: readonly ReportRow[], keyOf: (r: ReportRow) => string, labelOf: (r: ReportRow) => string): Group[] {
  const groups = new Map<string, { label: string; claims: bigint; approved: string[]; paid: string[] }>();
  for (const r of rows) {
    const k = keyOf(r);
    let g = groups.get(k);
    if (g === undefined) { g = { label: labelOf(r), claims: 0n, approved: [], paid: [] }; groups.set(k, g); }
    g.claims += r.figures?.claims ?? 0n;
    g.approved.push(r.figures?.approvedAmount ?? "");
    g.paid.push(r.figures?.paidAmount ?? "");
  }
  return [...groups.entries()].map(([key, g]) => ({ key, label: g.label, claims: g.claims, approvedAmount: sumYuan(g.approved), paidAmount: sumYuan(g.paid) }));
}

const BLUE = "#1f5fa8";
const ORANGE = "#c8581b";
const GREY = "#8a96a3";

function ChartCanvas({ config, label, testId, height }: { config: ChartConfiguration; label: string; testId: string; height?: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (ref.current === null) return;
    const chart = new Chart(ref.current, config);
    return () => chart.destroy();
  }, [JSON.stringify(config.data), lang()]);
  return <div class="chart-box" style={height === undefined ? undefined : { height: `${height}px` }}><canvas ref={ref} role="img" aria-label={label} data-testid={testId} /></div>;
}

function baseOptions(yTitle: string, horizontal = false): ChartConfiguration["options"] {
  const font = { family: "system-ui, 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', sans-serif", size: 12 };
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    indexAxis: horizontal ? "y" : "x",
    plugins: { legend: { labels: { font } }, tooltip: { bodyFont: font, titleFont: font } },
    scales: {
      x: { ticks: { font, autoSkip: false, maxRotation: 45 }, ...(horizontal ? { title: { display: true, text: yTitle, font } } : {}) },
      y: { ticks: { font }, beginAtZero: true, ...(horizontal ? {} : { title: { display: true, text: yTitle, font } }) },
    },
  };
}

/**
 * A bar's label as chart.js draws it: whole on a wide page; on a phone,
 * lines of at most 8 characters (Chinese) or 20 (English, at spaces), so
 * that a long item name is not cut at the chart's left edge.
 */
export function wrapLabel(label: string, wide = !narrowScreen()): string | string[] {
  if (wide) return label;
  const chars = [...label];
  if (/[\u3400-\u9fff]/.test(label)) {
    const lines: string[] = [];
    for (let i = 0; i < chars.length; i += 8) lines.push(chars.slice(i, i + 8).join(""));
    return lines.length === 1 ? label : lines;
  }
  const lines: string[] = [];
  for (const word of label.split(" ")) {
    const last = lines.length - 1;
    if (last >= 0 && `${lines[last]} ${word}`.length <= 20) lines[last] = `${lines[last]} ${word}`;
    else lines.push(word);
  }
  return lines.length === 1 ? label : lines;
}

/** Height for a horizontal bar chart of `n` bars: room for each label (three lines on a phone). */
function barsHeight(n: number): number {
  return Math.max(220, 60 + n * (narrowScreen() ? 48 : 30));
}

function barConfig(groups: Group[], title: string): ChartConfiguration {
  return {
    type: "bar",
    data: { labels: groups.map((g) => wrapLabel(g.label)), datasets: [{ label: t("report.approvedWan"), data: groups.map((g) => chartWan(g.approvedAmount)), backgroundColor: BLUE, maxBarThickness: 22 }] },
    options: baseOptions(title, true),
  };
}

function yearConfig(groups: Group[]): ChartConfiguration {
  const options = baseOptions(t("report.approvedWan")) ?? {};
  return {
    type: "bar",
    data: {
      labels: groups.map((g) => g.label),
      datasets: [
        { type: "bar", label: t("report.approvedWan"), data: groups.map((g) => chartWan(g.approvedAmount)), backgroundColor: BLUE, yAxisID: "y", maxBarThickness: 56, order: 1 },
        // Drawn over the bars (a lower order is drawn last): with one year
        // the point sat at the bar's centre and was hidden (the tenth user test).
        { type: "line", label: t("report.claims"), data: groups.map((g) => Number(g.claims)), borderColor: ORANGE, backgroundColor: ORANGE, yAxisID: "y1", pointRadius: 5, order: 0 },
      ],
    },
    options: {
      ...options,
      scales: {
        ...options.scales,
        y1: { position: "right", beginAtZero: true, grace: "10%", grid: { drawOnChartArea: false }, title: { display: true, text: t("report.claims") }, ticks: { precision: 0 } },
      },
    },
  };
}

/** Per cent of a target achieved, for drawing (counts, not money); capped at 100. */
export function targetPercent(x: TargetProgress): number {
  if (x.visibility === TargetVisibility.NONE || x.figure === 0) return 0;
  return Math.min(100, Math.round((Number(x.achieved) * 1000) / x.figure) / 10);
}

function targetConfig(targets: TargetProgress[]): ChartConfiguration {
  const options = baseOptions(t("report.percent"), true) ?? {};
  return {
    type: "bar",
    data: {
      labels: targets.map((x) => wrapLabel(pick(x.nameZh, x.nameEn))),
      datasets: [{ label: t("report.percent"), data: targets.map(targetPercent), backgroundColor: targets.map((x) => (x.visibility === TargetVisibility.FULL ? BLUE : GREY)), maxBarThickness: 22 }],
    },
    options: { ...options, plugins: { ...options.plugins, legend: { display: false } }, scales: { ...options.scales, x: { ...options.scales?.["x"], min: 0, max: 100 } } },
  };
}

function GroupTable({ groups, head }: { groups: Group[]; head: string }) {
  return (
    <details class="data-table">
      <summary>{t("report.dataTable")}</summary>
      <div class="table-wrap" tabIndex={0} role="region" aria-label={head}>
        <table class="data compact">
          <thead><tr><th scope="col">{head}</th><th scope="col" class="num">{t("report.claims")}</th><th scope="col" class="num">{t("report.approvedAmount")}</th><th scope="col" class="num">{t("report.paidAmount")}</th></tr></thead>
          <tbody>{groups.map((g) => <tr><th scope="row">{g.label}</th><td class="num">{formatCount(g.claims)}</td><td class="num"><Money value={g.approvedAmount} /></td><td class="num"><Money value={g.paidAmount} /></td></tr>)}</tbody>
        </table>
      </div>
    </details>
  );
}

export function Reports({ route }: { route: Route }) {
  const { api, catalog } = useApp();
  const yearText = route.params.get("year") ?? "";
  const year = Number(yearText) || 0;
  const report = useLoad(() => api.registry.getReport({ year }), [year]);
  const everything = useLoad(() => (year === 0 ? Promise.resolve(undefined) : api.registry.getReport({ year: 0 })), [year === 0]);
  const targets = useLoad(() => api.registry.getTargetProgress({}), []);
  const exporting = useAction();
  const [, setTick] = useState(0);
  useEffect(() => setTick((n) => n + 1), [catalog]);

  const rows = report.data?.rows ?? [];
  const byDistrict = groupRows(rows, (r) => r.fiscalUnit, (r) => (lang() === "zh" && r.fiscalUnitNameZh !== "" ? r.fiscalUnitNameZh : unitName(catalog, r.fiscalUnit)));
  const byItem = groupRows(rows, (r) => r.item || r.clause, (r) => (r.item === "" ? r.clause : lang() === "zh" && r.itemNameZh !== "" ? r.itemNameZh : itemName(catalog, r.item)));
  // In the policy's order, 五(五)1 to 9, and within a clause as the
  // catalogue lists its items (the eleventh user test read no order).
  const place = (key: string): [string, number] => {
    const i = catalog.items.findIndex((it) => it.id === key);
    return [i >= 0 ? catalog.items[i]!.clause : key, i];
  };
  byItem.sort((a, b) => {
    const [ca, ia] = place(a.key);
    const [cb, ib] = place(b.key);
    return ca.localeCompare(cb, "zh-CN", { numeric: true }) || ia - ib;
  });
  const byYear = groupRows([...rows].sort((a, b) => a.year - b.year), (r) => String(r.year), (r) => String(r.year));
  const total = report.data?.total;
  // The years offered are those with claims (read from the report of all
  // years, loaded once while a single year is shown), this year, and the
  // year asked for: not years without data (the tenth user test).
  const withData = new Set<number>([yearChina()]);
  for (const r of (year === 0 ? report.data : everything.data)?.rows ?? []) withData.add(r.year);
  if (year !== 0) withData.add(year);
  const years = [{ value: "", label: t("report.allYears") },
    ...[...withData].sort((a, b) => b - a).map((y) => ({ value: String(y), label: String(y) }))];
  if (yearText !== "" && !years.some((y) => y.value === yearText)) years.push({ value: yearText, label: yearText });

  // The folded data tables are printed open, and folded again afterwards.
  useEffect(() => {
    const opened: HTMLDetailsElement[] = [];
    const before = () => {
      for (const d of Array.from(document.querySelectorAll<HTMLDetailsElement>("details.data-table:not([open])"))) { d.open = true; opened.push(d); }
    };
    const after = () => { for (const d of opened.splice(0)) d.open = false; };
    window.addEventListener("beforeprint", before);
    window.addEventListener("afterprint", after);
    return () => { window.removeEventListener("beforeprint", before); window.removeEventListener("afterprint", after); };
  }, []);

  const download = async () => {
    const r = await exporting.run(() => api.registry.exportReport({ year }));
    if (r !== undefined) saveFile(r.content, r.fileName, r.contentType);
  };

  return (
    <section class="page reports">
      <div class="title-row no-print">
        <PageTitle>{t("report.title")}</PageTitle>
        <button type="button" class="primary" onClick={() => void download()} disabled={exporting.busy}>{t("report.xlsx")}</button>
      </div>
      {/* Printed for a leader: a title with the years and the day, no controls. */}
      <p class="print-only print-title" data-testid="print-title">
        {t("report.printTitle", { scope: yearText === "" ? t("report.allYears") : t("report.ofYear", { year: yearText }), date: todayChina() })}
      </p>
      <div class="inline-form no-print">
        <SelectField label={t("report.year")} value={yearText} options={years} onChange={(v) => navigate(href(["reports"], { year: v }))} name="year" />
      </div>
      <ErrorBox problem={exporting.problem} />
      <ErrorBox problem={report.problem} />
      {report.loading && report.data === undefined && <Loading />}
      {report.data !== undefined && (
        <>
          {total !== undefined && (
            <dl class="figures summary" data-testid="report-total">
              <div><dt>{t("report.claims")}</dt><dd>{formatCount(total.claims)}</dd></div>
              <div><dt>{t("report.submitted")}</dt><dd>{formatCount(total.submitted)}</dd></div>
              <div><dt>{t("report.approved")}</dt><dd>{formatCount(total.approved)}</dd></div>
              <div><dt>{t("report.disbursed")}</dt><dd>{formatCount(total.disbursed)}</dd></div>
              <div><dt>{t("report.rejected")}</dt><dd>{formatCount(total.rejected)}</dd></div>
              <div><dt>{tk("status.5")}</dt><dd>{formatCount(total.returned)}</dd></div>
              <div><dt>{tk("status.6")}</dt><dd>{formatCount(total.withdrawn)}</dd></div>
              <div><dt>{t("report.approvedAmount")}</dt><dd><Money value={total.approvedAmount} /></dd></div>
              <div><dt>{t("report.paidAmount")}</dt><dd><Money value={total.paidAmount} /></dd></div>
            </dl>
          )}
          {rows.length === 0 ? <p class="muted">{t("report.empty")}</p> : (
            <div class="chart-grid">
              <section class="card" aria-labelledby="chart-district">
                <h2 id="chart-district">{t("report.byDistrict")}</h2>
                <ChartCanvas config={barConfig(byDistrict, t("report.approvedWan"))} label={t("report.chartDistrict")} testId="chart-district" height={barsHeight(byDistrict.length)} />
                <GroupTable groups={byDistrict} head={t("col.district")} />
              </section>
              <section class="card" aria-labelledby="chart-item">
                <h2 id="chart-item">{t("report.byItem")}</h2>
                <ChartCanvas config={barConfig(byItem, t("report.approvedWan"))} label={t("report.chartItem")} testId="chart-item" height={barsHeight(byItem.length)} />
                <GroupTable groups={byItem} head={t("col.item")} />
              </section>
              <section class="card" aria-labelledby="chart-year">
                <h2 id="chart-year">{t("report.byYear")}</h2>
                <ChartCanvas config={yearConfig(byYear)} label={t("report.chartYear")} testId="chart-year" />
                <GroupTable groups={byYear} head={t("col.year")} />
              </section>
            </div>
          )}
          {report.data.budgets.length > 0 && (
            <section class="card" aria-labelledby="sec-budget-use">
              <h2 id="sec-budget-use">{t("report.budgets")}</h2>
              <div class="table-wrap" tabIndex={0} role="region" aria-label={t("report.budgets")}>
                <table class="data compact">
                  <thead><tr><th scope="col">{t("finance.year")}</th><th scope="col">{t("finance.payer")}</th><th scope="col" class="num">{t("finance.total")}</th><th scope="col" class="num">{t("finance.used")}</th><th scope="col" class="num">{t("finance.left")}</th></tr></thead>
                  <tbody>{report.data.budgets.map((b) => <tr><td>{b.year}</td><td>{payerName(catalog, b.payer, b.payerNameZh)}</td><td class="num"><Money value={b.total} /></td><td class="num"><Money value={b.used} /></td><td class="num"><Money value={b.left} /></td></tr>)}</tbody>
                </table>
              </div>
            </section>
          )}
        </>
      )}
      <section class="card" aria-labelledby="sec-targets">
        <h2 id="sec-targets">{t("report.targets")}</h2>
        <ErrorBox problem={targets.problem} />
        {targets.data !== undefined && (
          <>
            <p class="muted small">{t("report.period", { from: targets.data.periodFrom, to: targets.data.periodTo })}</p>
            <ChartCanvas config={targetConfig(targets.data.targets)} label={t("report.chartTargets")} testId="chart-targets" height={barsHeight(targets.data.targets.length)} />
            <p class="muted small">{t("report.percentNote")}</p>
            <div class="table-wrap" tabIndex={0} role="region" aria-label={t("report.targets")}>
              <table class="data compact targets">
                <thead><tr><th scope="col">{t("report.target")}</th><th scope="col" class="num">{t("report.figure")}</th><th scope="col" class="num">{t("report.achieved")}</th><th scope="col" class="num">{t("report.percent")}</th><th scope="col">{t("report.visibility")}</th><th scope="col">{t("report.note")}</th></tr></thead>
                <tbody>{targets.data.targets.map((x) => (
                  <tr><th scope="row">{pick(x.nameZh, x.nameEn)}</th><td class="num">{x.figure} {x.unitZh}</td>
                    <td class="num">{x.visibility === TargetVisibility.NONE ? "—" : formatCount(x.achieved)}</td>
                    <td class="num">{x.visibility === TargetVisibility.NONE ? "—" : `${targetPercent(x)}%`}</td>
                    <td>{tk(`report.visibility.${x.visibility}`)}</td><td class="prose small">{pick(x.noteZh, x.noteEn)}</td></tr>
                ))}</tbody>
              </table>
            </div>
          </>
        )}
      </section>
    </section>
  );
}
