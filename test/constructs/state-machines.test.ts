/**
 * Template tests of the two deploy state machines: their states, retries, catches, Map
 * concurrency, logging, tracing and IAM, plus cdk-nag AwsSolutions.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { PolicyStateMachine, StackSetStateMachine } from '../../src';
import { awsSolutionsFindings } from '../nag';
import { synthesize } from '../statemachines/harness';

function allStates(states: Record<string, any>, into: Record<string, any> = {}): Record<string, any> {
  for (const [name, state] of Object.entries(states)) {
    into[name] = state;
    if (state.ItemProcessor) allStates(state.ItemProcessor.States, into);
    for (const branch of state.Branches ?? []) allStates(branch.States, into);
  }
  return into;
}

const { policyMachine, stackSetMachine, stack } = synthesize({
  stackSets: { maxConcurrency: 7, pollInterval: Duration.seconds(45) },
});
const template = Template.fromStack(stack);

describe('PolicyStateMachine definition', () => {
  const states = allStates(policyMachine.definition.States);

  test('takes the lock, checks the plan, loops over policy steps, releases the lock', () => {
    expect(policyMachine.definition.StartAt).toBe('AcquireLock');
    expect(states.AcquireLock.Next).toBe('LockTaken');
    expect(states.CheckApprovedPlan.Parameters).toMatchObject({
      scope: 'policies',
      'plan.$': '$.plan',
      'package.$': '$.package',
    });
    expect(states.ApplyPolicySteps.Parameters).toMatchObject({ 'index.$': '$.policies.nextIndex', 'plan.$': '$.plan' });
    expect(states.PolicyStepsLeft.Default).toBe('ApplyPolicySteps');
    expect(Object.keys(states)).toEqual(
      expect.arrayContaining([
        'ReleaseLock',
        'ReleaseLockAfterRefusal',
        'ReleaseLockAfterStepFailure',
        'ReleaseLockAfterError',
        'PlanRefused',
        'LockHeld',
        'PolicyStepFailed',
      ]),
    );
    expect(policyMachine.definition.TimeoutSeconds).toBe(3600);
  });

  test('an approved plan without a policy step releases the lock and ends, applying nothing', () => {
    expect(states.PlanApproved.Choices[0]).toMatchObject({
      Variable: '$.check.approved',
      BooleanEquals: true,
      Next: 'PolicyStepsToApply',
    });
    expect(states.PolicyStepsToApply.Choices[0]).toMatchObject({
      And: [
        { Variable: '$.check.stepsInScope', IsPresent: true },
        { Variable: '$.check.stepsInScope', NumericEquals: 0 },
      ],
      Next: 'ReleaseLockNothingToApply',
    });
    expect(states.PolicyStepsToApply.Default).toBe('StartPolicySteps');
    expect(states.ReleaseLockNothingToApply.Next).toBe('NoPolicySteps');
    expect(states.NoPolicySteps.Type).toBe('Succeed');
  });

  test('every Task retries Lambda service errors and throttling with backoff and full jitter, and has a Catch', () => {
    const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');
    expect(tasks.length).toBeGreaterThanOrEqual(6);
    for (const [name, task] of tasks) {
      expect({ name, retry: task.Retry }).toEqual({
        name,
        retry: [
          expect.objectContaining({
            ErrorEquals: expect.arrayContaining(['Lambda.ServiceException', 'Lambda.TooManyRequestsException']),
            BackoffRate: 2,
            JitterStrategy: 'FULL',
            MaxDelaySeconds: 60,
          }),
          expect.objectContaining({
            ErrorEquals: expect.arrayContaining(['ThrottlingException', 'TooManyRequestsException']),
            BackoffRate: 2,
            JitterStrategy: 'FULL',
            MaxAttempts: 8,
          }),
        ],
      });
      expect({ name, catch: task.Catch }).toEqual({
        name,
        catch: [expect.objectContaining({ ErrorEquals: ['States.ALL'] })],
      });
    }
  });
});

describe('StackSetStateMachine definition', () => {
  const states = allStates(stackSetMachine.definition.States);

  test("a Map over the wave's stack sets with the configured MaxConcurrency, and a Wait state between checks", () => {
    expect(states.DeployWave).toMatchObject({
      Type: 'Map',
      MaxConcurrency: 7,
      ItemsPath: '$.waves.run',
      ResultPath: '$.waves.results',
    });
    expect(states.DeployWave.ItemSelector).toMatchObject({
      'resource.$': '$$.Map.Item.Value',
      'runInput.$': '$.runInput',
    });
    expect(states.WaitForOperation).toEqual(expect.objectContaining({ Type: 'Wait', Seconds: 45, Next: 'CheckStep' }));
    // Checks after the first come at a third of the poll interval.
    expect(states.CountWait.Next).toBe('WaitToCheckAgain');
    expect(states.CountWait.Parameters['waited.$']).toBe('States.MathAdd($.loop.waited, 15)');
    expect(states.WaitToCheckAgain).toEqual(expect.objectContaining({ Type: 'Wait', Seconds: 15, Next: 'CheckStep' }));
    expect(states.WaitWhileBusy).toEqual(expect.objectContaining({ Type: 'Wait', Seconds: 45, Next: 'NextAttempt' }));
    expect(states.NextAttempt.Parameters['attempt.$']).toBe('States.MathAdd($.started.attempt, 1)');
    expect(states.StartStep.Parameters).toMatchObject({
      action: 'start',
      'index.$': '$.loop.index',
      'attempt.$': '$.loop.attempt',
      pollIntervalSeconds: 45,
      busyTimeoutSeconds: 3600,
    });
    expect(states.CheckResult.Choices).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          And: [
            { Variable: '$.checked.status', StringEquals: 'RUNNING' },
            { Variable: '$.loop.waited', NumericGreaterThanEquals: 6 * 3600 - 45 },
          ],
          Next: 'OperationTimedOut',
        }),
      ]),
    );
    // No task sleeps: every wait is a Wait state.
    expect(Object.values(states).filter((s) => s.Type === 'Wait')).toHaveLength(3);
  });

  test('waves loop through the wave task, a failure ends FAILED with the summary, after the lock is released', () => {
    expect(states.WavesLeft.Default).toBe('RenewLock');
    expect(states.RenewLock.Next).toBe('DeployWaveAndReadStates');
    expect(states.DeployWaveAndReadStates.Branches[0].StartAt).toBe('DeployWave');
    expect(states.DeployWave.End).toBe(true);
    expect(states.DeployWaveAndReadStates.Next).toBe('NextWave');
    expect(states.ReleaseLock.Next).toBe('AnyStackSetFailed');
    expect(states.StackSetsFailed).toEqual({ Type: 'Fail', Error: 'StackSetsFailed', CausePath: '$.waves.summary' });
    expect(stackSetMachine.definition.TimeoutSeconds).toBe(24 * 3600);
  });

  test('an approved plan without a stack set step releases the lock and ends before any wave', () => {
    expect(states.PlanApproved.Choices[0]).toMatchObject({ Next: 'StackSetStepsToApply' });
    expect(states.StackSetStepsToApply.Choices[0]).toMatchObject({
      And: [
        { Variable: '$.check.stepsInScope', IsPresent: true },
        { Variable: '$.check.stepsInScope', NumericEquals: 0 },
      ],
      Next: 'ReleaseLockNothingToApply',
    });
    expect(states.StackSetStepsToApply.Default).toBe('StartWaves');
    expect(states.ReleaseLockNothingToApply.Next).toBe('NoStackSetSteps');
  });

  test('every Task retries and catches; inside a stack set a Catch ends only that stack set', () => {
    const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');
    for (const [name, task] of tasks) {
      expect({
        name,
        retries: task.Retry.length,
        jitter: task.Retry.every((r: any) => r.JitterStrategy === 'FULL'),
      }).toEqual({ name, retries: 2, jitter: true });
      expect({ name, catches: task.Catch.length }).toEqual({ name, catches: 1 });
    }
    for (const name of ['PrepareStackSet', 'StartStep', 'CheckStep', 'ExportOutputs']) {
      expect(states[name].Catch[0].Next).toBe('StackSetTaskFailed');
    }
    // The wave's Map runs in a Parallel branch: the Parallel catches for it.
    expect(states.DeployWave.Catch).toBeUndefined();
    expect(states.DeployWaveAndReadStates.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ReleaseLockAfterError' },
    ]);
    // A failed state read ends only that read: never the run.
    for (const name of ['ReadState', 'ReadLastState']) {
      expect(states[name].Catch).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: `${name}NotRead` },
      ]);
      expect(states[`${name}NotRead`]).toMatchObject({ Type: 'Pass', End: true, Parameters: { stateSaved: false } });
    }
    for (const name of ['ReadLastStates', 'MergeStates']) {
      expect(states[name].Catch[0].Next).toBe('ReleaseLockAfterError');
    }
  });

  test("a wave's stack sets run beside the state reads of the wave before it (a Parallel whose output is the wave's)", () => {
    const parallel = states.DeployWaveAndReadStates;
    expect(parallel).toMatchObject({ Type: 'Parallel', OutputPath: '$[0]', Next: 'NextWave' });
    expect(parallel.Branches.map((b: any) => b.StartAt)).toEqual(['DeployWave', 'ReadStates']);
    expect(Object.keys(parallel.Branches[1].States)).toEqual(['ReadStates']);
    // Branch 2: a Map over the previous wave's stack sets whose steps ran (names only), each read by the outputs function.
    expect(states.ReadStates).toMatchObject({ Type: 'Map', ItemsPath: '$.waves.statesToRead', MaxConcurrency: 7 });
    expect(states.ReadStates.ItemSelector).toEqual({
      'resource.$': '$$.Map.Item.Value',
      'correlationId.$': '$.runId',
      'region.$': '$.region',
      'runInput.$': '$.runInput',
    });
    expect(states.ReadStates.ItemProcessor.StartAt).toBe('ReadState');
    expect(states.ReadState.Parameters).toMatchObject({ action: 'state', 'resource.$': '$.resource' });
    expect(states.ReadState.Resource).toBe(states.ExportOutputs.Resource);
    expect(states.ExportOutputs.Parameters).toMatchObject({ action: 'exports' });
    expect(states.ExportOutputs.Parameters.saveState).toBeUndefined();
    // The outcome says whether the stack set's steps all ran; the wave task names those to read.
    expect(states.StackSetExported.Parameters).toEqual({
      'resource.$': '$.resource',
      status: 'succeeded',
      'readState.$': '$.exported.readState',
    });
    expect(states.StackSetStepsRan.Parameters).toEqual({
      'resource.$': '$.resource',
      status: 'succeeded',
      readState: true,
    });
    expect(states.HasExports.Choices.map((c: any) => c.Next)).toEqual(['ExportOutputs', 'StackSetStepsRan']);
    // After the last wave: its states, then the wave task merges (on the path once).
    expect(states.WavesLeft.Choices[0]).toEqual({
      And: [
        { Variable: '$.waves.done', BooleanEquals: true },
        { Variable: '$.waves.statesToRead[0]', IsPresent: true },
      ],
      Next: 'ReadLastStates',
    });
    expect(states.WavesLeft.Choices[1]).toMatchObject({ Next: 'ReleaseLock' });
    expect(states.ReadLastStates).toMatchObject({ Type: 'Map', ItemsPath: '$.waves.statesToRead', ResultPath: null });
    expect(states.ReadLastStates.Next).toBe('MergeStates');
    expect(states.MergeStates).toMatchObject({ ResultPath: '$.waves', Next: 'ReleaseLock' });
    expect(states.MergeStates.Parameters).toMatchObject({ results: [], 'progress.$': '$.waves.progress' });
    expect(states.MergeStates.Resource).toBe(states.NextWave.Resource);
  });
});

describe('resources and IAM', () => {
  test('logging to a KMS-encrypted log group (level ALL), X-Ray tracing on, each function traced with its own log group', () => {
    template.resourcePropertiesCountIs(
      'AWS::StepFunctions::StateMachine',
      { TracingConfiguration: { Enabled: true }, LoggingConfiguration: Match.objectLike({ Level: 'ALL' }) },
      2,
    );
    template.allResourcesProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue(), RetentionInDays: 365 });
    template.allResourcesProperties('AWS::Lambda::Function', {
      TracingConfig: { Mode: 'Active' },
      Runtime: 'nodejs22.x',
      LoggingConfig: Match.objectLike({ LogGroup: Match.anyValue() }),
    });
    template.resourceCountIs('AWS::Lambda::Function', 9);
  });

  test('the lock task may touch the lock object only; stack set writes are scoped to the prefix; the admin role is passed to CloudFormation only', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).map((p: any) =>
      JSON.stringify(p.Properties.PolicyDocument),
    );
    const lock = policies.filter((p) => p.includes('s3:DeleteObject'));
    expect(lock).toHaveLength(2);
    for (const p of lock) expect(p).toContain('/cfct/locks/default.json');
    const steps = policies.find((p) => p.includes('cloudformation:CreateStackInstances'))!;
    expect(steps).toContain(':stackset/CustomControlTower-*');
    expect(steps).toContain('service-role/AWSControlTowerStackSetRole');
    expect(steps).toContain('"iam:PassedToService":"cloudformation.amazonaws.com"');
    const attach = policies.find((p) => p.includes('organizations:AttachPolicy'))!;
    expect(attach).toContain('policy/o-*/service_control_policy/p-*');
    // No action wildcards anywhere.
    for (const p of policies) {
      for (const action of JSON.stringify(JSON.parse(p).Statement.map((s: any) => s.Action)).match(
        /"[a-z0-9-]+:[^"]*"/g,
      ) ?? []) {
        expect(action).not.toContain('*');
      }
    }
  });

  test('cdk-nag AwsSolutions: no unsuppressed finding', () => {
    const app = new App();
    const nagStack = new Stack(app, 'Nag', { env: { account: '111111111111', region: 'us-east-1' } });
    const runBucket = s3.Bucket.fromBucketName(nagStack, 'Runs', 'cfct-artifacts');
    new PolicyStateMachine(nagStack, 'Policies', { runBucket });
    new StackSetStateMachine(nagStack, 'StackSets', { runBucket });
    expect(awsSolutionsFindings(nagStack)).toEqual([]);
  });
});

