// Small display pieces: status badges, money cells, key–value lists.
import type { ComponentChildren } from "preact";
import { ClaimStatus } from "../../gen/stdfund/v1/registry_pb.js";
import { formatYuan } from "../money.js";
import { t, tk } from "../i18n.js";

const STATUS_CLASS: Record<number, string> = {
  [ClaimStatus.SUBMITTED]: "st-submitted",
  [ClaimStatus.APPROVED]: "st-approved",
  [ClaimStatus.REJECTED]: "st-rejected",
  [ClaimStatus.DISBURSED]: "st-disbursed",
  [ClaimStatus.RETURNED]: "st-returned",
  [ClaimStatus.WITHDRAWN]: "st-withdrawn",
};

export function StatusBadge({ status }: { status: ClaimStatus }) {
  return <span class={`badge ${STATUS_CLASS[status] ?? ""}`}>{tk(`status.${status}`)}</span>;
}

/** A yuan amount, grouped, right-aligned by the table's CSS; the raw string is kept for tests. */
export function Money({ value }: { value: string }) {
  return <span class="money" data-yuan={value}>{formatYuan(value)}</span>;
}

export function Provisional({ show }: { show: boolean }) {
  if (!show) return null;
  return <span class="badge st-provisional" title={t("app.provisionalHint")}>{t("app.provisional")}</span>;
}

export function KV({ items }: { items: [string, ComponentChildren][] }) {
  return (
    <dl class="kv">
      {items.filter(([, v]) => v !== undefined && v !== null && v !== "").map(([k, v]) => <><dt>{k}</dt><dd>{v}</dd></>)}
    </dl>
  );
}

export function Loading() {
  return <p class="loading" role="status">{t("app.loading")}</p>;
}

export function PageTitle({ children }: { children: ComponentChildren }) {
  return <h1 class="page-title" tabIndex={-1} id="page-title">{children}</h1>;
}
