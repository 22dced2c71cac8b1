/** The standard node kinds (`language.md` §2.4) by canonical name. */
import type { NodeKindImplementation } from "../../registry/index.js";
import { agentKind } from "./agent.js";
import { interruptKind } from "./interrupt.js";
import { modelKind } from "./model.js";
import { joinKind, routerKind, setKind, toolKind } from "./simple.js";
import { subagentKind } from "./subagent.js";
import { subgraphKind } from "./subgraph.js";
import { toolExecutorKind } from "./tool-executor.js";

export const STANDARD_KINDS: Readonly<Record<string, NodeKindImplementation>> = {
  model: modelKind,
  agent: agentKind,
  tool_executor: toolExecutorKind,
  tool: toolKind,
  router: routerKind,
  set: setKind,
  join: joinKind,
  subagent: subagentKind,
  subgraph: subgraphKind,
  interrupt: interruptKind,
};
