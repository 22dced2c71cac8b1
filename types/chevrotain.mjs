// Runtime target of `#chevrotain` (package.json "imports"): Chevrotain's single-file
// bundle (lib/chevrotain.mjs). Importing the package entry instead loads ~650 lodash-es
// modules, which costs about a second of startup. The bundle is not in chevrotain's
// "exports" map, so it is located beside the resolved package entry: this works from a
// clone and from an installed package (chevrotain hoisted to the project's node_modules).
// Only the names below exist at run time; add one here when grammar/ imports a new value.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const entry = createRequire(import.meta.url).resolve("chevrotain"); // …/chevrotain/lib/src/api.js
const bundle = entry.replace(/src[\\/]api\.js$/, "chevrotain.mjs");
const chevrotain = await import(pathToFileURL(bundle).href);

export const { CstParser, EOF, Lexer, createToken, createTokenInstance, generateCstDts, tokenMatcher } = chevrotain;
