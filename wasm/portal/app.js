// The enterprise portal page: builds the application object from the form,
// estimates it with the @stdfund/rules WASM module at every keystroke, and
// can verify the same object with the stdfund gRPC service over grpc-web.
// Every figure shown comes from the module's answer; this file formats and
// lays out, it decides nothing.
import init, * as rules from "../pkg/web/stdfund_rules.js";

const $ = (selector, root = document) => root.querySelector(selector);
const params = new URLSearchParams(location.search);

// --- texts -----------------------------------------------------------------------------
const TEXT = {
  zh: {
    title: "福州市标准化战略专项资金 · 资助测算",
    subtitle: "边填写边测算，结果仅供参考，以审核结果为准。",
    skip: "跳到测算结果",
    loading: "正在加载规则引擎…",
    toggle: "English",
    ruleset: (r, engine) => `规则集 ${r.id} 版本 ${r.version}（${r.effectiveFrom} 起）· 引擎 ${engine} · 摘要 `,
    applicant: "申请单位",
    creditCode: "统一社会信用代码",
    name: "单位名称",
    seat: "所在地（财政单位）",
    seatChoose: "请选择所在地",
    seatOtherOption: "其他地区（输入代码）",
    seatOther: "其他地区的六位行政区划代码",
    achievements: "成果",
    addRow: "＋ 添加成果",
    row: (n) => `成果 ${n}`,
    removeRow: (n) => `删除成果 ${n}`,
    item: "资助项目",
    variant: "类别",
    subject: "标的（标准编号、技术组织代码、项目编号等）",
    date: "完成日期（发布、批准或验收日）",
    role: "本单位角色",
    roles: { "": "未说明", ROLE_LEAD: "主导单位或第一起草单位", ROLE_PARTICIPANT: "参与单位" },
    accepted: "已验收通过",
    approved: "已获得批准",
    funding: "已获其他层级资助",
    addFunding: "＋ 添加资助",
    removeFunding: (n, m) => `删除成果 ${n} 的第 ${m} 笔资助`,
    fundingLevel: "资助层级",
    fundingAmount: "金额（元）",
    levels: {
      FUNDING_LEVEL_NATIONAL: "国家级财政资金",
      FUNDING_LEVEL_PROVINCIAL: "省级财政资金",
      FUNDING_LEVEL_COUNTY: "县（市）区级财政资金",
      FUNDING_LEVEL_NON_FISCAL: "非财政资金",
    },
    wan: (w) => `${w}万元`,
    notCovered: "不予资助",
    discretionary: "酌情资助",
    results: "测算结果",
    empty: "请填写申请单位并添加成果。",
    status: {
      LINE_STATUS_ELIGIBLE: "可资助",
      LINE_STATUS_INELIGIBLE: "不予资助",
      LINE_STATUS_PENDING: "待条件满足",
      LINE_STATUS_DISCRETIONARY: "酌情资助",
    },
    clause: "条款",
    noClause: "无适用政策",
    c: "市级标准 C",
    h: "上级已资助 H",
    notCounted: "未计入的资助",
    payable: "应付",
    yuan: "元",
    total: "合计",
    details: "查看明细 ↓",
    municipalShare: "市级承担",
    districtShare: (unit) => `${unit || "区县"}承担`,
    provisional: "暂定",
    whatIf: "假设测算（替代规则集）",
    receipt: (r) => `引擎 ${r.engineVersion} · 输入摘要 ${r.inputHash}`,
    problem: "暂无法测算：",
    ccEmpty: "18位，由数字和大写英文字母组成。",
    ccTyping: (n) => `已输入 ${n}/18 位`,
    ccValid: "✓ 校验位正确",
    ccMismatch: (c) => `⚠ 校验位不符：按 GB 32100-2015 应为“${c}”。部分2016年前发放的代码存在此情况，请核实；测算照常进行。`,
    verifyTitle: "向服务端核验",
    serverUrl: "服务端地址（grpc-web）",
    verify: "向服务端核验",
    verifying: "正在向服务端核验…",
    agree: (total, hash) => `✓ 核验一致：服务端答复与本页测算逐字节相同（合计 ${total} 元），规则集摘要相同（${hash}）。`,
    agreeError: (code) => `✓ 核验一致：服务端同样拒绝此申请（${code}），规则集摘要相同。`,
    hashMismatch: "⚠ 规则集不一致：服务端使用的规则集与本页不同，本页测算可能与审核结果不符。",
    pageHas: "本页",
    serverHas: "服务端",
    answersDiffer: "⚠ 答复不一致：服务端的测算与本页不同。",
    answersSame: "两者对本申请的答复相同。",
    pageTotal: "本页合计",
    serverTotal: "服务端合计",
    unreachable: (url, msg) => `✗ 无法完成核验：无法连接服务端 ${url}（${msg}）。`,
    stale: "申请已修改，请重新核验。",
  },
  en: {
    title: "Fuzhou Standardization Fund · Grant estimate",
    subtitle: "Estimated as you type; for guidance only — the review decides.",
    skip: "Skip to the estimate",
    loading: "Loading the rules engine…",
    toggle: "中文",
    ruleset: (r, engine) => `Ruleset ${r.id} version ${r.version} (from ${r.effectiveFrom}) · engine ${engine} · hash `,
    applicant: "Applicant",
    creditCode: "Unified social credit code",
    name: "Name of the unit",
    seat: "Seat (fiscal unit)",
    seatChoose: "Choose the seat",
    seatOtherOption: "Elsewhere (enter the code)",
    seatOther: "Six-digit division code of the seat",
    achievements: "Achievements",
    addRow: "+ Add an achievement",
    row: (n) => `Achievement ${n}`,
    removeRow: (n) => `Remove achievement ${n}`,
    item: "Grant item",
    variant: "Variant",
    subject: "Subject (standard number, committee code, project reference…)",
    date: "Completion date (publication, approval or acceptance)",
    role: "The applicant's role",
    roles: { "": "Not stated", ROLE_LEAD: "Lead / first drafting unit", ROLE_PARTICIPANT: "Participant" },
    accepted: "Passed acceptance",
    approved: "Approved",
    funding: "Funding already received from other levels",
    addFunding: "+ Add funding",
    removeFunding: (n, m) => `Remove funding ${m} of achievement ${n}`,
    fundingLevel: "Level",
    fundingAmount: "Amount (yuan)",
    levels: {
      FUNDING_LEVEL_NATIONAL: "National fiscal funds",
      FUNDING_LEVEL_PROVINCIAL: "Provincial fiscal funds",
      FUNDING_LEVEL_COUNTY: "District / county fiscal funds",
      FUNDING_LEVEL_NON_FISCAL: "Non-fiscal money",
    },
    wan: (w) => `${w}0,000 yuan`,
    notCovered: "not covered",
    discretionary: "discretionary",
    results: "Estimate",
    empty: "Fill in the applicant and add achievements.",
    status: {
      LINE_STATUS_ELIGIBLE: "Eligible",
      LINE_STATUS_INELIGIBLE: "Not eligible",
      LINE_STATUS_PENDING: "Pending a condition",
      LINE_STATUS_DISCRETIONARY: "Discretionary",
    },
    clause: "Clause",
    noClause: "no policy in force",
    c: "Municipal amount C",
    h: "Higher-level funding H",
    notCounted: "Funding not counted",
    payable: "Payable",
    yuan: "yuan",
    total: "Total",
    details: "see the details ↓",
    municipalShare: "City pays",
    districtShare: (unit) => `${unit || "District"} pays`,
    provisional: "provisional",
    whatIf: "What-if (alternative ruleset)",
    receipt: (r) => `Engine ${r.engineVersion} · input hash ${r.inputHash}`,
    problem: "Cannot estimate yet: ",
    ccEmpty: "18 characters: digits and capital letters.",
    ccTyping: (n) => `${n} of 18 characters`,
    ccValid: "✓ Check character correct",
    ccMismatch: (c) => `⚠ Check character mismatch: GB 32100-2015 gives “${c}”. Some codes issued before 2016 fail the check — verify it; the estimate goes on.`,
    verifyTitle: "Verify with the server",
    serverUrl: "Server address (grpc-web)",
    verify: "Verify with the server",
    verifying: "Verifying with the server…",
    agree: (total, hash) => `✓ Verified: the server's answer is byte-identical to this page's estimate (total ${total} yuan) and the ruleset hash is the same (${hash}).`,
    agreeError: (code) => `✓ Verified: the server rejects this application too (${code}); the ruleset hash is the same.`,
    hashMismatch: "⚠ Ruleset mismatch: the server computes with a different ruleset than this page, so this page's estimate may not be what the review approves.",
    pageHas: "this page",
    serverHas: "server",
    answersDiffer: "⚠ The answers differ: the server's estimate is not this page's.",
    answersSame: "Both give the same answer for this application.",
    pageTotal: "this page's total",
    serverTotal: "the server's total",
    unreachable: (url, msg) => `✗ Could not verify: the server ${url} cannot be reached (${msg}).`,
    stale: "The application changed; verify again.",
  },
};
let lang = params.get("lang") === "en" ? "en" : "zh";
const t = () => TEXT[lang];
const name = (o) => (lang === "zh" ? o.nameZh : o.nameEn);

