// Runtime target of `#chevrotain` (package.json "imports"): Chevrotain's single-file
// bundle. Importing the package entry instead loads ~650 lodash-es modules, which costs
// about a second of startup under tsx. Assumes chevrotain is installed in this
// package's node_modules (true for a clone; a published build would bundle it).
export * from "../node_modules/chevrotain/lib/chevrotain.mjs";
