/**
 * The shared parsers skip Chevrotain's grammar validations to start faster
 * (grammar/rag/parser-base.ts); this builds each grammar with them on, so an ambiguity,
 * left recursion or duplicate rule introduced by a grammar change still fails here.
 */
import { expect, it } from "vitest";
import { RagParser } from "../../grammar/rag/parser.js";
import { RagshParser } from "../../grammar/ragsh/parser.js";

it("the .rag grammar passes Chevrotain's grammar validations", () => {
  // performSelfAnalysis throws "Parser Definition Errors detected" when a validation fails
  expect(() => new RagParser({ validate: true })).not.toThrow();
});

it("the .ragsh grammar passes Chevrotain's grammar validations", () => {
  expect(() => new RagshParser({ validate: true })).not.toThrow();
});
