/**
 * What happens when a stack set's turn comes during apply: generated helper values are created
 * and stored (passwords, key pairs, availability zones), a large template is staged in S3, and
 * the stack set is re-planned from fresh state, so values exported by earlier stack sets and
 * just-generated secrets are known. Secrets are written to SSM and referenced, never returned.
 */
import { randomInt } from 'node:crypto';
import {
  CreateKeyPairCommand,
  DescribeAvailabilityZonesCommand,
  DescribeKeyPairsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetParametersCommand, ParameterAlreadyExists, PutParameterCommand } from '@aws-sdk/client-ssm';
import type { DesiredStackSet } from './desired';
import type { StackSetExecutorOptions } from './executor';
import { ensureFingerprinter, readStackSetRecords } from './fingerprint';
import { parseParameterValue, STORAGE_MARKERS } from './parameter-helpers';
import { storageName } from './parameters';
import { ssmView } from './plan-manifest';
import { planStackSetResource, StackSetResourcePlan, unplannedResource } from './plan-resource';
import { INLINE_TEMPLATE_LIMIT_BYTES, s3ObjectUrl, stackSetNameFor } from './settings';
import { readSsmValues, readStackSet, ssmNamesOf } from './snapshot';
import type { Finding } from '../../manifest/findings';
import type { ParameterEntry } from '../../manifest/model';
import type { AccountState } from '../organization/snapshot';
import { describeError, errorName, isThrottling, retryThrottled } from '../retry';
import { engineFinding } from '../rules';

const PASSWORD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Inputs of `prepareStackSet`: the executor's options, and the accounts' states. */
export interface PrepareContext extends StackSetExecutorOptions {
  readonly accountState: (accountId: string) => AccountState | undefined;
}

/**
 * Generates missing helper values, stages a large template, and re-plans the stack set from fresh
 * state. An AWS error on the way is a CFCT-K061 finding of a plan with no steps, never an
 * exception; only throttling the retries could not absorb is thrown.
 */
export async function prepareStackSet(
  desired: DesiredStackSet,
  context: PrepareContext,
): Promise<StackSetResourcePlan> {
  try {
    return await prepareUnsafe(desired, context);
  } catch (error) {
    if (isThrottling(error)) throw error;
    const { name, message: reason } = describeError(error);
    const stackSetName = stackSetNameFor(desired.resource, context.settings);
    return unplannedResource(desired.resource, context.settings, [
      engineFinding('CFCT-K061', {
        message: `preparing ${stackSetName} met ${name}: ${reason}; nothing was changed on the stack set`,
        resource: desired.resource.name,
        ...(desired.resource.location ? { location: desired.resource.location } : {}),
        hint: 'fix the cause the error names (permissions, a missing bucket or parameter), then run again',
      }),
    ]);
  }
}

async function prepareUnsafe(desired: DesiredStackSet, context: PrepareContext): Promise<StackSetResourcePlan> {
  const findings = await generateHelperValues(desired, context);
  const template = await stageLargeTemplate(desired, context);
  const name = stackSetNameFor(desired.resource, context.settings);
  const fingerprinter = await ensureFingerprinter(
    context.clients,
    context.homeRegion,
    context.settings.secretsKmsKeyId,
    context.clock,
  );
  const secrets = new Set<string>();
  const ssm = await readSsmValues(
    context.clients,
    context.homeRegion,
    ssmNamesOf([desired.resource]),
    context.clock,
    fingerprinter,
    secrets,
  );
  const record = (await readStackSetRecords(context.clients, context.homeRegion, [name], context.clock))[name];
  const actual = await readStackSet(
    context.clients,
    context.homeRegion,
    name,
    { secrets, fingerprinter, record },
    context.clock,
  );
  const plan = planStackSetResource(
    { ...desired, template },
    {
      settings: context.settings,
      stackSets: actual ? { [name]: actual } : {},
      accountState: context.accountState,
      ssm: ssmView(ssm),
      fingerprinter,
    },
  );
  return { ...plan, findings: [...findings, ...plan.findings] };
}

