// What every page needs: the clients, the session, the catalogue, and ways to
// tell the person something (a polite live region) or end the session.
import { createContext } from "preact";
import { useCallback, useContext, useEffect, useRef, useState } from "preact/hooks";
import { Code } from "@connectrpc/connect";
import type { Api } from "./api.js";
import type { Session } from "./session.js";
import { EMPTY_CATALOG, type Catalog } from "./catalog.js";
import { problemOf, type Problem } from "./errors.js";
import { can, type Rpc } from "./roles.js";

export interface Ctx {
  api: Api;
  session: Session;
  catalog: Catalog;
  notify: (text: string) => void;
  /** Ends the session; with a reason the sign-in form shows it. */
  signOut: (why?: string) => void;
}

export const AppContext = createContext<Ctx | null>(null);

export function useApp(): Ctx {
  const c = useContext(AppContext);
  if (c === null) throw new Error("AppContext missing");
  return c;
}

/** Whether the signed-in role may call `rpc`. */
export function useCan(): (rpc: Rpc) => boolean {
  const { session } = useApp();
  return (rpc) => can(session.role, rpc);
}

export interface Loaded<T> {
  data: T | undefined;
  problem: Problem | null;
  loading: boolean;
  reload: () => void;
}

/**
 * Runs `load` when `deps` change and keeps the latest answer. An answer
 * belongs to the deps it was loaded for: once the deps change (another claim,
 * other filters) the old answer is no longer handed out, in the very render
 * that sees the new deps, so a page never shows one claim under another's
 * address. A reload (same deps) keeps the answer shown until the new one
 * arrives. A stale answer (deps changed meanwhile) is dropped.
 * UNAUTHENTICATED ends the session.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const { signOut } = useApp();
  const [state, setState] = useState<{ deps: unknown[] | null; data: T | undefined; problem: Problem | null; loading: boolean }>(
    { deps: null, data: undefined, problem: null, loading: true });
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  useEffect(() => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => { if (generation.current === mine) setState({ deps, data, problem: null, loading: false }); },
      (e: unknown) => {
        if (generation.current !== mine) return;
        const p = problemOf(e);
        if (p.code === Code.Unauthenticated) signOut("expired");
        setState({ deps, data: undefined, problem: p, loading: false });
      },
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const current = state.deps !== null && sameDeps(state.deps, deps);
  return current
    ? { data: state.data, problem: state.problem, loading: state.loading, reload }
    : { data: undefined, problem: null, loading: true, reload };
}

function sameDeps(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

/**
 * An action's state: `run(fn)` calls it, keeps its failure as a Problem, and
 * ends the session on UNAUTHENTICATED. Answers the value, or undefined.
 */
export function useAction(): { busy: boolean; problem: Problem | null; run: <T>(fn: () => Promise<T>) => Promise<T | undefined>; clear: () => void } {
  const { signOut } = useApp();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const run = useCallback(async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setProblem(null);
    try {
      return await fn();
    } catch (e) {
      const p = problemOf(e);
      if (p.code === Code.Unauthenticated) signOut("expired");
      setProblem(p);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, [signOut]);
  return { busy, problem, run, clear: () => setProblem(null) };
}

export { EMPTY_CATALOG };
