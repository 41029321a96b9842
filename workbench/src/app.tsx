// The workbench shell: sign-in, the header with the role, the language switch
// and sign-out, the navigation the role may use, and the routed page.
import { render } from "preact";
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { Code } from "@connectrpc/connect";
import { AccessRole } from "../gen/stdfund/v1/registry_pb.js";
import { makeApi, type TransportFactory } from "./api.js";
import { AppContext, useApp, type Ctx } from "./context.js";
import { catalogOf, EMPTY_CATALOG, type Catalog } from "./catalog.js";
import { clearSession, identify, loadSession, saveSession, type Session } from "./session.js";
import { lang, loadLang, setLang, t, tk, type Key } from "./i18n.js";
import { problemOf, type Problem } from "./errors.js";
import { can, isWorkbenchRole, pagesFor } from "./roles.js";
import { href, navigate, useRoute, type Route } from "./router.js";
import { ErrorBox } from "./ui/ErrorBox.js";
import { PageTitle } from "./ui/bits.js";
import { TextField } from "./ui/Field.js";
import { Queue } from "./pages/Queue.js";
import { ClaimDetail } from "./pages/ClaimDetail.js";
import { Finance } from "./pages/Finance.js";
import { PublicationDetail, PublicationPrint, Publications } from "./pages/Publications.js";
import { Reports } from "./pages/Reports.js";
import { Audit } from "./pages/Audit.js";

export interface StartOptions {
  transport: TransportFactory;
}

/** Mounts the workbench into `root` (index.html's `#app`). */
export function startApp(root: HTMLElement, options: StartOptions): void {
  loadLang();
  render(<App transport={options.transport} />, root);
  // The first render's time since navigation start, for the tests' ≤ 1 s check.
  performance.mark("workbench-first-render");
}

const NAV_LABEL: Record<string, Key> = {
  queue: "nav.queue", finance: "nav.finance", publications: "nav.publications", reports: "nav.reports", audit: "nav.audit",
};

function LangSwitch({ onSwitch }: { onSwitch: () => void }) {
  return (
    <button type="button" class="lang-switch" lang={lang() === "zh" ? "en" : "zh-CN"} title={t("app.lang.switchLabel")} onClick={onSwitch}>
      {t("app.lang.switch")}
    </button>
  );
}

export function App({ transport }: { transport: TransportFactory }) {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [, setLangTick] = useState(0);
  const [signInNote, setSignInNote] = useState<Key | null>(null);
  const [catalog, setCatalog] = useState<Catalog>(EMPTY_CATALOG);
  const [catalogProblem, setCatalogProblem] = useState<Problem | null>(null);
  const [toast, setToast] = useState<{ text: string; n: number } | null>(null);
  const tokenRef = useRef(session?.token ?? "");
  tokenRef.current = session?.token ?? "";
  const api = useMemo(() => makeApi(transport(() => tokenRef.current)), [transport]);

  const switchLang = () => { setLang(lang() === "zh" ? "en" : "zh"); setLangTick((n) => n + 1); };
  const signOut = useCallback((why?: string) => {
    clearSession();
    setSession(null);
    setSignInNote(why === "expired" ? "signin.expired" : null);
  }, []);
  const notify = useCallback((text: string) => setToast((prev) => ({ text, n: (prev?.n ?? 0) + 1 })), []);

  useEffect(() => {
    if (session === null) return;
    api.estimate.getCatalog({}).then((r) => { setCatalog(catalogOf(r)); setCatalogProblem(null); }, (e: unknown) => setCatalogProblem(problemOf(e)));
  }, [session === null]);

  useEffect(() => {
    if (toast === null) return;
    const timer = setTimeout(() => setToast(null), 8000);
    return () => clearTimeout(timer);
  }, [toast?.n]);

  if (session === null) {
    return <SignIn transport={transport} note={signInNote} onSwitchLang={switchLang}
      onSignedIn={(s) => { saveSession(s); setSession(s); setSignInNote(null); }} />;
  }
  const ctx: Ctx = { api, session, catalog, notify, signOut };
  return (
    <AppContext.Provider value={ctx}>
      <Shell onSwitchLang={switchLang} toast={toast} onToastGone={() => setToast(null)} catalogProblem={catalogProblem} />
    </AppContext.Provider>
  );
}

