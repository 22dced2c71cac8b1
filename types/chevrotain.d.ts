// Types for `#chevrotain` (package.json "imports"): the runtime target is Chevrotain's
// single-file bundle (lib/chevrotain.mjs), which loads ~30x faster than its lodash-es
// module tree; its types are the package's own.
export * from "chevrotain";
