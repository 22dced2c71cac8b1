import { defineConfig } from "vitest/config";

// "ragraph-source": `import "ragraph"` inside this checkout (examples/rag.config.ts) means
// the TypeScript sources, not dist/ (package.json "exports"; bin/rag.js does the same).
// The rest are Node's own, not Vite's default "module": under "module" @opentelemetry/api
// resolves to its build/esm, whose extensionless imports Node's loader cannot resolve.
const conditions = ["ragraph-source", "node", "development|production"];

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