function Shell({ onSwitchLang, toast, onToastGone, catalogProblem }: { onSwitchLang: () => void; toast: { text: string; n: number } | null; onToastGone: () => void; catalogProblem: Problem | null }) {
  const route = useRoute();
  const pages = pagesForSession();
  const section = route.parts[0] ?? "";
  const pathKey = route.parts.join("/");
  const first = useRef(true);
  // A notice belongs to the page it was first shown on (the claim just
  // approved, or the page an action moved to): leaving that page ends it,
  // so it never speaks of one claim on another's page.
  // An action that notifies and then moves to another page (a publication
  // created, then opened) moves its notice along: a page change within a
  // second of the notice carries it.
  const toastPage = useRef<{ n: number; path: string; at: number } | null>(null);
  useEffect(() => {
    if (toast === null) { toastPage.current = null; return; }
    if (toastPage.current?.n !== toast.n) toastPage.current = { n: toast.n, path: pathKey, at: performance.now() };
  }, [toast?.n]);
  useEffect(() => {
    const shown = toastPage.current;
    if (shown === null || shown.path === pathKey) return;
    if (performance.now() - shown.at < 1000) { shown.path = pathKey; return; }
    toastPage.current = null;
    onToastGone();
  }, [pathKey]);

  // A new page: focus its heading, so that keyboard and screen-reader users
  // start there (not on the first render: the sign-in already placed focus).
  useEffect(() => {
    if (first.current) { first.current = false; return; }
    document.getElementById("page-title")?.focus();
  }, [pathKey]);

  if (section === "publications" && route.parts[2] === "print") {
    return <main id="main" class="print-main"><PublicationPrint id={route.parts[1] ?? ""} /></main>;
  }
  const current = section === "claims" ? "queue" : section === "" ? "queue" : section;
  return (
    <>
      <a class="skip-link" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById("page-title")?.focus(); }}>{t("app.skip")}</a>
      <header class="top">
        <div class="brand">
          <span class="brand-title">{t("app.title")}</span>
          <span class="brand-sub">{t("app.subtitle")}</span>
        </div>
        <div class="top-tools">
          <RoleChip />
          <LangSwitch onSwitch={onSwitchLang} />
          <SignOutButton />
        </div>
      </header>
      <nav class="main-nav" aria-label={t("app.nav")}>
        <ul>
          {pages.map((p) => (
            <li key={p}><a href={href([p])} aria-current={current === p ? "page" : undefined}>{p === "queue" && !canReview() ? t("nav.claims") : t(NAV_LABEL[p] ?? "nav.queue")}</a></li>
          ))}
        </ul>
      </nav>
      <main id="main">
        {toast !== null && <div class="toast" role="status">{toast.text}</div>}
        <ErrorBox problem={catalogProblem} />
        <Page route={route} pages={pages} />
      </main>
    </>
  );
}

function pagesForSession(): string[] {
  return pagesFor(useApp().session.role);
}

function canReview(): boolean {
  return can(useApp().session.role, "ReviewClaims");
}

function RoleChip() {
  const { session } = useApp();
  const role = tk(`role.${session.role}`);
  const text = session.name === "" ? t("app.role", { role }) : t("app.caller", { name: session.name, role });
  return <span class="role-chip" data-role={session.role} data-testid="caller" title={text}>{text}</span>;
}

function SignOutButton() {
  const { signOut } = useApp();
  return <button type="button" class="sign-out" onClick={() => signOut()}>{t("app.signOut")}</button>;
}

