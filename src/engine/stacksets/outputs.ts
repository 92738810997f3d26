/**
 * `export_outputs`: writes stack outputs to SSM (String) in the management account's home
 * region once a stack set has converged. Upstream's default reads the first target account and
 * region; a name holding `{account_id}` and/or `{region}` is written for every instance.
 */
import { DescribeStacksCommand, DescribeStackInstanceCommand } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand, ParameterNotFound, PutParameterCommand } from '@aws-sdk/client-ssm';
import { retryThrottled } from '../retry';
import type { DesiredStackSet } from './desired';
import type { StackSetExecutorOptions } from './executor';
import { crossPairs, Pair } from './pairs';
import { outputKeyOf } from './parameter-helpers';
import { stackSetNameFor } from './settings';

/** One SSM parameter written (or found up to date). */
export interface ExportedOutput {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly changed: boolean;
}

/** Thrown when an export cannot be resolved: an output the stack does not have. */
export class ExportError extends Error {}

/** Writes the resource's exports; returns what was written. Values are never logged. */
export async function exportOutputs(
  desired: DesiredStackSet,
  context: StackSetExecutorOptions,
): Promise<ExportedOutput[]> {
  const { resource, targets } = desired;
  const pairs = crossPairs(targets.accounts, resource.regions);
  const outputsCache = new Map<string, Record<string, string>>();
  const written: ExportedOutput[] = [];
  for (const exported of resource.exportOutputs) {
    const templated = /\{account_id\}|\{region\}/.test(exported.name);
    const where: Pair[] = templated ? pairs : pairs.slice(0, 1);
    for (const pair of where) {
      const key = outputKeyOf(exported.value);
      let value = exported.value;
      if (key !== undefined) {
        const outputs = await outputsOf(stackSetNameFor(resource, context.settings), pair, context, outputsCache);
        if (!(key in outputs)) {
          const present = Object.keys(outputs).join(', ') || 'none';
          throw new ExportError(
            `export ${exported.name}: the stack in ${pair.account}/${pair.region} has no output ${key} (outputs: ${present})`,
          );
        }
        value = outputs[key];
      }
      const name = exported.name.replace(/\{account_id\}/g, pair.account).replace(/\{region\}/g, pair.region);
      written.push({
        name,
        account: pair.account,
        region: pair.region,
        changed: await putIfChanged(name, value, context),
      });
    }
  }
  return written;
}

async function outputsOf(
  stackSetName: string,
  pair: Pair,
  context: StackSetExecutorOptions,
  cache: Map<string, Record<string, string>>,
): Promise<Record<string, string>> {
  const cacheKey = `${pair.account}/${pair.region}`;
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  const instance = await retryThrottled(
    () =>
      context.clients.cloudFormation(context.homeRegion).send(
        new DescribeStackInstanceCommand({
          StackSetName: stackSetName,
          StackInstanceAccount: pair.account,
          StackInstanceRegion: pair.region,
        }),
      ),
    context.clock,
  );
  const stackId = instance.StackInstance?.StackId;
  if (!stackId) throw new ExportError(`stack instance ${cacheKey} of ${stackSetName} has no stack`);
  const cfn = await context.clients.cloudFormationInAccount(
    pair.account,
    pair.region,
    context.settings.executionRoleName,
  );
  const described = await retryThrottled(
    () => cfn.send(new DescribeStacksCommand({ StackName: stackId })),
    context.clock,
  );
  const outputs = Object.fromEntries(
    (described.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue ?? '']),
  );
  cache.set(cacheKey, outputs);
  return outputs;
}

async function putIfChanged(name: string, value: string, context: StackSetExecutorOptions): Promise<boolean> {
  const ssm = context.clients.ssm(context.homeRegion);
  try {
    const current = await retryThrottled(() => ssm.send(new GetParameterCommand({ Name: name })), context.clock);
    if (current.Parameter?.Value === value) return false;
  } catch (error) {
    if (!(error instanceof ParameterNotFound)) throw error;
  }
  await retryThrottled(
    () => ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true })),
    context.clock,
  );
  return true;
}
