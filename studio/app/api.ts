/**
 * The page's client of the studio API (docs/api.md). Same origin; the token travels in
 * the HttpOnly cookie the server set when the page was opened with `?token=`.
 */
export class ApiFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Calls the API; resolves with the JSON body, rejects with ApiFailure. */
export async function api<T>(method: "GET" | "POST" | "PUT", path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: body !== undefined ? { "content-type": "application/json" } : {},
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json()) as T & { error?: { code: string; message: string } };
  if (!res.ok) throw new ApiFailure(json.error?.code ?? String(res.status), json.error?.message ?? res.statusText);
  return json;
}

export interface Pos {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}
export interface Span {
  readonly start: Pos;
  readonly end: Pos;
}
export interface Fix {
  readonly span: Span;
  readonly replacement: string;
  readonly description: string;
}
export interface Diagnostic {
  readonly severity: "error" | "warning" | "info";
  readonly code: string;
  readonly message: string;
  readonly span: Span;
  readonly label?: string;
  readonly help?: string;
  readonly fixes: readonly Fix[];
}
export interface ViewNode {
  readonly id: string;
  readonly label: string;
  readonly kind: string;
  readonly detail?: string;
  readonly interrupt?: string;
  readonly cluster?: string;
}
export interface ViewEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: string;
  readonly label?: string;
}
export interface GraphView {
  readonly id: string;
  readonly hash: string;
  readonly nodes: readonly ViewNode[];
  readonly edges: readonly ViewEdge[];
  readonly clusters: readonly { id: string; label: string }[];
}
export interface InputField {
  readonly name: string;
  /** The `.rag` type as written (`list<{ sku: string }>`). */
  readonly type: string;
  readonly optional: boolean;
  /** Its JSON Schema (compiler `typeSpecSchema`, named schemas resolved), when the language worker sent it. */
  readonly schema?: Readonly<Record<string, unknown>>;
}
export interface RunSummary {
  readonly runId: string;
  readonly threadId: string;
  readonly graph: string;
  readonly file: string;
  readonly status: string;
  readonly error?: { code?: string; message?: string };
}
/** A run event as the runtime emits it (runtime/events.ts), loosely typed. */
export type RunEvent = { readonly type: string; readonly step: number; readonly depth: number; readonly node?: string; readonly taskId?: string; readonly timestamp: number } & Record<string, unknown>;