/**
 * Creates the values of `$[alfred_genpass_N]`, `$[alfred_genkeypair]` and `$[alfred_genaz_N]`
 * that are not stored yet, in their sibling `ssm_parameters` (reused when present, as upstream).
 * Key pairs and zones come from the first target account and region, through the execution role.
 */
export async function generateHelperValues(
  desired: DesiredStackSet,
  context: StackSetExecutorOptions,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const entry of desired.resource.parameters) {
    for (const token of parseParameterValue(entry.value)) {
      if (token.kind !== 'genpass' && token.kind !== 'genkeypair' && token.kind !== 'genaz') continue;
      const marker =
        token.kind === 'genpass'
          ? STORAGE_MARKERS.password
          : token.kind === 'genkeypair'
            ? STORAGE_MARKERS.keyName
            : STORAGE_MARKERS.az;
      const name = storageName(entry, marker);
      if (!name) continue; // planning reports the missing storage name (CFCT-K011)
      if (await ssmExists(name, context)) continue;
      if (token.kind === 'genpass') {
        await putSsm(name, generatePassword(token.length), 'SecureString', context);
        continue;
      }
      const [account] = desired.targets.accounts;
      const [region] = desired.resource.regions;
      if (!account || !region) {
        const what = token.kind === 'genaz' ? 'availability zones' : 'key pair';
        findings.push(
          engineFinding('CFCT-K012', {
            message: `parameter ${entry.key} needs a target account and region to create its ${what} in, and the resource has none`,
            resource: desired.resource.name,
            ...(entry.location ? { location: entry.location } : {}),
          }),
        );
        continue;
      }
      const ec2 = await context.clients.ec2InAccount(account, region, context.settings.executionRoleName);
      if (token.kind === 'genkeypair') {
        const keyName = `${stackSetNameFor(desired.resource, context.settings)}-${entry.key}`.slice(0, 255);
        const lost = await generateKeyPair(
          ec2,
          { entry, keyName, nameStorage: name, account, region, resource: desired.resource.name },
          context,
        );
        if (lost) findings.push(lost);
      } else {
        const zones = await retryThrottled(() => ec2.send(new DescribeAvailabilityZonesCommand({})), context.clock);
        const available = (zones.AvailabilityZones ?? [])
          .filter((z) => z.State === 'available' && (z.ZoneType ?? 'availability-zone') === 'availability-zone')
          .map((z) => z.ZoneName!)
          .sort();
        if (available.length < token.count) {
          findings.push(
            engineFinding('CFCT-K013', {
              message: `parameter ${entry.key} asks for ${token.count} availability zones, but ${region} has ${available.length} available in account ${account}`,
              resource: desired.resource.name,
              ...(entry.location ? { location: entry.location } : {}),
            }),
          );
          continue;
        }
        await putSsm(name, available.slice(0, token.count).join(','), 'String', context);
      }
    }
  }
  return findings;
}

/**
 * `$[alfred_genkeypair]`: creates the key pair and stores, in this order, its private key
 * (`$[keymaterial]`, SecureString), its fingerprint and its name (`$[keyname]`, the mark that the
 * helper is done). A run interrupted after CreateKeyPair finds the key pair on the next run
 * (InvalidKeyPair.Duplicate) and resumes: with the private key stored, or none asked for, it
 * stores what is missing; when the private key was asked for and never stored, EC2 cannot give it
 * again, so it stores nothing and returns an error finding that says how to recover.
 */
