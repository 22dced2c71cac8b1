/**
 * A registered agent: a model with a system prompt and tools that runs its own tool
 * loop to a final answer, and the state channel its answer is written to.
 */
import type { z } from "zod";

export interface AgentDefinition {
  /** Registry model name. */
  readonly model: string;
  readonly system?: string;
  readonly tools?: readonly string[];
  /** State channel that receives the agent's answer when a node runs it. */
  readonly writes?: string;
  /** Bound on model turns. Default 8. */
  readonly maxSteps?: number;
  /**
   * What the agent receives (a node's `input { … }` map or a send's arguments); checked
   * by the compiler against mappings and validated before the agent runs. Absent = any.
   */
  readonly input?: z.ZodType;
  /** Structured output the agent must return. */
  readonly output?: z.ZodType;
  readonly description?: string;
}
