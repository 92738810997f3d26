/**
 * Desired state of each stack set resource: its template (from the package, or fetched from S3),
 * parsed and normalised, and its targets resolved against the organization.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { parseTemplate, TEMPLATE_MAX_BYTES } from '../../manifest/template';
import type { OrganizationIndex } from '../organization/organization-index';
import type { Clock } from '../retry';
import { engineFinding } from '../rules';
import type { StackSetClients } from './clients';
import { retryThrottled } from '../retry';
import { INLINE_TEMPLATE_LIMIT_BYTES } from './settings';
import type { StackSetSnapshot } from './snapshot';
import type { StackSetStep } from './steps';
import { resolveStackSetTargets, type ResolvedStackSetTargets } from './targets';
import { normaliseTemplate, type NormalisedTemplate } from './template';
import type { Finding } from '../../manifest/findings';
import { isStackSet } from '../../manifest/model';
import type { FileReference, Manifest, PackageFiles, StackSetResource } from '../../manifest/model';

/** A manifest resource with what planning needs beside it. */
export interface DesiredStackSet {
  readonly resource: StackSetResource;
  /** The template text (as it will be sent) and its parsed facts. */
  readonly template: { readonly text: string; readonly normalised: NormalisedTemplate; readonly url?: string };
  readonly targets: ResolvedStackSetTargets;
}

/** Reads a resource's template text; remote templates through S3. */
export type TemplateReader = (reference: FileReference) => Promise<string | undefined>;

/** Thrown by a template reader that reads the package only (an offline plan) for a remote template. */
export class NotReadOfflineError extends Error {
  constructor(reference: string) {
    super(`${reference} is outside the package and was not read offline`);
    this.name = 'NotReadOfflineError';
  }
}

/** A template reader over the package's files and S3 (`s3://` and S3 `https://` URLs). */
export function templateReader(
  files: PackageFiles,
  clients: StackSetClients,
  homeRegion: string,
  clock: Clock,
): TemplateReader {
  return async (reference) => {
    if (reference.kind === 'local') return reference.path ? files.read(reference.path)?.toString('utf8') : undefined;
    if (!reference.bucket || !reference.key) return undefined;
    const object = await retryThrottled(
      () => clients.s3(homeRegion).send(new GetObjectCommand({ Bucket: reference.bucket, Key: reference.key })),
      clock,
    );
    return object.Body?.transformToString('utf8');
  };
}

/** Builds the desired state of every stack set resource; a resource whose template cannot be read or parsed gets a finding instead. */
export async function desiredStackSets(
  manifest: Manifest,
  readTemplate: TemplateReader,
  index: OrganizationIndex,
  snapshot: Pick<StackSetSnapshot, 'baselineAccounts' | 'enrolledOus'>,
): Promise<{ desired: DesiredStackSet[]; findings: Finding[] }> {
  const desired: DesiredStackSet[] = [];
  const findings: Finding[] = [];
  for (const resource of manifest.resources.filter(isStackSet)) {
    const text = await readOrReport(resource, readTemplate, findings);
    if (text === undefined) continue;
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > TEMPLATE_MAX_BYTES) {
      findings.push(
        engineFinding('CFCT-K082', {
          message: `the template ${resource.resourceFile.raw} of ${resource.name} is ${bytes} bytes; CloudFormation accepts at most ${TEMPLATE_MAX_BYTES}, so the stack set was not planned`,
          location: resource.resourceFile.location,
          hint: 'split the template into nested stacks or trim it',
          resource: resource.name,
        }),
      );
      continue;
    }
    const parsed = parseTemplate(text, resource.resourceFile.path ?? resource.resourceFile.raw);
    findings.push(...parsed.findings.map((f) => ({ ...f, resource: resource.name })));
    if (parsed.value === undefined) continue;
    desired.push({
      resource,
      template: { text, normalised: normaliseTemplate(parsed.value) },
      targets: resolveStackSetTargets(index, resource, {
        ...(snapshot.baselineAccounts ? { baselineStackSetAccounts: snapshot.baselineAccounts } : {}),
        ...(snapshot.enrolledOus ? { enrolledOus: snapshot.enrolledOus } : {}),
        ...(manifest.rootAccounts ? { rootAccounts: manifest.rootAccounts } : {}),
      }),
    });
  }
  return { desired, findings };
}

async function readOrReport(
  resource: StackSetResource,
  readTemplate: TemplateReader,
  findings: Finding[],
): Promise<string | undefined> {
  let text: string | undefined;
  let reason = resource.resourceFile.kind === 'local' ? 'it is not in the package' : 'it does not exist';
  let hint =
    resource.resourceFile.kind === 'local'
      ? 'check the resource_file path (relative to the package root)'
      : 'check the resource_file URL, and that the bucket grants the management account s3:GetObject';
  try {
    text = await readTemplate(resource.resourceFile);
  } catch (error) {
    if (error instanceof NotReadOfflineError) {
      reason = 'not read offline';
      hint = 'plan with --live to read remote templates from S3';
    } else {
      reason = `${(error as Error).name}: ${(error as Error).message}`;
    }
  }
  if (text === undefined) {
    findings.push(
      engineFinding('CFCT-K050', {
        message: `the template ${resource.resourceFile.raw} of ${resource.name} cannot be read: ${reason}; the stack set was not planned`,
        ...(resource.resourceFile.location ? { location: resource.resourceFile.location } : {}),
        hint,
        resource: resource.name,
      }),
    );
  }
  return text;
}

/**
 * A template over the inline limit that a step would send, with no staging bucket to put it in:
 * one error per stack set (CFCT-K081), at plan time rather than a failed step at apply time.
 */
export function unstagedTemplateFindings(
  steps: readonly StackSetStep[],
  stagingBucket: string | undefined,
  desired: readonly DesiredStackSet[],
): Finding[] {
  if (stagingBucket) return [];
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const step of steps) {
    if (step.kind !== 'stackset.create' && step.kind !== 'stackset.update') continue;
    const { template } = step.definition;
    if (template.bytes <= INLINE_TEMPLATE_LIMIT_BYTES || template.url !== undefined || seen.has(step.resource)) {
      continue;
    }
    seen.add(step.resource);
    const resource = desired.find((d) => d.resource.name === step.resource)?.resource;
    const action = step.kind === 'stackset.create' ? 'created' : 'updated';
    findings.push(
      engineFinding('CFCT-K081', {
        message: `the template of ${step.resource} is ${template.bytes} bytes, over the ${INLINE_TEMPLATE_LIMIT_BYTES} bytes CloudFormation accepts inline, and no staging bucket is configured, so ${step.stackSetName} cannot be ${action}`,
        location: resource?.resourceFile.location,
        hint: "give a staging bucket (cfct plan/apply --staging-bucket, or the pipeline's configuration bucket) or shrink the template below 51,200 bytes",
        resource: step.resource,
      }),
    );
  }
  return findings;
}