// --- helpers -----------------------------------------------------------------------------
/** Thousands separators for a decimal string; the digits are never touched. */
function money(s) {
  const [whole, fraction] = String(s).split(".");
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (fraction === undefined ? "" : `.${fraction}`);
}
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}
function fail(message) {
  const p = $("#ruleset");
  p.textContent = message;
  p.classList.add("bad");
  throw new Error(message);
}

// --- the engine --------------------------------------------------------------------------
await init();
const catalogueResult = rules.catalogue();
const infoResult = rules.engineInfo();
const unitsResult = rules.fiscalUnits();
if (!catalogueResult.ok || !infoResult.ok || !unitsResult.ok) fail("the rules engine did not load its rulesets");
const info = infoResult.value;
const rulesets = catalogueResult.value.rulesets;
const items = rulesets.at(-1).document.items; // the newest ruleset's catalogue
const itemById = new Map(items.map((i) => [i.id, i]));
const units = unitsResult.value;

// --- the form ------------------------------------------------------------------------------
const form = $("#form");
const rowsList = $("#rows");
let rowCounter = 0;

function fillSeat() {
  const seat = $("#seat");
  const chosen = seat.value;
  seat.replaceChildren(el("option", { value: "" }, t().seatChoose),
    ...units.map((u) => el("option", { value: u.code }, `${name(u)}（${u.code}）`)),
    el("option", { value: "other" }, t().seatOtherOption));
  seat.value = chosen;
}

