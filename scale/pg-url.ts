/**
 * Postgres store URLs (`--checkpoints postgres://…?schema=NAME`, issue 13 §1): the
 * connection string `pg` understands, the schema, and the URL as shown in messages.
 */
import { CheckpointError } from "../runtime/index.js";

/** Splits `postgres://…?schema=x` into the connection string pg understands and the schema. */
export function parsePostgresUrl(url: string): { connectionString: string; schema: string | undefined } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CheckpointError(`not a Postgres URL: ${url} (expected postgres://user@host:port/database)`);
  }
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") throw new CheckpointError(`not a Postgres URL: ${url} (expected postgres://…)`);
  const schema = u.searchParams.get("schema") ?? undefined;
  u.searchParams.delete("schema");
  return { connectionString: u.toString(), schema };
}

/** True when `path` names a Postgres store rather than a file. */
export const isPostgresUrl = (path: string): boolean => /^postgres(ql)?:\/\//i.test(path);

/** The user and password part of a URL: `//user:password@`. */
const PASSWORD = /\/\/([^:@/]+):.*@/;

/**
 * A URL without its password, for messages: everything from the user name's `:` to the
 * last `@` (a password written with a raw `/` or `@`, which a URL should percent-encode,
 * is hidden whole; a later `@` in the query hides more, never less).
 */
export const redact = (url: string) => url.replace(PASSWORD, "//$1:***@");

/** `url` without its password (`postgres://user@host/db`), for command lines printed to be run again (`pg` reads the password from `PGPASSWORD` or `~/.pgpass`). */
export const withoutPassword = (url: string) => url.replace(PASSWORD, "//$1@");
