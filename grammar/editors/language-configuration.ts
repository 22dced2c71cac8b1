/**
 * How editors treat `.rag` text besides its tokens: comments, brackets, the pairs typed
 * together (`{` brings `}`; a quote brings its close, except inside a string) and what a
 * word is. One source for VS Code's `language-configuration.json` (written by
 * `npm run grammars`, generate.ts) and the studio's Monaco editor (`toMonaco`), kept
 * free of editor imports so it runs anywhere.
 */

/** The `.rag` language configuration, in VS Code's `language-configuration.json` shape. */
export const LANGUAGE_CONFIGURATION = {
  comments: { lineComment: "//", blockComment: ["/*", "*/"] as [string, string] },
  brackets: [["{", "}"], ["[", "]"], ["(", ")"]] as [string, string][],
  autoClosingPairs: [
    { open: "{", close: "}" },
    { open: "[", close: "]" },
    { open: "(", close: ")" },
    { open: '"', close: '"', notIn: ["string"] },
    { open: "'", close: "'", notIn: ["string"] },
  ] as { open: string; close: string; notIn?: string[] }[],
  surroundingPairs: [["{", "}"], ["[", "]"], ["(", ")"], ['"', '"'], ["'", "'"]] as [string, string][],
  wordPattern: "[A-Za-z_][A-Za-z0-9_]*",
};

/**
 * The configuration as Monaco's `languages.setLanguageConfiguration` takes it
 * (structurally `monaco.languages.LanguageConfiguration`: pairs as objects, the word
 * pattern as a RegExp).
 */
export function monacoLanguageConfiguration() {
  const c = LANGUAGE_CONFIGURATION;
  return {
    comments: c.comments,
    brackets: c.brackets,
    autoClosingPairs: c.autoClosingPairs,
    surroundingPairs: c.surroundingPairs.map(([open, close]) => ({ open, close })),
    wordPattern: new RegExp(c.wordPattern),
  };
}