function fillItem(select) {
  const chosen = select.value;
  select.replaceChildren(...items.map((i) => el("option", { value: i.id }, `${i.clause} ${name(i)}`)));
  if (chosen) select.value = chosen;
}

function fillVariant(row) {
  const item = itemById.get($("[data-role=item]", row).value);
  const select = $("[data-role=variant]", row);
  const chosen = select.value;
  select.replaceChildren(...item.variants.map((v) => {
    const amount = v.amountWan !== undefined ? t().wan(v.amountWan)
      : v.notCoveredZh !== undefined ? t().notCovered : t().discretionary;
    return el("option", { value: v.id }, `${name(v)} · ${amount}`);
  }));
  if (item.variants.some((v) => v.id === chosen)) select.value = chosen;
  // Only the inputs this item asks for are shown (and sent).
  $("[data-when=role]", row).hidden = item.role === "NONE";
  $("[data-when=accepted]", row).hidden = item.condition !== "ACCEPTED";
  $("[data-when=approved]", row).hidden = item.condition !== "APPROVED";
  $("[data-role=subject]", row).placeholder = {
    STANDARD_NUMBER: "GB/T 12345-2020", AWARDED_STANDARD: "GB/T 12345-2020", COMMITTEE: "SAC/TC 28",
  }[item.subjectKind] ?? "";
}

