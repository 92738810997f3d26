import { parseHelper, ssmNameProblem } from '../../src/manifest';

describe('parseHelper', () => {
  test.each([
    ['plain value', undefined],
    ['$[alfred_ssm_/org/vpc-id]', { kind: 'ssm', name: '/org/vpc-id' }],
    ['$[alfred_genpass_16]', { kind: 'genpass', length: 16 }],
    ['$[alfred_genpass]', { kind: 'genpass', length: 8 }],
    ['$[alfred_genkeypair]', { kind: 'genkeypair' }],
    ['$[alfred_genaz_3]', { kind: 'genaz', count: 3 }],
    ['$[alfred_genaz]', { kind: 'genaz', count: 2 }],
    ['$[anything]', { kind: 'literal', text: 'anything' }],
  ])('%s', (value, expected) => {
    expect(parseHelper(value)).toEqual(expected);
  });

  test.each([
    '$[alfred_ssm_/x',
    '$[alfred_ssm_]',
    '$[alfred_genpass_0]',
    '$[alfred_genpass_-1]',
    '$[alfred_genaz_x]',
    '$[alfred_genpasswd_8]',
  ])('fails on %s', (value) => {
    expect(parseHelper(value)).toEqual(expect.objectContaining({ error: expect.any(String) }));
  });

  test('suggests the helper a misspelt one is near', () => {
    expect(parseHelper('$[alfred_genpas_8]')).toEqual(expect.objectContaining({ near: 'alfred_genpass' }));
    expect(parseHelper('$[alfred_genazz_2]')).toEqual(expect.objectContaining({ near: 'alfred_genaz' }));
    expect(parseHelper('$[alfred_keypair]')).toEqual(expect.objectContaining({ near: 'alfred_genkeypair' }));
  });
});

describe('ssmNameProblem', () => {
  test.each(['/org/vpc-id', 'plain_name', '/a.b/c-d/e_f'])('%s is valid', (name) => {
    expect(ssmNameProblem(name)).toBeUndefined();
  });

  test.each(['', 'a/b', '/a//b', '/a b', '/aws/x', 'ssm-x', '/AWS/x', `/${'a/'.repeat(15)}b`, 'x'.repeat(1012)])(
    '%p is invalid',
    (name) => {
      expect(ssmNameProblem(name)).toEqual(expect.any(String));
    },
  );

  test('export name templates may use {account_id} and {region}', () => {
    expect(ssmNameProblem('/org/{account_id}/{region}/vpc', true)).toBeUndefined();
    expect(ssmNameProblem('/org/{account_id}/vpc')).toEqual(expect.any(String));
    expect(ssmNameProblem('/org/{account}/vpc', true)).toEqual(expect.any(String));
  });
});
