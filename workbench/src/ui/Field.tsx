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

export function TextField(props: Common & { value: string; onInput: (v: string) => void; type?: "text" | "search" | "date" | "password"; name?: string; inputMode?: "numeric" | "decimal" | "text"; autoComplete?: string; placeholder?: string; maxLength?: number; min?: string; max?: string }) {
  const id = useId("f");
  return (
    <Wrap {...props} id={id} cls={props.class}>
      <input id={id} name={props.name} type={(props.type ?? "text") as "text"} value={props.value} required={props.required}
        aria-required={props.required} aria-invalid={props.error != null && props.error !== ""}
        aria-describedby={describedBy(id, props.hint, props.error)}
        inputMode={props.inputMode} autoComplete={props.autoComplete ?? "off"} placeholder={props.placeholder}
        maxLength={props.maxLength} min={props.min} max={props.max}
        onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)} />
    </Wrap>
  );
}

export function TextArea(props: Common & { value: string; onInput: (v: string) => void; name?: string; maxLength?: number; rows?: number }) {
  const id = useId("f");
  return (
    <Wrap {...props} id={id} cls={props.class}>
      <textarea id={id} name={props.name} value={props.value} required={props.required} rows={props.rows ?? 3}
        aria-required={props.required} aria-invalid={props.error != null && props.error !== ""}
        aria-describedby={describedBy(id, props.hint, props.error)} maxLength={props.maxLength}
        onInput={(e) => props.onInput((e.currentTarget as HTMLTextAreaElement).value)} />
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
