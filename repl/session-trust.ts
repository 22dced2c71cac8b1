/**
 * A top-level session's trust of the moment (`Session.author`) and the grant that follows
 * from it. A session a person drives is lowered to a model's trust once it runs a
 * model-written script (`:load` of a `.ragsh` file whose pragma says
 * `// rag:generated-by model`): `policy.untrustedAllow`, graphs it defines generated —
 * whoever types the later cells. Not per cell: a script's functions and variables stay
 * behind and a person's later cell may call them (or a helper the script redefined), so
 * the whole session is lowered until a person's `:reset` clears them (`restore`).
 */
import type { CapabilityKind, Decision } from "../compiler/index.js";
import type { Registry } from "../registry/index.js";
import { scopeGrant, sessionScope, type SessionGrant } from "./host.js";

export type Author = "human" | "model";

export class SessionTrust {
  private current: Author;
  private granted: SessionGrant;
  /** The model-written file that lowered the trust, while it is lowered. */
  private lowered: string | undefined;
  /**
   * The grant of the moment, for the session's default host: read at each use, so a
   * lowered trust holds for every later call and graph run.
   */
  readonly grant: SessionGrant;

  /** @param own who the session's cells are written by (`SessionOptions.author`). */
  constructor(
    private readonly registry: Registry,
    private readonly own: Author,
  ) {
    this.current = own;
    this.granted = this.grantFor(own);
    const self = this;
    this.grant = {
      authorize: (kind, name) => self.granted.authorize(kind, name),
      get limits() {
        return self.granted.limits;
      },
    };
  }

  /**
   * Who writes the session's own input (`SessionOptions.author`), whatever it loaded
   * since: a person's commands (`:approve`, `:resume`, `:save`) are refused when it is
   * a model (`Session.personCommand`).
   */
  get owner(): Author {
    return this.own;
  }

  /** Who the session's cells are trusted as now. */
  get author(): Author {
    return this.current;
  }

  /**
   * `decision` (a host's), narrowed by the model's grant once the trust was lowered: a
   * host given in `SessionOptions.host` does not see the session's trust.
   */
  narrow(decision: Decision, kind: CapabilityKind, name: string): Decision {
    return decision.allowed && this.lowered !== undefined ? this.granted.authorize(kind, name) : decision;
  }

  /** The session ran model-written `file`: trusted as a model from now on. Returns true when it was lowered now. */
  lower(file: string): boolean {
    if (this.current === "model") return false;
    this.set("model", file);
    return true;
  }

  /** A person's `:reset`: trusted as its own author again. Returns true when the trust was raised back. */
  restore(): boolean {
    if (this.lowered === undefined || this.own === "model") return false;
    this.set(this.own, undefined);
    return true;
  }

  private set(author: Author, lowered: string | undefined): void {
    this.current = author;
    this.lowered = lowered;
    this.granted = this.grantFor(author, lowered);
  }

  /** The grant of a top-level session whose cells `author` writes (`sessionScope`). */
  private grantFor(author: Author, note?: string): SessionGrant {
    return scopeGrant(sessionScope(this.registry, author, author === "model" ? (note ? `this session (it ran ${note}, written by a model)` : "this model-written session") : "this session"));
  }
}
