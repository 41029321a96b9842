// Labelled form controls. Every control has a visible label; a hint and an
// error are tied to it with aria-describedby.
import type { ComponentChildren } from "preact";
import { useRef } from "preact/hooks";
import { t } from "../i18n.js";

let counter = 0;
function useId(prefix: string): string {
  return useRef(`${prefix}-${++counter}`).current;
}

interface Common {
  label: string;
  hint?: string;
  error?: string | null;
  required?: boolean;
  class?: string;
}

function Wrap({ id, label, hint, error, required, children, cls }: Common & { id: string; children: ComponentChildren; cls?: string }) {
  return (
    <div class={`field ${cls ?? ""}`}>
      <label for={id}>{label}{required === true && <span class="req" aria-hidden="true"> *</span>}</label>
      {children}
      {hint !== undefined && hint !== "" && <span class="hint" id={`${id}-hint`}>{hint}</span>}
      {error != null && error !== "" && <span class="field-error" id={`${id}-error`}>{error}</span>}
    </div>
  );
}

function describedBy(id: string, hint?: string, error?: string | null): string | undefined {
  const ids = [];
  if (hint !== undefined && hint !== "") ids.push(`${id}-hint`);
  if (error != null && error !== "") ids.push(`${id}-error`);
  return ids.length === 0 ? undefined : ids.join(" ");
}

/**
 * The characters a long text has against its limit. A text over the limit is
 * never cut (a browser's maxlength drops what is pasted past it without a
 * word): it is shown over, and the registry refuses it with FIELD_TOO_LONG.
 */
function Count({ id, value, max }: { id: string; value: string; max: number | undefined }) {
  if (max === undefined || max <= SHORT) return null;
  const n = [...value].length;
  if (n < max * 0.8) return null;
  const over = n > max;
  return <span class={over ? "field-error" : "hint"} id={`${id}-count`} aria-live="polite">
    {over ? t("field.over", { n, max, over: n - max }) : t("field.count", { n, max })}
  </span>;
}

/** Limits this short (a year, a code) are kept by the browser: nothing long is pasted there. */
const SHORT = 16;

export function TextField(props: Common & { value: string; onInput: (v: string) => void; type?: "text" | "search" | "date" | "password"; name?: string; inputMode?: "numeric" | "decimal" | "text"; autoComplete?: string; placeholder?: string; maxLength?: number; min?: string; max?: string }) {
  const id = useId("f");
  return (
    <Wrap {...props} id={id} cls={props.class}>
      <input id={id} name={props.name} type={(props.type ?? "text") as "text"} value={props.value} required={props.required}
        aria-required={props.required} aria-invalid={props.error != null && props.error !== ""}
        aria-describedby={describedBy(id, props.hint, props.error)}
        inputMode={props.inputMode} autoComplete={props.autoComplete ?? "off"} placeholder={props.placeholder}
        maxLength={props.maxLength !== undefined && props.maxLength <= SHORT ? props.maxLength : undefined} min={props.min} max={props.max}
        onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)} />
      <Count id={id} value={props.value} max={props.maxLength} />
    </Wrap>
  );
}

export function TextArea(props: Common & { value: string; onInput: (v: string) => void; name?: string; maxLength?: number; rows?: number }) {
  const id = useId("f");
  return (
    <Wrap {...props} id={id} cls={props.class}>
      <textarea id={id} name={props.name} value={props.value} required={props.required} rows={props.rows ?? 3}
        aria-required={props.required} aria-invalid={props.error != null && props.error !== ""}
        aria-describedby={describedBy(id, props.hint, props.error)}
        onInput={(e) => props.onInput((e.currentTarget as HTMLTextAreaElement).value)} />
      <Count id={id} value={props.value} max={props.maxLength} />
    </Wrap>
  );
}

export function SelectField(props: Common & { value: string; onChange: (v: string) => void; name?: string; options: { value: string; label: string }[] }) {
  const id = useId("f");
  return (
    <Wrap {...props} id={id} cls={props.class}>
      <select id={id} name={props.name} value={props.value} required={props.required}
        aria-describedby={describedBy(id, props.hint, props.error)}
        onChange={(e) => props.onChange((e.currentTarget as HTMLSelectElement).value)}>
        {props.options.map((o) => <option key={o.value} value={o.value} selected={o.value === props.value}>{o.label}</option>)}
      </select>
    </Wrap>
  );
}

/** A row of buttons at the end of a form. */
export function Actions({ children }: { children: ComponentChildren }) {
  return <div class="actions">{children}</div>;
}

export function requiredMark(required: boolean): string {
  return required ? t("app.required") : "";
}
