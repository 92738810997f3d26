/**
 * A CDK app in the Control Tower management account that adds the Customizations for AWS
 * Control Tower pipeline. In your own app, import from 'cdk-control-tower-customizations'.
 *
 *   npx cdk synth      (cdk.json runs this file)
 */
import { App, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ConfigurationSource, CustomControlTowerPipeline } from '../../src';

/** The management account's customizations stack. */
export class CustomizationsStack extends Stack {
  readonly customizations: CustomControlTowerPipeline;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.customizations = new CustomControlTowerPipeline(this, 'Customizations', {
      // Upload custom-control-tower-configuration.zip (cfct package) to start a run.
      source: ConfigurationSource.s3(),
      // A person approves each plan; the approval shows the summary and links the report.
      requireApproval: true,
      approvalEmails: ['cloud-team@example.com'],
      notificationEmails: ['cloud-team@example.com'],
    });
  }
}

/** Builds the app (the test and the summary script call this). */
export function buildApp(): { app: App; stack: CustomizationsStack } {
  const app = new App();
  const stack = new CustomizationsStack(app, 'Customizations', {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT ?? '111111111111', region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
  });
  return { app, stack };
}

if (require.main === module) {
  buildApp().app.synth();
}
