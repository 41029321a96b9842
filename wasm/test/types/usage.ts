// A tiny consumer of @stdfund/rules, type-checked by build.sh (`tsc --noEmit`)
// against the generated declarations of both builds.
import init, { estimate, estimateCanonical, whatIf, engineInfo, catalogue, checkCreditCode,
  normaliseStandardNumber, normaliseAmount, fiscalUnits, type AmountProblem, type Application, type Assessment, type Result } from "@stdfund/rules";
import initWeb, { estimate as estimateWeb, initSync } from "@stdfund/rules/web";

const app: Application = {
  applicant: { creditCode: "91350100M000100Y43", name: "示例公司", seat: "350102" },
  achievements: [{ id: "a1", item: "STANDARD_LEAD", variant: "NATIONAL", subject: "GB/T 12345-2020",
    date: "2020-05-01", higherLevelFunding: [{ level: "FUNDING_LEVEL_PROVINCIAL", amount: "100000", source: "福建省" }] }],
};

export async function main(wasmBytes: BufferSource): Promise<string> {
  await init();
  const r: Result<Assessment> = estimate(app);
  if (!r.ok) return `${r.error.code} at ${r.error.field}: ${r.error.messageZh} / ${r.error.messageEn}`;
  const first = r.value.lines?.[0];
  const text: Result<string> = estimateCanonical(JSON.stringify(app));
  const info = engineInfo();
  const hash = info.ok ? info.value.rulesets?.[0]?.hash : undefined;
  const cat = catalogue();
  const items = cat.ok ? cat.value.rulesets.flatMap((r) => r.document.items.map((i) => `${i.clause} ${i.nameZh}`)) : [];
  const cc = checkCreditCode("91350100M000100Y44");
  const warn = cc.ok && !cc.value.checkPassed ? `check character should be ${cc.value.expectedCheckCharacter}` : "";
  const std = normaliseStandardNumber("gb/t　12345—2020");
  const typo = normaliseStandardNumber("GB/T 12345一2020");
  const offer: string | undefined = typo.ok ? undefined : typo.error.meant;
  const dated = normaliseStandardNumber("GB/T 23456-20", "2021-03-01");
  const undated = normaliseStandardNumber("GB/T 23456-2020", null);
  // @ts-expect-error: the date is text (`YYYY-MM-DD`), not a number
  normaliseStandardNumber("GB/T 23456-20", 20210301);
  const units = fiscalUnits();
  const amount = normaliseAmount("１００，０００");
  const yuan: string = amount.ok ? amount.value.yuan : (amount.error.messageZh ?? "");
  const problem: AmountProblem | undefined = amount.ok ? undefined : amount.error.problem;
  const wi = whatIf(app, "{}");
  initSync({ module: wasmBytes });
  await initWeb();
  const web = estimateWeb(app);
  return [r.value.total, first?.explanationEn, text.ok && text.value.length, hash, items.length, warn,
    std.ok && std.value.canonical, units.ok && units.value.map((u) => u.nameZh).join(), wi.ok, web.ok, yuan, problem, offer, dated.ok, undated.ok].join(" ");
}
