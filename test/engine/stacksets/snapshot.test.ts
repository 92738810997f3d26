import { HOME, MANAGEMENT, manifest, resource, StackSetWorld, template } from './env';
import { loadOrganizationSnapshot } from '../../../src/engine/organization/load';
import { OrganizationIndex } from '../../../src/engine/organization/organization-index';
import { parseSnapshot, serialiseSnapshot } from '../../../src/engine/organization/serialise';
import {
  accountStateOf,
  desiredStackSets,
  planStackSets,
  ssmNamesOf,
  templateReader,
} from '../../../src/engine/stacksets';
import { FakeOrganizations } from '../../fake/organizations';

function organization(w: StackSetWorld) {
  const org = new FakeOrganizations(w.fake, { managementAccountId: MANAGEMENT });
  const ou = org.addOu(org.rootId, 'Workloads');
  const accounts = ['200000000001', '200000000002', '200000000003'].map((id, i) =>
    org.addAccount({ id, name: `w${i}`, parentId: ou }),
  );
  const suspended = org.addAccount({ id: '200000000009', name: 'old', parentId: ou, state: 'SUSPENDED' });
  return { accounts, suspended };
}

const files = (texts: Record<string, string>) => ({
  list: () => Object.keys(texts),
  read: (p: string) => (texts[p] === undefined ? undefined : Buffer.from(texts[p])),
});

describe('stack set snapshot', () => {
  test('is embedded in the organization snapshot, survives export and import, and plans offline as it does live', async () => {
    const w = new StackSetWorld();
    const { accounts } = organization(w);
    w.setAccounts(accounts);
    w.ssm.seed({ accountId: MANAGEMENT, region: HOME }, '/org/secret', 'hidden-value-123', 'SecureString');
    const r = resource('baseline', {
      deploymentTargets: {
        accounts: [],
        organizationalUnits: [{ value: 'Workloads' }],
        excludeAccounts: [],
        includeNestedOus: false,
      },
      parameters: [{ key: 'S', value: '$[alfred_ssm_/org/secret]' }],
      lintSuppressions: [{ ruleId: 'CFCT-M070', reason: 'a test of secrets in plain parameters' }],
    });
    const m = manifest([r]);
    const readTemplate = async () => template('a', { parameters: ['S'] });
    // Deploy a first version, then change the template so the plan has something to say.
    const live0 = await loadOrganizationSnapshot(w.aws, { clock: w.fake.clock });
    const first = await desiredStackSets(m, readTemplate, new OrganizationIndex(live0.snapshot), {});
    expect(first.desired[0].targets.accounts).toEqual(accounts);
    await w.apply(m, first.desired);

    const request = {
      homeRegion: HOME,
      names: ['CustomControlTower-baseline'],
      prefix: w.settings.prefix,
      ssmNames: ssmNamesOf([r]),
    };
    const live = await loadOrganizationSnapshot(w.aws, { clock: w.fake.clock, stackSets: request });
    const text = serialiseSnapshot(live.snapshot);
    expect(text).not.toContain('hidden-value-123');
    const parsed = parseSnapshot(text);
    expect(parsed.findings).toEqual([]);
    expect(parsed.snapshot!.stackSets!.stackSets['CustomControlTower-baseline'].instances).toHaveLength(3);

    const changed = async () => template('b', { parameters: ['S'] });
    const plans = await Promise.all(
      [live.snapshot, parsed.snapshot!].map(async (snapshot) => {
        const index = new OrganizationIndex(snapshot);
        const { desired } = await desiredStackSets(m, changed, index, snapshot.stackSets!);
        return planStackSets(m, desired, snapshot.stackSets!, {
          settings: w.settings,
          accountState: accountStateOf(index),
        });
      }),
    );
    expect(plans[1]).toEqual(plans[0]);
    expect(plans[0].resources[0].summary).toMatchObject({
      action: 'update',
      templateChanged: true,
      parameterChanges: [],
    });
  });

  test('fails with a finding, not an exception, for a broken stack set section', () => {
    const document = {
      formatVersion: 1,
      organizationId: 'o-1',
      managementAccountId: MANAGEMENT,
      takenAt: 'x',
      roots: [],
      organizationalUnits: [],
      accounts: [],
      policies: [],
      stackSets: { homeRegion: HOME, stackSets: { x: { name: 'x' } }, ssm: {} },
    };
    const parsed = parseSnapshot(JSON.stringify(document));
    expect(parsed.snapshot).toBeUndefined();
    expect(parsed.findings[0]).toMatchObject({
      ruleId: 'CFCT-O001',
      location: { path: expect.stringContaining('stackSets') },
    });
  });

  test('desired state: an unreadable template is a finding with the resource named', async () => {
    const w = new StackSetWorld();
    organization(w);
    const live = await loadOrganizationSnapshot(w.aws, { clock: w.fake.clock });
    const r = resource('missing');
    const result = await desiredStackSets(
      manifest([r]),
      async () => files({}).read('templates/missing.json')?.toString(),
      new OrganizationIndex(live.snapshot),
      {},
    );
    expect(result.desired).toEqual([]);
    expect(result.findings).toEqual([
      expect.objectContaining({ ruleId: 'CFCT-K050', severity: 'error', resource: 'missing' }),
    ]);
  });

  test('desired state: templates come from the package or from S3 (s3:// and S3 https URLs)', async () => {
    const w = new StackSetWorld();
    organization(w);
    w.s3.objects.set('shared-templates/net.json', Buffer.from(template('remote')));
    const live = await loadOrganizationSnapshot(w.aws, { clock: w.fake.clock });
    const read = templateReader(files({ 'templates/local.json': template('local') }), w.clients, HOME, w.fake.clock);
    const local = resource('local');
    const remote = resource('remote', {
      resourceFile: { raw: 's3://shared-templates/net.json', kind: 's3', bucket: 'shared-templates', key: 'net.json' },
    });
    const https = resource('https', {
      resourceFile: {
        raw: 'https://shared-templates.s3.amazonaws.com/net.json',
        kind: 'https',
        bucket: 'shared-templates',
        key: 'net.json',
        url: 'https://shared-templates.s3.amazonaws.com/net.json',
      },
    });
    const gone = resource('gone', {
      resourceFile: {
        raw: 's3://shared-templates/gone.json',
        kind: 's3',
        bucket: 'shared-templates',
        key: 'gone.json',
      },
    });
    const result = await desiredStackSets(
      manifest([local, remote, https, gone]),
      read,
      new OrganizationIndex(live.snapshot),
      {},
    );
    expect(result.desired.map((d) => [d.resource.name, d.template.text])).toEqual([
      ['local', template('local')],
      ['remote', template('remote')],
      ['https', template('remote')],
    ]);
    expect(result.findings).toEqual([
      expect.objectContaining({ ruleId: 'CFCT-K050', resource: 'gone', message: expect.stringContaining('NoSuchKey') }),
    ]);
  });
});
