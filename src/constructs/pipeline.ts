import * as path from 'path';
import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, IConstruct } from 'constructs';
import { ConfigurationSource } from './configuration-source';
import { grantStateCache } from './deploy-parts';
import { eventBridgeKeyStatement, logsKeyStatement } from './key-statements';
import { LifecycleTrigger } from './lifecycle-trigger';
import { suppressBucketDeploymentFindings, suppressPipelineFindings } from './pipeline-nag';
import { createDefaultStateMachines } from './pipeline-state-machines';
import { StackSetOperationPreferences, StackSetOrder } from './stack-set-defaults';
import { operationPreferencesJson, validateOperationPreferences } from './stack-set-preferences';

/** The V2 pipeline variable a scoped run (the new-account trigger) sets; `all` runs for the whole organization. */
const ACCOUNTS_PIPELINE_VARIABLE = 'ACCOUNTS';
/** Key prefix of the run files in the artifact bucket. */
const RUN_PREFIX = 'cfct/runs';
/** The build action's variables namespace. */
const BUILD_NAMESPACE = 'Build';

/**
 * Properties of a {@link CustomControlTowerPipeline}.
 */
export interface CustomControlTowerPipelineProps {
  /**
   * Identifies this installation: the value of the `cfct:installation` tag on everything it
   * owns, the name of its lock and of its SSM parameters. Two pipelines in one account need two ids.
   *
   * @default 'default'
   */
  readonly installationId?: string;

  /**
   * Where the configuration package comes from.
   *
   * @default - ConfigurationSource.s3(): a new configuration bucket; uploading
   * `custom-control-tower-configuration.zip` starts the pipeline
   */
  readonly source?: ConfigurationSource;

  /**
   * The KMS key that encrypts the buckets, artifacts, queues, topics and logs.
   *
   * @default - a new customer managed key with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * What happens to the buckets, key and log groups this construct creates when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Stop after the plan until someone approves it (a manual approval action that shows the plan
   * summary and links the report).
   *
   * @default false
   */
  readonly requireApproval?: boolean;

  /**
   * E-mail addresses asked to approve the plan (subscribed to the approval topic).
   *
   * @default - no subscriptions
   */
  readonly approvalEmails?: string[];

  /**
   * The SNS topic the approval request is published to.
   *
   * @default - a new topic encrypted with `encryptionKey` (when `requireApproval` is true)
   */
  readonly approvalTopic?: sns.ITopic;

  /**
   * E-mail addresses told when the pipeline or a state machine fails or times out.
   *
   * @default - no subscriptions
   */
  readonly notificationEmails?: string[];

  /**
   * The SNS topic failures are published to.
   *
   * @default - a new topic encrypted with `encryptionKey`
   */
  readonly notificationTopic?: sns.ITopic;

  /**
   * Compute type of the build stage.
   *
   * @default codebuild.ComputeType.SMALL
   */
  readonly buildComputeType?: codebuild.ComputeType;

  /**
   * Timeout of the build stage.
   *
   * @default Duration.minutes(30)
   */
  readonly buildTimeout?: Duration;

  /**
   * Commands run in the build stage before `cfct pipeline-build` (e.g. installing linters).
   *
   * @default - none
   */
  readonly buildCommands?: string[];

  /**
   * A buildspec that replaces the build stage's. It must write the output artifact
   * (`cfct-out/`: plan.json, reports, policy-input.json, stackset-input.json) and export
   * `CFCT_SUMMARY`, `CFCT_REPORT_URL` and `CFCT_PLAN_HASH`.
   *
   * @default - the buildspec that runs `cfct pipeline-build`
   */
  readonly buildSpec?: codebuild.BuildSpec;

  /**
   * Prefix of the stack set names this installation manages.
   *
   * @default 'CustomControlTower-'
   */
  readonly stackSetPrefix?: string;

  /**
   * ARN of the StackSets administration role (SELF_MANAGED stack sets).
   *
   * @default - `arn:<partition>:iam::<account>:role/service-role/AWSControlTowerStackSetRole`
   */
  readonly administrationRoleArn?: string;

  /**
   * Name of the role StackSets assumes in each target account.
   *
   * @default 'AWSControlTowerExecution'
   */
  readonly executionRoleName?: string;

  /**
   * Most stack sets of one dependency wave deployed at once (with `stack_set_order: dependencies`).
   *
   * @default 4
   */
  readonly maxConcurrentStackSets?: number;

