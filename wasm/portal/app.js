// The enterprise portal page. Each field is checked as the clerk types it
// with the module's form helpers (credit code, standard number, amount);
// the lines whose fields are complete and valid are estimated with the
// @stdfund/rules WASM module at every keystroke, the others are listed as
// not yet estimated. The same application can be verified with the stdfund
// gRPC service over grpc-web. Every figure shown comes from the module's
// answer and every amount is formatted by it; this file lays out, it decides
// nothing.
import init, * as rules from "../pkg/web/stdfund_rules.js";
import { TEXT } from "./texts.js";

const $ = (selector, root = document) => root.querySelector(selector);
const params = new URLSearchParams(location.search);

let lang = params.get("lang") === "en" ? "en" : "zh";
const t = () => TEXT[lang];
const name = (o) => (lang === "zh" ? o.nameZh : o.nameEn);
const message = (o) => (lang === "zh" ? o.messageZh : o.messageEn);

// --- helpers -----------------------------------------------------------------------------
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}
function fail(text) {
  const p = $("#ruleset");
  p.textContent = text;
  p.classList.add("bad");
  throw new Error(text);
}
/** Today in the clerk's time zone, `YYYY-MM-DD`: the date printed on the estimate. */
function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

// --- the engine --------------------------------------------------------------------------
await init();
const catalogueResult = rules.catalogue();
const infoResult = rules.engineInfo();
const unitsResult = rules.fiscalUnits();
if (!catalogueResult.ok || !infoResult.ok || !unitsResult.ok) fail("the rules engine did not load its rulesets");
const info = infoResult.value;
const rulesets = catalogueResult.value.rulesets;
const newest = rulesets.at(-1).document;
/** The newest ruleset as a clerk reads it: its title (not its id), version and first day. */
function newestRuleset() {
  return { id: newest.id, version: newest.version, effectiveFrom: newest.effectiveFrom, title: lang === "zh" ? newest.titleZh : newest.titleEn };
}
const items = newest.items; // the form offers the newest ruleset's catalogue
const itemById = new Map(items.map((i) => [i.id, i]));
const units = unitsResult.value;
/** The variant's names, from any ruleset (a line may be decided under an older one). */
function variantName(itemId, variantId) {
  for (const r of [...rulesets].reverse()) {
    const v = r.document.items.find((i) => i.id === itemId)?.variants.find((x) => x.id === variantId);
    if (v) return name(v);
  }
  return t().levelNames[variantId] ?? variantId;
}
function itemName(itemId) {
  for (const r of [...rulesets].reverse()) {
    const i = r.document.items.find((x) => x.id === itemId);
    if (i) return name(i);
  }
  return itemId;
}

/** An amount (canonical yuan) as the module writes it: `{yuanText, wanText, textZh, textEn}`. */
function amountOf(decimal) {
  const r = rules.normaliseAmount(decimal);
  if (r.ok) return r.value;
  return { yuan: decimal, yuanText: decimal, wanText: "", textZh: decimal, textEn: decimal };
}
function amountLine(decimal) {
  const a = amountOf(decimal);
  return lang === "zh" ? a.textZh : a.textEn;
}
/** One figure of a `<dl>`: term and value kept together, the value wrapping under the term when narrow. */
function pair(term, value, { cls } = {}) {
  return el("div", { class: `fig${cls ? ` ${cls}` : ""}` }, el("dt", {}, ...[term].flat()), el("dd", {}, ...[value].flat()));
}

/** An amount for a figure cell: the yuan and, in Chinese, the 万元 beside it (each unbreakable). */
function amountNode(decimal, { testid, minus = false } = {}) {
  const a = amountOf(decimal);
  const yuan = lang === "zh" ? a.yuanText : a.textEn;
  const node = el("span", { class: "amount", "data-testid": testid, "data-yuan": a.yuan },
    el("span", { class: "yuan" }, `${minus ? "− " : ""}${yuan}`));
  // The module's Chinese text says whether the 万元 is worth showing (not for zero or fen).
  if (lang === "zh" && a.textZh !== a.yuanText) node.append(el("span", { class: "wan" }, `（${a.wanText}）`));
  return node;
}

// --- the form ------------------------------------------------------------------------------
const form = $("#form");
const rowsList = $("#rows");
let rowCounter = 0;

