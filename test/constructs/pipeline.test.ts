import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import {
  ConfigurationSource,
  CustomControlTowerPipeline,
  CustomControlTowerPipelineProps,
  FailureToleranceMode,
  RegionConcurrency,
  StackSetOrder,
} from '../../src';
import { OPERATION_PREFERENCE_RANGES } from '../../src/constructs/stack-set-preferences';
import { MANIFEST_V2_SCHEMA } from '../../src/manifest';

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
}

function synth(props: CustomControlTowerPipelineProps = {}): {
  stack: Stack;
  pipeline: CustomControlTowerPipeline;
  template: Template;
} {
  const stack = newStack();
  const pipeline = new CustomControlTowerPipeline(stack, 'Cfct', props);
  return { stack, pipeline, template: Template.fromStack(stack) };
}

/** The pipeline's stages: name -> action type ids (`Category/Provider`). */
function stages(template: Template): Record<string, string[]> {
  const pipelines = template.findResources('AWS::CodePipeline::Pipeline');
  const [resource] = Object.values(pipelines);
  const out: Record<string, string[]> = {};
  for (const stage of resource.Properties.Stages) {
    out[stage.Name] = stage.Actions.map(
      (a: { ActionTypeId: { Category: string; Provider: string } }) =>
        `${a.ActionTypeId.Category}/${a.ActionTypeId.Provider}`,
    );
  }
  return out;
}

function ownStateMachine(stack: Stack, id: string): sfn.StateMachine {
  return new sfn.StateMachine(stack, id, {
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, `${id}Pass`)),
  });
}