  /**
   * The installation's default StackSets operation preferences. The build stage plans with them
   * and the state machines re-plan with them (they are stored with the run options), so an
   * approved plan stays the plan that is applied. A resource's `operation_preferences` override
   * them group by group.
   *
   * @default - 100% concurrency, 10% failure tolerance, Regions in parallel, `FailureToleranceMode.SOFT`
   */
  readonly stackSetOperationPreferences?: StackSetOperationPreferences;

  /**
   * The order stack sets run in, for manifests without `stack_set_order` (the manifest's wins).
   *
   * @default StackSetOrder.SEQUENTIAL
   */
  readonly stackSetOrder?: StackSetOrder;

  /**
   * Stages added after the build (and the approval) and before the deploy stages, e.g. a test stage.
   *
   * @default - none
   */
  readonly stagesBeforeDeploy?: codepipeline.StageProps[];

  /**
   * Stages added after the deploy stages.
   *
   * @default - none
   */
  readonly stagesAfterDeploy?: codepipeline.StageProps[];

  /**
   * The state machine of the policy stage, instead of the one this construct creates
   * (e.g. a `PolicyStateMachine` you configured). Its input is the build stage's `policy-input.json`.
   *
   * @default - a new PolicyStateMachine
   */
  readonly policyStateMachine?: sfn.IStateMachine;

  /**
   * The state machine of the stack set stage, instead of the one this construct creates
   * (e.g. a `StackSetStateMachine` you configured). Its input is the build stage's `stackset-input.json`.
   *
   * @default - a new StackSetStateMachine
   */
  readonly stackSetStateMachine?: sfn.IStateMachine;

  /**
   * Start a run scoped to the new account when Control Tower creates or updates a managed account.
   *
   * @default true
   */
  readonly lifecycleTrigger?: boolean;

  /**
   * How long the log groups this construct creates keep their logs.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

const INSTALLATIONS = Symbol.for('cdk-control-tower-customizations.installations');

/**
 * The Customizations for AWS Control Tower pipeline: source → validate and plan (CodeBuild
 * running the bundled `cfct`) → optional approval of that plan → policies (SCPs, RCPs) → stack
 * sets (both Step Functions state machines started directly), the new-account trigger, and
 * failure notifications. Everything is encrypted with one KMS key; no fixed physical names
 * except the configuration bucket's upstream convention, so two installations can share an account.
 */
export class CustomControlTowerPipeline extends Construct {
  /** The installation id. */
  public readonly installationId: string;
  /** The CodePipeline (V2, QUEUED executions). */
  public readonly pipeline: codepipeline.Pipeline;
  /** The KMS key of buckets, artifacts, queues, topics and logs. */
  public readonly encryptionKey: kms.IKey;
  /** The artifact bucket: pipeline artifacts, run files (`cfct/runs/`) and the lock (`cfct/locks/`). */
  public readonly artifactBucket: s3.IBucket;
  /** The bucket that receives the server access logs of the buckets this construct creates. */
  public readonly accessLogsBucket: s3.IBucket;
  /** The configuration bucket (S3 sources only). */
  public readonly configurationBucket?: s3.IBucket;
  /** The build stage's CodeBuild project. */
  public readonly buildProject: codebuild.PipelineProject;
  /** The policy stage's state machine. */
  public readonly policyStateMachine: sfn.IStateMachine;
  /** The stack set stage's state machine. */
  public readonly stackSetStateMachine: sfn.IStateMachine;
  /** The topic of failure notifications. */
  public readonly notificationTopic: sns.ITopic;
  /** The topic of approval requests (when approval is required). */
  public readonly approvalTopic?: sns.ITopic;
  /** The queue of the new-account trigger (when it is on). */
  public readonly lifecycleQueue?: sqs.IQueue;
  /** The new-account trigger (when it is on). */
  public readonly lifecycleTrigger?: LifecycleTrigger;
  /** The SSM parameter naming the bucket of the installation's lock (`/cfct/<installationId>/lock-bucket`). */
  public readonly lockBucketParameter: ssm.IStringParameter;

