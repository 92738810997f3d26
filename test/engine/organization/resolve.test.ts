import { OrganizationIndex } from '../../../src/engine/organization/organization-index';
import {
  activeMemberAccounts,
  problemFindings,
  resolveAccount,
  resolveAccountTargets,
  resolveOrganizationalUnit,
  resolvePolicyTargets,
} from '../../../src/engine/organization/resolve';
import type { OrganizationSnapshot, SnapshotAccount } from '../../../src/engine/organization/snapshot';
import type { DeploymentTargets } from '../../../src/manifest/model';
import { entries, policyResource } from '../helpers';

const ROOT = 'r-ab12';
const ou = (n: string) => `ou-ab12-${n.padEnd(8, '0')}`;
const acct = (
  id: string,
  name: string,
  parentId: string,
  state: SnapshotAccount['state'] = 'ACTIVE',
): SnapshotAccount => ({
  id,
  name,
  email: `${name.toLowerCase()}@example.com`,
  parentId,
  state,
});

const snapshot: OrganizationSnapshot = {
  organizationId: 'o-abcdefghij',
  managementAccountId: '111111111111',
  takenAt: '2026-01-01T00:00:00.000Z',
  roots: [{ id: ROOT, name: 'Root', enabledPolicyTypes: ['SERVICE_CONTROL_POLICY'] }],
  organizationalUnits: [
    { id: ou('sec'), name: 'Security', parentId: ROOT },
    { id: ou('wl'), name: 'Workloads', parentId: ROOT },
    { id: ou('prod'), name: 'Prod', parentId: ou('wl') },
    { id: ou('web'), name: 'Web', parentId: ou('prod') },
    { id: ou('sb'), name: 'Sandbox', parentId: ROOT },
  ],
  accounts: [
    acct('111111111111', 'Management', ROOT),
    acct('222222222222', 'Audit', ou('sec')),
    acct('333333333333', 'Log Archive', ou('sec')),
    acct('444444444444', 'Shop', ou('prod')),
    acct('555555555555', 'Shop-Web', ou('web')),
    acct('666666666666', 'Old', ou('prod'), 'SUSPENDED'),
    acct('777777777777', 'Leaving', ou('prod'), 'PENDING_CLOSURE'),
    acct('888888888888', 'Closed', ou('prod'), 'CLOSED'),
    acct('999999999999', 'Twin', ou('sb')),
    acct('012345678901', 'twin', ou('sb')),
  ],
  policies: [],
};
const index = new OrganizationIndex(snapshot);
const entry = (value: string) => entries([value])[0];
const targets = (t: Partial<DeploymentTargets>): DeploymentTargets => ({
  organizationalUnits: [],
  accounts: [],
  excludeAccounts: [],
  includeNestedOus: false,
  ...t,
});

describe('resolveOrganizationalUnit', () => {
  test.each([
    ['Root', { kind: 'root', id: ROOT }],
    [ROOT, { kind: 'root', id: ROOT }],
    ['Security', { kind: 'ou', id: ou('sec') }],
    ['Workloads:Prod', { kind: 'ou', id: ou('prod') }],
    ['Workloads:Prod:Web', { kind: 'ou', id: ou('web') }],
    [ou('web'), { kind: 'ou', id: ou('web') }],
  ])('resolves %s', (value, expected) => {
    expect(resolveOrganizationalUnit(index, entry(value))).toEqual(expected);
  });

  test('fails when a bare name names a nested OU, with the path as hint (upstream matched nothing)', () => {
    const r = resolveOrganizationalUnit(index, entry('Prod'));
    expect(r).toEqual({
      kind: 'problem',
      problem: expect.objectContaining({ rule: 'CFCT-O003', hint: 'write the nested path: "Workloads:Prod"' }),
    });
  });

  test.each(['security', 'root', 'Workloads:prod', 'Nope', 'Prod:Web', 'r-zzzz', 'ou-ab12-zzzzzzzz'])(
    'fails when %s matches nothing (case-sensitive, exact)',
    (value) => {
      const r = resolveOrganizationalUnit(index, entry(value));
      expect(r.kind).toBe('problem');
      expect(r.kind === 'problem' && r.problem.rule).toBe('CFCT-O002');
    },
  );
});

describe('resolveAccount', () => {
  test.each([
    ['444444444444', '444444444444'],
    ['Shop', '444444444444'],
    ['shop-WEB', '555555555555'],
    ['AUDIT@example.com', '222222222222'],
  ])('resolves %s by id, name (case-insensitive) or email', (value, id) => {
    const r = resolveAccount(index, entry(value));
    expect(r.kind === 'account' && r.account.id).toBe(id);
  });

  test('fails when a name is shared by several accounts', () => {
    const r = resolveAccount(index, entry('TWIN'));
    expect(r).toEqual({
      kind: 'problem',
      problem: expect.objectContaining({ rule: 'CFCT-O005', hint: 'name the account by its 12-digit id' }),
    });
  });

  test('fails when the account is unknown, with a hint for ids that lost digits', () => {
    expect(resolveAccount(index, entry('123123123123'))).toEqual({
      kind: 'problem',
      problem: expect.objectContaining({ rule: 'CFCT-O004' }),
    });
    const r = resolveAccount(index, entry('12345678901'));
    expect(r.kind === 'problem' && r.problem.hint).toMatch(/12 digits/);
  });
});

