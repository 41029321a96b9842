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
  /** Every ruleset version the server knows: id, version and its title. */
  rulesets: (Named & { version: string })[];
  items: (Named & { clause: string; variants: Named[] })[];
  fiscalUnits: Named[];
  clauses: string[];
  targets: (Named & { figure: number; unitZh: string })[];
}

export const EMPTY_CATALOG: Catalog = { rulesets: [], items: [], fiscalUnits: [], clauses: [], targets: [] };

/** Merges every ruleset's lists; a later ruleset's names win, the first order stays. */
export function catalogOf(r: GetCatalogResponse): Catalog {
  const items = new Map<string, Catalog["items"][number]>();
  const units = new Map<string, Named>();
  const targets = new Map<string, Catalog["targets"][number]>();
  const rulesets: Catalog["rulesets"] = [];
  for (const rs of r.rulesets) {
    const doc = rs.document;
    if (doc === undefined) continue;
    rulesets.push({ id: doc.id, version: doc.version, zh: doc.titleZh, en: doc.titleEn });
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
  return { rulesets, items: [...items.values()], fiscalUnits: [...units.values()], clauses, targets: [...targets.values()] };
}

/** A ruleset as officials know it: its title and version, e.g.
 * `福州市人民政府关于进一步实施标准化发展战略的意见 五(五)强化经费保障（1.1.0 版）`;
 * the id only when the catalogue does not name it (not loaded, or a ruleset
 * since withdrawn). The id stays in the claim's technical details. */
export function rulesetTitle(c: Catalog, id: string, version: string): string {
  if (id === "") return "";
  const rs = c.rulesets.find((r) => r.id === id && r.version === version) ?? c.rulesets.find((r) => r.id === id);
  if (rs === undefined) return version === "" ? id : `${id} ${version}`;
  return version === "" ? pick(rs.zh, rs.en) : t("claim.rulesetTitle", { title: pick(rs.zh, rs.en), version });
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