  constructor(scope: Construct, id: string, props: CustomControlTowerPipelineProps = {}) {
    super(scope, id);
    validateProps(props);
    const installationId = props.installationId ?? 'default';
    this.installationId = installationId;
    claimInstallation(this, installationId);
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;

    const key =
      props.encryptionKey ??
      new kms.Key(this, 'Key', {
        description: `Customizations for AWS Control Tower (${installationId}): buckets, artifacts, queues, topics, logs`,
        enableKeyRotation: true,
        removalPolicy,
      });
    this.encryptionKey = key;
    // CloudWatch Logs encrypts this construct's log groups with the key (only log groups of this account and region).
    key.addToResourcePolicy(logsKeyStatement(stack), false);

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      // S3 delivers server access logs only to buckets encrypted with SSE-S3.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      removalPolicy,
    });
    const artifactBucket = new s3.Bucket(this, 'ArtifactBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'artifact-bucket/',
      lifecycleRules: [
        {
          id: 'ExpireNoncurrentVersions',
          noncurrentVersionExpiration: Duration.days(90),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy,
    });
    this.artifactBucket = artifactBucket;

    this.lockBucketParameter = new ssm.StringParameter(this, 'LockBucketParameter', {
      parameterName: `/cfct/${installationId}/lock-bucket`,
      stringValue: artifactBucket.bucketName,
      description: `Bucket of the Customizations for AWS Control Tower lock of installation ${installationId}`,
    });

    // ---- Source ------------------------------------------------------------------------------
    const sourceOutput = new codepipeline.Artifact('Configuration');
    const source = (props.source ?? ConfigurationSource.s3()).bind(this, {
      output: sourceOutput,
      encryptionKey: key,
      installationId,
      removalPolicy,
      serverAccessLogsBucket: this.accessLogsBucket,
    });
    this.configurationBucket = source.bucket;

    // ---- Build: validate and plan ------------------------------------------------------------
    const cli = new s3assets.Asset(this, 'Cli', { path: path.join(__dirname, '../../assets/cli/main/cfct.js') });
    const buildLogs = new logs.LogGroup(this, 'BuildLogs', {
      encryptionKey: key,
      retention: logRetention,
      removalPolicy,
    });
    const buildArgs = [
      'node /tmp/cfct.js pipeline-build "$CODEBUILD_SRC_DIR"',
      '--bucket "$CFCT_ARTIFACT_BUCKET"',
      '--execution-id "$CFCT_EXECUTION_ID"',
      '--accounts "$CFCT_ACCOUNTS"',
      `--installation-id ${installationId}`,
      `--prefix ${RUN_PREFIX}`,
      '--out cfct-out',
      '--variables-file /tmp/cfct-variables.sh',
      ...(props.stackSetPrefix ? [`--stack-set-prefix ${props.stackSetPrefix}`] : []),
      ...(props.administrationRoleArn ? [`--administration-role-arn ${props.administrationRoleArn}`] : []),
      ...(props.executionRoleName ? [`--execution-role-name ${props.executionRoleName}`] : []),
      // Validated JSON of numbers, enum values and region codes: no single quote to escape.
      ...(props.stackSetOperationPreferences
        ? [`--operation-preferences '${operationPreferencesJson(props.stackSetOperationPreferences)}'`]
        : []),
      ...(props.stackSetOrder ? [`--stack-set-order ${props.stackSetOrder}`] : []),
    ];
    const buildSpec =
      props.buildSpec ??
      codebuild.BuildSpec.fromObject({
        version: '0.2',
        env: { 'exported-variables': ['CFCT_SUMMARY', 'CFCT_REPORT_URL', 'CFCT_PLAN_HASH'] },
        phases: {
          install: {
            'runtime-versions': { nodejs: 22 },
            // The bundled cfct, and cfn-lint (Python) for the template linting the command runs.
            commands: [
              'aws s3 cp "$CFCT_CLI_URL" /tmp/cfct.js --only-show-errors',
              'pip3 install --quiet --disable-pip-version-check cfn-lint',
            ],
          },
          build: {
            commands: [...(props.buildCommands ?? []), buildArgs.join(' '), '. /tmp/cfct-variables.sh'],
          },
        },
        artifacts: { 'base-directory': 'cfct-out', files: ['**/*'] },
      });
    this.buildProject = new codebuild.PipelineProject(this, 'Build', {
      description: `Customizations for AWS Control Tower (${installationId}): validate the configuration package and plan it`,
      buildSpec,
      encryptionKey: key,
      timeout: props.buildTimeout ?? Duration.minutes(30),
      environment: {
        buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
        computeType: props.buildComputeType ?? codebuild.ComputeType.SMALL,
        environmentVariables: {
          CFCT_CLI_URL: { value: cli.s3ObjectUrl },
          CFCT_ARTIFACT_BUCKET: { value: artifactBucket.bucketName },
          AWS_REGION: { value: stack.region },
        },
      },
      logging: { cloudWatch: { logGroup: buildLogs } },
    });
    // Explicit actions on exact resources: the cfct bundle object, and the run files' prefix.
    this.buildProject.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [`arn:${stack.partition}:s3:::${cli.s3BucketName}/${cli.s3ObjectKey}`],
      }),
    );
    this.buildProject.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [artifactBucket.arnForObjects(`${RUN_PREFIX}/*`)],
      }),
    );
    grantPlanReads(this.buildProject, props.stackSetPrefix ?? 'CustomControlTower-');
    grantStateCache(this.buildProject, artifactBucket, RUN_PREFIX);

    const buildOutput = new codepipeline.Artifact('Plan');
    const buildAction = new actions.CodeBuildAction({
      actionName: 'ValidateAndPlan',
      project: this.buildProject,
      input: sourceOutput,
      outputs: [buildOutput],
      variablesNamespace: BUILD_NAMESPACE,
      environmentVariables: {
        CFCT_EXECUTION_ID: { value: '#{codepipeline.PipelineExecutionId}' },
        CFCT_ACCOUNTS: { value: `#{variables.${ACCOUNTS_PIPELINE_VARIABLE}}` },
      },
    });

    // ---- State machines ----------------------------------------------------------------------
    const machines = createDefaultStateMachines(this, {
      policyStateMachine: props.policyStateMachine,
      stackSetStateMachine: props.stackSetStateMachine,
      runBucket: artifactBucket,
      runPrefix: RUN_PREFIX,
      installationId,
      encryptionKey: key,
      logRetention,
      stackSetPrefix: props.stackSetPrefix,
      administrationRoleArn: props.administrationRoleArn,
      executionRoleName: props.executionRoleName,
      maxConcurrency: props.maxConcurrentStackSets,
    });
    this.policyStateMachine = machines.policy;
    this.stackSetStateMachine = machines.stackSet;

    // ---- Pipeline ----------------------------------------------------------------------------
    const stages: codepipeline.StageProps[] = [
      { stageName: 'Source', actions: [source.action] },
      { stageName: 'ValidateAndPlan', actions: [buildAction] },
    ];
    if (props.requireApproval) {
      this.approvalTopic =
        props.approvalTopic ??
        new sns.Topic(this, 'ApprovalTopic', {
          masterKey: key,
          enforceSSL: true,
          displayName: `cfct ${installationId}: approve a plan`,
        });
      for (const email of props.approvalEmails ?? []) {
        this.approvalTopic.addSubscription(new subscriptions.EmailSubscription(email));
      }
      stages.push({
        stageName: 'Approval',
        actions: [
          new actions.ManualApprovalAction({
            actionName: 'ApprovePlan',
            notificationTopic: this.approvalTopic,
            additionalInformation: `Plan: ${buildAction.variable('CFCT_SUMMARY')}. Plan hash ${buildAction.variable('CFCT_PLAN_HASH')}. Approving applies exactly this plan; a change to the organization or the package since is refused.`,
            externalEntityLink: buildAction.variable('CFCT_REPORT_URL'),
          }),
        ],
      });
    }
    stages.push(...(props.stagesBeforeDeploy ?? []));
    stages.push(
      {
        stageName: 'Policies',
        actions: [
          new actions.StepFunctionInvokeAction({
            actionName: 'ApplyPolicies',
            stateMachine: this.policyStateMachine,
            stateMachineInput: actions.StateMachineInput.filePath(buildOutput.atPath('policy-input.json')),
            executionNamePrefix: 'policies',
          }),
        ],
      },
      {
        stageName: 'StackSets',
        actions: [
          new actions.StepFunctionInvokeAction({
            actionName: 'ApplyStackSets',
            stateMachine: this.stackSetStateMachine,
            stateMachineInput: actions.StateMachineInput.filePath(buildOutput.atPath('stackset-input.json')),
            executionNamePrefix: 'stacksets',
          }),
        ],
      },
    );
    stages.push(...(props.stagesAfterDeploy ?? []));

    this.pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineType: codepipeline.PipelineType.V2,
      executionMode: codepipeline.ExecutionMode.QUEUED,
      artifactBucket,
      restartExecutionOnUpdate: false,
      variables: [
        new codepipeline.Variable({
          variableName: ACCOUNTS_PIPELINE_VARIABLE,
          defaultValue: 'all',
          description: "Accounts of a scoped run (comma-separated ids), or 'all'",
        }),
      ],
      stages,
    });
    // CodePipeline reads a FilePath input as a path inside the input artifact; CDK renders it as
    // `<artifact>::<path>` (its artifact location syntax), which the action would look for literally.
    const cfnPipeline = this.pipeline.node.defaultChild as codepipeline.CfnPipeline;
    for (const [stageName, file] of [
      ['Policies', 'policy-input.json'],
      ['StackSets', 'stackset-input.json'],
    ] as const) {
      cfnPipeline.addPropertyOverride(
        `Stages.${stages.findIndex((s) => s.stageName === stageName)}.Actions.0.Configuration.Input`,
        file,
      );
    }

    if (source.startOnObjectKey && source.bucket) {
      new events.Rule(this, 'SourceUploaded', {
        description: `Starts the pipeline when ${source.startOnObjectKey} is uploaded`,
        eventPattern: {
          source: ['aws.s3'],
          detailType: ['Object Created'],
          detail: { bucket: { name: [source.bucket.bucketName] }, object: { key: [source.startOnObjectKey] } },
        },
        targets: [new targets.CodePipeline(this.pipeline)],
      });
    }

    // ---- Notifications -----------------------------------------------------------------------
    this.notificationTopic =
      props.notificationTopic ??
      new sns.Topic(this, 'NotificationTopic', {
        masterKey: key,
        enforceSSL: true,
        displayName: `cfct ${installationId}: failures`,
      });
    for (const email of props.notificationEmails ?? []) {
      this.notificationTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    new events.Rule(this, 'PipelineFailed', {
      description: 'The customizations pipeline failed',
      eventPattern: {
        source: ['aws.codepipeline'],
        detailType: ['CodePipeline Pipeline Execution State Change'],
        detail: { pipeline: [this.pipeline.pipelineName], state: ['FAILED'] },
      },
      targets: [
        new targets.SnsTopic(this.notificationTopic, {
          message: events.RuleTargetInput.fromText(
            `Customizations pipeline ${events.EventField.fromPath('$.detail.pipeline')} execution ${events.EventField.fromPath('$.detail.execution-id')} failed.`,
          ),
        }),
      ],
    });
    new events.Rule(this, 'StateMachineFailed', {
      description: 'A customizations state machine failed, timed out or was aborted',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
          stateMachineArn: [this.policyStateMachine.stateMachineArn, this.stackSetStateMachine.stateMachineArn],
        },
      },
      targets: [
        new targets.SnsTopic(this.notificationTopic, {
          message: events.RuleTargetInput.fromText(
            `Customizations state machine execution ${events.EventField.fromPath('$.detail.executionArn')} ended ${events.EventField.fromPath('$.detail.status')}.`,
          ),
        }),
      ],
    });
    // EventBridge publishes to the encrypted topics: the key, for rules of this account and region only
    // (naming the rules themselves would make the key depend on what it encrypts).
    key.addToResourcePolicy(eventBridgeKeyStatement(stack), false);

    // ---- New-account trigger -----------------------------------------------------------------
    if (props.lifecycleTrigger ?? true) {
      this.lifecycleTrigger = new LifecycleTrigger(this, 'LifecycleTrigger', {
        pipeline: this.pipeline,
        encryptionKey: key,
        logRetention,
        removalPolicy,
      });
      this.lifecycleQueue = this.lifecycleTrigger.queue;
    }

    suppressPipelineFindings(this, RUN_PREFIX);
    suppressBucketDeploymentFindings(stack);
  }
}

