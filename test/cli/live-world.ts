/**
 * A fake organization for the live CLI commands: the bundled example's organization
 * (examples/basic/organization.json) rebuilt in the stateful AWS fake, with every service the
 * engine uses, and `cfct` run in-process against it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliRun } from './support';
import { run } from '../../src/cli/program';
import type { OrganizationSnapshot } from '../../src/engine/organization/snapshot';
import { fakeAwsClients } from '../fake/clients';
import { FakeCloudFormation } from '../fake/cloudformation';
import { FakeAws } from '../fake/core';
import { FakeEc2 } from '../fake/ec2';
import { FakeOrganizations } from '../fake/organizations';
import { FakeS3 } from '../fake/s3';
import { FakeSsm } from '../fake/ssm';
import { FakeSts } from '../fake/sts';

export const EXAMPLE = join(__dirname, '..', '..', 'examples', 'basic');
/** The bucket of the installation lock in this world. */
export const LOCK_BUCKET = 'cfct-artifacts';
export const EXAMPLE_ORGANIZATION = join(EXAMPLE, 'organization.json');

export class LiveWorld {
  readonly fake = new FakeAws({ seed: 11 });
  readonly organizations: FakeOrganizations;
  readonly cfn: FakeCloudFormation;
  readonly ssm: FakeSsm;
  readonly s3: FakeS3;
  /** Example OU names -> the fake's OU ids. */
  readonly ouIds = new Map<string, string>();

  constructor(snapshot: OrganizationSnapshot = JSON.parse(readFileSync(EXAMPLE_ORGANIZATION, 'utf8'))) {
    this.organizations = new FakeOrganizations(this.fake, {
      managementAccountId: snapshot.managementAccountId,
      enabledPolicyTypes: snapshot.roots[0].enabledPolicyTypes,
    });
    const ids = new Map<string, string>([[snapshot.roots[0].id, this.organizations.rootId]]);
    for (const ou of snapshot.organizationalUnits) {
      const id = this.organizations.addOu(ids.get(ou.parentId)!, ou.name);
      ids.set(ou.id, id);
      this.ouIds.set(ou.name, id);
    }
    for (const a of snapshot.accounts) {
      if (a.id === snapshot.managementAccountId) continue;
      this.organizations.addAccount({
        id: a.id,
        name: a.name,
        email: a.email,
        parentId: ids.get(a.parentId)!,
        state: a.state,
      });
      ids.set(a.id, a.id);
    }
    ids.set(snapshot.managementAccountId, snapshot.managementAccountId);
    for (const p of snapshot.policies.filter((x) => !x.awsManaged)) {
      this.organizations.addPolicy({
        name: p.name,
        type: p.type,
        content: p.content!,
        description: p.description,
        tags: { ...p.tags },
        targets: p.targetIds.map((t) => ids.get(t)!),
      });
    }
    this.s3 = new FakeS3(this.fake);
    this.cfn = new FakeCloudFormation(this.fake, { readTemplateUrl: (url) => this.s3.readUrl(url) });
    this.ssm = new FakeSsm(this.fake);
    // What the pipeline construct creates: the parameter naming the lock bucket.
    this.ssm.seed(
      { accountId: snapshot.managementAccountId, region: 'us-east-1' },
      '/cfct/default/lock-bucket',
      LOCK_BUCKET,
    );
    new FakeEc2(this.fake);
    new FakeSts(this.fake);
  }

  /** Runs `cfct ...args` in-process against this organization. */
  async cfct(...args: string[]): Promise<CliRun> {
    let stdout = '';
    let stderr = '';
    const clients = fakeAwsClients(this.fake, this.organizations.managementAccountId, 'us-east-1');
    const code = await run(['node', 'cfct', ...args], {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      aws: () => clients,
      clock: this.fake.clock,
      interactive: false,
    });
    return { code, stdout, stderr };
  }
}