describe('props', () => {
  test('a log group, key, retention and installation id can be passed', () => {
    const app = new App();
    const s = new Stack(app, 'Props', { env: { account: '111111111111', region: 'us-east-1' } });
    const key = new kms.Key(s, 'Key');
    const logGroup = new logs.LogGroup(s, 'Mine', { encryptionKey: key });
    new StackSetStateMachine(s, 'StackSets', {
      runBucket: s3.Bucket.fromBucketName(s, 'Runs', 'cfct-artifacts'),
      logGroup,
      encryptionKey: key,
      logRetention: logs.RetentionDays.ONE_MONTH,
      installationId: 'team-a',
      stackSetPrefix: 'TeamA-',
      executionRoleName: 'TeamAExecution',
    });
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: {
        Destinations: [
          { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Mine'), 'Arn'] } } },
        ],
      },
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    t.resourceCountIs('AWS::KMS::Key', 1);
    const policies = JSON.stringify(t.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('cfct/locks/team-a.json');
    expect(policies).toContain(':stackset/TeamA-*');
    expect(policies).toContain(':role/TeamAExecution');
  });

  test('fails when maxConcurrency, pollInterval or installationId are out of range', () => {
    const s = new Stack(new App(), 'Bad');
    const runBucket = s3.Bucket.fromBucketName(s, 'Runs', 'cfct-artifacts');
    expect(() => new StackSetStateMachine(s, 'A', { runBucket, maxConcurrency: 0 })).toThrow(
      'maxConcurrency must be a whole number from 1 to 40, got 0',
    );
    expect(() => new StackSetStateMachine(s, 'B', { runBucket, pollInterval: Duration.millis(10) })).toThrow(
      'pollInterval must be a whole number of seconds, at least 1, got 10 millis',
    );
    expect(() => new StackSetStateMachine(s, 'C', { runBucket, maxOperationWait: Duration.seconds(5) })).toThrow(
      'maxOperationWait must be at least pollInterval (30 seconds), got 5 seconds',
    );
    expect(() => new PolicyStateMachine(s, 'D', { runBucket, installationId: 'a b' })).toThrow(
      "installationId must be 1-63 letters, digits, '_' or '-', starting with a letter or digit, got 'a b'",
    );
  });
});
