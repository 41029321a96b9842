// The Node entry of @stdfund/rules: the module is compiled and instantiated
// synchronously when ./stdfund_rules.js is imported. `init` and `initSync`
// are no-ops so that code written for the browser build runs unchanged.
export * from "./stdfund_rules.js";
export default async function init() {}
export function initSync() {}
