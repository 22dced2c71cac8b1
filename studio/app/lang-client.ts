/**
 * The page's side of the language worker (`lang-worker.ts`): starts it, keeps each open
 * buffer in sync (every change is posted at once; the worker recompiles lazily) and
 * pairs requests with replies. Browser-only; no Monaco here, so the page can start the
 * worker and its first compile before Monaco has loaded.
 */
import type { ServiceRegistrySnapshot } from "../../language-service/index.js";
import { unpackAnalysis, type Analysis, type Replies, type Reply, type Request } from "./protocol.js";

/** The URI the editor and the worker name a workspace file by. */
export const uriOf = (path: string): string => `file:///${path.split("/").map(encodeURIComponent).join("/")}`;

type Query = Extract<Request, { id: number }>;
type Params<K extends Query["kind"]> = Omit<Extract<Query, { kind: K }>, "id" | "kind">;

export class LanguageClient {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly worker: Worker) {
    worker.addEventListener("message", (e: MessageEvent<Reply>) => {
      const r = e.data;
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if ("error" in r) p.reject(new Error(r.error));
      else p.resolve(r.result);
    });
    worker.addEventListener("error", (e) => {
      for (const p of this.pending.values()) p.reject(new Error(`language worker failed: ${e.message}`));
      this.pending.clear();
    });
  }

  /** Sets the registry the worker compiles against and the approved hashes. */
  init(registry: ServiceRegistrySnapshot | null, approved: readonly string[]): void {
    this.post({ kind: "init", registry, approved });
  }

  /** Posts a buffer's text (call on every change; cheap — the worker compiles on the next query). */
  sync(uri: string, version: number, text: string): void {
    this.post({ kind: "sync", uri, version, text });
  }

  close(uri: string): void {
    this.post({ kind: "close", uri });
  }

  /** One query; resolves with the worker's reply for the text last synced. */
  ask<K extends Query["kind"]>(kind: K, params: Params<K>): Promise<Replies[K]> {
    const id = this.next++;
    return new Promise<Replies[K]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.post({ kind, id, ...params } as Request);
    });
  }

  /** An analysis of the buffer last synced, its spans unpacked. */
  async analyze(params: Params<"analyze">): Promise<Analysis> {
    return unpackAnalysis(await this.ask("analyze", params));
  }

  private post(m: Request): void {
    this.worker.postMessage(m);
  }
}
