#!/usr/bin/env node
// Entry point of the `rag` command. ragraph ships TypeScript sources; tsx's loader lets
// Node run them and lets users write rag.config.ts without a build step.
// Both hooks: a rag.config.ts in a folder whose package.json does not say
// "type": "module" (or that has none) is loaded as CommonJS.
import { register as registerCommonJs } from "tsx/cjs/api";
import { register } from "tsx/esm/api";

register();
registerCommonJs();
await import("../cli/main.ts");
