// Hash routing: `#/queue?status=1`, `#/claims/12`, `#/publications/3/print`.
// The filters of a list live in the query, so that back and forward and a
// reload keep them.
import { useEffect, useMemo, useState } from "preact/hooks";

export interface Route {
  /** Path segments: `#/claims/12` → ["claims", "12"]. */
  parts: string[];
  params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const body = hash.replace(/^#\/?/, "");
  const q = body.indexOf("?");
  const path = q < 0 ? body : body.slice(0, q);
  const query = q < 0 ? "" : body.slice(q + 1);
  return { parts: path.split("/").filter((s) => s !== "").map(decodeURIComponent), params: new URLSearchParams(query) };
}

/** `#/a/b?x=1` from parts and params (empty values left out). */
export function href(parts: (string | number)[], params?: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== "" && v !== 0) q.set(k, String(v));
  const qs = q.toString();
  return `#/${parts.map((p) => encodeURIComponent(String(p))).join("/")}${qs === "" ? "" : "?" + qs}`;
}

export function navigate(to: string): void {
  if (globalThis.location.hash !== to) globalThis.location.hash = to;
}

export function useRoute(): Route {
  const [hash, setHash] = useState(() => globalThis.location.hash);
  useEffect(() => {
    const on = () => setHash(globalThis.location.hash);
    globalThis.addEventListener("hashchange", on);
    // A hash changed between the first render and this effect (a link
    // followed, or an address typed, while the page was still mounting)
    // fired its event before anyone listened: read it now.
    on();
    return () => globalThis.removeEventListener("hashchange", on);
  }, []);
  return useMemo(() => parseHash(hash), [hash]);
}
