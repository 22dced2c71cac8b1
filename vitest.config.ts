import { defineConfig } from "vitest/config";

// "ragraph-source": `import "ragraph"` inside this checkout (examples/rag.config.ts) means
// the TypeScript sources, not dist/ (package.json "exports"; bin/rag.js does the same).
// The rest are Vite's default server conditions (`defaultServerConditions`).
const conditions = ["ragraph-source", "module", "development|production"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
  },
});
