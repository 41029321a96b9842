// A modal dialog on the native <dialog>: showModal() makes the rest of the
// page inert (focus stays inside), Esc closes it, and focus returns to
// whatever opened it.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { t } from "../i18n.js";

let counter = 0;

// Focus back on the element that opened a dialog: at once, and again after
// the next frame if by then focus has fallen to the page (the dialog's own
// removal, or a re-render around the opener, can take it there).
function restoreFocus(opener: HTMLElement | null) {
  if (opener === null) return;
  const back = () => {
    const now = document.activeElement;
    if (opener.isConnected && now !== opener && (now === null || now === document.body)) opener.focus();
  };
  if (opener.isConnected) opener.focus();
  requestAnimationFrame(back);
}

export function Dialog({ title, onClose, children, wide }: { title: string; onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useRef(`dialog-title-${++counter}`).current;
  // Whatever had focus when the dialog was first rendered opened it.
  const opener = useRef(document.activeElement as HTMLElement | null).current;
  useEffect(() => {
    const d = ref.current;
    if (d !== null && !d.open) d.showModal();
    // First field, else the first button, gets focus.
    const first = d?.querySelector<HTMLElement>("input:not([type=hidden]):not([disabled]), select, textarea, [data-autofocus]");
    first?.focus();
    return () => {
      if (d?.open) d.close();
      restoreFocus(opener);
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