function fillRole(select) {
  const chosen = select.value;
  select.replaceChildren(...Object.entries(t().roles).map(([v, label]) => el("option", { value: v }, label)));
  select.value = chosen;
}

function fillLevel(select) {
  const chosen = select.value || "FUNDING_LEVEL_PROVINCIAL";
  select.replaceChildren(...Object.entries(t().levels).map(([v, label]) => el("option", { value: v }, label)));
  select.value = chosen;
}

/** Gives every control of a row or funding entry an id and its label a `for`. */
function wireLabels(root, prefix) {
  for (const field of root.querySelectorAll(":scope .field, :scope .check")) {
    const control = field.querySelector("input, select");
    const label = field.matches("label") ? field : field.querySelector("label");
    if (!control || !label || control.id) continue;
    control.id = `${prefix}-${control.dataset.role}`;
    if (!field.matches("label")) label.htmlFor = control.id;
  }
}

function addFunding(row) {
  const entry = $("#funding-template").content.firstElementChild.cloneNode(true);
  row.fundingCounter = (row.fundingCounter ?? 0) + 1;
  wireLabels(entry, `${row.dataset.id}-f${row.fundingCounter}`);
  fillLevel($("[data-role=level]", entry));
  $("[data-role=fundings]", row).append(entry);
  relabel();
  return entry;
}

function addRow() {
  const row = $("#row-template").content.firstElementChild.cloneNode(true);
  rowCounter++;
  row.dataset.id = `a${rowCounter}`;
  wireLabels(row, row.dataset.id);
  fillItem($("[data-role=item]", row));
  fillRole($("[data-role=role]", row));
  fillVariant(row);
  rowsList.append(row);
  relabel();
  return row;
}

/** Row numbers, legends and the accessible names of the remove buttons. */
function relabel() {
  [...rowsList.children].forEach((row, i) => {
    $("legend", row).textContent = t().row(i + 1);
    $("[data-action=remove-row]", row).textContent = `✕ ${t().removeRow(i + 1)}`;
    [...$("[data-role=fundings]", row).children].forEach((entry, j) => {
      const b = $("[data-action=remove-funding]", entry);
      b.textContent = "✕";
      b.setAttribute("aria-label", t().removeFunding(i + 1, j + 1));
      b.title = t().removeFunding(i + 1, j + 1);
    });
  });
}

/**
 * The application exactly as the form states it (the proto3 JSON of
 * EstimateRequest), and where each field path lives in the form.
 */
function readForm() {
  const where = new Map();
  const seatSelect = $("#seat");
  const seatOther = seatSelect.value === "other";
  const applicant = {
    creditCode: $("#creditCode").value,
    name: $("#name").value,
    seat: seatOther ? $("#seatOther").value : seatSelect.value,
  };
  where.set("applicant.creditCode", $("#creditCode"));
  where.set("applicant.name", $("#name"));
  where.set("applicant.seat", seatOther ? $("#seatOther") : seatSelect);
  const achievements = [...rowsList.children].map((row, i) => {
    const get = (role) => $(`[data-role=${role}]`, row);
    const a = {
      id: row.dataset.id,
      item: get("item").value,
      variant: get("variant").value,
      subject: get("subject").value,
      date: get("date").value,
    };
    for (const k of ["item", "variant", "subject", "date"]) where.set(`achievements[${i}].${k}`, get(k));
    if (!$("[data-when=role]", row).hidden && get("role").value !== "") {
      a.role = get("role").value;
      where.set(`achievements[${i}].role`, get("role"));
    }
    if (!$("[data-when=accepted]", row).hidden && get("accepted").checked) a.accepted = true;
    if (!$("[data-when=approved]", row).hidden && get("approved").checked) a.approved = true;
    // A funding entry without an amount is not yet an entry.
    const funding = [...get("fundings").children].filter((entry) => $("[data-role=amount]", entry).value !== "");
    if (funding.length > 0) {
      a.higherLevelFunding = funding.map((entry, j) => {
        const amount = $("[data-role=amount]", entry);
        where.set(`achievements[${i}].higherLevelFunding[${j}].amount`, amount);
        where.set(`achievements[${i}].higherLevelFunding[${j}].level`, $("[data-role=level]", entry));
        return { level: $("[data-role=level]", entry).value, amount: amount.value };
      });
    }
    where.set(`achievements[${i}]`, row);
    return a;
  });
  return { application: { applicant, achievements }, where };
}

