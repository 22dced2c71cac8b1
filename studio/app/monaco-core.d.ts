/** Monaco's editor with every contribution and no language packs (a virtual module of studio/build.ts). */
declare module "monaco-core" {
  export * from "monaco-editor/editor/editor.api";
}
