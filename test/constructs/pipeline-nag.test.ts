import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CustomControlTowerPipeline } from '../../src';
import { awsSolutionsFindings } from '../nag';

function fullPipelineStack(): Stack {
  const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  new CustomControlTowerPipeline(stack, 'Cfct', {
    requireApproval: true,
    approvalEmails: ['approver@example.com'],
    notificationEmails: ['ops@example.com'],
  });
  return stack;
}

describe('CustomControlTowerPipeline and cdk-nag', () => {
  const stack = fullPipelineStack();
  const template = Template.fromStack(stack);

  test('AwsSolutions over the full pipeline (approval, notifications, lifecycle trigger): no unsuppressed finding', () => {
    expect(awsSolutionsFindings(stack)).toEqual([]);
  });

  test('no IAM statement allows every action, or every action of a service', () => {
    const actions: string[] = [];
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement) actions.push(...[statement.Action].flat());
    }
    expect(actions.length).toBeGreaterThan(20);
    expect(actions.filter((a) => a === '*' || /^[a-z0-9-]+:\*$/.test(a))).toEqual([]);
  });

  test('each suppression names its rule and gives a reason; resource wildcards of our own statements are the documented ones', () => {
    type Resource = { Metadata?: { cdk_nag?: { rules_to_suppress: { id: string; reason: string }[] } } };
    const suppressions = Object.values(template.toJSON().Resources as Record<string, Resource>).flatMap(
      (r) => r.Metadata?.cdk_nag?.rules_to_suppress ?? [],
    );
    expect(suppressions.length).toBeGreaterThan(0);
    for (const s of suppressions) {
      expect(s.id).toMatch(/^AwsSolutions-(IAM4|IAM5|L1)$/);
      expect(s.reason.length).toBeGreaterThan(40);
    }
    // The build role's own statements: Resource '*' only for the read actions that have no resource-level permission.
    const [buildPolicy] = Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([id]) => /CfctBuildRoleDefaultPolicy/.test(id))
      .map(([, p]) => p);
    const star = buildPolicy.Properties.PolicyDocument.Statement.filter(
      (s: { Resource: unknown }) => s.Resource === '*',
    );
    expect(
      star
        .flatMap((s: { Action: string[] }) => s.Action)
        .every((a: string) =>
          /^(organizations:(Describe|List)|cloudformation:(ListStackSets|ValidateTemplate))/.test(a),
        ),
    ).toBe(true);
  });
});