// --- the estimate --------------------------------------------------------------------------
let current = null; // { application, canonical: Result<string> }

function showCreditCode() {
  const raw = $("#creditCode").value;
  const out = $("#creditCode-status");
  out.className = "hint";
  const trimmed = raw.trim();
  if (trimmed === "") {
    out.textContent = t().ccEmpty;
    return;
  }
  const r = rules.checkCreditCode(raw);
  if (r.ok && r.value.checkPassed) {
    out.textContent = t().ccValid;
    out.classList.add("good");
  } else if (r.ok) {
    out.textContent = t().ccMismatch(r.value.expectedCheckCharacter);
    out.classList.add("warn");
  } else if ([...trimmed].length < 18) {
    out.textContent = t().ccTyping([...trimmed].length);
  } else {
    out.textContent = lang === "zh" ? r.error.messageZh : r.error.messageEn;
    out.classList.add("bad");
  }
}

function estimateNow() {
  const { application, where } = readForm();
  const canonical = rules.estimateCanonical(application);
  const changed = current === null || JSON.stringify(current.canonical) !== JSON.stringify(canonical);
  current = { application, canonical, where };
  for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
  if (changed) {
    clearVerification();
    render();
  } else if (!canonical.ok) {
    markInvalid(canonical.error);
  }
}

function markInvalid(error) {
  const node = current.where.get(error.field);
  if (node && node.matches("input, select")) node.setAttribute("aria-invalid", "true");
}

function render() {
  const { canonical, application } = current;
  const problem = $("#problem");
  const lines = $("#lines");
  const summary = $("#summary");
  const warnings = $("#warnings");
  lines.replaceChildren();
  warnings.replaceChildren();
  summary.hidden = true;
  $("#receipt").textContent = "";
  const bar = $("#total-bar");
  bar.hidden = true;
  if (!canonical.ok) {
    const e = canonical.error;
    markInvalid(e);
    problem.hidden = false;
    problem.replaceChildren(el("strong", {}, t().problem), lang === "zh" ? e.messageZh : e.messageEn,
      el("span", { class: "code" }, ` [${e.code}${e.field ? ` · ${e.field}` : ""}]`));
    const pristine = application.applicant.creditCode === "" && application.achievements.every((x) => x.subject === "");
    if (pristine) problem.replaceChildren(t().empty);
    return;
  }
  problem.hidden = true;
  const a = JSON.parse(canonical.value);
  const rowNumber = new Map(application.achievements.map((x, i) => [x.id, i + 1]));
  for (const line of a.lines) lines.append(renderLine(line, rowNumber.get(line.achievementId)));

  const provisional = a.split.shareTables.some((s) => s.provisional);
  const unitName = a.applicant.insideFuzhou ? (lang === "zh" ? a.applicant.fiscalUnitNameZh : a.applicant.fiscalUnitNameEn) : "";
  const mark = provisional ? [" ", el("span", { class: "badge provisional" }, t().provisional)] : [];
  summary.replaceChildren(
    ...(a.whatIf ? [el("p", { class: "badge warn" }, t().whatIf)] : []),
    el("dl", {},
      el("dt", {}, t().total), el("dd", { class: "total", "data-testid": "total" }, money(a.total), ` ${t().yuan}`),
      el("dt", {}, t().municipalShare, ...mark), el("dd", { "data-testid": "municipal-share" }, money(a.split.municipalShare), ` ${t().yuan}`),
      el("dt", {}, t().districtShare(unitName), ...mark.map((m) => (typeof m === "string" ? m : m.cloneNode(true)))),
      el("dd", { "data-testid": "district-share" }, money(a.split.districtShare), ` ${t().yuan}`)),
    ...a.split.shareTables.map((s) => el("p", { class: "note" }, `${s.id} ${s.version}: ${lang === "zh" ? s.noteZh : s.noteEn}`)));
  summary.hidden = false;
  bar.textContent = `${t().total} ${money(a.total)} ${t().yuan} · ${t().details}`;
  bar.hidden = summaryInView;
  for (const w of a.warnings) {
    const n = rowNumber.get(w.achievementId);
    warnings.append(el("li", {}, n ? `${t().row(n)}: ` : "", lang === "zh" ? w.messageZh : w.messageEn, el("span", { class: "code" }, ` [${w.code}]`)));
  }
  $("#receipt").textContent = t().receipt(a.receipt);
}

