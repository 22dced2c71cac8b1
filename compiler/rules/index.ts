/**
 * The validation rules, in the order they run. Each rule lives in its own file.
 */
import { ChannelReducerRule } from "./ChannelReducerRule.js";
import { ExpressionRule } from "./ExpressionRule.js";
import { InterruptCheckpointRule } from "./InterruptCheckpointRule.js";
import { InterruptOptionRouteRule } from "./InterruptOptionRouteRule.js";
import { ItemUnusedRule } from "./ItemUnusedRule.js";
import { ApproveScriptRule } from "./ApproveScriptRule.js";
import { SendInputRule } from "./SendInputRule.js";
import { InputShapeRule } from "./InputShapeRule.js";
import { SendShapeRule } from "./SendShapeRule.js";
import { SendIntoRule } from "./SendIntoRule.js";
import { OutputFieldRule } from "./OutputFieldRule.js";
import { UnbackedOutputRule } from "./UnbackedOutputRule.js";
import { DisallowedCapabilityRule } from "./DisallowedCapabilityRule.js";
import { ModelCapabilityRule } from "./ModelCapabilityRule.js";
import { AttachCapabilityRule } from "./AttachCapabilityRule.js";
import { ConcurrentOverwriteRule } from "./ConcurrentOverwriteRule.js";
import { CycleWithoutExitRule } from "./CycleWithoutExitRule.js";
import { CounterNeverCountsRule } from "./CounterNeverCountsRule.js";
import { LoopExitNeverChangesRule } from "./LoopExitNeverChangesRule.js";
import { StateNeverWrittenRule } from "./StateNeverWrittenRule.js";
import { ToolLoopRule } from "./ToolLoopRule.js";
import { ApproveToolRule } from "./ApproveToolRule.js";
import { BudgetRule } from "./BudgetRule.js";
import { BudgetPriceRule } from "./BudgetPriceRule.js";
import { LimitCapRule } from "./LimitCapRule.js";
import { ImplicitEndRule } from "./ImplicitEndRule.js";
import { RoutesWithoutElseRule } from "./RoutesWithoutElseRule.js";
import { JoinNeverFiresRule } from "./JoinNeverFiresRule.js";
import { NoPathToEndRule } from "./NoPathToEndRule.js";
import { UnreachableNodeRule } from "./UnreachableNodeRule.js";
import { ConflictingRoutingRule } from "./ConflictingRoutingRule.js";
import { DuplicateDeclarationRule } from "./DuplicateDeclarationRule.js";
import { DuplicateFieldRule } from "./DuplicateFieldRule.js";
import { ReservedFieldRule } from "./ReservedFieldRule.js";
import { DuplicateGraphRule } from "./DuplicateGraphRule.js";
import { DuplicateItemRule } from "./DuplicateItemRule.js";
import { DuplicateNodeRule } from "./DuplicateNodeRule.js";
import { DuplicateRouteRule } from "./DuplicateRouteRule.js";
import { ItemValueRule } from "./ItemValueRule.js";
import { JoinRequiresSendRule } from "./JoinRequiresSendRule.js";
import { KnownAgentRule } from "./KnownAgentRule.js";
import { MissingBindingRule } from "./MissingBindingRule.js";
import { ReservedNameRule } from "./ReservedNameRule.js";
import { KnownGraphRule } from "./KnownGraphRule.js";
import { KnownModelRule } from "./KnownModelRule.js";
import { KnownReducerRule } from "./KnownReducerRule.js";
import { KnownRouteFunctionRule } from "./KnownRouteFunctionRule.js";
import { KnownScriptRule } from "./KnownScriptRule.js";
import { KnownToolRule } from "./KnownToolRule.js";
import { KnownTypeRule } from "./KnownTypeRule.js";
import { TypeConstraintRule } from "./TypeConstraintRule.js";
import { DefaultTypeRule } from "./DefaultTypeRule.js";
import { AttachRule } from "./AttachRule.js";
import { KnownValidatorRule } from "./KnownValidatorRule.js";
import { nodeLimitRule } from "./NodeLimitRule.js";
import { NodeKindRule } from "./NodeKindRule.js";
import { NodeTargetsRule } from "./NodeTargetsRule.js";
import type { Rule } from "./rule.js";
import { SendTargetRule } from "./SendTargetRule.js";
import { StartRule } from "./StartRule.js";
import { StartRoutesRule } from "./StartRoutesRule.js";
import { ParentGotoRule } from "./ParentGotoRule.js";
import { DeferRule } from "./DeferRule.js";
import { PersistentSubgraphRule } from "./PersistentSubgraphRule.js";
import { SubgraphResultRule } from "./SubgraphResultRule.js";
import { WriteTargetRule } from "./WriteTargetRule.js";

/** Every rule, given the node limit of the run. */
export function standardRules(nodesPerGraph: number): Rule[] {
  return [
    ReservedNameRule,
    DuplicateGraphRule,
    DuplicateDeclarationRule,
    DuplicateNodeRule,
    DuplicateFieldRule,
    ReservedFieldRule,
    DuplicateRouteRule,
    InterruptOptionRouteRule,
    DuplicateItemRule,
    nodeLimitRule(nodesPerGraph),
    StartRule,
    StartRoutesRule,
    NodeTargetsRule,
    ParentGotoRule,
    DeferRule,
    PersistentSubgraphRule,
    SendTargetRule,
    ConflictingRoutingRule,
    JoinRequiresSendRule,
    NodeKindRule,
    KnownModelRule,
    KnownToolRule,
    KnownAgentRule,
    MissingBindingRule,
    KnownGraphRule,
    KnownScriptRule,
    KnownRouteFunctionRule,
    KnownReducerRule,
    KnownValidatorRule,
    KnownTypeRule,
    TypeConstraintRule,
    DefaultTypeRule,
    AttachRule,
    WriteTargetRule,
    ItemValueRule,
    ChannelReducerRule,
    ItemUnusedRule,
    ApproveScriptRule,
    SendInputRule,
    InputShapeRule,
    SendShapeRule,
    SendIntoRule,
    OutputFieldRule,
    UnbackedOutputRule,
    InterruptCheckpointRule,
    ExpressionRule,
    SubgraphResultRule,
    ModelCapabilityRule,
    AttachCapabilityRule,
    DisallowedCapabilityRule,
    UnreachableNodeRule,
    ImplicitEndRule,
    RoutesWithoutElseRule,
    CycleWithoutExitRule,
    ToolLoopRule,
    ApproveToolRule,
    BudgetRule,
    BudgetPriceRule,
    LimitCapRule,
    CounterNeverCountsRule,
    LoopExitNeverChangesRule,
    StateNeverWrittenRule,
    NoPathToEndRule,
    JoinNeverFiresRule,
    ConcurrentOverwriteRule,
  ];
}

export { runRules, type Rule, type RuleContext, type RuleVisitor } from "./rule.js";