function fillSeat() {
  const seat = $("#seat");
  const chosen = seat.value;
  seat.replaceChildren(el("option", { value: "" }, t().seatChoose),
    // A division code beside the name helps a clerk who knows it; a unit
    // with no division code of its own (高新区) shows its name alone.
    ...units.map((u) => el("option", { value: u.code }, /^\d{6}$/.test(u.code) ? t().withCode(name(u), u.code) : name(u))),
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
  // No category is chosen for the clerk: the first (and largest) one shown
  // as chosen was taken for the right one, and a national standard was
  // estimated at the international 50万. A standard number fills it in with
  // the level it implies (see `impliedVariant`); an item of one category has
  // nothing to choose.
  const options = item.variants.map((v) => {
    const amount = v.amountWan !== undefined ? t().wan(v.amountWan)
      : v.notCoveredZh !== undefined ? t().notCovered : t().discretionary;
    return el("option", { value: v.id }, `${name(v)} · ${amount}`);
  });
  if (item.variants.length > 1) options.unshift(el("option", { value: "" }, t().chooseVariant));
  select.replaceChildren(...options);
  if (item.variants.some((v) => v.id === chosen)) select.value = chosen;
  else {
    select.value = item.variants.length > 1 ? "" : item.variants[0]?.id ?? "";
    delete select.dataset.auto;
  }
  // Only the inputs this item asks for are shown (and sent).
  $("[data-when=role]", row).hidden = item.role === "NONE";
  $("[data-when=accepted]", row).hidden = item.condition !== "ACCEPTED";
  $("[data-when=approved]", row).hidden = item.condition !== "APPROVED";
  $("[data-role=subject]", row).placeholder = {
    STANDARD_NUMBER: "GB/T 12345-2020", AWARDED_STANDARD: "GB/T 12345-2020", COMMITTEE: "SAC/TC 28",
  }[item.subjectKind] ?? "";
  // What the subject is for this item: an award's is the awarded standard's
  // number, which clerks took for the award document's.
  const label = $("[data-role=subject]", row).closest(".field")?.querySelector("label");
  if (label) label.textContent = t().subjectOfItem[item.id] ?? t().subjectOf[item.subjectKind] ?? t().subject;
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
  const hint = $("[data-role=amount-hint]", root);
  if (hint) {
    hint.id = `${prefix}-amount-hint`;
    $("[data-role=amount]", root).setAttribute("aria-describedby", hint.id);
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

/** The field's name for the clerk: `成果1 · 已获资助 · 金额`. */
function fieldPath(control) {
  const x = t();
  const role = control.dataset.role ?? control.id;
  const row = control.closest(".row");
  if (!row) return x.short[role] ?? role;
  const n = [...rowsList.children].indexOf(row) + 1;
  const entry = control.closest(".funding-entry");
  if (entry) {
    const m = [...entry.parentElement.children].indexOf(entry) + 1;
    return [x.row(n), x.fundingShort(m), x.short[role]].join(x.sep);
  }
  return [x.row(n), x.short[role] ?? role].join(x.sep);
}

// --- checking the fields -------------------------------------------------------------------
// A field's problem is shown beside it only once the clerk has left it after
// changing it, or has asked for a check (检查填写, print). A line with a
// problem is not sent to the engine; the other lines are estimated.
const dirty = new Set(); // ids of controls the clerk changed
const touched = new Set(); // ids of controls the clerk changed and left
let submitted = false;
const visible = (control) => submitted || touched.has(control.id);

const MAX_TEXT = 200;
const STANDARD_KINDS = new Set(["STANDARD_NUMBER", "AWARDED_STANDARD"]);
const chars = (s) => [...s].length;

/**
 * A problem: `missing` (required and empty) or `error` (wrong), with a
 * message in both languages; `blocking: false` for an entry that is simply
 * left out (a funding line without an amount); `report` is the engine's
 * ErrorReport when the engine found it.
 */
const missing = (messages = "required", blocking = true) => ({ kind: "missing", key: messages, blocking });
// `meant`: the value the engine says a refused field was probably meant to be
// (`9135O100…` → `91350100…`); the page offers it as a one-click correction.
const wrong = (key, arg, report) => ({ kind: "error", key, arg, blocking: true, report, meant: report?.meant });
function problemText(p) {
  const f = t().fieldErrors;
  if (p.helper) return message(p.helper);
  const text = f[p.key] ?? f.other;
  return typeof text === "function" ? text(p.arg) : text;
}

/**
 * Reads and checks the form: the applicant, each row's achievement (with the
 * amounts normalised to canonical yuan) and every control's problem.
 */
function readForm() {
  const problems = new Map();
  const seatSelect = $("#seat");
  const seatOther = seatSelect.value === "other";
  const seatControl = seatOther ? $("#seatOther") : seatSelect;
  const applicant = {
    creditCode: $("#creditCode").value.trim(),
    name: $("#name").value.trim(),
    seat: seatOther ? $("#seatOther").value.trim() : seatSelect.value,
  };
  const cc = applicant.creditCode;
  if (cc === "") problems.set($("#creditCode"), missing());
  else {
    const check = rules.checkCreditCode(cc);
    if (!check.ok) {
      // Spaces (a code typed in groups) are said as spaces, not counted as
      // characters (the tenth user test: “现为 22 位” for 18 and 4 spaces).
      const spaces = chars(cc) - chars(cc.replace(/\s/gu, ""));
      const length = chars(cc) - spaces;
      problems.set($("#creditCode"), length !== 18 ? wrong("creditCodeLength", length, check.error)
        : spaces > 0 ? wrong("creditCodeSpaces", spaces, check.error) : wrong("creditCodeAlphabet", undefined, check.error));
    }
  }
  if (chars(applicant.name) > MAX_TEXT) problems.set($("#name"), wrong("tooLong", MAX_TEXT));
  if (seatSelect.value === "") problems.set(seatSelect, missing("requiredSeat"));
  else if (seatOther) {
    if (applicant.seat === "") problems.set(seatControl, missing());
    else {
      const check = rules.checkSeat(applicant.seat);
      if (!check.ok) problems.set(seatControl, wrong("seatOther", undefined, check.error));
      // The code as the helper reads it (full-width digits as ASCII) is what is sent.
      else applicant.seat = check.value.seat;
    }
  }
  const where = new Map([["applicant.creditCode", $("#creditCode")], ["applicant.name", $("#name")], ["applicant.seat", seatControl]]);

  const rows = [...rowsList.children].map((row, i) => {
    const get = (role) => $(`[data-role=${role}]`, row);
    const item = itemById.get(get("item").value);
    const subject = get("subject").value.trim();
    // Read once: for the category it implies and for the field's own check.
    const number = STANDARD_KINDS.has(item.subjectKind) && subject !== "" && chars(subject) <= MAX_TEXT
      ? rules.normaliseStandardNumber(subject, get("date").value || undefined) : null;
    impliedVariant(item, get("variant"), number);
    const a = {
      id: row.dataset.id,
      item: get("item").value,
      variant: get("variant").value,
      subject,
      date: get("date").value,
    };
    const controls = new Map([["item", get("item")], ["variant", get("variant")], ["subject", get("subject")], ["date", get("date")]]);
    if (a.variant === "") problems.set(get("variant"), missing("requiredVariant"));
    if (a.subject === "") problems.set(get("subject"), missing());
    else if (chars(a.subject) > MAX_TEXT) problems.set(get("subject"), wrong("tooLong", MAX_TEXT));
    else if (number !== null && !number.ok) problems.set(get("subject"), wrong("standardNumber", undefined, number.error));
    if (get("date").validity.badInput) problems.set(get("date"), wrong("date"));
    else if (a.date === "") problems.set(get("date"), missing());
    if (!$("[data-when=role]", row).hidden) {
      if (get("role").value !== "") {
        a.role = get("role").value;
        controls.set("role", get("role"));
      } else if (item.role === "REQUIRED_LEAD") {
        // An award pays only its lead unit: the role is asked for, not
        // answered 不予资助 while the field is simply unfilled.
        problems.set(get("role"), missing("requiredRole"));
      }
    }
    if (!$("[data-when=accepted]", row).hidden && get("accepted").checked) a.accepted = true;
    if (!$("[data-when=approved]", row).hidden && get("approved").checked) a.approved = true;
    const funding = [];
    for (const entry of get("fundings").children) {
      const amount = $("[data-role=amount]", entry);
      const level = $("[data-role=level]", entry);
      const hint = $("[data-role=amount-hint]", entry);
      if (amount.value.trim() === "") {
        // A funding entry without an amount is not yet an entry.
        problems.set(amount, missing("required", false));
        hint.textContent = t().fundingAmountHint;
        continue;
      }
      const r = rules.normaliseAmount(amount.value);
      if (!r.ok) {
        problems.set(amount, { kind: "error", key: "INVALID_AMOUNT", blocking: true, helper: r.error, report: r.error });
        hint.textContent = t().fundingAmountHint;
        continue;
      }
      hint.textContent = `= ${lang === "zh" ? r.value.textZh : r.value.textEn}`;
      const j = funding.length;
      controls.set(`higherLevelFunding[${j}].amount`, amount);
      controls.set(`higherLevelFunding[${j}].level`, level);
      funding.push({ level: level.value, amount: r.value.yuan });
    }
    if (funding.length > 0) a.higherLevelFunding = funding;
    const own = [...row.querySelectorAll("input, select")].filter((c) => problems.has(c));
    return { row, n: i + 1, achievement: a, controls, blocked: own.some((c) => problems.get(c).blocking), own };
  });
  return { applicant, rows, problems, where };
}

/**
 * The category of a standard item the clerk has not chosen: the level its
 * number (`normaliseStandardNumber`'s answer, or null) implies (`GB/T …`
 * national, `DB35/T …` local), marked as filled in
 * (`data-auto`) so that it follows the number until the clerk picks one.
 */
function impliedVariant(item, select, number) {
  if (!STANDARD_KINDS.has(item.subjectKind) || (select.value !== "" && select.dataset.auto !== "1")) return;
  const implied = number?.ok ? number.value.impliedLevel : undefined;
  if (implied !== undefined && item.variants.some((v) => v.id === implied)) {
    select.value = implied;
    select.dataset.auto = "1";
  } else if (select.dataset.auto === "1") {
    select.value = "";
    delete select.dataset.auto;
  }
}

/**
 * Estimates the applicant with the rows that are ready. A line the engine
 * still refuses (a check only the engine makes) is set aside with its
 * problem on the field, and the rest is estimated again.
 */
function estimateReady(form) {
  let ready = form.rows.filter((r) => !r.blocked);
  const setAside = [];
  for (;;) {
    const application = { applicant: form.applicant, achievements: ready.map((r) => r.achievement) };
    const canonical = rules.estimateCanonical(application);
    const m = canonical.ok ? null : /^achievements\[(\d+)\](?:\.(.+))?$/.exec(canonical.error.field);
    const row = m ? ready[Number(m[1])] : undefined;
    if (canonical.ok || row === undefined) {
      if (!canonical.ok) {
        const control = form.where.get(canonical.error.field);
        if (control && !form.problems.has(control)) form.problems.set(control, wrong(canonical.error.code, undefined, canonical.error));
      }
      return { application, canonical, setAside };
    }
    const control = row.controls.get(m[2] ?? "") ?? row.controls.get("item");
    form.problems.set(control, wrong(canonical.error.code, undefined, canonical.error));
    row.own.push(control);
    row.blocked = true;
    setAside.push(row);
    ready = ready.filter((r) => r !== row);
  }
}

/** Shows each control's problem beside its label when it is due; clears the others. */
function showProblems(problems) {
  for (const control of form.querySelectorAll("input, select")) {
    const field = control.closest(".field");
    if (!field) continue;
    const p = problems.get(control);
    const show = p !== undefined && visible(control);
    let out = $(":scope > .error", field);
    if (show && !out) {
      out = el("p", { class: "error", id: `${control.id}-error` });
      $("label", field).after(out);
    }
    const described = (control.getAttribute("aria-describedby") ?? "").split(" ").filter((x) => x && x !== `${control.id}-error`);
    if (show) {
      out.textContent = problemText(p);
      if (p.meant) {
        out.append(" ", el("span", { class: "meant" }, t().meant(p.meant)), " ", el("button", { type: "button", class: "use-meant", "data-action": "use-meant",
          "data-for": control.id, "data-value": p.meant, "aria-label": t().useMeantLabel(p.meant) }, t().useMeant));
      }
      control.setAttribute("aria-invalid", "true");
      control.setAttribute("aria-describedby", [`${control.id}-error`, ...described].join(" "));
    } else {
      out?.remove();
      control.removeAttribute("aria-invalid");
      if (described.length > 0) control.setAttribute("aria-describedby", described.join(" "));
      else control.removeAttribute("aria-describedby");
    }
  }
}

function showCreditCode(problems) {
  const control = $("#creditCode");
  const raw = control.value.trim();
  const out = $("#creditCode-status");
  out.className = "hint";
  if (problems.has(control) && visible(control)) {
    out.textContent = ""; // the problem is shown beside the label
    return;
  }
  if (raw === "") {
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
  } else {
    out.textContent = t().ccTyping(chars(raw.replace(/\s/gu, "")));
  }
}

// --- the estimate --------------------------------------------------------------------------
let current = null; // { form, application, canonical, setAside }

function refresh() {
  const read = readForm();
  const { application, canonical, setAside } = estimateReady(read);
  const changed = current === null || JSON.stringify(current.canonical) !== JSON.stringify(canonical)
    || JSON.stringify(current.application) !== JSON.stringify(application);
  current = { form: read, application, canonical, setAside };
  showProblems(read.problems);
  showCreditCode(read.problems);
  if (changed) clearVerification();
  render();
}

function renderNotice(text, kind = "info") {
  const notice = $("#notice");
  notice.hidden = false;
  notice.className = `notice ${kind}`;
  notice.replaceChildren(...(Array.isArray(text) ? text : [text]));
}

/** A link that moves the focus to a control. */
function fieldLink(control) {
  return el("a", { href: `#${control.id}`, class: "field-link", "data-focus": control.id }, fieldPath(control));
}

function render() {
  const { canonical, form: read, application } = current;
  const x = t();
  const lines = $("#lines");
  const summary = $("#summary");
  const warnings = $("#warnings");
  $("#notice").hidden = true;
  lines.replaceChildren();
  warnings.replaceChildren();
  summary.hidden = true;
  const bar = $("#total-bar");
  bar.hidden = true;
  let assessment = null;

  if (!canonical.ok) {
    // The applicant is not ready: say what is missing, in plain words.
    const applicantControls = [...read.problems.keys()].filter((c) => !c.closest(".row") && read.problems.get(c).blocking);
    const shown = applicantControls.filter((c) => read.problems.get(c).kind === "error" && visible(c));
    const pristine = application.applicant.creditCode === "" && application.applicant.seat === ""
      && read.rows.every((r) => r.achievement.subject === "" && r.achievement.date === "");
    if (pristine) renderNotice(x.empty);
    else if (shown.length > 0) renderNotice([x.fixApplicant(shown.map((c) => fieldPath(c)))], "fix");
    else if (applicantControls.length > 0) renderNotice(x.needApplicant(applicantControls.map((c) => fieldPath(c))));
    else renderNotice(problemText(wrong(canonical.error.code)), "fix");
  } else {
    assessment = JSON.parse(canonical.value);
    const lineById = new Map(assessment.lines.map((l) => [l.achievementId, l]));
    for (const r of read.rows) {
      const line = lineById.get(r.achievement.id);
      lines.append(line ? renderLine(line, r.n) : renderNotEstimated(r));
    }
    // Rows there, none estimated: each says what it lacks; the notice does
    // not ask for what is filled in.
    if (assessment.lines.length === 0) renderNotice(read.rows.length === 0 ? x.noLines : x.rowsToFinish);
    else renderSummary(assessment, read);
    for (const w of assessment.warnings) {
      const text = warningText(w, assessment);
      if (text !== null) warnings.append(el("li", {}, text));
    }
  }
  renderTech(assessment);
  renderPrintSheet(assessment);
}

/** The plain-words reason of a line: an award claimed without the lead
 * role is "choose the lead role", not "not covered". */
function lineReason(line) {
  const x = t();
  const role = current.application.achievements.find((a) => a.id === line.achievementId)?.role;
  if (line.reasonCode === "NOT_COVERED" && itemById.get(line.item)?.role === "REQUIRED_LEAD" && role !== "ROLE_LEAD") {
    return x.reasonLeadRequired;
  }
  // 五(五)1 pays the lead; a participating unit has its own item, 五(五)2.
  if (line.reasonCode === "NOT_COVERED" && itemById.get(line.item)?.role === "IMPLIED_LEAD" && role === "ROLE_PARTICIPANT") {
    const other = [...itemById.values()].find((i) => i.conflictsWithItem === line.item);
    if (other !== undefined) return x.reasonParticipantItem(itemName(other.id), other.clause);
  }
  return x.reasons[line.reasonCode] ?? "";
}

function renderLine(line, n) {
  const x = t();
  // Eligible, but the province (or another level) already paid at least the
  // city's grant: nothing is paid, so the badge does not promise money.
  const covered = line.reasonCode === "COVERED_BY_HIGHER_LEVEL";
  const kind = covered ? "covered" : line.status.toLowerCase().replace("line_status_", "");
  const li = el("li", { class: `line ${kind}`, "data-achievement-id": line.achievementId });
  const what = [itemName(line.item), variantName(line.item, line.variant), line.clause].filter(Boolean).join(x.sep);
  li.append(
    el("p", { class: "line-head" }, el("strong", {}, x.row(n)), " ",
      el("span", { class: "badge", "data-testid": "status" }, covered ? x.coveredBadge : x.status[line.status] ?? x.status.LINE_STATUS_INELIGIBLE)),
    el("p", { class: "line-what", "data-testid": "clause" }, what),
    el("p", { class: "line-subject", "data-testid": "subject" }, x.subjectRead(line.subject, (line.subjectAsGiven ?? line.subject).trim())),
    el("p", { class: "reason", "data-testid": "reason" }, lineReason(line)));
  // A standard number without its year is estimated, but a claim needs it.
  if (STANDARD_KINDS.has(itemById.get(line.item)?.subjectKind)) {
    const n = rules.normaliseStandardNumber(line.subject);
    if (n.ok && n.value.year === "") li.append(el("p", { class: "hint warn", "data-testid": "year-missing" }, x.yearMissing(n.value.canonical)));
  }
  // The engine has no clock; the registry refuses a completion date after
  // the day of the claim, so the page says so before the clerk files it.
  const date = current.application.achievements.find((a) => a.id === line.achievementId)?.date ?? "";
  if (date > today()) li.append(el("p", { class: "hint warn", "data-testid": "date-future" }, x.dateFuture));
  const figures = el("dl", { class: "figures" });
  if (line.status === "LINE_STATUS_DISCRETIONARY") {
    figures.append(pair(x.payable, el("span", { class: "to-be-set", "data-testid": "payable" }, x.toBeSet), { cls: "payable" }));
  } else {
    if (line.municipalAmount !== "0.00" || line.higherLevelFundingCounted !== "0.00") {
      figures.append(pair(x.c, amountNode(line.municipalAmount, { testid: "municipal-amount" })));
    }
    if (line.higherLevelFundingCounted !== "0.00") {
      figures.append(pair(x.h, amountNode(line.higherLevelFundingCounted, { testid: "higher-level", minus: true })));
    }
    if (line.otherFundingNotCounted !== "0.00") {
      figures.append(pair(x.notCounted, amountNode(line.otherFundingNotCounted, { testid: "not-counted" })));
    }
    figures.append(pair(x.payable, amountNode(line.payable, { testid: "payable" }), { cls: "payable" }));
  }
  li.append(figures, el("p", { class: "explanation" }, lang === "zh" ? line.explanationZh : line.explanationEn));
  return li;
}

/** A row that was not sent to the engine: what is missing or wrong, with links to the fields. */
function renderNotEstimated(r) {
  const x = t();
  const problems = current.form.problems;
  const shown = r.own.filter((c) => problems.get(c).blocking && problems.get(c).kind === "error" && visible(c));
  const invalid = shown.length > 0;
  const li = el("li", { class: `line not-estimated ${invalid ? "invalid" : "incomplete"}`, "data-achievement-id": r.achievement.id });
  li.append(el("p", { class: "line-head" }, el("strong", {}, x.row(r.n)), " ",
    el("span", { class: "badge", "data-testid": "status" }, invalid ? x.lineInvalid : x.lineIncomplete)));
  if (invalid) {
    const links = shown.flatMap((c, i) => (i === 0 ? [fieldLink(c)] : ["、", fieldLink(c)]));
    li.append(el("p", { class: "reason" }, x.toFix, ...links));
  } else {
    const needed = r.own.filter((c) => problems.get(c).blocking).map((c) => x.short[c.dataset.role] ?? c.dataset.role);
    if (needed.length > 0) li.append(el("p", { class: "reason" }, x.stillNeeded([...new Set(needed)])));
  }
  return li;
}

/** Whether the split gives the applicant's district nothing by its table (市本级), not by chance. */
function noDistrictShare(a) {
  return a.applicant.insideFuzhou && a.split.shareTables.length > 0 && a.split.shareTables.every((s) => Number(s.districtRatio) === 0);
}

function renderSummary(a, read) {
  const x = t();
  const summary = $("#summary");
  const provisional = a.split.shareTables.some((s) => s.provisional);
  const unitName = a.applicant.insideFuzhou ? (lang === "zh" ? a.applicant.fiscalUnitNameZh : a.applicant.fiscalUnitNameEn) : "";
  const mark = () => (provisional ? [" ", el("span", { class: "badge provisional" }, x.provisional)] : []);
  const discretionary = a.lines.filter((l) => l.status === "LINE_STATUS_DISCRETIONARY").length;
  const excluded = read.rows.length - a.lines.length;
  summary.replaceChildren(
    ...(a.whatIf ? [el("p", { class: "badge warn" }, x.whatIf)] : []),
    el("dl", { class: "figures" },
      pair(x.total, amountNode(a.total, { testid: "total" }), { cls: "total" }),
      pair([noDistrictShare(a) ? x.municipalShareAll(unitName) : x.municipalShare, ...mark()], amountNode(a.split.municipalShare, { testid: "municipal-share" })),
      // A unit whose share table gives its district nothing (市本级) has one
      // treasury: no second line of 0.00 for the same level of government.
      ...(noDistrictShare(a) ? [] : [pair([x.districtShare(unitName), ...mark()], amountNode(a.split.districtShare, { testid: "district-share" }))])),
    ...a.split.shareTables.filter((s) => s.provisional).map((s) => el("p", { class: "note provisional-note" }, lang === "zh" ? s.noteZh : s.noteEn)),
    // The split is between treasuries: the enterprise receives the whole
    // payable amount from the municipal treasury either way.
    el("p", { class: "note" }, x.splitNote),
    ...(discretionary > 0 ? [el("p", { class: "note" }, x.discretionaryNote(discretionary))] : []),
    ...(excluded > 0 ? [el("p", { class: "note" }, x.excludedNote(excluded))] : []));
  summary.hidden = false;
  const bar = $("#total-bar");
  // The link's words stay together (at 375 px the arrow fell to a line of its own).
  bar.replaceChildren(`${x.total} ${amountLine(a.total)} · `, el("span", { class: "nowrap" }, x.details));
  bar.hidden = summaryInView;
}

/** A warning in plain words (codes only under 技术详情); null when the summary already says it. */
function warningText(w, a) {
  const x = t();
  const line = a.lines.find((l) => l.achievementId === w.achievementId);
  const n = current.form.rows.find((r) => r.achievement.id === w.achievementId)?.n;
  const row = n ? x.row(n) : "";
  switch (w.code) {
    case "SHARE_TABLE_PROVISIONAL":
      return null; // the note under the split
    case "CREDIT_CODE_CHECK_MISMATCH": {
      const r = rules.checkCreditCode(a.applicant.creditCode);
      return x.warnings[w.code]({ expected: r.ok ? r.value.expectedCheckCharacter : "" });
    }
    case "LEVEL_MISMATCH":
    case "LEVEL_UNRECOGNISED": {
      if (!line) break;
      const n2 = rules.normaliseStandardNumber(line.subject);
      const implied = n2.ok ? variantName(line.item, n2.value.impliedLevel) : "";
      return x.warnings[w.code]({ row, stated: variantName(line.item, line.variant), implied });
    }
    case "SEAT_CODE_MAPPED":
      return x.warnings[w.code]({ unit: lang === "zh" ? a.applicant.fiscalUnitNameZh : a.applicant.fiscalUnitNameEn });
    case "FUNDING_NOT_COUNTED":
      if (!line) break;
      return x.warnings[w.code]({ row, amount: amountLine(line.otherFundingNotCounted) });
    default:
      break;
  }
  return message(w);
}

/** Codes, ids and hashes: for the technically minded, behind a disclosure. */
function renderTech(a) {
  const x = t();
  const body = $("#tech-body");
  const dl = el("dl", {});
  const add = (term, ...values) => dl.append(el("dt", {}, term), ...values.map((v) => el("dd", {}, v)));
  add(x.techEngine, el("code", {}, info.engineVersion));
  add(x.techRuleset, ...info.rulesets.map((r) => el("span", {}, `${r.id} ${r.version} `, el("code", { "data-testid": "ruleset-hash" }, r.hash))));
  if (a) {
    add(x.techInput, el("code", { "data-testid": "input-hash" }, a.receipt.inputHash));
    add(x.techLines, ...(a.lines.length ? a.lines.map((l) => el("code", { "data-testid": "line-codes" },
      `${l.achievementId}: ${l.status} · ${l.reasonCode}${l.shareTableId ? ` · ${l.shareTableId}` : ""} · ${l.oneTimeKey}`)) : [x.techNone]));
    add(x.techWarnings, ...(a.warnings.length ? a.warnings.map((w) => el("span", {}, el("code", {}, w.code), ` ${message(w)}`)) : [x.techNone]));
  }
  const errors = [];
  for (const [control, p] of current.form.problems) {
    if (p.report && p.blocking) errors.push(el("span", {}, `${fieldPath(control)}: `, el("code", {}, `${p.report.code}${p.report.field ? ` ${p.report.field}` : ""}`), ` ${message(p.report)}`));
  }
  if (!current.canonical.ok) {
    const e = current.canonical.error;
    errors.push(el("span", {}, el("code", {}, `${e.code}${e.field ? ` ${e.field}` : ""}`), ` ${message(e)}`));
  }
  add(x.techErrors, ...(errors.length ? errors : [x.techNone]));
  body.replaceChildren(dl);
}

/** The one-page printed estimate: date, ruleset, lines, total, the provisional notes. */
function renderPrintSheet(a) {
  const x = t();
  const sheet = $("#print-sheet");
  const seatUnit = a?.applicant.insideFuzhou ? (lang === "zh" ? a.applicant.fiscalUnitNameZh : a.applicant.fiscalUnitNameEn) : current.application.applicant.seat;
  const facts = el("dl", { class: "print-facts" },
    el("dt", {}, x.printDate), el("dd", { "data-testid": "print-date" }, today()),
    el("dt", {}, x.printRuleset), el("dd", { "data-testid": "print-ruleset" }, x.printRulesetValue(newestRuleset())),
    el("dt", {}, x.printApplicant), el("dd", {}, current.application.applicant.name || "—"),
    el("dt", {}, x.printCreditCode), el("dd", {}, current.application.applicant.creditCode || "—"),
    el("dt", {}, x.printSeat), el("dd", {}, seatUnit || "—"));
  const parts = [el("h1", {}, x.printTitle), facts];
  if (a === null || a.lines.length === 0) {
    parts.push(el("p", {}, $("#notice").textContent));
  } else {
    const lineById = new Map(a.lines.map((l) => [l.achievementId, l]));
    const table = el("table", {},
      el("thead", {}, el("tr", {}, ...[x.printNo, x.printItem, x.printClause, x.printSubject, x.printResult, x.printPayable].map((h) => el("th", {}, h)))));
    const body = el("tbody", {});
    for (const row of current.form.rows) {
      const l = lineById.get(row.achievement.id);
      const item = `${itemName(row.achievement.item)}${x.sep}${variantName(row.achievement.item, row.achievement.variant)}`;
      if (l) {
        const covered = l.reasonCode === "COVERED_BY_HIGHER_LEVEL";
        // On paper as on screen: a top-up shows its arithmetic (the
        // municipal amount less the higher-level money), and a line the
        // province already covers reads 无需补足, not 可获资助 … 0.00.
        const payable = l.status === "LINE_STATUS_DISCRETIONARY" ? [x.toBeSet]
          : l.higherLevelFundingCounted === "0.00" ? [amountNode(l.payable)]
          : [el("div", { class: "print-step" }, `${x.c} `, amountNode(l.municipalAmount)),
            el("div", { class: "print-step" }, `${x.h} `, amountNode(l.higherLevelFundingCounted, { minus: true })),
            el("div", { "data-testid": "print-payable" }, amountNode(l.payable))];
        body.append(el("tr", {}, el("td", {}, String(row.n)), el("td", {}, item), el("td", { class: "clause" }, l.clause || "—"), el("td", {}, l.subject),
          el("td", { "data-testid": "print-result" }, `${covered ? x.coveredBadge : x.status[l.status] ?? ""}：${lineReason(l)}`), el("td", { class: "num" }, ...payable)));
      } else {
        body.append(el("tr", {}, el("td", {}, String(row.n)), el("td", {}, item), el("td", { class: "clause" }, "—"), el("td", {}, row.achievement.subject || "—"),
          el("td", {}, row.own.some((c) => current.form.problems.get(c).kind === "error") ? x.lineInvalid : x.lineIncomplete), el("td", { class: "num" }, "—")));
      }
    }
    const mark = !a.split.shareTables.some((s) => s.provisional) ? "" : lang === "zh" ? `（${x.provisional}）` : ` (${x.provisional})`;
    table.append(body, el("tfoot", {},
      el("tr", {}, el("th", { colspan: "5" }, x.total), el("td", { class: "num" }, amountNode(a.total))),
      el("tr", {}, el("th", { colspan: "5" }, `${noDistrictShare(a) ? x.municipalShareAll(seatUnit) : x.municipalShare}${mark}`), el("td", { class: "num" }, amountNode(a.split.municipalShare))),
      ...(noDistrictShare(a) ? [] : [el("tr", {}, el("th", { colspan: "5" }, `${x.districtShare(seatUnit)}${mark}`), el("td", { class: "num" }, amountNode(a.split.districtShare)))])));
    parts.push(table);
    for (const n of $("#summary").querySelectorAll(".note")) parts.push(el("p", { class: "note" }, n.textContent));
    for (const w of $("#warnings").children) parts.push(el("p", { class: "note" }, w.textContent));
  }
  parts.push(el("p", { class: "print-footer" }, x.printFooter));
  sheet.replaceChildren(...parts);
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
  refresh();
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
    if (JSON.stringify(current.application) !== JSON.stringify(application)) {
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
    const totalOf = (x, r) => (r.ok ? amountLine(JSON.parse(r.value).total) : x.cannotEstimate);
    const hashes = (x) => el("details", { class: "hashes" }, el("summary", {}, x.tech),
      el("ul", {},
        ...info.rulesets.map((r) => el("li", {}, `${x.pageHas}: ${key(r)} `, el("code", {}, r.hash))),
        ...serverInfo.rulesets.map((r) => el("li", {}, `${x.serverHas}: ${key(r)} `, el("code", {}, r.hash)))));
    if (sameRulesets && sameAnswer) {
      verification = { kind: "good", render: (x) => [canonical.ok ? x.agree(totalOf(x, canonical)) : x.agreeError, hashes(x)] };
    } else if (!sameRulesets) {
      verification = { kind: "warn", render: (x) => [el("strong", {}, x.hashMismatch), " ",
        sameAnswer ? x.answersSame : `${x.pageTotal} ${totalOf(x, canonical)} · ${x.serverTotal} ${totalOf(x, served)}`, hashes(x)] };
    } else {
      verification = { kind: "warn", render: (x) => [el("strong", {}, x.answersDiffer), " ",
        `${x.pageTotal} ${totalOf(x, canonical)} · ${x.serverTotal} ${totalOf(x, served)}`, hashes(x)] };
    }
  } catch (e) {
    // The clerk reads a sentence; the address and the browser's words are
    // for whoever keeps the page running, under 技术详情.
    const detail = e.message ?? String(e);
    verification = { kind: "bad", render: (x) => [x.unreachable,
      el("details", { class: "hashes" }, el("summary", {}, x.tech), el("p", {}, x.unreachableTech(url, detail)))] };
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
  $("#ruleset").textContent = t().ruleset(newestRuleset());
  fillSeat();
  for (const row of rowsList.children) {
    fillItem($("[data-role=item]", row));
    fillVariant(row);
    fillRole($("[data-role=role]", row));
    for (const level of row.querySelectorAll("[data-role=level]")) fillLevel(level);
  }
  relabel();
  refresh();
  showVerification();
}

// --- events --------------------------------------------------------------------------------
/** Marks every field as due for checking and reports how many need a change. */
function checkAll() {
  submitted = true;
  refresh();
  const shown = [...current.form.problems.keys()];
  const status = $("#check-status");
  // An application without any achievement is not complete, whatever its
  // fields say: there is nothing to estimate.
  const empty = rowsList.children.length === 0;
  status.className = `check-status ${shown.length || empty ? "fix" : "good"}`;
  status.textContent = shown.length
    ? t().checkErrors(shown.length)
    : empty
      ? t().checkNoRows
      : t().checkOk;
  if (empty && shown.length === 0) return [$("#add")].filter(Boolean);
  return shown;
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  const shown = checkAll();
  if (shown.length > 0) shown[0].focus();
});
// `input` and `change` both land here (selects fire both); every step is idempotent.
function onEdit(e) {
  const target = e.target;
  if (target.id) dirty.add(target.id);
  // A choice is made at once; typed text is checked when the clerk leaves the field.
  if (target.matches("select, input[type=checkbox], input[type=date]") && e.type === "change") touched.add(target.id);
  if (target.dataset.role === "item") fillVariant(target.closest(".row"));
  // A category the clerk picks stays, whatever the number implies.
  if (target.dataset.role === "variant") delete target.dataset.auto;
  if (target.id === "seat") $("#seatOther-field").hidden = target.value !== "other";
  $("#check-status").textContent = "";
  refresh();
}
form.addEventListener("input", onEdit);
form.addEventListener("change", onEdit);
form.addEventListener("focusout", (e) => {
  const id = e.target.id;
  if (id && dirty.has(id) && !touched.has(id)) {
    touched.add(id);
    refresh();
  }
});
form.addEventListener("click", (e) => {
  const button = e.target.closest("button[data-action]");
  if (!button) return;
  const row = button.closest(".row");
  if (button.dataset.action === "use-meant") {
    // The clerk takes the value offered: it replaces the text, and the field
    // is checked again like any edit.
    let control = document.getElementById(button.dataset.for);
    const seat = $("#seat");
    if (control.id === "seatOther" && [...seat.options].some((o) => o.value === button.dataset.value)) {
      // A place of the list, typed by name under 其他地区: chosen in the list.
      seat.value = button.dataset.value;
      $("#seatOther-field").hidden = true;
      control = seat;
    } else {
      control.value = button.dataset.value;
    }
    dirty.add(control.id);
    touched.add(control.id);
    control.focus();
  } else if (button.dataset.action === "add-funding") {
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
  refresh();
});
$("#results").addEventListener("click", (e) => {
  const link = e.target.closest("a[data-focus]");
  if (!link) return;
  e.preventDefault();
  const control = document.getElementById(link.dataset.focus);
  control?.scrollIntoView({ block: "center" });
  control?.focus();
});
$("#add").addEventListener("click", () => {
  const row = addRow();
  $("[data-role=item]", row).focus();
  refresh();
});
$("#lang").addEventListener("click", () => {
  lang = lang === "zh" ? "en" : "zh";
  applyLanguage();
});
$("#verify").addEventListener("click", verify);
$("#print").addEventListener("click", () => {
  checkAll();
  renderPrintSheet(current.canonical.ok ? JSON.parse(current.canonical.value) : null);
  window.print();
});
// The printed date is the day of printing, even for a page left open overnight.
window.addEventListener("beforeprint", () => renderPrintSheet(current.canonical.ok ? JSON.parse(current.canonical.value) : null));

addRow();
applyLanguage();
document.body.dataset.ready = "true";
