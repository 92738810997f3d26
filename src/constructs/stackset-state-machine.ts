import { Aws, Duration, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  deployParts,
  grantReadRunFiles,
  grantStateCache,
  grantWriteRunFiles,
  lambdaTask,
  lockedRunStates,
  newHandler,
  newLockFunction,
  newPlanCheckFunction,
  stackSetArns,
  stateMachineLogs,
  suppress,
  suppressStateMachineRole,
} from './deploy-parts';
import { StackSetStateMachineProps } from './stackset-state-machine-props';
import { StacksetRunOutputsFunction } from '../handlers/stackset-run-outputs-function';
import { StacksetRunPrepareFunction } from '../handlers/stackset-run-prepare-function';
import { StacksetRunStepFunction } from '../handlers/stackset-run-step-function';
import { StacksetWaveFunction } from '../handlers/stackset-wave-function';

/**
 * The stack set stage of a pipeline run, as a Step Functions state machine.
 *
 * It takes the installation's lock, checks that the approved plan still holds (an approved plan
 * without a stack set step ends the execution there, without reading the organization again),
 * then runs the plan's dependency waves one after another (stack sets that left the manifest first). A wave's
 * independent stack sets run in a Map state (`maxConcurrency` at once); for each: prepare
 * (re-plan from fresh state; a stack set without a step in the approved plan is not prepared),
 * then for each step start → Wait → check until done, the first check one poll interval after
 * the start and the next ones at a third of it, with Wait states between checks and a bound on the total wait, and a busy stack set
 * (OperationInProgress) waited for and started again with the attempt counter; `export_outputs`
 * are written at the end. A failed stack set does not stop independent ones; its dependants are
 * skipped with a reason, and the execution ends FAILED with a summary of every failure and skip.
 *
 * The execution input is a `StackSetStateMachineInput` (src/engine/pipeline-run.ts): references
 * to the run files in S3. Steps and account lists stay in S3; the payload carries resource names,
 * counters and short messages.
 */
export class StackSetStateMachine extends Construct {
  /** The state machine. */
  public readonly stateMachine: sfn.StateMachine;

  /** The lock task's function. */
  public readonly lockFunction: lambda.Function;

  /** The plan check's function. */
  public readonly planCheckFunction: lambda.Function;

  /** The function that picks the next wave and sums up the run. */
  public readonly waveFunction: lambda.Function;

  /** The function that prepares a stack set at its turn. */
  public readonly prepareFunction: lambda.Function;

  /** The function that starts and checks stack set operations. */
  public readonly stepFunction: lambda.Function;

  /** The function that writes `export_outputs`. */
  public readonly outputsFunction: lambda.Function;

  /** Most stack sets of one wave deployed at once. */
  public readonly maxConcurrency: number;

  /** Time between two checks of a running operation. */
  public readonly pollInterval: Duration;

