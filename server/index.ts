/**
 * The studio's local HTTP + SSE API (docs/api.md): `startStudioServer` over a
 * `Project` (one workspace folder and its config). Node-only; the page lives in studio/.
 */
export { startStudioServer, MAX_BODY_BYTES, MAX_BODY_DEPTH, BODY_TIMEOUT_MS, MAX_EVENT_STREAMS, type StudioServer, type StudioServerOptions } from "./http.js";
export { Project, type ProjectOptions, type ReviewGraph } from "./project.js";
export { MAX_QUEUED_CELLS, StudioConsole } from "./console.js";
export { Workspace, MAX_FILE_BYTES, type WorkspaceFile } from "./workspace.js";
export { loadStudioConfig, ConfigLoadError, type StudioConfig } from "./config.js";
export { openApiDocument } from "./openapi.js";
export { ROUTES, type Route } from "./routes.js";
export { MAX_ACTIVE_RUNS, MAX_ENDED_EVENT_BYTES, MAX_ENDED_RUNS, MAX_EVENT_BYTES, MAX_EVENT_BYTES_PER_RUN, RunManager, RunRecord, type RunStatus, type RunSummary } from "./runs.js";
export { ApiError } from "./errors.js";