function Page({ route, pages }: { route: Route; pages: string[] }) {
  const [section = "queue", id, sub] = route.parts;
  const denied = (
    <section class="page"><PageTitle>{t("app.forbidden")}</PageTitle>
      <ErrorBox problem={{ code: Code.PermissionDenied, codeName: "PermissionDenied", reason: "PERMISSION_DENIED", field: "", messageZh: "", messageEn: "", metadata: { role: roleName() }, raw: "" }} />
      <p><a href={href(["queue"])}>{t("nav.queue")}</a></p>
    </section>
  );
  switch (section) {
    case "queue": return <Queue route={route} />;
    case "claims": return id === undefined ? <Queue route={route} /> : <ClaimDetail id={id} />;
    case "finance": return pages.includes("finance") ? <Finance route={route} /> : denied;
    case "publications":
      if (!pages.includes("publications")) return denied;
      if (id === undefined) return <Publications />;
      return sub === undefined ? <PublicationDetail id={id} /> : <NotFound />;
    case "reports": return pages.includes("reports") ? <Reports route={route} /> : denied;
    case "audit": return pages.includes("audit") ? <Audit route={route} /> : denied;
    default: return <NotFound />;
  }
}

function roleName(): string {
  const role = useApp().session.role;
  return role === AccessRole.REVIEWER ? "reviewer" : role === AccessRole.FINANCE ? "finance" : role === AccessRole.ADMIN ? "admin" : "portal";
}

function NotFound() {
  return <section class="page"><PageTitle>{t("app.notFound")}</PageTitle><p><a href={href(["queue"])}>{t("nav.queue")}</a></p></section>;
}

/**
 * The sign-in form: a token, checked by a cheap authorized call that also
 * tells its role. A portal token is told it has no workbench.
 */
function SignIn({ transport, note, onSignedIn, onSwitchLang }: {
  transport: TransportFactory; note: Key | null; onSignedIn: (s: Session) => void; onSwitchLang: () => void;
}) {
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(note === null ? null : t(note));
  const [problem, setProblem] = useState<Problem | null>(null);
  useEffect(() => { document.querySelector<HTMLInputElement>("#signin input")?.focus(); }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem(null);
    // The token alone, also when pasted as the header the docs show
    // (`Bearer stdfund_…`).
    const value = token.trim().replace(/^bearer\s+/i, "");
    if (value === "") { setMessage(t("signin.empty")); return; }
    setBusy(true);
    setMessage(t("signin.checking"));
    try {
      const { role, name } = await identify(makeApi(transport(() => value)));
      if (role === AccessRole.PORTAL) { setMessage(t("signin.portal")); return; }
      if (!isWorkbenchRole(role)) { setMessage(t("signin.unknownRole")); return; }
      setMessage(null);
      onSignedIn({ token: value, role, name });
      if (globalThis.location.hash === "" || globalThis.location.hash === "#") navigate(href(["queue"]));
    } catch (err) {
      setMessage(null);
      setProblem(problemOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="signin-page">
      <header class="top">
        <div class="brand"><span class="brand-title">{t("app.title")}</span><span class="brand-sub">{t("app.subtitle")}</span></div>
        <div class="top-tools"><LangSwitch onSwitch={onSwitchLang} /></div>
      </header>
      <main id="main" class="signin">
        <form id="signin" class="card signin-card" onSubmit={submit} noValidate>
          <h1>{t("signin.title")}</h1>
          <p class="muted">{t("signin.intro")}</p>
          <TextField label={t("signin.token")} type="password" value={token} onInput={setToken} name="token" autoComplete="off" required />
          {message !== null && <p class={message === t("signin.checking") ? "muted" : "signin-message"} role={message === t("signin.checking") ? "status" : "alert"}>{message}</p>}
          <ErrorBox problem={problem} />
          <button type="submit" class="primary wide-button" disabled={busy}>{t("signin.submit")}</button>
        </form>
      </main>
    </div>
  );
}
