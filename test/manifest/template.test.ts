import { minifyPolicy, parseTemplate, POLICY_MAX_CHARS } from '../../src/manifest';

describe('parseTemplate', () => {
  test('converts every short-form tag to its long form', () => {
    const text = [
      'AWSTemplateFormatVersion: 2010-09-09',
      'Conditions:',
      '  IsProd: !Equals [!Ref Env, prod]',
      '  Both: !And [!Condition IsProd, !Not [!Condition IsDev]]',
      '  Either: !Or [!Condition IsProd, !Condition IsDev]',
      'Resources:',
      '  Bucket:',
      '    Type: AWS::S3::Bucket',
      '    Properties:',
      '      A: !Ref Env',
      '      B: !GetAtt Vpc.CidrBlock',
      '      B2: !GetAtt [Vpc, CidrBlock]',
      '      C: !Sub "${AWS::StackName}-x"',
      '      C2: !Sub ["${A}", {A: !Ref Env}]',
      '      D: !If [IsProd, a, b]',
      '      E: !Join [",", [a, b]]',
      '      F: !Select [0, !GetAZs ""]',
      '      G: !Split [",", "a,b"]',
      '      H: !FindInMap [Map, Key, Value]',
      '      I: !Base64 text',
      '      J: !Cidr [10.0.0.0/16, 4, 8]',
      '      K: !ImportValue shared-vpc',
      '      L: !Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}',
      '',
    ].join('\n');
    const { value, findings } = parseTemplate(text, 't.yaml');
    expect(findings).toEqual([]);
    expect(value).toEqual({
      AWSTemplateFormatVersion: '2010-09-09',
      Conditions: {
        IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
        Both: { 'Fn::And': [{ Condition: 'IsProd' }, { 'Fn::Not': [{ Condition: 'IsDev' }] }] },
        Either: { 'Fn::Or': [{ Condition: 'IsProd' }, { Condition: 'IsDev' }] },
      },
      Resources: {
        Bucket: {
          Type: 'AWS::S3::Bucket',
          Properties: {
            A: { Ref: 'Env' },
            B: { 'Fn::GetAtt': ['Vpc', 'CidrBlock'] },
            B2: { 'Fn::GetAtt': ['Vpc', 'CidrBlock'] },
            C: { 'Fn::Sub': '${AWS::StackName}-x' },
            C2: { 'Fn::Sub': ['${A}', { A: { Ref: 'Env' } }] },
            D: { 'Fn::If': ['IsProd', 'a', 'b'] },
            E: { 'Fn::Join': [',', ['a', 'b']] },
            F: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
            G: { 'Fn::Split': [',', 'a,b'] },
            H: { 'Fn::FindInMap': ['Map', 'Key', 'Value'] },
            I: { 'Fn::Base64': 'text' },
            J: { 'Fn::Cidr': ['10.0.0.0/16', 4, 8] },
            K: { 'Fn::ImportValue': 'shared-vpc' },
            L: { 'Fn::Transform': { Name: 'AWS::Include', Parameters: { Location: 's3://b/k' } } },
          },
        },
      },
    });
  });

  test('!GetAtt with a nested attribute splits at the first dot only', () => {
    expect(parseTemplate('Resources:\n  X: !GetAtt Db.Endpoint.Address\n', 't.yaml').value).toEqual({
      Resources: { X: { 'Fn::GetAtt': ['Db', 'Endpoint.Address'] } },
    });
  });

  test('a JSON template and the same YAML template parse to the same value', () => {
    const json = '{"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Ref": "Name"}}}}}';
    const yaml = 'Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref Name\n';
    expect(parseTemplate(json, 't.json').value).toEqual(parseTemplate(yaml, 't.yaml').value);
  });

  test('fails with a position on invalid JSON', () => {
    const { value, findings } = parseTemplate('{\n  "Resources": }', 't.json');
    expect(value).toBeUndefined();
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'CFCT-T001', severity: 'error', location: { file: 't.json' } });
  });

  test('fails on an unknown tag, at the tag', () => {
    const { findings } = parseTemplate('Resources:\n  X: !Reference Y\n', 't.yaml');
    expect(findings).toEqual([
      expect.objectContaining({ ruleId: 'CFCT-T001', location: expect.objectContaining({ line: 2, column: 6 }) }),
    ]);
  });
});

describe('minifyPolicy', () => {
  test('removes insignificant whitespace and keeps key order and string content', () => {
    const text =
      '{\n  "Version": "2012-10-17",\n  "Statement": [ { "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::a b" } ]\n}\n';
    expect(minifyPolicy(text)).toBe(
      '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::a b"}]}',
    );
  });

  test('throws on text that is not JSON', () => {
    expect(() => minifyPolicy('{"Version": ')).toThrow(SyntaxError);
  });

  test('the limit is the Organizations SCP limit', () => {
    expect(POLICY_MAX_CHARS).toBe(5120);
  });
});