async function generateKeyPair(
  ec2: EC2Client,
  key: {
    entry: ParameterEntry;
    keyName: string;
    nameStorage: string;
    account: string;
    region: string;
    resource: string;
  },
  context: StackSetExecutorOptions,
): Promise<Finding | undefined> {
  const { entry, keyName } = key;
  let created;
  try {
    created = await retryThrottled(() => ec2.send(new CreateKeyPairCommand({ KeyName: keyName })), context.clock);
  } catch (error) {
    if (errorName(error) !== 'InvalidKeyPair.Duplicate') throw error;
  }
  if (created) {
    await storeSibling(entry, STORAGE_MARKERS.keyMaterial, created.KeyMaterial, 'SecureString', context);
    await storeSibling(entry, STORAGE_MARKERS.keyFingerprint, created.KeyFingerprint, 'String', context);
    await putSsm(key.nameStorage, created.KeyName ?? keyName, 'String', context);
    return undefined;
  }
  const materialName = storageName(entry, STORAGE_MARKERS.keyMaterial);
  if (materialName && !(await ssmExists(materialName, context))) {
    return engineFinding('CFCT-K070', {
      message: `parameter ${entry.key}: key pair ${keyName} exists in account ${key.account} (${key.region}), but its private key was never stored in ${materialName} (an earlier run stopped after creating it), and EC2 returns a private key only when it creates the key pair`,
      hint: `delete the key pair (aws ec2 delete-key-pair --key-name ${keyName} --region ${key.region}, in account ${key.account}) and run again to create and store a new one; or, if you hold its private key, store it in ${materialName} as a SecureString`,
      resource: key.resource,
      ...(entry.location ? { location: entry.location } : {}),
    });
  }
  const described = await retryThrottled(
    () => ec2.send(new DescribeKeyPairsCommand({ KeyNames: [keyName] })),
    context.clock,
  );
  const pair = described.KeyPairs?.find((p) => p.KeyName === keyName);
  await storeSibling(entry, STORAGE_MARKERS.keyFingerprint, pair?.KeyFingerprint, 'String', context);
  await putSsm(key.nameStorage, keyName, 'String', context);
  return undefined;
}

/** A password of `length` letters and digits from a cryptographic source. */
export function generatePassword(length: number): string {
  let password = '';
  for (let i = 0; i < length; i++) password += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return password;
}

/** Puts a template over the inline limit in the staging bucket and returns the template with its URL. */
async function stageLargeTemplate(
  desired: DesiredStackSet,
  context: StackSetExecutorOptions,
): Promise<DesiredStackSet['template']> {
  const { template } = desired;
  if (Buffer.byteLength(template.text) <= INLINE_TEMPLATE_LIMIT_BYTES) return template;
  const bucket = context.settings.stagingBucket;
  if (!bucket) return template; // the step then fails with a message naming the missing bucket
  const key = `stacksets/${stackSetNameFor(desired.resource, context.settings)}/${template.normalised.hash}.template`;
  await retryThrottled(
    () =>
      context.clients.s3(context.homeRegion).send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: template.text,
          ContentType: 'application/octet-stream',
        }),
      ),
    context.clock,
  );
  return { ...template, url: s3ObjectUrl(bucket, context.homeRegion, key) };
}

async function ssmExists(name: string, context: StackSetExecutorOptions): Promise<boolean> {
  const read = await retryThrottled(
    () => context.clients.ssm(context.homeRegion).send(new GetParametersCommand({ Names: [name] })),
    context.clock,
  );
  return (read.Parameters ?? []).length > 0;
}

async function storeSibling(
  entry: ParameterEntry,
  marker: string,
  value: string | undefined,
  type: 'String' | 'SecureString',
  context: StackSetExecutorOptions,
): Promise<void> {
  const name = storageName(entry, marker);
  if (name && value) await putSsm(name, value, type, context);
}

async function putSsm(
  name: string,
  value: string,
  type: 'String' | 'SecureString',
  context: StackSetExecutorOptions,
): Promise<void> {
  const keyId =
    type === 'SecureString' && context.settings.secretsKmsKeyId ? { KeyId: context.settings.secretsKmsKeyId } : {};
  try {
    await retryThrottled(
      () =>
        context.clients.ssm(context.homeRegion).send(
          new PutParameterCommand({
            Name: name,
            Value: value,
            Type: type,
            Overwrite: false,
            ...keyId,
          }),
        ),
      context.clock,
    );
  } catch (error) {
    // Stored by an earlier, interrupted attempt: reuse it, as upstream does.
    if (!(error instanceof ParameterAlreadyExists)) throw error;
  }
}
