/**
 * The OpenAPI 3.1 document of the API, generated from the route table and its zod
 * schemas (`z.toJSONSchema`). Served at `GET /api/openapi.json`; docs/api.md describes
 * the same routes for people.
 */
import { z } from "zod";
import { ROUTES } from "./routes.js";
import { ErrorResponse } from "./schemas.js";

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });

/** The OpenAPI document (plain JSON data). */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
    if (r.query) {
      const q = json(r.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {})) params.push({ name, in: "query", required: (q.required ?? []).includes(name), schema: schema as { type: string } });
    }
    const op: Record<string, unknown> = {
      summary: r.summary,
      ...(params.length ? { parameters: params } : {}),
      ...(r.body ? { requestBody: { required: true, content: { "application/json": { schema: json(r.body) } } } } : {}),
      responses: {
        "200": r.sse
          ? { description: "Server-Sent Events: `id: <n>`, `event: <run event type>`, `data: <RunEvent JSON>`; last `event: end`", content: { "text/event-stream": { schema: { type: "string" } } } }
          : { description: "OK", content: { "application/json": { schema: r.response ? json(r.response) : { type: ["object", "array"] } } } },
        default: { description: "error", content: { "application/json": { schema: json(ErrorResponse) } } },
      },
    };
    (paths[r.path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: "3.1.0",
    info: { title: "ragraph studio API", version: "1", description: "Local HTTP + SSE API under `rag studio` (docs/api.md). Every request needs the per-start token: `Authorization: Bearer <token>`, `?token=`, or the cookie the page receives." },
    components: { securitySchemes: { token: { type: "http", scheme: "bearer" } } },
    security: [{ token: [] }],
    paths,
  };
}