describe('resolvePolicyTargets', () => {
  test('attaches to the root itself and to OUs themselves (not their accounts)', () => {
    const r = resolvePolicyTargets(
      index,
      policyResource('p', { ous: ['Root', 'Workloads:Prod', 'Security', 'Security'] }),
    );
    expect(r.targets.map((t) => [t.id, t.kind])).toEqual([
      [ROOT, 'root'],
      [ou('prod'), 'ou'],
      [ou('sec'), 'ou'],
    ]);
    expect(r.problems).toEqual([]);
    expect(r.findings).toEqual([]);
  });

  test('ignores accounts unless attach_to_accounts is set (validation warns: CFCT-M014)', () => {
    const ignored = resolvePolicyTargets(index, policyResource('p', { accounts: ['Shop', 'nobody'] }));
    expect(ignored).toMatchObject({ targets: [], problems: [], findings: [] });
    const used = resolvePolicyTargets(
      index,
      policyResource('p', { accounts: ['Shop', 'nobody'], attachToAccounts: true }),
    );
    expect(used.targets.map((t) => t.id)).toEqual(['444444444444']);
    expect(used.problems.map((p) => p.rule)).toEqual(['CFCT-O004']);
  });

  test('leaves suspended and closing accounts out with a finding', () => {
    const r = resolvePolicyTargets(
      index,
      policyResource('p', { accounts: ['Old', 'Leaving'], attachToAccounts: true }),
    );
    expect(r.targets).toEqual([]);
    expect(r.leftOutAccountIds).toEqual(['666666666666', '777777777777']);
    expect(r.findings.map((f) => [f.ruleId, f.severity])).toEqual([
      ['CFCT-O006', 'warning'],
      ['CFCT-O006', 'warning'],
    ]);
  });
});

describe('resolveAccountTargets', () => {
  test('an OU covers its direct ACTIVE child accounts only; states are reported', () => {
    const r = resolveAccountTargets(index, targets({ organizationalUnits: entries(['Workloads:Prod']) }), 'ss');
    expect(r.accounts.map((a) => a.id)).toEqual(['444444444444']);
    expect(r.leftOut.map((a) => a.id)).toEqual(['666666666666', '777777777777']);
    expect(r.closed.map((a) => a.id)).toEqual(['888888888888']);
    expect(r.findings.map((f) => f.ruleId)).toEqual(['CFCT-O006', 'CFCT-O006', 'CFCT-O007']);
    expect(r.includesRoot).toBe(false);
  });

  test('include_nested_ous recurses; exclude_accounts removes', () => {
    const r = resolveAccountTargets(
      index,
      targets({
        organizationalUnits: entries(['Workloads']),
        includeNestedOus: true,
        excludeAccounts: entries(['Shop']),
      }),
    );
    expect(r.accounts.map((a) => a.id)).toEqual(['555555555555']);
  });

  test('explicit accounts by id, name and email, each once', () => {
    const r = resolveAccountTargets(
      index,
      targets({ accounts: entries(['Audit', '222222222222', 'log archive@example.com', 'Log Archive']) }),
    );
    expect(r.accounts.map((a) => a.id)).toEqual(['222222222222', '333333333333']);
  });

  test('Root is flagged for the stack set engine and adds no accounts by itself', () => {
    const r = resolveAccountTargets(index, targets({ organizationalUnits: entries(['Root']) }));
    expect(r).toMatchObject({ includesRoot: true, accounts: [] });
    expect(activeMemberAccounts(index).map((a) => a.id)).not.toContain('111111111111');
    expect(activeMemberAccounts(index).map((a) => a.id)).not.toContain('666666666666');
  });

  test('fails on unknown and ambiguous entries, including unknown exclusions', () => {
    const r = resolveAccountTargets(
      index,
      targets({
        organizationalUnits: entries(['Nope']),
        accounts: entries(['twin']),
        excludeAccounts: entries(['ghost']),
      }),
    );
    expect(r.problems.map((p) => p.rule)).toEqual(['CFCT-O002', 'CFCT-O005', 'CFCT-O004']);
    expect(r.accounts).toEqual([]);
  });
});

describe('problemFindings', () => {
  const problems = resolveAccountTargets(index, targets({ organizationalUnits: entries(['Nope']) })).problems;

  test('a warning while nothing would be removed because of it', () => {
    expect(problemFindings(problems, { resource: 'r', blocksRemoval: false })).toEqual([
      expect.objectContaining({
        ruleId: 'CFCT-O002',
        severity: 'warning',
        resource: 'r',
        location: expect.objectContaining({ line: 10 }),
      }),
    ]);
  });

  test('an error when it would otherwise cause a removal', () => {
    expect(problemFindings(problems, { resource: 'r', blocksRemoval: true })).toEqual([
      expect.objectContaining({
        ruleId: 'CFCT-O002',
        severity: 'error',
        message: expect.stringMatching(/nothing is removed for "r"/),
      }),
    ]);
  });
});
