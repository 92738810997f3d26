/**
 * Reads a policy resource's document from the package and minifies it for upload.
 */
import type { Finding } from '../../manifest/findings';
import { duplicateKeyOffsets } from '../../manifest/json';
import type { PackageFiles, PolicyResource } from '../../manifest/model';
import { minifyPolicy, POLICY_MAX_CHARS } from '../../manifest/policy';
import { engineFinding } from '../rules';
import { NotReadOfflineError } from '../stacksets/desired';

/** The minified document, or the finding that says why there is none. */
export type PolicyDocument = { readonly content: string } | { readonly finding: Finding };

/**
 * Reads and minifies the document of `resource`; never throws. Documents outside the package
 * (`s3://` or S3 `https://` references) come from `remoteDocuments`, keyed by the reference as
 * written, which the caller fetched beforehand (planning itself makes no call); `unreadDocuments`
 * holds why the caller could not read one (an offline plan does not read them at all).
 */
export function readPolicyDocument(
  files: PackageFiles,
  resource: PolicyResource,
  remoteDocuments: ReadonlyMap<string, string> = new Map(),
  unreadDocuments: ReadonlyMap<string, unknown> = new Map(),
): PolicyDocument {
  const file = resource.resourceFile;
  const name = file.path ?? file.raw;
  const fail = (message: string, hint?: string): PolicyDocument => ({
    finding: engineFinding('CFCT-C004', { message, location: file.location, hint, resource: resource.name }),
  });
  let text: string | undefined;
  if (file.kind === 'local' && file.path) {
    text = files.read(file.path)?.toString('utf8');
    if (text === undefined) return fail(`policy file ${file.path} is not in the package`);
  } else {
    text = remoteDocuments.get(file.raw);
    if (text === undefined) {
      const error = unreadDocuments.get(file.raw);
      // As for remote templates: offline, the file was not looked for, so it is not "missing".
      if (error instanceof NotReadOfflineError) {
        return fail(
          `policy file ${file.raw} cannot be read: not read offline; the policy is left as it is`,
          'plan with --live to read remote policy files from S3',
        );
      }
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'it does not exist';
      return fail(
        `policy file ${file.raw} cannot be read: ${reason}; the policy is left as it is`,
        'check the policy_file URL, and that the bucket grants the management account s3:GetObject',
      );
    }
  }
  let content: string;
  try {
    content = minifyPolicy(text);
  } catch (err) {
    return fail(`policy file ${name} is not valid JSON: ${(err as Error).message}`);
  }
  const [duplicate] = duplicateKeyOffsets(text.replace(/^\uFEFF/, ''));
  if (duplicate) {
    // Minifying keeps only the last of the two: the policy uploaded would be weaker than the file.
    return fail(
      `policy file ${name} repeats the key "${duplicate.key}" in one object, so it is not uploaded`,
      'merge the two entries into one, or remove one',
    );
  }
  if (content.length > POLICY_MAX_CHARS) {
    return fail(
      `policy file ${name} is ${content.length} characters minified; the limit is ${POLICY_MAX_CHARS}`,
      'split the policy or combine statements',
    );
  }
  return { content };
}
