export * from "./stdfund_rules.js";
/** A no-op under Node (the module is ready on import); present so browser code runs unchanged. */
export default function init(options?: unknown): Promise<void>;
/** A no-op under Node (the module is ready on import). */
export function initSync(options?: unknown): void;
