/**
 * The conversation of `rag author` (issue 15 §4): the system prompt (the grammar card
 * with the registry's signatures, `rag spec --config`), the task, and the repair
 * messages that carry `rag check` diagnostics and `rag simulate` failures back; and the
 * extraction of the `.rag` source from a model's reply.
 */
import { signatureSection, type RegistrySnapshot } from "../compiler/index.js";
import { GRAMMAR_CARD } from "../grammar/index.js";
import { fencedBlocks } from "../repl/fences.js";

/** The system prompt: what to write, the card, and what the registry grants. */
export function authorSystemPrompt(snapshot: RegistrySnapshot): string {
  return [
    "You write workflow files in the .rag language for the ragraph toolchain.",
    "Reply with exactly one complete .rag file in a ```rag fenced block and nothing else: no explanations.",
    "Use only the models, tools, agents, graphs and route functions listed under \"What you may use\", with the arguments and fields their signatures give.",
    "You may state what every run must satisfy with `// rag:assert approval [\"tool\", …]` (each call of these tools runs only after a person approved that call) and `// rag:assert ends_within N` (every path the graph controls ends within N supersteps); `rag simulate` checks them.",
    "",
    GRAMMAR_CARD,
    signatureSection(snapshot),
  ].join("\n");
}

/** The first user message. */
export function authorTaskPrompt(task: string): string {
  return `Task: ${task}\n\nWrite the .rag file for this task.`;
}

/**
 * A repair message: what `rag check` (or `rag simulate`) reported about the last file;
 * `warnings` (rendered `rag check` warnings, may be empty) ride along with simulate's problems.
 */
export function repairPrompt(what: "check" | "simulate", report: string, warnings = ""): string {
  const head = what === "check" ? "`rag check` reports errors in your file:" : "The file compiles, but `rag simulate` (every path explored with generated results, no real calls) found problems:";
  const also = what === "simulate" && warnings ? `\n\n\`rag check\` also warns:\n\n${warnings}` : "";
  return `${head}\n\n${report}${also}\n\nReply with the whole corrected file in one \`\`\`rag fenced block.`;
}

/** The one message that carries `rag check`'s warnings about a file that compiles and simulates clean. */
export function warningsPrompt(warnings: string): string {
  return `The file compiles and \`rag simulate\` finds no problem, but \`rag check\` warns — each warning is usually a workflow that does not do what the task asks:\n\n${warnings}\n\nFix what is a mistake and reply with the whole file in one \`\`\`rag fenced block (reply with it unchanged if every warning is intended).`;
}

/** The `.rag` source of a reply: the last ```rag (or unlabelled) fenced block, else the whole reply. */
export function extractSource(reply: string): string {
  // One pass (`fencedBlocks`): the regular expression used before was quadratic on a reply of many unclosed fences.
  const blocks = fencedBlocks(reply).map((b) => ({ label: /^[A-Za-z-]*/.exec(b.info)![0], body: b.body }));
  const rag = blocks.filter((b) => b.label === "rag" || b.label === "");
  const pick = (rag.length ? rag : blocks).at(-1);
  const text = pick ? pick.body : reply;
  return text.trim() + "\n";
}

/** `source` without `// rag:generated-by` lines (the author loop writes its own). */
export function withoutProvenancePragma(source: string): string {
  return source.split("\n").filter((l) => !/^\s*\/\/\s*rag:generated-by\b/.test(l)).join("\n").replace(/^\n+/, "");
}
