#!/usr/bin/env node
// Entry point of the `rag` command.
// - An installed package ships compiled JavaScript (dist/, built by `npm run build`) and
//   no sources: plain Node runs it; a rag.config.ts is loaded through tsx on demand
//   (cli/import-config.ts).
// - A checkout runs the TypeScript sources through tsx's loaders (both: a rag.config.ts in
//   a folder whose package.json does not say "type": "module" is loaded as CommonJS), and
//   resolves `import "ragraph"` to the sources with the "ragraph-source" export condition.
//   The sources win over a dist/ left by an earlier build, so a checkout never runs stale code.
import { existsSync } from "node:fs";

const sources = new URL("../cli/main.ts", import.meta.url);
if (existsSync(sources)) {
  const [{ register: registerHooks }, { register }, { register: registerCommonJs }] = await Promise.all([import("node:module"), import("tsx/esm/api"), import("tsx/cjs/api")]);
  register();
  registerCommonJs();
  // Registered last, so it runs first: adds the condition, then tsx and Node resolve.
  const hook = 'export async function resolve(s, c, next) { return next(s, { ...c, conditions: [...c.conditions, "ragraph-source"] }); }';
  registerHooks("data:text/javascript," + encodeURIComponent(hook));
  await import(sources.href);
} else {
  await import("../dist/cli/main.js");
}