/** The read-only calls of planning against the live organization, scoped where the APIs allow. */
function grantPlanReads(project: codebuild.PipelineProject, stackSetPrefix: string): void {
  const stack = Stack.of(project);
  project.addToRolePolicy(
    new iam.PolicyStatement({
      actions: [
        'organizations:DescribeOrganization',
        'organizations:DescribePolicy',
        'organizations:ListRoots',
        'organizations:ListOrganizationalUnitsForParent',
        'organizations:ListAccountsForParent',
        'organizations:ListPolicies',
        'organizations:ListTagsForResource',
        'organizations:ListTargetsForPolicy',
        'cloudformation:ListStackSets',
        'cloudformation:ValidateTemplate',
      ],
      resources: ['*'],
    }),
  );
  project.addToRolePolicy(
    new iam.PolicyStatement({
      actions: [
        'cloudformation:DescribeStackSet',
        'cloudformation:ListStackInstances',
        'cloudformation:ListStackSetOperations',
      ],
      resources: [
        `arn:${stack.partition}:cloudformation:${stack.region}:${stack.account}:stackset/${stackSetPrefix}*`,
        `arn:${stack.partition}:cloudformation:${stack.region}:${stack.account}:stackset/AWSControlTowerBP-*`,
      ],
    }),
  );
  project.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['ssm:GetParameters'],
      resources: [`arn:${stack.partition}:ssm:${stack.region}:${stack.account}:parameter/*`],
    }),
  );
  project.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [`arn:${stack.partition}:s3:::*/*`],
    }),
  );
}

