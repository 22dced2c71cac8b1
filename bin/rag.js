#!/usr/bin/env node
// Entry point of the `rag` command. ragraph ships TypeScript sources; tsx's loader lets
// Node run them and lets users write rag.config.ts without a build step.
import { register } from "tsx/esm/api";

register();
await import("../cli/main.ts");