  constructor(scope: Construct, id: string, props: StackSetStateMachineProps) {
    super(scope, id);
    const parts = deployParts(this, props, Duration.hours(24));
    this.maxConcurrency = props.maxConcurrency ?? 4;
    if (
      !Token.isUnresolved(this.maxConcurrency) &&
      (!Number.isInteger(this.maxConcurrency) || this.maxConcurrency < 1 || this.maxConcurrency > 40)
    ) {
      throw new Error(`maxConcurrency must be a whole number from 1 to 40, got ${this.maxConcurrency}`);
    }
    this.pollInterval = props.pollInterval ?? Duration.seconds(30);
    const pollSeconds = this.pollInterval.toSeconds({ integral: false });
    if (pollSeconds < 1 || !Number.isInteger(pollSeconds)) {
      throw new Error(
        `pollInterval must be a whole number of seconds, at least 1, got ${this.pollInterval.toHumanString()}`,
      );
    }
    // After the first check (one poll interval after the start), a running operation is checked
    // again at a third of the interval (at least 5 seconds, at most the interval): an operation
    // that ends just after a check is seen at most that late instead of a whole interval late.
    const recheckSeconds = Math.min(pollSeconds, Math.max(5, Math.ceil(pollSeconds / 3)));
    const maxWaitSeconds = (props.maxOperationWait ?? Duration.hours(6)).toSeconds();
    if (maxWaitSeconds < pollSeconds) {
      throw new Error(
        `maxOperationWait must be at least pollInterval (${pollSeconds} seconds), got ${maxWaitSeconds} seconds`,
      );
    }
    const busyTimeoutSeconds = (props.busyTimeout ?? Duration.minutes(60)).toSeconds();
    const administrationRoleArn =
      props.administrationRoleArn ??
      `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/service-role/AWSControlTowerStackSetRole`;
    const executionRoleName = props.executionRoleName ?? 'AWSControlTowerExecution';

    // ---- functions, each with the permissions of its task ----------------------------------
    this.lockFunction = newLockFunction(parts);
    this.planCheckFunction = newPlanCheckFunction(parts);
    this.waveFunction = newHandler(parts, 'WaveTask', StacksetWaveFunction, {
      description: 'Picks the next dependency wave of stack sets',
      memorySize: 1024,
    });
    grantReadRunFiles(parts, this.waveFunction);
    grantStateCache(this.waveFunction, parts.runBucket, parts.runPrefix);
    this.prepareFunction = newHandler(parts, 'PrepareTask', StacksetRunPrepareFunction, {
      description: 'Prepares a stack set at its turn (helpers, staging, re-plan)',
      memorySize: 1024,
    });
    grantReadRunFiles(parts, this.prepareFunction);
    grantWriteRunFiles(parts, this.prepareFunction, '*/prepared/*');
    this.stepFunction = newHandler(parts, 'StepTask', StacksetRunStepFunction, {
      description: 'Starts and checks stack set operations',
      memorySize: 1024,
    });
    grantReadRunFiles(parts, this.stepFunction);
    this.outputsFunction = newHandler(parts, 'OutputsTask', StacksetRunOutputsFunction, {
      description: "Writes a stack set's export_outputs to SSM",
      memorySize: 512,
    });
    grantReadRunFiles(parts, this.outputsFunction);
    grantWriteRunFiles(parts, this.outputsFunction, '*/states/*');
    grantStackSetTasks(this, parts.stackSetPrefix, administrationRoleArn, executionRoleName);

    // ---- the lock --------------------------------------------------------------------------
    const orchestrationFailed = new sfn.Fail(this, 'StackSetRunError', {
      error: 'StackSetRunError',
      causePath: '$.error.Cause',
    });
    const stackSetsFailed = new sfn.Fail(this, 'StackSetsFailed', {
      error: 'StackSetsFailed',
      causePath: '$.waves.summary',
    });
    const states = lockedRunStates(
      this,
      { lock: this.lockFunction, planCheck: this.planCheckFunction },
      parts.lockTtl,
      'stacksets',
      orchestrationFailed,
    );
    const { releaseAfterError, lockPayload, release } = states;
    const renew = lambdaTask(this, 'RenewLock', this.lockFunction, lockPayload('renew'), '$.lockResult');
    renew.addCatch(releaseAfterError, { resultPath: '$.error' });

    // ---- one stack set (an iteration of the wave's Map) ------------------------------------
    const item = {
      correlationId: sfn.JsonPath.stringAt('$.correlationId'),
      runInput: sfn.JsonPath.objectAt('$.runInput'),
      region: sfn.JsonPath.stringAt('$.region'),
      resource: sfn.JsonPath.stringAt('$.resource'),
    };
    const outcome = (name: string, status: 'succeeded' | 'failed', message?: string) =>
      new sfn.Pass(this, name, {
        parameters: { resource: sfn.JsonPath.stringAt('$.resource'), status, ...(message ? { message } : {}) },
      });
    const crashed = outcome(
      'StackSetTaskFailed',
      'failed',
      sfn.JsonPath.format('{}: {}', sfn.JsonPath.stringAt('$.error.Error'), sfn.JsonPath.stringAt('$.error.Cause')),
    );
    const prepare = lambdaTask(
      this,
      'PrepareStackSet',
      this.prepareFunction,
      {
        ...item,
        plan: sfn.JsonPath.objectAt('$.plan'),
        options: sfn.JsonPath.objectAt('$.options'),
      },
      '$.prepared',
      'Re-plans the stack set from fresh state and stores its steps beside the run input',
    );
    prepare.addCatch(crashed, { resultPath: '$.error' });

    const stepPayload = (action: 'start' | 'check') => ({
      ...item,
      action,
      index: sfn.JsonPath.numberAt('$.loop.index'),
      ...(action === 'start'
        ? { attempt: sfn.JsonPath.numberAt('$.loop.attempt'), pollIntervalSeconds: pollSeconds, busyTimeoutSeconds }
        : { operationId: sfn.JsonPath.stringAt('$.started.operationId') }),
    });
    const startStep = lambdaTask(this, 'StartStep', this.stepFunction, stepPayload('start'), '$.started');
    startStep.addCatch(crashed, { resultPath: '$.error' });
    const checkStep = lambdaTask(this, 'CheckStep', this.stepFunction, stepPayload('check'), '$.checked');
    checkStep.addCatch(crashed, { resultPath: '$.error' });
    // After the stack set's steps: its export_outputs. Its state for the stack set state cache is
    // read beside the next wave (ReadStates), so the outcome says whether its steps all ran.
    const exportOutputs = lambdaTask(
      this,
      'ExportOutputs',
      this.outputsFunction,
      { ...item, action: 'exports' },
      '$.exported',
    );
    exportOutputs.addCatch(crashed, { resultPath: '$.error' });
    const succeeded = outcome('StackSetSucceeded', 'succeeded');
    const succeededWithState = (stateId: string, readState: boolean | string) =>
      new sfn.Pass(this, stateId, {
        parameters: {
          resource: sfn.JsonPath.stringAt('$.resource'),
          status: 'succeeded',
          readState: typeof readState === 'string' ? sfn.JsonPath.stringAt(readState) : readState,
        },
      });

    const firstStep = new sfn.Pass(this, 'FirstStep', {
      result: sfn.Result.fromObject({ index: 0, attempt: 1, waited: 0 }),
      resultPath: '$.loop',
    });
    const nextStep = new sfn.Pass(this, 'NextStep', {
      parameters: { index: sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt('$.loop.index'), 1), attempt: 1, waited: 0 },
      resultPath: '$.loop',
    });
    const nextAttempt = new sfn.Pass(this, 'NextAttempt', {
      parameters: {
        index: sfn.JsonPath.numberAt('$.loop.index'),
        attempt: sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt('$.started.attempt'), 1),
        waited: 0,
      },
      resultPath: '$.loop',
    });
    const countWait = new sfn.Pass(this, 'CountWait', {
      parameters: {
        index: sfn.JsonPath.numberAt('$.loop.index'),
        attempt: sfn.JsonPath.numberAt('$.loop.attempt'),
        waited: sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt('$.loop.waited'), recheckSeconds),
      },
      resultPath: '$.loop',
    });
    const waitOperation = new sfn.Wait(this, 'WaitForOperation', {
      time: sfn.WaitTime.duration(this.pollInterval),
      comment: 'From the start of a stack set operation to its first check',
    });
    const waitAgain = new sfn.Wait(this, 'WaitToCheckAgain', {
      time: sfn.WaitTime.duration(Duration.seconds(recheckSeconds)),
      comment: 'Between two checks of a running stack set operation',
    });
    const waitBusy = new sfn.Wait(this, 'WaitWhileBusy', {
      time: sfn.WaitTime.duration(this.pollInterval),
      comment: 'The stack set runs another operation: wait, then start again',
    });

    const moreSteps = new sfn.Choice(this, 'MoreSteps');
    const exportsLeft = new sfn.Choice(this, 'HasExports')
      .when(
        sfn.Condition.booleanEquals('$.prepared.hasExports', true),
        exportOutputs.next(
          new sfn.Choice(this, 'Exported')
            .when(
              sfn.Condition.isPresent('$.exported.failed'),
              outcome('ExportFailed', 'failed', sfn.JsonPath.stringAt('$.exported.failed.message')),
            )
            .otherwise(succeededWithState('StackSetExported', '$.exported.readState')),
        ),
      )
      .when(sfn.Condition.numberGreaterThan('$.prepared.stepCount', 0), succeededWithState('StackSetStepsRan', true))
      .otherwise(succeeded);
    moreSteps
      .when(sfn.Condition.numberLessThanJsonPath('$.loop.index', '$.prepared.stepCount'), startStep)
      .otherwise(exportsLeft);
    nextStep.next(moreSteps);

    startStep.next(
      new sfn.Choice(this, 'StartResult')
        .when(sfn.Condition.stringEquals('$.started.status', 'done'), nextStep)
        .when(sfn.Condition.stringEquals('$.started.status', 'started'), waitOperation)
        .when(sfn.Condition.stringEquals('$.started.status', 'blocked'), waitBusy.next(nextAttempt.next(startStep)))
        .otherwise(outcome('StartFailed', 'failed', sfn.JsonPath.stringAt('$.started.message'))),
    );
    waitOperation.next(checkStep);
    waitAgain.next(checkStep);
    checkStep.next(
      new sfn.Choice(this, 'CheckResult')
        .when(sfn.Condition.stringEquals('$.checked.status', 'SUCCEEDED'), nextStep)
        .when(
          sfn.Condition.and(
            sfn.Condition.stringEquals('$.checked.status', 'RUNNING'),
            sfn.Condition.numberGreaterThanEquals('$.loop.waited', maxWaitSeconds - pollSeconds),
          ),
          outcome(
            'OperationTimedOut',
            'failed',
            sfn.JsonPath.format(
              `{}: operation {} still running after ${maxWaitSeconds} seconds (maxOperationWait); it keeps running in CloudFormation, run again once it has finished`,
              sfn.JsonPath.stringAt('$.checked.step'),
              sfn.JsonPath.stringAt('$.started.operationId'),
            ),
          ),
        )
        .when(sfn.Condition.stringEquals('$.checked.status', 'RUNNING'), countWait.next(waitAgain))
        .otherwise(outcome('OperationFailed', 'failed', sfn.JsonPath.stringAt('$.checked.message'))),
    );

    const oneStackSet = prepare.next(
      new sfn.Choice(this, 'Prepared')
        .when(
          sfn.Condition.booleanEquals('$.prepared.hasErrors', true),
          outcome('PrepareFailed', 'failed', sfn.JsonPath.stringAt('$.prepared.message')),
        )
        .otherwise(firstStep.next(moreSteps)),
    );

    // ---- waves -----------------------------------------------------------------------------
    const deployWave = new sfn.Map(this, 'DeployWave', {
      comment: 'The independent stack sets of one dependency wave',
      itemsPath: '$.waves.run',
      maxConcurrency: this.maxConcurrency,
      itemSelector: {
        resource: sfn.JsonPath.stringAt('$$.Map.Item.Value'),
        correlationId: sfn.JsonPath.stringAt('$.runId'),
        region: sfn.JsonPath.stringAt('$.region'),
        runInput: sfn.JsonPath.objectAt('$.runInput'),
        plan: sfn.JsonPath.objectAt('$.plan'),
        options: sfn.JsonPath.objectAt('$.options'),
      },
      resultPath: '$.waves.results',
    });
    deployWave.itemProcessor(oneStackSet);

    // ---- the state cache: states of a finished wave, read beside the next one ---------------
    // Each stack set of the wave folded in last whose steps all ran (`$.waves.statesToRead`,
    // names only) is read in full once by the outputs function (`action: 'state'`), which leaves
    // its entry beside the run files. A failed read never fails the run: it leaves no file, and
    // the next plan reads that stack set in full.
    const readStates = (prefix: string, comment: string, resultPath?: string) => {
      const read = lambdaTask(
        this,
        `${prefix}State`,
        this.outputsFunction,
        {
          correlationId: sfn.JsonPath.stringAt('$.correlationId'),
          runInput: sfn.JsonPath.objectAt('$.runInput'),
          region: sfn.JsonPath.stringAt('$.region'),
          resource: sfn.JsonPath.stringAt('$.resource'),
          action: 'state',
        },
        '$',
        'Reads a stack set in full once (stamp first) and leaves its state cache entry beside the run files',
      );
      read.addCatch(
        new sfn.Pass(this, `${prefix}StateNotRead`, {
          parameters: {
            resource: sfn.JsonPath.stringAt('$.resource'),
            stateSaved: false,
            error: sfn.JsonPath.stringAt('$.error.Error'),
          },
        }),
        { resultPath: '$.error' },
      );
      const map = new sfn.Map(this, `${prefix}States`, {
        comment,
        itemsPath: '$.waves.statesToRead',
        maxConcurrency: this.maxConcurrency,
        itemSelector: {
          resource: sfn.JsonPath.stringAt('$$.Map.Item.Value'),
          correlationId: sfn.JsonPath.stringAt('$.runId'),
          region: sfn.JsonPath.stringAt('$.region'),
          runInput: sfn.JsonPath.objectAt('$.runInput'),
        },
        ...(resultPath ? { resultPath } : {}),
      });
      map.itemProcessor(read);
      return map;
    };
    // Branch 1 ends with today's state (the wave's results at $.waves.results), branch 2 with the
    // reads' small outcomes: the Parallel's output is branch 1's, so the machine sees the same $.
    const waveAndStates = new sfn.Parallel(this, 'DeployWaveAndReadStates', {
      comment: "The wave's stack sets beside the state reads of the wave before it (the run waits for the longer)",
      outputPath: '$[0]',
    });
    waveAndStates.branch(deployWave);
    waveAndStates.branch(readStates('Read', "The states of the previous wave's stack sets whose steps ran"));
    waveAndStates.addCatch(releaseAfterError, { resultPath: '$.error' });

    const startWaves = new sfn.Pass(this, 'StartWaves', {
      result: sfn.Result.fromObject({ progress: null, results: [] }),
      resultPath: '$.waves',
    });
    const nextWave = lambdaTask(
      this,
      'NextWave',
      this.waveFunction,
      {
        correlationId: sfn.JsonPath.stringAt('$.runId'),
        region: sfn.JsonPath.stringAt('$.region'),
        plan: sfn.JsonPath.objectAt('$.plan'),
        progress: sfn.JsonPath.objectAt('$.waves.progress'),
        results: sfn.JsonPath.listAt('$.waves.results'),
        options: sfn.JsonPath.objectAt('$.options'),
      },
      '$.waves',
      "Folds the last wave's outcomes in and names the next wave's stack sets (dependants of failures are skipped)",
    );
    nextWave.addCatch(releaseAfterError, { resultPath: '$.error' });

    // After the last wave: its states are read (on the path, once), then the wave task, called
    // again with the progress and no results, merges every state left into the cache.
    const mergeStates = lambdaTask(
      this,
      'MergeStates',
      this.waveFunction,
      {
        correlationId: sfn.JsonPath.stringAt('$.runId'),
        region: sfn.JsonPath.stringAt('$.region'),
        plan: sfn.JsonPath.objectAt('$.plan'),
        progress: sfn.JsonPath.objectAt('$.waves.progress'),
        results: [],
        options: sfn.JsonPath.objectAt('$.options'),
      },
      '$.waves',
      'Merges the states the run left into the stack set state cache, once every state is read',
    );
    mergeStates.addCatch(releaseAfterError, { resultPath: '$.error' });
    const readLastStates = readStates(
      'ReadLast',
      "The states of the last wave's stack sets whose steps ran",
      sfn.JsonPath.DISCARD,
    );
    readLastStates.addCatch(releaseAfterError, { resultPath: '$.error' });

    const finished = release(
      'ReleaseLock',
      new sfn.Choice(this, 'AnyStackSetFailed')
        .when(sfn.Condition.booleanEquals('$.waves.failed', true), stackSetsFailed)
        .otherwise(new sfn.Succeed(this, 'StackSetsDeployed')),
    );
    nextWave.next(
      new sfn.Choice(this, 'WavesLeft')
        .when(
          sfn.Condition.and(
            sfn.Condition.booleanEquals('$.waves.done', true),
            sfn.Condition.isPresent('$.waves.statesToRead[0]'),
          ),
          readLastStates.next(mergeStates).next(finished),
        )
        .when(sfn.Condition.booleanEquals('$.waves.done', true), finished)
        .otherwise(renew.next(waveAndStates.next(nextWave))),
    );

    const definition = states.definition(startWaves.next(nextWave), {
      choiceId: 'StackSetStepsToApply',
      succeedId: 'NoStackSetSteps',
      comment: 'The approved plan has no stack set step',
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: 'Customizations for AWS Control Tower: stack sets of an approved plan, wave by wave',
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: parts.timeout,
      tracingEnabled: true,
      logs: stateMachineLogs(parts, props.logGroup),
    });
    suppressStateMachineRole(this.stateMachine);
  }
}

