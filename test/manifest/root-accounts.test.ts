import { BASE_FILES, HEADER, STACK_SET } from './support';
import { packageFromFiles } from '../../src/manifest';

const load = (line: string) => packageFromFiles({ ...BASE_FILES, 'manifest.yaml': `${line}\n${HEADER}${STACK_SET}` });

describe('root_accounts (what Root means for stack sets)', () => {
  test('absent: Root means the enrolled accounts; all_active opts into every ACTIVE member account', () => {
    expect(load('').manifest!.rootAccounts).toBeUndefined();
    expect(load('root_accounts: enrolled').manifest!.rootAccounts).toBeUndefined();
    const loaded = load('root_accounts: all_active');
    expect(loaded.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(loaded.manifest!.rootAccounts).toBe('all_active');
  });

  test('fails when the value is not one the schema allows', () => {
    const loaded = load('root_accounts: everyone');
    expect(loaded.findings.filter((f) => f.severity === 'error').length).toBeGreaterThan(0);
    expect(JSON.stringify(loaded.findings)).toContain('root_accounts');
  });
});