function validateProps(props: CustomControlTowerPipelineProps): void {
  const id = props.installationId;
  if (id !== undefined && !Token.isUnresolved(id) && !/^[a-z0-9][a-z0-9-]{0,30}$/.test(id)) {
    throw new Error(
      `installationId must be 1-31 lowercase letters, digits and hyphens, starting with a letter or digit, got '${id}'`,
    );
  }
  if (!props.requireApproval && (props.approvalEmails?.length || props.approvalTopic)) {
    throw new Error('approvalEmails and approvalTopic need requireApproval: true; set it, or remove them');
  }
  const max = props.maxConcurrentStackSets;
  if (max !== undefined && !Token.isUnresolved(max) && (!Number.isInteger(max) || max < 1 || max > 40)) {
    throw new Error(`maxConcurrentStackSets must be a whole number between 1 and 40, got ${max}`);
  }
  const timeout = props.buildTimeout;
  if (timeout && !Token.isUnresolved(timeout.toMinutes({ integral: false }))) {
    const minutes = timeout.toMinutes({ integral: false });
    if (minutes < 5 || minutes > 480 || !Number.isInteger(minutes)) {
      throw new Error(
        `buildTimeout must be a whole number of minutes between 5 and 480, got ${timeout.toHumanString()}`,
      );
    }
  }
  if (props.buildSpec && props.buildCommands?.length) {
    throw new Error('buildCommands cannot be combined with buildSpec: put the commands in your buildspec');
  }
  const names = [...(props.stagesBeforeDeploy ?? []), ...(props.stagesAfterDeploy ?? [])].map((s) => s.stageName);
  for (const name of names) {
    if (['Source', 'ValidateAndPlan', 'Approval', 'Policies', 'StackSets'].includes(name)) {
      throw new Error(`stage name '${name}' is used by the pipeline itself; choose another name for your stage`);
    }
  }
  if (
    props.executionRoleName !== undefined &&
    !Token.isUnresolved(props.executionRoleName) &&
    !/^[\w+=,.@-]{1,64}$/.test(props.executionRoleName)
  ) {
    throw new Error(
      `executionRoleName must be an IAM role name (1-64 of letters, digits and +=,.@_-), got '${props.executionRoleName}'`,
    );
  }
  if (
    props.administrationRoleArn !== undefined &&
    !Token.isUnresolved(props.administrationRoleArn) &&
    !/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/.test(props.administrationRoleArn)
  ) {
    throw new Error(`administrationRoleArn must be an IAM role ARN, got '${props.administrationRoleArn}'`);
  }
  if (props.stackSetOperationPreferences) validateOperationPreferences(props.stackSetOperationPreferences);
}

/** Two pipelines of one installation in a stack would fight over the same lock and tags. */
function claimInstallation(pipeline: IConstruct, installationId: string): void {
  const stack = Stack.of(pipeline) as unknown as Record<symbol, Map<string, string> | undefined>;
  const claimed = (stack[INSTALLATIONS] ??= new Map<string, string>());
  const other = claimed.get(installationId);
  if (other !== undefined) {
    throw new Error(
      `installationId '${installationId}' is already used by the pipeline at ${other}; give each CustomControlTowerPipeline its own installationId`,
    );
  }
  claimed.set(installationId, pipeline.node.path);
}
