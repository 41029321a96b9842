// Names for the codes the registry stores: grant items, variants, clauses and
// fiscal units, from EstimateService.GetCatalog (public, loaded once).
import type { GetCatalogResponse } from "../gen/stdfund/v1/estimate_service_pb.js";
import { pick, t } from "./i18n.js";

export interface Named {
  id: string;
  zh: string;
  en: string;
}

export interface Catalog {
  items: (Named & { clause: string; variants: Named[] })[];
  fiscalUnits: Named[];
  clauses: string[];
  targets: (Named & { figure: number; unitZh: string })[];
}

export const EMPTY_CATALOG: Catalog = { items: [], fiscalUnits: [], clauses: [], targets: [] };

/** Merges every ruleset's lists; a later ruleset's names win, the first order stays. */
export function catalogOf(r: GetCatalogResponse): Catalog {
  const items = new Map<string, Catalog["items"][number]>();
  const units = new Map<string, Named>();
  const targets = new Map<string, Catalog["targets"][number]>();
  for (const rs of r.rulesets) {
    const doc = rs.document;
    if (doc === undefined) continue;
    for (const it of doc.items) {
      items.set(it.id, {
        id: it.id, zh: it.nameZh, en: it.nameEn, clause: it.clause,
        variants: it.variants.map((v) => ({ id: v.id, zh: v.nameZh, en: v.nameEn })),
      });
    }
    for (const u of doc.fiscalUnits) units.set(u.code, { id: u.code, zh: u.nameZh, en: u.nameEn });
    for (const tg of doc.targets2020) targets.set(tg.id, { id: tg.id, zh: tg.nameZh, en: tg.nameEn, figure: tg.figure, unitZh: tg.unitZh });
  }
  const clauses = [...new Set([...items.values()].map((i) => i.clause))].sort((a, b) => a.localeCompare(b, "zh-CN", { numeric: true }));
  return { items: [...items.values()], fiscalUnits: [...units.values()], clauses, targets: [...targets.values()] };
}

export function itemName(c: Catalog, id: string): string {
  const it = c.items.find((i) => i.id === id);
  return it === undefined ? id : pick(it.zh, it.en);
}

export function variantName(c: Catalog, item: string, variant: string): string {
  const v = c.items.find((i) => i.id === item)?.variants.find((x) => x.id === variant);
  return v === undefined ? variant : pick(v.zh, v.en);
}

export function unitName(c: Catalog, code: string): string {
  if (code === "" || code === "CITY") return "";
  const u = c.fiscalUnits.find((x) => x.id === code);
  return u === undefined ? code : pick(u.zh, u.en);
}

/** Who pays a budget: 市级 for the city (`CITY`), else the fiscal unit's name
 * (the registry's own name when the catalogue has none, else the code). */
export function payerName(c: Catalog, payer: string, nameZh = ""): string {
  if (payer === "" || payer === "CITY") return t("finance.city");
  const n = unitName(c, payer);
  return n !== payer ? n : nameZh !== "" ? nameZh : payer;
}
