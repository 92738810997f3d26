/**
 * Applies SCP/RCP plan steps, one at a time. Organizations writes from one executor are
 * serialised (the API throws ConcurrentModificationException under parallel writes);
 * throttling and conflicts are retried with backoff and jitter through the injected clock.
 * Every step is idempotent: "already attached", "not attached", "already enabled" and "already
 * deleted" count as done, so re-running a plan after a crash converges.
 */
import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DeletePolicyCommand,
  DetachPolicyCommand,
  EnablePolicyTypeCommand,
  ListRootsCommand,
  OrganizationsClient,
  paginateListPolicies,
  paginateListTagsForResource,
  TagResourceCommand,
  UpdatePolicyCommand,
} from '@aws-sdk/client-organizations';
import type { AwsClients } from '../../aws/clients';
import { INSTALLATION_TAG } from '../plan';
import { Clock, errorName, withRetry } from '../retry';
import type { PolicyRef, PolicyStep } from './steps';

/** Errors worth another attempt: throttling, conflicting writes, and what Organizations says to try again later. */
const RETRYABLE = new Set([
  'TooManyRequestsException',
  'ConcurrentModificationException',
  'PolicyChangesInProgressException',
  'ServiceException',
  'ThrottlingException',
]);

/** Errors that mean the step's effect is already there, per step kind. */
const ALREADY_DONE: Readonly<Record<PolicyStep['kind'], readonly string[]>> = {
  'policy.enable-type': ['PolicyTypeAlreadyEnabledException'],
  'policy.create': [],
  'policy.update': [],
  'policy.tag': [],
  'policy.attach': ['DuplicatePolicyAttachmentException'],
  'policy.detach': ['PolicyNotAttachedException', 'PolicyNotFoundException'],
  'policy.delete': ['PolicyNotFoundException'],
};

/** What an executor needs. */
export interface PolicyExecutorOptions {
  readonly clients: AwsClients;
  readonly installationId: string;
  readonly clock: Clock;
  /** Jitter source in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** Attempts per API call on throttling/conflicts. @default 8 */
  readonly maxAttempts?: number;
  /**
   * EnablePolicyType is asynchronous (the root reports PENDING_ENABLE first): how long the
   * enable step waits for ENABLED before it fails, polling ListRoots through the clock.
   * @default 120000
   */
  readonly enableTimeoutMs?: number;
}

/** First wait between ListRoots reads while a policy type is PENDING_ENABLE; doubles up to 10 s. */
const ENABLE_POLL_MS = 1000;

/** The result of one step. */
export interface StepOutcome {
  readonly stepId: string;
  readonly kind: PolicyStep['kind'];
  /** `applied`: the call changed something; `already-done`: AWS already had the step's effect. */
  readonly outcome: 'applied' | 'already-done';
  /** The policy the step acted on, when there is one. */
  readonly policyId?: string;
}

/** Applies policy steps; create one per run (it caches the ids of policies it finds or creates). */
export interface PolicyExecutor {
  apply(step: PolicyStep): Promise<StepOutcome>;
}

const queues = new WeakMap<OrganizationsClient, Promise<unknown>>();

/** Runs `write` after every earlier write on the same client has finished. */
function serialised<T>(client: OrganizationsClient, write: () => Promise<T>): Promise<T> {
  const previous = queues.get(client) ?? Promise.resolve();
  const next = previous.then(write, write);
  queues.set(
    client,
    next.catch(() => undefined),
  );
  return next;
}