function renderLine(line, n) {
  const li = el("li", { class: `line ${line.status.toLowerCase().replace("line_status_", "")}`, "data-achievement-id": line.achievementId });
  const head = el("p", { class: "line-head" },
    el("strong", {}, t().row(n)), " · ",
    el("span", { "data-testid": "clause" }, line.clause ? `${t().clause} ${line.clause}` : t().noClause), " · ",
    el("span", { class: "badge", "data-testid": "status" }, t().status[line.status] ?? line.status),
    el("span", { class: "code" }, ` ${line.reasonCode}`));
  const figures = el("dl", { class: "figures" },
    el("dt", {}, t().c), el("dd", { "data-testid": "municipal-amount" }, money(line.municipalAmount)),
    el("dt", {}, t().h), el("dd", { "data-testid": "higher-level" }, `− ${money(line.higherLevelFundingCounted)}`),
    ...(line.otherFundingNotCounted !== "0.00"
      ? [el("dt", {}, t().notCounted), el("dd", { "data-testid": "not-counted" }, money(line.otherFundingNotCounted))] : []),
    el("dt", { class: "payable" }, t().payable), el("dd", { class: "payable", "data-testid": "payable" }, `${money(line.payable)} ${t().yuan}`));
  const why = el("p", { class: "explanation" }, lang === "zh" ? line.explanationZh : line.explanationEn);
  li.append(head, figures, why);
  return li;
}

// The phone's total bar is only needed while the summary is out of sight.
let summaryInView = false;
new IntersectionObserver(([entry]) => {
  summaryInView = entry.isIntersecting;
  $("#total-bar").hidden = summaryInView || $("#summary").hidden;
}).observe($("#summary"));

// --- verify with the server ------------------------------------------------------------------
const serverInput = $("#server");
serverInput.value = params.get("server") ?? "http://127.0.0.1:50051";
let verification = null; // the last verification message, re-rendered on a language change

function clearVerification() {
  if (verification !== null) {
    verification = null;
    const out = $("#verify-status");
    out.className = "verify-status";
    out.textContent = t().stale;
  }
}

function showVerification() {
  const out = $("#verify-status");
  if (verification === null) return;
  out.className = `verify-status ${verification.kind}`;
  out.replaceChildren(...verification.render(t()));
}

