/**
 * An update-with-deletions plan, as a reviewer meets one: the bundled example applied to the
 * stateful fake, then a package that removes a policy (deletion and detachment), narrows a
 * policy's targets (detachment), removes a stack set, drops a region (instance removals) and
 * changes a template. Used by the report tests and by `test/cli/report-screens.ts`.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE, LiveWorld } from './live-world';
import { tempDir } from './support';

export interface DeletionsWorld {
  readonly world: LiveWorld;
  /** The changed package folder. */
  readonly pkg: string;
}

/** The example's organization with the example applied, and a package that removes things. */
export async function deletionsWorld(): Promise<DeletionsWorld> {
  const world = new LiveWorld();
  const applied = await world.cfct('apply', EXAMPLE, '--live', '--yes', '--poll-seconds', '1');
  if (applied.code !== 0) throw new Error(`applying the example failed: ${applied.stderr}`);
  const pkg = join(tempDir('cfct-deletions-'), 'package');
  cpSync(EXAMPLE, pkg, { recursive: true });
  const manifestPath = join(pkg, 'manifest.yaml');
  let manifest = readFileSync(manifestPath, 'utf8');
  manifest = manifest.replace(
    'version: 2021-03-15\n',
    'version: 2021-03-15\nenable_policy_deletion: true\nenable_stack_set_deletion: true\n',
  );
  // deny-root-user leaves the manifest: deleted, and detached from Workloads:Prod.
  manifest = manifest.replace(/  - name: deny-root-user\n[\s\S]*?- Workloads:Prod\n\n/, '');
  // deny-leaving-organization no longer applies to Sandbox: a detachment.
  manifest = manifest.replace('        - Workloads\n        - Sandbox\n', '        - Workloads\n');
  // audit-log-bucket leaves the manifest: its stack set and instance are deleted.
  manifest = manifest.replace(/  - name: audit-log-bucket\n[\s\S]*?value: \$\[output_BucketName\]\n\n/, '');
  manifest = manifest.replace('$[alfred_ssm_/org/audit/log-bucket-name]', 'org-audit-logs');
  // security-audit-role leaves eu-west-1: instance removals.
  manifest = manifest.replace('      - us-east-1\n      - eu-west-1\n', '      - us-east-1\n');
  writeFileSync(manifestPath, manifest);
  const template = join(pkg, 'templates', 'security-audit-role.yaml');
  writeFileSync(
    template,
    readFileSync(template, 'utf8').replace('RoleName: OrgSecurityAudit', 'RoleName: OrgSecurityAuditReadOnly'),
  );
  return { world, pkg };
}
