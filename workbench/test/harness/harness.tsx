// The harness page: the real app over the in-memory fake (fake.ts), for
// screenshots and the in-browser tests. Built by build.mjs with
// `--entry test/harness/harness.tsx --out .build/harness`; never shipped.
import { startApp } from "../../src/app.js";
import { yearChina } from "../../src/format.js";
import { fakeTransport, makeState } from "./fake.js";

const state = makeState(yearChina());
(globalThis as unknown as { __fake: typeof state }).__fake = state;
const root = document.getElementById("app");
if (root !== null) startApp(root, { transport: fakeTransport(state) });