describe('CustomControlTowerPipeline', () => {
  describe('defaults', () => {
    const { template, pipeline } = synth();

    test('stages: S3 source, validate and plan, policies, stack sets (no approval by default)', () => {
      expect(stages(template)).toEqual({
        Source: ['Source/S3'],
        ValidateAndPlan: ['Build/CodeBuild'],
        Policies: ['Invoke/StepFunctions'],
        StackSets: ['Invoke/StepFunctions'],
      });
    });

    test('a V2 pipeline whose runs queue, with the ACCOUNTS variable (default all)', () => {
      template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
        PipelineType: 'V2',
        ExecutionMode: 'QUEUED',
        Variables: [{ Name: 'ACCOUNTS', DefaultValue: 'all', Description: Match.anyValue() }],
      });
    });

    test('the build action passes the execution id and the ACCOUNTS variable and exports its variables', () => {
      const [resource] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
      const build = resource.Properties.Stages.find((s: { Name: string }) => s.Name === 'ValidateAndPlan').Actions[0];
      expect(build.Namespace).toBe('Build');
      expect(JSON.parse(build.Configuration.EnvironmentVariables)).toEqual([
        { name: 'CFCT_EXECUTION_ID', type: 'PLAINTEXT', value: '#{codepipeline.PipelineExecutionId}' },
        { name: 'CFCT_ACCOUNTS', type: 'PLAINTEXT', value: '#{variables.ACCOUNTS}' },
      ]);
      const deploy = resource.Properties.Stages.find((s: { Name: string }) => s.Name === 'Policies').Actions[0];
      expect(deploy.Configuration).toMatchObject({ InputType: 'FilePath', Input: 'policy-input.json' });
      const stackSets = resource.Properties.Stages.find((s: { Name: string }) => s.Name === 'StackSets').Actions[0];
      expect(stackSets.Configuration).toMatchObject({ InputType: 'FilePath', Input: 'stackset-input.json' });
      expect(stackSets.InputArtifacts).toEqual([{ Name: 'Plan' }]);
    });

    test('the buildspec only fetches the bundled cfct (and cfn-lint) and calls one command on Node.js 22', () => {
      const [project] = Object.values(template.findResources('AWS::CodeBuild::Project'));
      const spec = JSON.parse(project.Properties.Source.BuildSpec);
      expect(spec.phases.install['runtime-versions']).toEqual({ nodejs: 22 });
      expect(spec.phases.install.commands).toEqual([
        'aws s3 cp "$CFCT_CLI_URL" /tmp/cfct.js --only-show-errors',
        'pip3 install --quiet --disable-pip-version-check cfn-lint',
      ]);
      expect(spec.phases.build.commands).toEqual([
        'node /tmp/cfct.js pipeline-build "$CODEBUILD_SRC_DIR" --bucket "$CFCT_ARTIFACT_BUCKET" --execution-id "$CFCT_EXECUTION_ID" --accounts "$CFCT_ACCOUNTS" --installation-id default --prefix cfct/runs --out cfct-out --variables-file /tmp/cfct-variables.sh',
        '. /tmp/cfct-variables.sh',
      ]);
      expect(spec.env['exported-variables']).toEqual(['CFCT_SUMMARY', 'CFCT_REPORT_URL', 'CFCT_PLAN_HASH']);
      expect(project.Properties.Environment).toMatchObject({
        Image: 'aws/codebuild/standard:7.0',
        ComputeType: 'BUILD_GENERAL1_SMALL',
      });
      expect(project.Properties.EncryptionKey).toBeDefined();
    });

    test('the configuration bucket keeps the upstream name; an upload of the package key starts the pipeline', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        BucketName: 'custom-control-tower-configuration-111111111111-eu-west-1',
      });
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.s3'],
          'detail-type': ['Object Created'],
          detail: { bucket: { name: [Match.anyValue()] }, object: { key: ['custom-control-tower-configuration.zip'] } },
        },
        Targets: [Match.objectLike({ Arn: Match.anyValue() })],
      });
      // The S3 action itself does not poll.
      const [resource] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
      expect(resource.Properties.Stages[0].Actions[0].Configuration).toMatchObject({
        S3ObjectKey: 'custom-control-tower-configuration.zip',
        PollForSourceChanges: false,
      });
    });

    test('the sample package is deployed beside it (it starts nothing: its key has a leading underscore)', () => {
      template.resourceCountIs('Custom::CDKBucketDeployment', 1);
      template.hasResourceProperties('Custom::CDKBucketDeployment', { Prune: false, RetainOnDelete: true });
    });

    test('the lock parameter names the artifact bucket', () => {
      void pipeline;
      template.hasResourceProperties('AWS::SSM::Parameter', {
        Name: '/cfct/default/lock-bucket',
        Type: 'String',
        Value: { Ref: Match.stringLikeRegexp('ArtifactBucket') },
      });
    });

    test('one KMS key (rotating) encrypts buckets, artifacts, queues, topics and logs', () => {
      template.resourceCountIs('AWS::KMS::Key', 1);
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
      const keyRef = { 'Fn::GetAtt': [keyId, 'Arn'] };
      for (const [type, prop] of [
        ['AWS::SQS::Queue', 'KmsMasterKeyId'],
        ['AWS::SNS::Topic', 'KmsMasterKeyId'],
        ['AWS::Logs::LogGroup', 'KmsKeyId'],
      ] as const) {
        const resources = Object.values(template.findResources(type));
        expect(resources.length).toBeGreaterThan(0);
        for (const r of resources) expect(r.Properties[prop]).toEqual(keyRef);
      }
      for (const r of Object.values(template.findResources('AWS::S3::Bucket'))) {
        const sse = r.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault;
        // the access log bucket must be SSE-S3 (S3 delivers logs to nothing else)
        expect(sse.SSEAlgorithm === 'AES256' || JSON.stringify(sse.KMSMasterKeyID) === JSON.stringify(keyRef)).toBe(
          true,
        );
      }
    });

    test('no fixed physical names except the configuration bucket and the installation-named lock parameter', () => {
      const named: string[] = [];
      for (const [id, r] of Object.entries(
        template.toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>,
      )) {
        for (const key of [
          'BucketName',
          'Name',
          'QueueName',
          'TopicName',
          'FunctionName',
          'RoleName',
          'LogGroupName',
          'StateMachineName',
          'ProjectName',
        ]) {
          const value = r.Properties?.[key];
          if (typeof value === 'string' && r.Type !== 'AWS::CodePipeline::Pipeline') named.push(`${r.Type}:${value}`);
          void id;
        }
      }
      expect(named.sort()).toEqual([
        'AWS::S3::Bucket:custom-control-tower-configuration-111111111111-eu-west-1',
        'AWS::SSM::Parameter:/cfct/default/lock-bucket',
      ]);
      const [resource] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
      expect(resource.Properties.Name).toBeUndefined();
    });

    test('public read-only parts', () => {
      expect(pipeline.pipeline).toBeDefined();
      expect(pipeline.buildProject).toBeDefined();
      expect(pipeline.artifactBucket).toBeDefined();
      expect(pipeline.configurationBucket).toBeDefined();
      expect(pipeline.encryptionKey).toBeDefined();
      expect(pipeline.notificationTopic).toBeDefined();
      expect(pipeline.approvalTopic).toBeUndefined();
      expect(pipeline.lifecycleQueue).toBeDefined();
      expect(pipeline.policyStateMachine).toBeDefined();
      expect(pipeline.stackSetStateMachine).toBeDefined();
    });
  });

  describe('notifications', () => {
    const { template } = synth({ notificationEmails: ['ops@example.com'] });

    test('pipeline failure goes to the notification topic', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.codepipeline'],
          'detail-type': ['CodePipeline Pipeline Execution State Change'],
          detail: { pipeline: [{ Ref: Match.stringLikeRegexp('CfctPipeline') }], state: ['FAILED'] },
        },
        Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('CfctNotificationTopic') } })],
      });
    });

    test('state machine failure, timeout or abort goes to the notification topic', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.states'],
          'detail-type': ['Step Functions Execution Status Change'],
          detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [Match.anyValue(), Match.anyValue()] },
        },
        Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('CfctNotificationTopic') } })],
      });
    });

    test('e-mail subscribers; EventBridge may use the key only for rules of this account and region', () => {
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'events.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
              Condition: {
                StringEquals: { 'aws:SourceAccount': '111111111111' },
                ArnLike: {
                  'aws:SourceArn': {
                    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-1:111111111111:rule/*']],
                  },
                },
              },
            }),
          ]),
        },
      });
    });

    test('uses your topic when given', () => {
      const stack = newStack();
      const topic = new sns.Topic(stack, 'Mine');
      const p = new CustomControlTowerPipeline(stack, 'Cfct', { notificationTopic: topic });
      expect(p.notificationTopic).toBe(topic);
      Template.fromStack(stack).resourceCountIs('AWS::SNS::Topic', 1);
    });
  });

  describe('approval', () => {
    test('on: an approval stage after the plan that shows the summary and links the report', () => {
      const { template, pipeline } = synth({ requireApproval: true, approvalEmails: ['approver@example.com'] });
      expect(Object.keys(stages(template))).toEqual(['Source', 'ValidateAndPlan', 'Approval', 'Policies', 'StackSets']);
      const [resource] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
      const approval = resource.Properties.Stages[2].Actions[0];
      expect(approval.ActionTypeId).toMatchObject({ Category: 'Approval', Provider: 'Manual' });
      expect(approval.Configuration.CustomData).toContain('#{Build.CFCT_SUMMARY}');
      expect(approval.Configuration.CustomData).toContain('#{Build.CFCT_PLAN_HASH}');
      expect(approval.Configuration.ExternalEntityLink).toBe('#{Build.CFCT_REPORT_URL}');
      expect(approval.Configuration.NotificationArn.Ref).toMatch(/^CfctApprovalTopic/);
      template.hasResourceProperties('AWS::SNS::Topic', {
        KmsMasterKeyId: Match.anyValue(),
        DisplayName: 'cfct default: approve a plan',
      });
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'approver@example.com' });
      expect(pipeline.approvalTopic).toBeDefined();
    });

    test('off: no approval stage and no approval topic', () => {
      const { template } = synth({ requireApproval: false });
      expect(Object.keys(stages(template))).not.toContain('Approval');
      expect(Object.values(template.findResources('AWS::SNS::Topic')).map((t) => t.Properties.DisplayName)).toEqual([
        'cfct default: failures',
      ]);
    });

    test('uses your topic when given', () => {
      const stack = newStack();
      const topic = new sns.Topic(stack, 'Mine');
      const p = new CustomControlTowerPipeline(stack, 'Cfct', { requireApproval: true, approvalTopic: topic });
      expect(p.approvalTopic).toBe(topic);
    });
  });

  describe('sources', () => {
    test('CodeCommit by name: a CodeCommit action on the branch, started by EventBridge; no configuration bucket', () => {
      const { template, pipeline } = synth({
        source: ConfigurationSource.codeCommit({ repositoryName: 'cfct-config', branch: 'release' }),
      });
      expect(stages(template).Source).toEqual(['Source/CodeCommit']);
      const [resource] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
      expect(resource.Properties.Stages[0].Actions[0].Configuration).toMatchObject({
        RepositoryName: 'cfct-config',
        BranchName: 'release',
        PollForSourceChanges: false,
      });
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: Match.objectLike({
          source: ['aws.codecommit'],
          detail: Match.objectLike({ referenceName: ['release'] }),
        }),
      });
      template.resourceCountIs('Custom::CDKBucketDeployment', 0);
      expect(pipeline.configurationBucket).toBeUndefined();
    });

    test('CodeCommit with a repository object', () => {
      const stack = newStack();
      const repository = new codecommit.Repository(stack, 'Repo', { repositoryName: 'cfct' });
      new CustomControlTowerPipeline(stack, 'Cfct', { source: ConfigurationSource.codeCommit({ repository }) });
      const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'));
      expect(resource.Properties.Stages[0].Actions[0].Configuration).toMatchObject({ BranchName: 'main' });
    });

    test('CodeConnections: owner/repository on the branch through the connection', () => {
      const connectionArn =
        'arn:aws:codeconnections:eu-west-1:111111111111:connection/0123abcd-0000-1111-2222-333344445555';
      const { template } = synth({
        source: ConfigurationSource.codeConnection({
          connectionArn,
          owner: 'acme',
          repository: 'cfct-config',
          branch: 'main',
        }),
      });
      expect(stages(template).Source).toEqual(['Source/CodeStarSourceConnection']);
      const [resource] = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
      expect(resource.Properties.Stages[0].Actions[0].Configuration).toMatchObject({
        ConnectionArn: connectionArn,
        FullRepositoryId: 'acme/cfct-config',
        BranchName: 'main',
      });
    });

    test('S3 with your bucket and key: no new bucket, no sample', () => {
      const stack = newStack();
      const bucket = new s3.Bucket(stack, 'Mine');
      new CustomControlTowerPipeline(stack, 'Cfct', {
        source: ConfigurationSource.s3({ bucket, objectKey: 'cfct/package.zip' }),
      });
      const template = Template.fromStack(stack);
      template.resourceCountIs('Custom::CDKBucketDeployment', 0);
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: Match.objectLike({
          detail: {
            bucket: { name: [{ Ref: Match.stringLikeRegexp('Mine') }] },
            object: { key: ['cfct/package.zip'] },
          },
        }),
      });
    });

    test('S3 without the sample package', () => {
      const { template } = synth({ source: ConfigurationSource.s3({ samplePackage: false }) });
      template.resourceCountIs('Custom::CDKBucketDeployment', 0);
    });

    test('fails when a CodeCommit source names both or neither repository', () => {
      const stack = newStack();
      const repository = new codecommit.Repository(stack, 'Repo', { repositoryName: 'cfct' });
      expect(() => ConfigurationSource.codeCommit({ repository, repositoryName: 'x' })).toThrow(
        /^ConfigurationSource.codeCommit needs exactly one of repository and repositoryName, got both$/,
      );
      expect(() => ConfigurationSource.codeCommit({})).toThrow(
        /^ConfigurationSource.codeCommit needs exactly one of repository and repositoryName, got neither$/,
      );
    });

    test('fails when a connection ARN is not one', () => {
      expect(() =>
        ConfigurationSource.codeConnection({ connectionArn: 'arn:aws:s3:::bucket', owner: 'a', repository: 'b' }),
      ).toThrow(
        /^connectionArn must be a CodeConnections connection ARN \(arn:aws:codeconnections:<region>:<account>:connection\/<id>\), got 'arn:aws:s3:::bucket'$/,
      );
    });

    test('fails when the S3 object key starts with an underscore', () => {
      expect(() => ConfigurationSource.s3({ objectKey: '_x.zip' })).toThrow(
        /^objectKey must be a relative S3 key that does not start with '_' \(keys with a leading underscore never start the pipeline\), got '_x.zip'$/,
      );
    });
  });

  describe('overrides', () => {
    test('your stages before and after the deploy stages, your state machines, build settings', () => {
      const stack = newStack();
      const policy = ownStateMachine(stack, 'MyPolicies');
      const stackSets = ownStateMachine(stack, 'MyStackSets');
      const p = new CustomControlTowerPipeline(stack, 'Cfct', {
        requireApproval: true,
        policyStateMachine: policy,
        stackSetStateMachine: stackSets,
        buildComputeType: codebuild.ComputeType.MEDIUM,
        buildTimeout: Duration.minutes(60),
        buildCommands: ['pip install cfn-lint'],
        stagesBeforeDeploy: [
          { stageName: 'Test', actions: [new actions.ManualApprovalAction({ actionName: 'Check' })] },
        ],
        stagesAfterDeploy: [
          { stageName: 'Verify', actions: [new actions.ManualApprovalAction({ actionName: 'Verify' })] },
        ],
        stackSetPrefix: 'Acme-',
        executionRoleName: 'AcmeExecution',
        administrationRoleArn: 'arn:aws:iam::111111111111:role/AcmeAdmin',
      });
      const template = Template.fromStack(stack);
      expect(Object.keys(stages(template))).toEqual([
        'Source',
        'ValidateAndPlan',
        'Approval',
        'Test',
        'Policies',
        'StackSets',
        'Verify',
      ]);
      expect(p.policyStateMachine).toBe(policy);
      expect(p.stackSetStateMachine).toBe(stackSets);
      // only the given state machines
      template.resourceCountIs('AWS::StepFunctions::StateMachine', 2);
      const [project] = Object.values(template.findResources('AWS::CodeBuild::Project'));
      expect(project.Properties.Environment.ComputeType).toBe('BUILD_GENERAL1_MEDIUM');
      expect(project.Properties.TimeoutInMinutes).toBe(60);
      const spec = JSON.parse(project.Properties.Source.BuildSpec);
      expect(spec.phases.build.commands[0]).toBe('pip install cfn-lint');
      expect(spec.phases.build.commands[1]).toContain(
        '--stack-set-prefix Acme- --administration-role-arn arn:aws:iam::111111111111:role/AcmeAdmin --execution-role-name AcmeExecution',
      );
    });

    test('a replacement buildspec', () => {
      const { template } = synth({
        buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: ['echo mine'] } } }),
      });
      const [project] = Object.values(template.findResources('AWS::CodeBuild::Project'));
      expect(JSON.parse(project.Properties.Source.BuildSpec).phases.build.commands).toEqual(['echo mine']);
    });

    test('your KMS key instead of a new one', () => {
      const stack = newStack();
      const key = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
      const p = new CustomControlTowerPipeline(stack, 'Cfct', { encryptionKey: key });
      expect(p.encryptionKey).toBe(key);
      Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 1);
    });
  });

  describe('lifecycle trigger', () => {
    test('on by default: EventBridge → SQS FIFO (KMS, DLQ after 5) → Lambda that may start only this pipeline', () => {
      const { template } = synth();
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.controltower'],
          'detail-type': ['AWS Service Event via CloudTrail'],
          detail: { eventName: ['CreateManagedAccount', 'UpdateManagedAccount'] },
        },
        Targets: [Match.objectLike({ SqsParameters: { MessageGroupId: 'cfct-lifecycle' } })],
      });
      template.hasResourceProperties('AWS::SQS::Queue', {
        FifoQueue: true,
        ContentBasedDeduplication: true,
        KmsMasterKeyId: Match.anyValue(),
        RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
      });
      template.resourceCountIs('AWS::SQS::Queue', 2);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs22.x',
        Environment: {
          Variables: Match.objectLike({ PIPELINE_NAME: { Ref: Match.stringLikeRegexp('CfctPipeline') } }),
        },
      });
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 10 });
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Effect: 'Allow',
              Action: 'codepipeline:StartPipelineExecution',
              Resource: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
            },
          ]),
        },
      });
    });

    test('off: no queue, no trigger function', () => {
      const { template, pipeline } = synth({ lifecycleTrigger: false });
      template.resourceCountIs('AWS::SQS::Queue', 0);
      expect(
        Object.values(template.findResources('AWS::Events::Rule')).some((r) =>
          JSON.stringify(r).includes('aws.controltower'),
        ),
      ).toBe(false);
      expect(pipeline.lifecycleQueue).toBeUndefined();
    });
  });

  describe('two pipelines in one stack', () => {
    test('two installation ids: no name clash, each its own lock parameter and configuration bucket', () => {
      const stack = newStack();
      new CustomControlTowerPipeline(stack, 'A');
      new CustomControlTowerPipeline(stack, 'B', { installationId: 'team-b' });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::CodePipeline::Pipeline', 2);
      const names = Object.values(template.findResources('AWS::SSM::Parameter')).map((r) => r.Properties.Name);
      expect(names.sort()).toEqual(['/cfct/default/lock-bucket', '/cfct/team-b/lock-bucket']);
      const buckets = Object.values(template.findResources('AWS::S3::Bucket'))
        .map((r) => r.Properties.BucketName)
        .filter((n) => n !== undefined);
      expect(buckets.map((b) => JSON.stringify(b)).sort()).toEqual([
        '"cfct-configuration-team-b-111111111111-eu-west-1"',
        '"custom-control-tower-configuration-111111111111-eu-west-1"',
      ]);
    });

    test('fails when both use the same installation id', () => {
      const stack = newStack();
      new CustomControlTowerPipeline(stack, 'A', { installationId: 'x' });
      expect(() => new CustomControlTowerPipeline(stack, 'B', { installationId: 'x' })).toThrow(
        /^installationId 'x' is already used by the pipeline at Stack\/A; give each CustomControlTowerPipeline its own installationId$/,
      );
    });
  });

  describe('fails when props are bad', () => {
    const cases: [string, CustomControlTowerPipelineProps, RegExp][] = [
      [
        'installationId is not a lowercase id',
        { installationId: 'Team B' },
        /^installationId must be 1-31 lowercase letters, digits and hyphens, starting with a letter or digit, got 'Team B'$/,
      ],
      [
        'approval e-mails without approval',
        { approvalEmails: ['a@example.com'] },
        /^approvalEmails and approvalTopic need requireApproval: true; set it, or remove them$/,
      ],
      [
        'maxConcurrentStackSets is out of range',
        { maxConcurrentStackSets: 0 },
        /^maxConcurrentStackSets must be a whole number between 1 and 40, got 0$/,
      ],
      [
        'buildTimeout is too long',
        { buildTimeout: Duration.hours(9) },
        /^buildTimeout must be a whole number of minutes between 5 and 480, got 9 hours$/,
      ],
      [
        'buildCommands with a buildSpec',
        { buildCommands: ['x'], buildSpec: codebuild.BuildSpec.fromObject({}) },
        /^buildCommands cannot be combined with buildSpec: put the commands in your buildspec$/,
      ],
      [
        'a stage takes a reserved name',
        { stagesAfterDeploy: [{ stageName: 'Policies' }] },
        /^stage name 'Policies' is used by the pipeline itself; choose another name for your stage$/,
      ],
      [
        'executionRoleName is not a role name',
        { executionRoleName: 'a/b' },
        /^executionRoleName must be an IAM role name \(1-64 of letters, digits and \+=,.@_-\), got 'a\/b'$/,
      ],
      [
        'administrationRoleArn is not a role ARN',
        { administrationRoleArn: 'AWSControlTowerStackSetRole' },
        /^administrationRoleArn must be an IAM role ARN, got 'AWSControlTowerStackSetRole'$/,
      ],
      [
        'maxConcurrentPercentage is over 100',
        { stackSetOperationPreferences: { maxConcurrentPercentage: 150 } },
        /^stackSetOperationPreferences\.maxConcurrentPercentage must be a whole number between 1 and 100, got 150$/,
      ],
      [
        'maxConcurrentCount is 0',
        { stackSetOperationPreferences: { maxConcurrentCount: 0 } },
        /^stackSetOperationPreferences\.maxConcurrentCount must be a whole number of at least 1, got 0$/,
      ],
      [
        'failureToleranceCount is not whole',
        { stackSetOperationPreferences: { failureToleranceCount: 1.5 } },
        /^stackSetOperationPreferences\.failureToleranceCount must be a whole number of at least 0, got 1\.5$/,
      ],
      [
        'failureTolerancePercentage is negative',
        { stackSetOperationPreferences: { failureTolerancePercentage: -1 } },
        /^stackSetOperationPreferences\.failureTolerancePercentage must be a whole number between 0 and 100, got -1$/,
      ],
      [
        'both concurrency forms are given',
        { stackSetOperationPreferences: { maxConcurrentCount: 2, maxConcurrentPercentage: 50 } },
        /^stackSetOperationPreferences: give maxConcurrentCount or maxConcurrentPercentage, not both \(StackSets accepts one of each\)$/,
      ],
      [
        'both tolerance forms are given',
        { stackSetOperationPreferences: { failureToleranceCount: 0, failureTolerancePercentage: 10 } },
        /^stackSetOperationPreferences: give failureToleranceCount or failureTolerancePercentage, not both \(StackSets accepts one of each\)$/,
      ],
      [
        'regionOrder names an unknown region',
        { stackSetOperationPreferences: { regionOrder: ['eu-west-1', 'moon-1'] } },
        /^stackSetOperationPreferences\.regionOrder: 'moon-1' is not a known AWS region$/,
      ],
    ];
    test.each(cases)('fails when %s', (_name, props, message) => {
      expect(() => new CustomControlTowerPipeline(newStack(), 'Cfct', props)).toThrow(message);
    });
  });

  describe('stack set defaults', () => {
    function buildCommand(props: CustomControlTowerPipelineProps): string {
      const { template } = synth(props);
      const [project] = Object.values(template.findResources('AWS::CodeBuild::Project'));
      const commands: string[] = JSON.parse(project.Properties.Source.BuildSpec).phases.build.commands;
      return commands.find((c) => c.includes('pipeline-build'))!;
    }

    test("operation preferences and order reach cfct pipeline-build as the manifest's keys", () => {
      const command = buildCommand({
        stackSetOperationPreferences: {
          maxConcurrentCount: 5,
          failureTolerancePercentage: 20,
          regionConcurrencyType: RegionConcurrency.SEQUENTIAL,
          regionOrder: ['eu-west-1', 'us-east-1'],
          concurrencyMode: FailureToleranceMode.STRICT,
        },
        stackSetOrder: StackSetOrder.DEPENDENCIES,
      });
      const json = /--operation-preferences '([^']*)'/.exec(command)![1];
      expect(JSON.parse(json)).toEqual({
        MaxConcurrentCount: 5,
        FailureTolerancePercentage: 20,
        RegionConcurrencyType: 'SEQUENTIAL',
        RegionOrder: ['eu-west-1', 'us-east-1'],
        ConcurrencyMode: 'STRICT_FAILURE_TOLERANCE',
      });
      expect(command).toMatch(/ --stack-set-order dependencies( |$)/);
    });

    test('without the props, the build passes neither flag (the library defaults apply)', () => {
      const command = buildCommand({});
      expect(command).not.toContain('--operation-preferences');
      expect(command).not.toContain('--stack-set-order');
    });

    test("the ranges checked are the manifest schema's operation_preferences ranges", () => {
      const properties = (MANIFEST_V2_SCHEMA as any).definitions.operationPreferences.properties;
      for (const range of Object.values(OPERATION_PREFERENCE_RANGES)) {
        const schema = properties[range.key];
        expect({ minimum: schema.minimum, maximum: schema.maximum }).toEqual({
          minimum: range.minimum,
          maximum: 'maximum' in range ? range.maximum : undefined,
        });
      }
    });
  });

  describe('stack set state cache', () => {
    const KEY = 'cfct/runs/stack-set-states.json';
    /** The policies (by logical id) with a statement `match` accepts. */
    function policiesWith(template: Template, match: (statement: any) => boolean): string[] {
      return Object.entries(template.findResources('AWS::IAM::Policy'))
        .filter(([, r]) => (r.Properties.PolicyDocument.Statement as any[]).some(match))
        .map(([id]) => id)
        .sort();
    }

    test('the build role and the plan check function read and write exactly the cache object, tell a missing one apart, and list operations of the installation stack sets', () => {
      const { template } = synth();
      const cacheObject = (s: any) =>
        JSON.stringify(s.Action) === JSON.stringify(['s3:GetObject', 's3:PutObject']) &&
        JSON.stringify(s.Resource).includes(`/${KEY}"`) &&
        !JSON.stringify(s.Resource).includes('*');
      const listPrefix = (s: any) => s.Action === 's3:ListBucket' && s.Condition?.StringEquals?.['s3:prefix'] === KEY;
      const operations = (s: any) =>
        Array.isArray(s.Action) &&
        s.Action.includes('cloudformation:ListStackSetOperations') &&
        s.Action.includes('cloudformation:DescribeStackSet');
      const withCache = policiesWith(template, cacheObject);
      // The build role, the plan check function of each state machine, and the stack set state
      // machine's wave task (it merges the run's states into the cache once the run is done).
      expect(withCache).toEqual([
        expect.stringMatching(/^CfctBuildRole/),
        expect.stringMatching(/^CfctPolicyStateMachinePlanCheckTask/),
        expect.stringMatching(/^CfctStackSetStateMachinePlanCheckTask/),
        expect.stringMatching(/^CfctStackSetStateMachineWaveTask/),
      ]);
      expect(policiesWith(template, listPrefix)).toEqual(withCache);
      const readers = withCache.filter((id) => !/WaveTask/.test(id));
      for (const id of readers) expect(policiesWith(template, operations)).toContain(id);
      // The same ARNs as DescribeStackSet: the installation's prefix and the baseline stack set.
      const policies = template.findResources('AWS::IAM::Policy');
      const statements = readers.flatMap((id) => policies[id].Properties.PolicyDocument.Statement as any[]);
      for (const s of statements.filter(operations)) {
        expect(JSON.stringify(s.Resource)).toMatch(/stackset\/CustomControlTower-\*/);
        expect(JSON.stringify(s.Resource)).toMatch(/stackset\/AWSControlTowerBP-/);
      }
    });
  });
});
