/**
 * Writes the editor grammars generated from `grammar/editors/token-list.ts`:
 * `rag.tmLanguage.json` (TextMate), `rag.monarch.ts` (Monaco) and
 * `language-configuration.json` (VS Code). `npm run grammars`; a test fails when the
 * committed files are stale.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { languageConfigurationJson, monarchModule, textMateJson } from "../grammar/editors/generate.js";

const dir = new URL("../grammar/editors/", import.meta.url).pathname;
const files: Record<string, string> = {
  "rag.tmLanguage.json": textMateJson(),
  "rag.monarch.ts": monarchModule(),
  "language-configuration.json": languageConfigurationJson(),
};
for (const [name, text] of Object.entries(files)) {
  writeFileSync(join(dir, name), text);
  process.stdout.write(`wrote grammar/editors/${name}\n`);
}
