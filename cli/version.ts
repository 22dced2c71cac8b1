/** The version `rag --version` prints (package.json's; keep them equal). */
export const VERSION = "0.1.0";
