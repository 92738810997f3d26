/**
 * A CDK app in the Control Tower management account that adds the Customizations for AWS
 * Control Tower pipeline. The same app in Python: examples/python/app.py. In your own app,
 * import from 'cdk-control-tower-customizations'.
 *
 *   npx cdk synth      (cdk.json runs this file)
 */
import { App, Stack, StackProps } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import { Construct } from 'constructs';
import {
  ConfigurationSource,
  CustomControlTowerPipeline,
  FailureToleranceMode,
  RegionConcurrency,
  StackSetOrder,
} from '../../src';

/** What the team's wrapper asks for. */
export interface CustomizationsProps {
  /** Who approves each plan and hears about failures. */
  readonly teamEmail: string;
}

/** The team's customizations: the pipeline with the defaults this organization uses. */
export class Customizations extends Construct {
  readonly pipeline: CustomControlTowerPipeline;

  constructor(scope: Construct, id: string, props: CustomizationsProps) {
    super(scope, id);
    this.pipeline = new CustomControlTowerPipeline(this, 'Pipeline', {
      // Upload custom-control-tower-configuration.zip (a cfct package) to start a run.
      source: ConfigurationSource.s3(),
      // A person approves each plan; the approval shows the summary and links the report.
      requireApproval: true,
      approvalEmails: [props.teamEmail],
      notificationEmails: [props.teamEmail],
      // Stack set defaults of this organization (the upstream names are the defaults).
      stackSetPrefix: 'CustomControlTower-',
      executionRoleName: 'AWSControlTowerExecution',
      maxConcurrentStackSets: 8,
      // Manifests without stack_set_order run independent stack sets together.
      stackSetOrder: StackSetOrder.DEPENDENCIES,
      // Every stack set operation, unless a resource's operation_preferences say otherwise:
      // 10 accounts at a time, stop a Region after 2 failures, the home Region first.
      stackSetOperationPreferences: {
        maxConcurrentCount: 10,
        failureToleranceCount: 2,
        concurrencyMode: FailureToleranceMode.STRICT,
        regionConcurrencyType: RegionConcurrency.SEQUENTIAL,
        regionOrder: ['us-east-1', 'eu-west-1'],
      },
      // After the rollout, someone confirms the landing zone checks passed.
      stagesAfterDeploy: [
        {
          stageName: 'Verify',
          actions: [
            new actions.ManualApprovalAction({
              actionName: 'ConfirmRollout',
              additionalInformation: 'Check the Control Tower dashboard for drift, then confirm.',
            }),
          ],
        } satisfies codepipeline.StageProps,
      ],
    });
  }
}

/** The management account's customizations stack. */
export class CustomizationsStack extends Stack {
  readonly customizations: Customizations;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.customizations = new Customizations(this, 'Customizations', { teamEmail: 'cloud-team@example.com' });
  }
}

/** Builds the app (the test and the summary script call this). */
export function buildApp(): { app: App; stack: CustomizationsStack } {
  const app = new App();
  const stack = new CustomizationsStack(app, 'Customizations', {
    env: {
      account: process.env.CDK_DEFAULT_ACCOUNT ?? '111111111111',
      region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1',
    },
  });
  return { app, stack };
}

if (require.main === module) {
  buildApp().app.synth();
}
