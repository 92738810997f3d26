/**
 * What the plan report shows, independent of its format. `buildReport` (from the engine's plan)
 * fills it; the text, Markdown, HTML and JSON renderers only lay it out. It never holds a secret:
 * parameter values come from the plan, where secrets are references or digests.
 */
import type { Finding } from '../../manifest/findings';

export type PolicyAction = 'create' | 'update' | 'adopt' | 'delete' | 'none';
export type StackSetAction = 'create' | 'update' | 'adopt' | 'instances' | 'delete' | 'none' | 'blocked';

export interface PolicyChange {
  readonly name: string;
  /** `SCP` or `RCP`. */
  readonly type: string;
  readonly action: PolicyAction;
  /** True when this installation adopts the policy (tags an untagged one of the same name). */
  readonly adopted?: boolean;
  /** Unified diff of the (pretty-printed) policy document, when content changes. */
  readonly contentDiff?: string;
  readonly descriptionChange?: { readonly before?: string; readonly after?: string };
  /** Target labels (`Workloads (ou-ab12-...)`, `Root`, `111111111111 (prod)`). */
  readonly attach: readonly string[];
  readonly detach: readonly string[];
}

export interface InstanceGroup {
  readonly region: string;
  readonly accounts: readonly string[];
}

export interface ParameterChangeView {
  readonly key: string;
  /** Display values: literal text, `(secret)`, or `(known after apply)`. Absent: not set. */
  readonly before?: string;
  readonly after?: string;
}

export interface StackSetChange {
  readonly resource: string;
  readonly stackSetName: string;
  readonly action: StackSetAction;
  /** Why it changes: template, parameters, tags, adoption... */
  readonly reasons: readonly string[];
  readonly templateDiff?: string;
  readonly parameterChanges: readonly ParameterChangeView[];
  readonly create: readonly InstanceGroup[];
  readonly update: readonly InstanceGroup[];
  readonly delete: readonly InstanceGroup[];
  readonly knownAfterApply: readonly string[];
}

/** A manifest resource the plan leaves out because of an error, and the first such error. */
export interface NotPlanned {
  readonly resource: string;
  readonly ruleId: string;
  readonly reason: string;
}

export interface GraphNode {
  readonly id: string;
  readonly action: StackSetAction;
}

export interface ReportModel {
  readonly title: string;
  /** Short ids of what the plan was computed from. */
  readonly inputs: Readonly<Record<string, string>>;
  readonly summary: {
    /**
     * Each policy counts once, under its action: `update` includes the policies adopted and
     * updated (`adoptedUpdates` of them); `adopt` counts policies only adopted (tagged, unchanged).
     */
    readonly policies: Readonly<
      Record<'create' | 'update' | 'adopt' | 'adoptedUpdates' | 'delete' | 'attach' | 'detach', number>
    >;
    readonly stackSets: Readonly<Record<'create' | 'update' | 'delete', number>>;
    readonly instances: Readonly<Record<'create' | 'update' | 'delete', number>>;
    readonly findings: Readonly<Record<'error' | 'warning' | 'info', number>>;
    /** Organization-wide changes (policy types to enable on the root). */
    readonly organization: number;
    /** Deletions, detachments and instance removals. */
    readonly destructive: number;
  };
  /** Organization-wide changes, one line each: `enable RCPs on the root r-ab12`. */
  readonly organization: readonly string[];
  /** Set when the plan has errors: it does not cover everything the package asks for. */
  readonly incomplete?: {
    readonly errors: number;
    /** Resources the errors are about; errors about no resource count in `errors` only. */
    readonly notPlanned: readonly NotPlanned[];
  };
  readonly policies: readonly PolicyChange[];
  readonly stackSets: readonly StackSetChange[];
  readonly findings: readonly Finding[];
  readonly graph: { readonly nodes: readonly GraphNode[]; readonly edges: readonly { from: string; to: string }[] };
  /** True when applying the plan changes nothing. */
  readonly empty: boolean;
}

/** True when the policy change deletes or detaches. */
export function isDestructivePolicy(p: PolicyChange): boolean {
  return p.action === 'delete' || p.detach.length > 0;
}

/** True when the stack set change deletes the stack set or some of its instances. */
export function isDestructiveStackSet(s: StackSetChange): boolean {
  return s.action === 'delete' || s.delete.length > 0;
}

/** Number of instances in groups. */
export function instanceCount(groups: readonly InstanceGroup[]): number {
  return groups.reduce((n, g) => n + g.accounts.length, 0);
}
