// A failed call, in words: the server's message in the current language,
// with the code, reason and figures in a 技术详情 disclosure.
import type { Problem } from "../errors.js";
import { problemMessage } from "../errors.js";
import { t } from "../i18n.js";

export function ErrorBox({ problem, id }: { problem: Problem | null; id?: string }) {
  if (problem === null) return null;
  const entries = Object.entries(problem.metadata);
  return (
    <div class="error" role="alert" id={id}>
      <p class="error-message">{problemMessage(problem)}</p>
      <details class="error-details">
        <summary>{t("error.details")}</summary>
        <dl class="kv kv-compact">
          <dt>{t("error.code")}</dt><dd><code>{problem.codeName} ({problem.code})</code></dd>
          {problem.reason !== "" && <><dt>{t("error.reason")}</dt><dd><code>{problem.reason}</code></dd></>}
          {problem.field !== "" && <><dt>{t("error.field")}</dt><dd><code>{problem.field}</code></dd></>}
          {entries.map(([k, v]) => <><dt><code>{k}</code></dt><dd><code>{v}</code></dd></>)}
          {problem.raw !== "" && <><dt>message</dt><dd><code>{problem.raw}</code></dd></>}
        </dl>
      </details>
    </div>
  );
}
