// The WASM executor of the proto3 JSON conformance test
// (tests/python/json_conformance.py): reads a JSON array of request texts
// from the file named by argv[2] and writes, to the file named by argv[3],
// the JSON array of the module's canonical answers (`{"error": …}` for an
// error, with `meant` last when the engine offers one), each exactly as
// `stdfund estimate` prints it.
import { readFile, writeFile } from "node:fs/promises";
import * as rules from "@stdfund/rules";
import { answerJson } from "../support.mjs";

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error("usage: node answers.mjs REQUESTS.json ANSWERS.json");
  process.exit(2);
}
const texts = JSON.parse(await readFile(input, "utf8"));
const answers = texts.map((text) => {
  const r = rules.estimateCanonical(text);
  if (r.ok || r.error.meant === undefined) return answerJson(r);
  const { code, field, messageZh, messageEn, meant } = r.error;
  return `{"error":${JSON.stringify({ code, field, messageZh, messageEn, meant })}}`;
});
await writeFile(output, JSON.stringify(answers));
