/**
 * Static checks on expressions and templates (`language.md` §3): unknown fields with
 * did-you-mean and fixes, unknown names and functions, arity, and type mismatches where
 * the types are known — and silence where they are not.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";

const graph = (node: string) => `graph g {
  start a
  input { topic: string, items: list<string> }
  state { count: number, title: string, status: "open" | "done", tags: list<string> append, user: { name: string, age: number }, notes: map<string> }
  channel scratch append
  ${node}
}`;
function diags(node: string) {
  return compile(graph(node)).diagnostics.filter((d) => d.severity === "error");
}
const codes = (node: string) => diags(node).map((d) => d.code);

describe("expression checks", () => {
  it("`state.x` naming no field is E-rag-unknown-field with a did-you-mean fix on the field name", () => {
    const [d] = diags('node a { prompt "{{ state.titel }}" next END }');
    expect(d.code).toBe("E-rag-unknown-field");
    expect(d.message).toBe("the state of graph `g` has no field `titel`");
    expect(d.fixes).toEqual([expect.objectContaining({ replacement: "title" })]);
    const src = graph('node a { prompt "{{ state.titel }}" next END }');
    expect(src.slice(d.fixes[0].span.start.offset, d.fixes[0].span.end.offset)).toBe("titel");
  });

  it("checks fields of input, of records, and of `run`", () => {
    expect(diags('node a { prompt "{{ input.topc }}" next END }')[0].message).toContain("the input of graph `g` has no field `topc`");
    expect(diags('node a { prompt "{{ state.user.nmae }}" next END }')[0].message).toContain("`state.user`");
    expect(diags('node a { prompt "{{ run.steps }}" next END }')[0].fixes[0].replacement).toBe("step");
  });

  it("does not check what it cannot know: channels, args, result, maps, an input without a declaration", () => {
    // An interrupt's result is the human's resume value: unknown.
    expect(codes('node a { kind interrupt prompt "{{ state.scratch.x }} {{ args.anything.deep }} {{ state.notes.key }}" set { title: result.x } next END }')).toEqual([]);
    const undeclared = compile('graph g { start a node a { prompt "{{ input.whatever }}" next END } }').diagnostics.filter((d) => d.severity === "error");
    expect(undeclared).toEqual([]);
  });

  it("unknown roots, and `result` before the node ran", () => {
    const [d] = diags('node a { prompt "{{ stat.count }}" next END }');
    expect(d.code).toBe("E-rag-unknown-name");
    expect(d.fixes[0].replacement).toBe("state");
    const [r] = diags('node a { prompt "{{ result }}" next END }');
    expect(r.code).toBe("E-rag-unknown-name");
    expect(r.help).toContain("only after the node ran");
    expect(codes("node a { routes { when result == 1 -> END  else -> END } }")).toEqual([]);
  });

  it("comprehension variables are in scope in their send's arguments, with the element type", () => {
    expect(codes("node a { send [w { x: v } for v in input.items] join d } node w { next END } node d { next END }")).toEqual([]);
    expect(codes("node a { send [w { x: v * 2 } for v in input.items] join d } node w { next END } node d { next END }")).toEqual(["E-rag-type-mismatch"]);
    expect(codes("node a { send [w { x: u } for v in input.items] join d } node w { next END } node d { next END }")).toEqual(["E-rag-unknown-name"]);
  });

  it("unknown functions (with a fix) and wrong arity", () => {
    const [f] = diags('node a { prompt "{{ lenght(state.tags) }}" next END }');
    expect(f.code).toBe("E-rag-unknown-function");
    expect(f.fixes[0].replacement).toBe("len");
    expect(codes('node a { prompt "{{ len(state.tags, 2) }} {{ round() }}" next END }')).toEqual(["E-rag-wrong-arity", "E-rag-wrong-arity"]);
    expect(codes('node a { prompt "{{ max(1, 2, 3) }} {{ round(state.count, 2) }}" next END }')).toEqual([]);
  });

  it("type mismatches where both types are known", () => {
    expect(diags('node a { prompt "{{ len(state.count) }}" next END }')[0].message).toBe("argument 1 of `len` must be a string, list or map, not a number");
    expect(codes("node a { routes { when state.title > 3 -> END  else -> END } }")).toEqual(["E-rag-type-mismatch"]);
    expect(codes("node a { routes { when state.count == \"3\" -> END  else -> END } }")).toEqual(["E-rag-type-mismatch"]);
    expect(codes('node a { prompt "{{ state.count.value }} {{ upper(state.count) }} {{ state.count - state.title }}" next END }')).toEqual(["E-rag-type-mismatch", "E-rag-type-mismatch", "E-rag-type-mismatch"]);
    expect(codes('node a { prompt "{{ state.title + state.count }} {{ state.tags[0] }} {{ len(state.notes) }}" next END }')).toEqual([]);
  });

  it("an enum compared with a value it cannot hold, with a fix to the close value", () => {
    const [d] = diags('node a { routes { when state.status == "dnoe" -> END  else -> END } }');
    expect(d.code).toBe("E-rag-type-mismatch");
    expect(d.fixes[0].replacement).toBe('"done"');
    expect(codes('node a { routes { when state.status == "done" -> END  else -> END } }')).toEqual([]);
  });

  it("writes of a known scalar into an overwrite field of another type", () => {
    expect(codes('node a { kind set set { count: "x" } next END }')).toEqual(["E-rag-type-mismatch"]);
    expect(codes('node a { kind set set { count: state.count + 1, title: "t", tags: "one" } next END }')).toEqual([]);
  });

  it("writes a field's reducer cannot take: non-numbers into sum/min/max, items of another type into append/union lists, scalars into merge", () => {
    const g = (set: string) => `graph g {
  start a
  input { q: string }
  state { hits: number sum, best: number max, tags: list<string> append, seen: list<number> union, meta: map<string> merge }
  channel total sum
  node a { kind set set { ${set} } next END }
}`;
    const errors = (set: string) => compile(g(set)).diagnostics.filter((d) => d.severity === "error");
    // what each runtime reducer refuses (runtime/channels/numeric.ts, merge.ts; the list type check)
    expect(errors('hits: "x"')[0]?.message).toBe("field `hits` folds numbers (`sum`), but this writes a string");
    expect(errors("best: true")[0]?.message).toBe("field `best` folds numbers (`max`), but this writes a boolean");
    expect(errors("total: input.q")[0]?.message).toBe("field `total` folds numbers (`sum`), but this writes a string");
    expect(errors("tags: 5")[0]?.message).toBe("field `tags` is a list of strings (`append` adds a string or a list of them), but this writes a number");
    expect(errors("tags: [1, 2]")[0]?.message).toBe("field `tags` is a list of strings (`append` adds a string or a list of them), but this writes a list of numbers");
    expect(errors('seen: ["a"]')[0]?.message).toBe("field `seen` is a list of numbers (`union` adds a number or a list of them), but this writes a list of strings");
    expect(errors('meta: "x"')[0]?.message).toBe("field `meta` merges objects (`merge`), but this writes a string");
    // what they take, and what is not known (input without a type, args, null)
    expect(errors('hits: len(input.q), best: 2, total: 1, tags: ["a"], seen: 3, meta: { k: "v" }')).toEqual([]);
    expect(errors('tags: "one", seen: [1, 2], hits: args.n, meta: null')).toEqual([]);
  });

  it("`writes FIELD` of a node's result into a field that cannot take it: a model's reply text into a number or boolean", () => {
    const [d] = diags('node a { kind model model "m" prompt "n?" writes count next END }');
    expect(d?.message).toBe("field `count` holds a number, but this writes a string: the result of this `model` node");
    expect(d?.help).toContain("declare `output { … }`");
    expect(codes('node a { kind model model "m" prompt "n?" writes title next b } node b { kind model model "m" prompt "t" writes tags next END }')).toEqual([]);
    // a structured output is written whole only where it fits; unknown results are never reported
    expect(codes('node a { kind model model "m" prompt "n?" output { n: number } writes { count: result.n } next END }')).toEqual([]);
    expect(codes('node a { kind subgraph graph "elsewhere" writes count next END }').filter((c) => c === "E-rag-type-mismatch")).toEqual([]);
  });

  it("writes of another kind than the field's: a record into a scalar, a scalar into a record or map, a string outside an enum", () => {
    // each passed check and failed the run at its first write (`expected number, got object …`)
    expect(diags('node a { kind model model "m" prompt "n?" output { n: number } writes count next END }')[0]?.message).toBe("field `count` holds a number, but this writes a record: the result of this `model` node");
    expect(diags('node a { kind interrupt prompt "n?" resume { n: number } writes count next END }')[0]?.message).toBe("field `count` holds a number, but this writes a record: the result of this `interrupt` node");
    expect(diags('node a { kind model model "m" prompt "who?" writes user next END }')[0]?.message).toBe("field `user` holds a record, but this writes a string: the result of this `model` node");
    expect(diags('node a { kind set set { user: "ada" } next END }')[0]?.message).toBe("field `user` holds a record, but this writes \"ada\"");
    expect(diags("node a { kind set set { notes: 5 } next END }")[0]?.message).toBe("field `notes` holds a map, but this writes a number");
    expect(diags("node a { kind set set { title: { x: 1 } } next END }")[0]?.message).toBe("field `title` holds a string, but this writes the object");
    const [d] = diags('node a { kind set set { status: "closed" } next END }');
    expect(d?.message).toBe('field `status` holds one of "open", "done", but this writes "closed"');
    expect(d?.code).toBe("E-rag-type-mismatch");
    expect(graph('node a { kind set set { status: "closed" } next END }').slice(d!.span.start.offset, d!.span.end.offset)).toBe('"closed"');
    // a subgraph's output record into a number field
    const sub = compile(`graph g {
  start a
  state { r: number }
  node a { kind subgraph graph "child" input { q: "x" } writes r next END }
}
graph child {
  start m
  input { q: string }
  output { answer: string }
  state { answer: string }
  node m { kind set set { answer: input.q } next END }
}`).diagnostics.filter((x) => x.severity === "error");
    expect(sub.map((x) => x.message)).toEqual(["field `r` holds a number, but this writes the output of graph `child`: the result of this `subgraph` node"]);
    // what fits, and what is not known
    expect(codes('node a { kind set set { status: "done", user: { name: "a", age: 3 }, notes: { k: "v" }, title: state.status } next END }')).toEqual([]);
    expect(codes('node a { kind model model "m" prompt "n?" output { name: string, age: number } writes user next END }')).toEqual([]);
    expect(codes("node a { kind set set { user: args.u, notes: args.n, status: args.s } next END }")).toEqual([]);
  });

  it("append/union lists of objects take objects: a model's reply text into `Verdict[] append` is E-rag-type-mismatch", () => {
    const src = (w: string) => `schema Verdict { ok: boolean }
graph g {
  start a
  state { verdicts: Verdict[] append, names: list<string> append }
  node a { kind model model "m" prompt "judge" ${w} next END }
}`;
    const errs = (w: string) => compile(src(w)).diagnostics.filter((x) => x.severity === "error").map((x) => x.message);
    expect(errs("writes verdicts")).toEqual(["field `verdicts` is a list of objects (`append` adds an object or a list of them), but this writes a string: the result of this `model` node"]);
    expect(errs("output { ok: boolean } writes names")).toEqual(["field `names` is a list of strings (`append` adds a string or a list of them), but this writes a record: the result of this `model` node"]);
    expect(errs("output Verdict writes verdicts")).toEqual([]);
    expect(errs("writes names")).toEqual([]);
  });

  it("inline agents: names and functions are checked, state is not", () => {
    const src = 'agent r { model "m" prompt "{{ inptu.q }} {{ state.anything }} {{ lenn(input.q) }}" } graph g { start a node a { kind subagent agent "r" input { q: "x" } next END } }';
    expect(compile(src).diagnostics.filter((d) => d.severity === "error").map((d) => d.code)).toEqual(["E-rag-unknown-name", "E-rag-unknown-function"]);
  });

  it("a string literal is typed as itself (enums compare against it either way round) and reads as \"a string\" in messages", () => {
    const msg = (node: string) => diags(node).map((d) => d.message);
    expect(msg('node a { kind router routes { when "dne" == state.status -> END else -> END } }')).toEqual(['"dne" is not one of "open", "done", so this is always false']);
    // Two literals, a literal inside a list: not an enum, so nothing is "always false".
    expect(msg('node a { kind router routes { when "a" == "b" -> END when ["a", "b"][0] == "b" -> END else -> END } }')).toEqual([]);
    expect(msg('node a { kind set set { count: -"x" } next END }')).toEqual(["`-` needs a number, not a string"]);
  });
});
