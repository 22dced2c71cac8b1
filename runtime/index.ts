/**
 * The runtime stage: channels and reducers, the superstep loop, send/join planning,
 * typed errors, events and streaming. It executes a Blueprint against a Registry and
 * cannot tell whether the blueprint came from `.rag` source or the builder API.
 */
export { CompiledGraph, type GraphOptions, type StreamOptions, type StreamMode } from "./graph.js";
export { durabilityOf } from "./run.js";
export { checkInput } from "./run-input.js";
export type { RunOptions, RunResult } from "./run-options.js";
export { newId } from "./ids.js";
export { isParentCommand, ParentCommand, type ParentCommandBody } from "./parent-command.js";
export { isInterrupt, chosenOption, answerInterrupts, checkResumeCommand, MAX_RESUME_BYTES, MAX_RESUME_DEPTH, type AnswerCheck, type ResumeCommand } from "./interrupt.js";
export { typedAnswerCheck, typedAnswer, type ResumeTypedGraph, type TypedAnswer } from "./resume-type.js";
export { getState, getStateHistory, fork, snapshot, finishedTasks, type StateSnapshot, type SnapshotGraph } from "./threads.js";
export { stepTasks, type StepTask, type StepTaskStatus } from "./step-tasks.js";
export { taskFacts, MAX_LISTED_CALLS, TaskUsageSchema, type TaskFacts, type TaskUsage, type ModelCallFact } from "./task-usage.js";
export { updateState, END_NODE, type UpdateStateOptions } from "./update-state.js";
export { getNestedState, getNestedHistory, updateNestedState, resolveNamespace, type SubgraphStateOptions, type NestedGraph, type ResolvedNamespace } from "./subgraph-state.js";
export { travelToSubgraph, type TravelResult, type TravelOptions } from "./subgraph-travel.js";
export { ancestryRefusal } from "./namespace-binding.js";
export { enclosingAsks } from "./branch-asks.js";
export { ModelAsks } from "./model-asks.js";
export { childNamespace, parentNamespace, parseNamespace, parseNamespacePath, formatNamespace, MAX_NAMESPACE_LENGTH, type NamespaceSegment, type NamespaceStep } from "./namespace.js";
export type { RunEvent, RunEventBody, RunEventType, EventIds, TaskRef } from "./events.js";
export {
  RagError,
  CompileError,
  BindError,
  PolicyError,
  CapabilityDeniedError,
  ReviewRequiredError,
  NodeError,
  InvalidUpdateError,
  InvalidConcurrentUpdateError,
  InvalidInputError,
  RecursionLimitError,
  SubgraphDepthError,
  ChildRunLimitError,
  DEFAULT_MAX_CHILD_RUNS,
  FanoutLimitError,
  MAX_SEND_PACKETS,
  STEP_SEND_PACKETS_FACTOR,
  MAX_SEND_PAYLOAD_BYTES,
  MAX_STATE_BYTES,
  StateSizeError,
  ConcurrentSubgraphError,
  DEFAULT_MAX_SUBGRAPH_DEPTH,
  InterruptError,
  CheckpointError,
  ThreadBusyError,
  NamespaceError,
  BlueprintMismatchError,
  InvalidResumeError,
  ResumeTooLargeError,
  CancelledError,
  ExpressionError,
  classifyError,
  errorToJson,
  type ErrorClass,
} from "./errors.js";
export { REDUCERS, type ChannelReducer, type Write } from "./channels/index.js";
export { ChannelTable, type PendingWrite, type State } from "./state.js";
export { evaluate, renderTemplate, toText, truthy, FUNCTION_ARITY, IMPLEMENTED_FUNCTIONS } from "./expr.js";
export { BoundedStream } from "./stream.js";
export { runBranchAt, isRemoteBranch, branchInterrupts, BranchError, type BranchRunOptions } from "./remote-branch.js";
export type { BranchRunner, BranchRef, BranchChildRun, BranchResult } from "./branch-runner.js";
export type { TaskRecord } from "./task-record.js";
export type { Clock } from "./task-env.js";
export { MAX_TOOL_CALLS_PER_REPLY } from "./node-task.js";
export * from "./checkpoint/index.js";
export { checkUntrustedValue, DEFAULT_JSON_DEPTH, FORBIDDEN_KEYS, jsonSizeAtMost, neutralizeJson, parseUntrustedJson, UnsafeJsonError, type SafeJsonOptions } from "./safe-json.js";
export { MAX_TIMER_MS } from "./timers.js";