/** CloudFormation, SSM, STS and IAM permissions of the stack set tasks, each only what its task calls. */
function grantStackSetTasks(
  machine: StackSetStateMachine,
  prefix: string,
  administrationRoleArn: string,
  executionRoleName: string,
): void {
  const stackSets = stackSetArns(prefix);
  const parameters = `arn:${Aws.PARTITION}:ssm:${Aws.REGION}:${Aws.ACCOUNT_ID}:parameter/*`;
  const executionRoles = `arn:${Aws.PARTITION}:iam::*:role/${executionRoleName}`;

  // prepare: re-plan (read the stack set), generate helper values (SSM, EC2 in the first target through the execution role)
  machine.prepareFunction.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['cloudformation:DescribeStackSet', 'cloudformation:ListStackInstances'],
      resources: [stackSets[0]],
    }),
  );
  machine.prepareFunction.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['ssm:GetParameters', 'ssm:GetParameter', 'ssm:PutParameter'],
      resources: [parameters],
    }),
  );
  machine.prepareFunction.addToRolePolicy(
    new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [executionRoles] }),
  );

  // steps: the stack set operations; the admin role is passed to CloudFormation; SecureString values read at the last moment
  machine.stepFunction.addToRolePolicy(
    new iam.PolicyStatement({
      actions: [
        'cloudformation:CreateStackSet',
        'cloudformation:UpdateStackSet',
        'cloudformation:DeleteStackSet',
        'cloudformation:CreateStackInstances',
        'cloudformation:UpdateStackInstances',
        'cloudformation:DeleteStackInstances',
        'cloudformation:DescribeStackSet',
        'cloudformation:DescribeStackSetOperation',
        'cloudformation:ListStackSetOperations',
        'cloudformation:ListStackSetOperationResults',
        'cloudformation:TagResource',
      ],
      resources: stackSets,
    }),
  );
  machine.stepFunction.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [administrationRoleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
    }),
  );
  machine.stepFunction.addToRolePolicy(
    new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [parameters] }),
  );

  // outputs: the stack instance, its stack's outputs through the execution role, SSM writes
  machine.outputsFunction.addToRolePolicy(
    new iam.PolicyStatement({ actions: ['cloudformation:DescribeStackInstance'], resources: [stackSets[0]] }),
  );
  // outputs: the stack set's state for the state cache (stamp, then the full read), SSM values it is shaped with
  machine.outputsFunction.addToRolePolicy(
    new iam.PolicyStatement({
      actions: [
        'cloudformation:ListStackSetOperations',
        'cloudformation:DescribeStackSet',
        'cloudformation:ListStackInstances',
      ],
      resources: [stackSets[0]],
    }),
  );
  machine.outputsFunction.addToRolePolicy(
    new iam.PolicyStatement({ actions: ['ssm:GetParameters'], resources: [parameters] }),
  );
  machine.outputsFunction.addToRolePolicy(
    new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [executionRoles] }),
  );
  machine.outputsFunction.addToRolePolicy(
    new iam.PolicyStatement({ actions: ['ssm:GetParameter', 'ssm:PutParameter'], resources: [parameters] }),
  );

  for (const fn of [machine.prepareFunction, machine.stepFunction, machine.outputsFunction]) {
    suppress(fn.role!.node.findChild('DefaultPolicy'), [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Stack sets of the installation prefix; SSM parameters named by the manifest (helpers, export_outputs); the execution role by name in every target account',
        appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:(cloudformation|ssm|iam):.*\\*.*$/' }],
      },
    ]);
  }
}
