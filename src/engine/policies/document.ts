/**
 * Reads a policy resource's document from the package and minifies it for upload.
 */
import type { Finding } from '../../manifest/findings';
import type { PackageFiles, PolicyResource } from '../../manifest/model';
import { minifyPolicy, POLICY_MAX_CHARS } from '../../manifest/policy';
import { engineFinding } from '../rules';

/** The minified document, or the finding that says why there is none. */
export type PolicyDocument = { readonly content: string } | { readonly finding: Finding };

/** Reads and minifies the document of `resource`; never throws. */
export function readPolicyDocument(files: PackageFiles, resource: PolicyResource): PolicyDocument {
  const file = resource.resourceFile;
  const fail = (message: string, hint?: string): PolicyDocument => ({
    finding: engineFinding('CFCT-C004', { message, location: file.location, hint, resource: resource.name }),
  });
  if (file.kind !== 'local' || !file.path) {
    return fail(`policy file ${file.raw} is not in the package; policies are read from the package only`, 'copy the policy into the package, e.g. policies/');
  }
  const bytes = files.read(file.path);
  if (!bytes) return fail(`policy file ${file.path} is not in the package`);
  let content: string;
  try {
    content = minifyPolicy(bytes.toString('utf8'));
  } catch (err) {
    return fail(`policy file ${file.path} is not valid JSON: ${(err as Error).message}`);
  }
  if (content.length > POLICY_MAX_CHARS) {
    return fail(`policy file ${file.path} is ${content.length} characters minified; the limit is ${POLICY_MAX_CHARS}`, 'split the policy or combine statements');
  }
  return { content };
}