async function verify() {
  const button = $("#verify");
  const out = $("#verify-status");
  estimateNow();
  const { application, canonical } = current;
  const url = serverInput.value.trim().replace(/\/+$/, "");
  button.disabled = true;
  out.className = "verify-status";
  out.textContent = t().verifying;
  try {
    const { serverClient } = await import("../pkg/grpc-web.js");
    const client = serverClient(url);
    const serverInfo = await client.engineInfo();
    const served = await client.estimateCanonical(application);
    if (current.application !== application) {
      // The form changed while the server answered: this answer is for an older application.
      verification = null;
      out.textContent = t().stale;
      return;
    }
    const key = (r) => `${r.id} ${r.version}`;
    const ours = new Map(info.rulesets.map((r) => [key(r), r.hash]));
    const theirs = new Map(serverInfo.rulesets.map((r) => [key(r), r.hash]));
    const sameRulesets = ours.size === theirs.size && [...ours].every(([k, h]) => theirs.get(k) === h);
    const sameAnswer = JSON.stringify(served) === JSON.stringify(canonical);
    const totalOf = (r) => (r.ok ? money(JSON.parse(r.value).total) : r.error.code);
    const hashes = (x) => el("ul", { class: "hashes" },
      ...info.rulesets.map((r) => el("li", {}, `${x.pageHas}: ${key(r)} `, el("code", {}, r.hash))),
      ...serverInfo.rulesets.map((r) => el("li", {}, `${x.serverHas}: ${key(r)} `, el("code", {}, r.hash))));
    if (sameRulesets && sameAnswer) {
      verification = { kind: "good", render: (x) => [canonical.ok ? x.agree(money(JSON.parse(canonical.value).total), info.rulesets.map((r) => r.hash).join(", ")) : x.agreeError(canonical.error.code)] };
    } else if (!sameRulesets) {
      verification = { kind: "warn", render: (x) => [el("strong", {}, x.hashMismatch), " ",
        sameAnswer ? x.answersSame : `${x.pageTotal} ${totalOf(canonical)} · ${x.serverTotal} ${totalOf(served)}`, hashes(x)] };
    } else {
      verification = { kind: "warn", render: (x) => [el("strong", {}, x.answersDiffer), " ",
        `${x.pageTotal} ${totalOf(canonical)} · ${x.serverTotal} ${totalOf(served)}`] };
    }
  } catch (e) {
    verification = { kind: "bad", render: (x) => [x.unreachable(url, e.message ?? String(e))] };
  } finally {
    button.disabled = false;
  }
  showVerification();
}

// --- language ------------------------------------------------------------------------------
function applyLanguage() {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.title = t().title;
  for (const node of document.querySelectorAll("[data-i18n]")) {
    const text = t()[node.dataset.i18n];
    if (typeof text === "string") node.textContent = text;
  }
  for (const tpl of document.querySelectorAll("template")) {
    for (const node of tpl.content.querySelectorAll("[data-i18n]")) node.textContent = t()[node.dataset.i18n];
  }
  const toggle = $("#lang");
  toggle.textContent = t().toggle;
  toggle.lang = lang === "zh" ? "en" : "zh-CN";
  const r = info.rulesets.at(-1);
  $("#ruleset").replaceChildren(t().ruleset(r, info.engineVersion), el("code", { "data-testid": "ruleset-hash" }, r.hash));
  fillSeat();
  for (const row of rowsList.children) {
    fillItem($("[data-role=item]", row));
    fillVariant(row);
    fillRole($("[data-role=role]", row));
    for (const level of row.querySelectorAll("[data-role=level]")) fillLevel(level);
  }
  relabel();
  showCreditCode();
  if (current !== null) render();
  showVerification();
}

// --- events --------------------------------------------------------------------------------
form.addEventListener("submit", (e) => e.preventDefault());
// `input` and `change` both land here (selects fire both); every step is idempotent.
function onEdit(e) {
  if (e.target.dataset.role === "item") fillVariant(e.target.closest(".row"));
  if (e.target.id === "seat") $("#seatOther-field").hidden = e.target.value !== "other";
  if (e.target.id === "creditCode") showCreditCode();
  estimateNow();
}
form.addEventListener("input", onEdit);
form.addEventListener("change", onEdit);
form.addEventListener("click", (e) => {
  const button = e.target.closest("button[data-action]");
  if (!button) return;
  const row = button.closest(".row");
  if (button.dataset.action === "add-funding") {
    $("[data-role=amount]", addFunding(row)).focus();
  } else if (button.dataset.action === "remove-funding") {
    button.closest(".funding-entry").remove();
    relabel();
    $("[data-action=add-funding]", row).focus();
  } else if (button.dataset.action === "remove-row") {
    const next = row.nextElementSibling ?? row.previousElementSibling;
    row.remove();
    relabel();
    (next ? $("[data-role=item]", next) : $("#add")).focus();
  }
  estimateNow();
});
$("#add").addEventListener("click", () => {
  const row = addRow();
  $("[data-role=item]", row).focus();
  estimateNow();
});
$("#lang").addEventListener("click", () => {
  lang = lang === "zh" ? "en" : "zh";
  applyLanguage();
});
$("#verify").addEventListener("click", verify);

addRow();
applyLanguage();
estimateNow();
document.body.dataset.ready = "true";
