import { CfnResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { suppress } from './deploy-parts';

/** One cdk-nag rule suppression (written to the resource's `cdk_nag` metadata by `suppress`). */
interface NagSuppression {
  readonly id: string;
  readonly reason: string;
  readonly appliesTo?: (string | { regex: string })[];
}

const CDK_BUCKET_GRANTS: NagSuppression = {
  id: 'AwsSolutions-IAM5',
  reason:
    "aws-cdk-lib's own grants on this construct's buckets (pipeline artifacts, the configuration package): object-level actions on these buckets' objects only; CodePipeline chooses the artifact keys",
  appliesTo: [
    {
      regex:
        '/^Action::s3:(GetObject|GetBucket|List|DeleteObject|Abort|PutObject|PutObjectLegalHold|PutObjectRetention|PutObjectTagging|PutObjectVersionTagging)\\*$/',
    },
    { regex: '/^Resource::<[A-Za-z0-9]*(ArtifactBucket|ConfigurationBucket)[A-Za-z0-9]*\\.Arn>\\/\\*$/' },
  ],
};

const CDK_KEY_GRANTS: NagSuppression = {
  id: 'AwsSolutions-IAM5',
  reason:
    "aws-cdk-lib's own encrypt/decrypt grants on this installation's KMS key only (GenerateDataKey* and ReEncrypt* variants of that one key)",
  appliesTo: [{ regex: '/^Action::kms:(GenerateDataKey|ReEncrypt)\\*$/' }],
};

/**
 * The suppressions of the pipeline's IAM policies: each names what it allows and why the
 * resource cannot be narrower. Applied to every IAM policy under `scope`.
 */
export function suppressPipelineFindings(scope: IConstruct, runPrefix: string): void {
  for (const child of scope.node.findAll()) {
    if (!(child instanceof iam.CfnPolicy)) continue;
    const path = child.node.path;
    const rules: NagSuppression[] = [CDK_BUCKET_GRANTS, CDK_KEY_GRANTS];
    if (/\/Build\/Role\//.test(path)) {
      rules.push(
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Planning reads the organization: DescribeOrganization, ListRoots, ListPolicies, ListStackSets and ValidateTemplate support no resource-level permission, and the other Organizations ARNs contain the organization id, unknown at synth time',
          appliesTo: ['Resource::*'],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason:
            "Read-only access to the stack sets this installation manages (names start with its prefix) and to Control Tower's baseline stack set (read to resolve Root targets)",
          appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:cloudformation:.*:stackset\\/.*\\*$/' }],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'A manifest may read any SSM parameter of the home region ($[alfred_ssm_<name>]); the names are known only from the package',
          appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:ssm:.*:parameter\\/\\*$/' }],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason:
            's3:GetObject only: a manifest may reference templates and policies by s3:// or https:// URL in any bucket; the buckets are known only from the package',
          appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:s3:::\\*\\/\\*$/' }],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason: `The run files of this installation: one prefix (${runPrefix}/) of the artifact bucket, keys named by the pipeline execution id`,
          appliesTo: [
            {
              regex: `/^Resource::<[A-Za-z0-9]*ArtifactBucket[A-Za-z0-9]*\\.Arn>\\/${runPrefix.replace(/\//g, '\\/')}\\/\\*$/`,
            },
          ],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason:
            "aws-cdk-lib's CodeBuild defaults: the project's own report groups and log streams (named by CodeBuild per build)",
          appliesTo: [
            { regex: '/^Resource::arn:<AWS::Partition>:codebuild:.*:report-group\\/<[A-Za-z0-9]+>-\\*$/' },
            { regex: '/^Resource::arn:<AWS::Partition>:logs:.*:log-group:\\/aws\\/codebuild\\/<[A-Za-z0-9]+>:\\*$/' },
          ],
        },
      );
    }
    if (/\/CodePipelineActionRole\//.test(path)) {
      rules.push({
        id: 'AwsSolutions-IAM5',
        reason:
          "aws-cdk-lib's StepFunctionInvokeAction grant: DescribeExecution on the executions of this one state machine that the action starts (named with its prefix)",
        appliesTo: [{ regex: '/^Resource::arn:.*:states:.*:execution:.*\\*$/' }],
      });
    }
    if (/\/LifecycleTrigger\/Role\//.test(path)) {
      rules.push({
        id: 'AwsSolutions-IAM5',
        reason: 'Log streams of the function’s own log group (Lambda names a stream per execution environment)',
        appliesTo: [{ regex: '/^Resource::<[A-Za-z0-9]+\\.Arn>:log-stream:\\*$/' }],
      });
    }
    suppress(child, rules);
  }
}

/** The suppressions of aws-cdk-lib's BucketDeployment handler (it copies the sample package once per deployment). */
export function suppressBucketDeploymentFindings(stack: Stack): void {
  for (const child of stack.node.children) {
    if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
    for (const resource of child.node.findAll()) {
      if (!(resource instanceof CfnResource)) continue;
      const rules: NagSuppression[] = [];
      if (resource.cfnResourceType === 'AWS::Lambda::Function') {
        rules.push({
          id: 'AwsSolutions-L1',
          reason: "aws-cdk-lib's BucketDeployment handler: its runtime is chosen and kept current by aws-cdk-lib",
        });
      }
      if (resource.cfnResourceType === 'AWS::IAM::Role') {
        rules.push({
          id: 'AwsSolutions-IAM4',
          reason:
            "aws-cdk-lib's BucketDeployment handler role: AWSLambdaBasicExecutionRole allows only CloudWatch Logs writes",
          appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
        });
      }
      if (resource.cfnResourceType === 'AWS::IAM::Policy') {
        rules.push(CDK_BUCKET_GRANTS, CDK_KEY_GRANTS, {
          id: 'AwsSolutions-IAM5',
          reason:
            "aws-cdk-lib's BucketDeployment handler reads the sample package from the CDK asset bucket (asset keys are content hashes)",
          appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-.*\\/\\*$/' }],
        });
      }
      if (rules.length) suppress(resource, rules);
    }
  }
}
