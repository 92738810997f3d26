/**
 * CloudFormation `ValidateTemplate` on every stack set template of the package (local or remote),
 * as upstream's build stage does; its answer is a finding on the resource (CFCT-V001), and a
 * template it could not be asked about is a warning (CFCT-V002). Read-only.
 */
import { ValidateTemplateCommand } from '@aws-sdk/client-cloudformation';
import type { AwsClients } from '../aws/clients';
import type { Clock } from '../engine/retry';
import { retryThrottled } from '../engine/retry';
import { INLINE_TEMPLATE_LIMIT_BYTES, type TemplateReader } from '../engine/stacksets';
import type { Finding } from '../manifest/findings';
import type { Manifest } from '../manifest/model';
import { finding } from '../manifest/rules';

/** Asks CloudFormation to validate each distinct template once; findings go to each resource that uses it. */
export async function validateTemplatesLive(
  manifest: Manifest,
  readTemplate: TemplateReader,
  clients: Pick<AwsClients, 'cloudFormation'>,
  clock: Clock,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const answers = new Map<string, { error?: string; name?: string }>();
  for (const resource of manifest.resources) {
    if (resource.deployMethod !== 'stack_set') continue;
    const ref = resource.resourceFile;
    const location =
      ref.kind === 'local' && ref.path
        ? { file: ref.path }
        : (ref.location ?? resource.location ?? { file: 'manifest.yaml' });
    let answer = answers.get(ref.raw);
    if (!answer) {
      answer = {};
      try {
        const body = await readTemplate(ref);
        if (body === undefined) {
          answer = {}; // a missing template is already a package finding
        } else if (Buffer.byteLength(body) <= INLINE_TEMPLATE_LIMIT_BYTES) {
          await retryThrottled(
            () => clients.cloudFormation(manifest.region).send(new ValidateTemplateCommand({ TemplateBody: body })),
            clock,
          );
        }
      } catch (error) {
        const { name, message } = error as Error;
        answer = { error: message, name };
      }
      answers.set(ref.raw, answer);
    }
    if (answer.error === undefined) continue;
    if (answer.name === 'ValidationError') {
      findings.push(
        finding('CFCT-V001', {
          message: `CloudFormation ValidateTemplate rejects the template: ${answer.error}`,
          location,
          resource: resource.name,
          hint: 'fix the template; CloudFormation would refuse the stack set with the same message',
        }),
      );
    } else {
      findings.push(
        finding('CFCT-V002', {
          message: `the template could not be validated by CloudFormation (${answer.name}: ${answer.error})`,
          location,
          resource: resource.name,
          hint: 'check the build role can call cloudformation:ValidateTemplate and read the template',
        }),
      );
    }
  }
  return findings;
}
