/** examples/typescript: the CDK app synthesizes, and its summary lists the pipeline's parts. */
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../examples/typescript/app';
import { summarise } from '../../examples/typescript/summary';

describe('examples/typescript', () => {
  test('synthesizes a stack with the pipeline, its state machines and the trigger', () => {
    const { stack } = buildApp();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CodePipeline::Pipeline', 1);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 2);
    const lines = summarise(template.toJSON() as never);
    expect(lines.slice(0, 7)).toEqual([
      'pipeline (V2, QUEUED):',
      '  Source: Source [Source/S3]',
      '  ValidateAndPlan: ValidateAndPlan [Build/CodeBuild]',
      '  Approval: ApprovePlan [Approval/Manual]',
      '  Policies: ApplyPolicies [Invoke/StepFunctions]',
      '  StackSets: ApplyStackSets [Invoke/StepFunctions]',
      '  Verify: ConfirmRollout [Approval/Manual]',
    ]);
    expect(lines[7]).toMatch(
      /^state machines: Customizations\w*PolicyStateMachine\w+, Customizations\w*StackSetStateMachine\w+$/,
    );
    expect(lines).toContain('    2 AWS::SQS::Queue');
  });
});
