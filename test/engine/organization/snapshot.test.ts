import { loadOrganizationSnapshot } from '../../../src/engine/organization/load';
import { parseSnapshot, serialiseSnapshot, SNAPSHOT_FORMAT_VERSION } from '../../../src/engine/organization/serialise';
import { policyDocument } from '../../fake/builders';
import { concurrentModification } from '../../fake/organizations';
import { fakeOrganization } from '../helpers';

describe('loadOrganizationSnapshot', () => {
  function sample() {
    const org = fakeOrganization({ enabledPolicyTypes: ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'] });
    const { organizations } = org;
    const workloads = organizations.addOu(organizations.rootId, 'Workloads');
    const prod = organizations.addOu(workloads, 'Prod');
    const deep = organizations.addOu(organizations.addOu(organizations.addOu(prod, 'L3'), 'L4'), 'L5');
    // 45 OUs and 47 accounts under one parent: three pages each
    for (let i = 0; i < 45; i++) organizations.addOu(organizations.rootId, `Team${i}`);
    for (let i = 0; i < 47; i++) organizations.addAccount({ name: `Acct${i}`, parentId: workloads });
    const deepAccount = organizations.addAccount({ name: 'Deep', parentId: deep, state: 'SUSPENDED' });
    const closed = organizations.addAccount({ name: 'Gone', parentId: prod, state: 'CLOSED' });
    const scp = organizations.addPolicy({
      name: 'deny-leave',
      type: 'SERVICE_CONTROL_POLICY',
      content: policyDocument('leave'),
      description: 'no leaving',
      tags: { 'cfct:installation': 'default' },
      targets: [prod, deep],
    });
    return { ...org, workloads, prod, deep, deepAccount, closed, scp };
  }

  test('reads roots, OUs of any depth, accounts with state, policies with content, tags and targets', async () => {
    const { clients, organizations, prod, deep, deepAccount, closed, scp } = sample();
    const { snapshot } = await loadOrganizationSnapshot(clients);
    expect(snapshot.managementAccountId).toBe(organizations.managementAccountId);
    expect(snapshot.roots).toEqual([
      {
        id: organizations.rootId,
        name: 'Root',
        enabledPolicyTypes: ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'],
      },
    ]);
    expect(snapshot.organizationalUnits).toHaveLength(organizations.ouIds().length);
    expect(snapshot.organizationalUnits.find((o) => o.id === deep)).toEqual({
      id: deep,
      name: 'L5',
      parentId: expect.any(String),
    });
    expect(snapshot.accounts).toHaveLength(organizations.accountIds().length);
    expect(snapshot.accounts.find((a) => a.id === deepAccount)).toMatchObject({ parentId: deep, state: 'SUSPENDED' });
    expect(snapshot.accounts.find((a) => a.id === closed)).toMatchObject({ parentId: prod, state: 'CLOSED' });
    const policy = snapshot.policies.find((p) => p.id === scp)!;
    expect(policy).toEqual({
      id: scp,
      name: 'deny-leave',
      type: 'SERVICE_CONTROL_POLICY',
      description: 'no leaving',
      awsManaged: false,
      content: policyDocument('leave'),
      tags: { 'cfct:installation': 'default' },
      targetIds: [prod, deep],
    });
    const full = snapshot.policies.find((p) => p.name === 'FullAWSAccess')!;
    expect(full.awsManaged).toBe(true);
    expect(full.content).toBeUndefined();
    // AWS-managed policies are attached everywhere by default
    expect(full.targetIds).toHaveLength(1 + organizations.ouIds().length + organizations.accountIds().length);
    expect(snapshot.policies.some((p) => p.name === 'RCPFullAWSAccess')).toBe(true);
  });

  test('paginates every list in pages of 20, reads each thing once, and counts the calls', async () => {
    const { clients, fake, organizations } = sample();
    const { apiCalls } = await loadOrganizationSnapshot(clients);
    // the engine's count agrees with the calls the fake received
    const received = Object.fromEntries(
      Object.entries(fake.callCounts()).map(([k, v]) => [k.replace('organizations:', ''), v]),
    );
    expect(apiCalls).toEqual(received);
    const parents = 1 + organizations.ouIds().length;
    // root has 46 OUs (3 pages), every other parent 1 page
    expect(apiCalls.ListOrganizationalUnitsForParent).toBe(parents + 2);
    // Workloads has 47 accounts (3 pages); every other parent 1 page
    expect(apiCalls.ListAccountsForParent).toBe(parents + 2);
    expect(apiCalls.DescribePolicy).toBe(1);
    expect(apiCalls.ListTagsForResource).toBe(1);
    const targets = 1 + organizations.ouIds().length + organizations.accountIds().length;
    expect(apiCalls.ListTargetsForPolicy).toBe(2 * Math.ceil(targets / 20) + 1);
    for (const call of fake.calls) {
      const max = (call.input as { MaxResults?: number }).MaxResults;
      if (max !== undefined) expect(max).toBeLessThanOrEqual(20);
    }
  });

  test('uses Status when the API returns no State', async () => {
    const { clients, organizations } = fakeOrganization({ omitAccountState: true });
    const id = organizations.addAccount({ name: 'Old', state: 'PENDING_CLOSURE' });
    const closed = organizations.addAccount({ name: 'Closed', state: 'CLOSED' });
    const { snapshot } = await loadOrganizationSnapshot(clients);
    expect(snapshot.accounts.find((a) => a.id === id)?.state).toBe('PENDING_CLOSURE');
    // a closed account's deprecated Status is SUSPENDED
    expect(snapshot.accounts.find((a) => a.id === closed)?.state).toBe('SUSPENDED');
  });

  test('fails when Organizations keeps failing (errors are not swallowed)', async () => {
    const { clients, fake } = sample();
    fake.injectFault({ service: 'organizations', operation: 'ListPolicies', rate: 1, error: concurrentModification });
    await expect(loadOrganizationSnapshot(clients)).rejects.toThrow(/being modified/);
  });
});

describe('snapshot JSON', () => {
  test('round-trips through serialise and parse', async () => {
    const { clients, organizations } = fakeOrganization();
    organizations.addAccount({ name: 'A', parentId: organizations.addOu(organizations.rootId, 'X') });
    const { snapshot } = await loadOrganizationSnapshot(clients);
    const text = serialiseSnapshot(snapshot);
    expect(JSON.parse(text).formatVersion).toBe(SNAPSHOT_FORMAT_VERSION);
    expect(parseSnapshot(text)).toEqual({ snapshot, findings: [] });
  });

  test('fails when the document is not JSON', () => {
    const { snapshot, findings } = parseSnapshot('{ nope', 'org.json');
    expect(snapshot).toBeUndefined();
    expect(findings).toEqual([
      expect.objectContaining({ ruleId: 'CFCT-O001', severity: 'error', location: { file: 'org.json' } }),
    ]);
  });

  test('fails when the format version is unknown', () => {
    const { findings } = parseSnapshot(JSON.stringify({ formatVersion: 99 }));
    expect(findings).toEqual([
      expect.objectContaining({ ruleId: 'CFCT-O001', message: expect.stringMatching(/format version 99/) }),
    ]);
  });

  test('fails with a path when a field is wrong or a reference dangles', async () => {
    const { clients } = fakeOrganization();
    const { snapshot } = await loadOrganizationSnapshot(clients);
    const bad = JSON.parse(serialiseSnapshot(snapshot));
    bad.accounts[0].state = 'HAPPY';
    expect(parseSnapshot(JSON.stringify(bad)).findings).toEqual([
      expect.objectContaining({
        ruleId: 'CFCT-O001',
        location: { file: 'organization.json', path: 'accounts[0].state' },
      }),
    ]);
    bad.accounts[0].state = 'ACTIVE';
    bad.accounts[0].parentId = 'ou-zzzz-zzzzzzzz';
    expect(parseSnapshot(JSON.stringify(bad)).findings).toEqual([
      expect.objectContaining({ location: { file: 'organization.json', path: 'accounts[0].parentId' } }),
    ]);
  });

  test('records what was read, and fails with a path when that record is wrong', async () => {
    const { clients } = fakeOrganization();
    const { snapshot } = await loadOrganizationSnapshot(clients, { policyTypes: ['SERVICE_CONTROL_POLICY'] });
    expect(snapshot.coverage).toEqual({ policyTypes: ['SERVICE_CONTROL_POLICY'] });
    const bad = JSON.parse(serialiseSnapshot(snapshot));
    bad.coverage.policyTypes = ['TAG_POLICY'];
    expect(parseSnapshot(JSON.stringify(bad)).findings).toEqual([
      expect.objectContaining({
        ruleId: 'CFCT-O001',
        location: { file: 'organization.json', path: 'coverage.policyTypes[0]' },
      }),
    ]);
    bad.coverage = { policyTypes: [], stackSets: { homeRegion: 'us-east-1', prefix: 'X-' } };
    expect(parseSnapshot(JSON.stringify(bad)).findings.map((f) => f.location?.path)).toEqual([
      'coverage.stackSets',
      'coverage.stackSets',
    ]);
  });
});