/** Creates an executor. */
export function createPolicyExecutor(options: PolicyExecutorOptions): PolicyExecutor {
  const client = options.clients.organizations();
  const ids = new Map<string, string>();
  const retry = <T>(call: () => Promise<T>) =>
    withRetry(call, {
      clock: options.clock,
      random: options.random,
      maxAttempts: options.maxAttempts,
      retryable: (e) => RETRYABLE.has(errorName(e) ?? ''),
    });
  const write = <T>(call: () => Promise<T>) => serialised(client, () => retry(call));

  const findByName = async (ref: PolicyRef): Promise<string | undefined> => {
    const key = `${ref.type}:${ref.name}`;
    if (ref.id) return ref.id;
    if (ids.has(key)) return ids.get(key);
    const id = await retry(async () => {
      for await (const page of paginateListPolicies({ client, pageSize: 20 }, { Filter: ref.type })) {
        const match = page.Policies?.find((p) => p.Name === ref.name);
        if (match) return match.Id;
      }
      return undefined;
    });
    if (id) ids.set(key, id);
    return id;
  };
  const requireId = async (ref: PolicyRef): Promise<string> => {
    const id = await findByName(ref);
    if (!id) throw new Error(`${ref.type} "${ref.name}" does not exist; its create step has not been applied`);
    return id;
  };
  const tolerate = async (step: PolicyStep, call: () => Promise<unknown>): Promise<'applied' | 'already-done'> => {
    try {
      await write(call);
      return 'applied';
    } catch (error) {
      if (ALREADY_DONE[step.kind].includes(errorName(error) ?? '')) return 'already-done';
      throw error;
    }
  };

  const applyStep = async (step: PolicyStep): Promise<Omit<StepOutcome, 'stepId' | 'kind'>> => {
    switch (step.kind) {
      case 'policy.enable-type': {
        let status: string | undefined;
        const outcome = await tolerate(step, async () => {
          const enabled = await client.send(
            new EnablePolicyTypeCommand({ RootId: step.rootId, PolicyType: step.policyType }),
          );
          status = enabled.Root?.PolicyTypes?.find((t) => t.Type === step.policyType)?.Status;
        });
        // Already enabled may still mean PENDING_ENABLE (an earlier, interrupted run): wait either way.
        if (status !== 'ENABLED') await waitUntilEnabled(step.rootId, step.policyType);
        return { outcome };
      }
      case 'policy.create':
        return createPolicy(step);
      case 'policy.update':
        await write(() =>
          client.send(
            new UpdatePolicyCommand({ PolicyId: step.policy.id, Content: step.content, Description: step.description }),
          ),
        );
        return { outcome: 'applied', policyId: step.policy.id };
      case 'policy.tag':
        await write(() =>
          client.send(new TagResourceCommand({ ResourceId: step.policy.id, Tags: tagList(step.tags) })),
        );
        return { outcome: 'applied', policyId: step.policy.id };
      case 'policy.attach':
      case 'policy.detach': {
        const policyId = await requireId(step.policy);
        const input = { PolicyId: policyId, TargetId: step.targetId };
        const outcome = await tolerate(step, () =>
          client.send(step.kind === 'policy.attach' ? new AttachPolicyCommand(input) : new DetachPolicyCommand(input)),
        );
        return { outcome, policyId };
      }
      case 'policy.delete':
        return {
          outcome: await tolerate(step, () => client.send(new DeletePolicyCommand({ PolicyId: step.policy.id }))),
          policyId: step.policy.id,
        };
    }
  };

  /**
   * Polls ListRoots until the root reports the type ENABLED, so creates and attaches that follow
   * find it usable; fails after `enableTimeoutMs` with the status last seen.
   */
  const waitUntilEnabled = async (rootId: string, type: string): Promise<void> => {
    const deadline = options.clock.now() + (options.enableTimeoutMs ?? 120_000);
    let delay = ENABLE_POLL_MS;
    for (;;) {
      const roots = await retry(() => client.send(new ListRootsCommand({})));
      const root = roots.Roots?.find((r) => r.Id === rootId);
      const status = root?.PolicyTypes?.find((t) => t.Type === type)?.Status;
      if (status === 'ENABLED') return;
      if (options.clock.now() + delay > deadline) {
        const seen = status ?? 'not enabled';
        const seconds = Math.round((options.enableTimeoutMs ?? 120_000) / 1000);
        throw new PolicyTypeNotEnabledError(
          `${type} is still ${seen} on the root ${rootId} after ${seconds} s; run again once ListRoots reports it ENABLED`,
        );
      }
      await options.clock.sleep(delay);
      delay = Math.min(delay * 2, 10_000);
    }
  };

  /** CreatePolicy; when the policy already exists and is ours (a re-run), bring it up to date instead. */
  const createPolicy = async (step: Extract<PolicyStep, { kind: 'policy.create' }>) => {
    const key = `${step.policy.type}:${step.policy.name}`;
    try {
      const created = await write(() =>
        client.send(
          new CreatePolicyCommand({
            Name: step.policy.name,
            Type: step.policy.type,
            Description: step.description,
            Content: step.content,
            Tags: tagList(step.tags),
          }),
        ),
      );
      const policyId = created.Policy?.PolicySummary?.Id;
      if (policyId) ids.set(key, policyId);
      return { outcome: 'applied' as const, policyId };
    } catch (error) {
      if (errorName(error) !== 'DuplicatePolicyException') throw error;
      const policyId = await requireId(step.policy);
      const owner = await retry(async () => {
        for await (const page of paginateListTagsForResource({ client }, { ResourceId: policyId })) {
          const tag = page.Tags?.find((t) => t.Key === INSTALLATION_TAG);
          if (tag) return tag.Value;
        }
        return undefined;
      });
      if (owner !== options.installationId) {
        throw new Error(
          `${step.policy.type} "${step.policy.name}" (${policyId}) already exists and is not owned by installation "${options.installationId}"`,
        );
      }
      await write(() =>
        client.send(
          new UpdatePolicyCommand({ PolicyId: policyId, Content: step.content, Description: step.description }),
        ),
      );
      return { outcome: 'already-done' as const, policyId };
    }
  };

  return {
    apply: async (step) => ({ stepId: step.id, kind: step.kind, ...(await applyStep(step)) }),
  };
}

/** The enable step waited for ENABLED longer than allowed. */
export class PolicyTypeNotEnabledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyTypeNotEnabledError';
  }
}

function tagList(tags: Readonly<Record<string, string>>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}
