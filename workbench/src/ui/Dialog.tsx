// A modal dialog on the native <dialog>: showModal() makes the rest of the
// page inert (focus stays inside), Esc closes it, and focus returns to
// whatever opened it.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { t } from "../i18n.js";

let counter = 0;

export function Dialog({ title, onClose, children, wide }: { title: string; onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useRef(`dialog-title-${++counter}`).current;
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const d = ref.current;
    if (d !== null && !d.open) d.showModal();
    // First field, else the first button, gets focus.
    const first = d?.querySelector<HTMLElement>("input:not([type=hidden]):not([disabled]), select, textarea, [data-autofocus]");
    first?.focus();
    return () => {
      if (d?.open) d.close();
      if (opener !== null && opener.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog ref={ref} class={wide === true ? "dialog dialog-wide" : "dialog"} aria-labelledby={titleId}
      onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <div class="dialog-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" class="icon-button" onClick={onClose} aria-label={t("app.close")}>×</button>
      </div>
      <div class="dialog-body">{children}</div>
    </dialog>
  );
}
