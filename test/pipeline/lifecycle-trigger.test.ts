import * as codepipelineSdk from '@aws-sdk/client-codepipeline';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { lifecycleEvent } from './events';
import {
  accountOfEvent,
  handleLifecycleBatch,
  handler,
  MAX_ACCOUNTS_PER_RUN,
} from '../../src/handlers/lifecycle-trigger.lambda';
import { fakeAwsClients } from '../fake/clients';
import { FakeCodePipeline } from '../fake/codepipeline';
import { FakeAws } from '../fake/core';

const PIPELINE = 'cfct-pipeline';

function record(body: unknown, i: number): SQSRecord {
  return {
    messageId: `m-${i}`,
    receiptHandle: `r-${i}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'events',
      ApproximateFirstReceiveTimestamp: '0',
      MessageGroupId: 'cfct',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:111111111111:queue.fifo',
    awsRegion: 'us-east-1',
  };
}

function batch(...bodies: unknown[]): SQSEvent {
  return { Records: bodies.map(record) };
}

function setup() {
  const fake = new FakeAws({ seed: 3 });
  const codePipeline = new FakeCodePipeline(fake);
  codePipeline.addPipeline(PIPELINE, { ACCOUNTS: 'all' });
  const clients = fakeAwsClients(fake, '111111111111');
  const logs: Record<string, unknown>[] = [];
  const deps = {
    clients: () => clients,
    region: 'us-east-1',
    pipelineName: PIPELINE,
    clock: fake.clock,
    log: (e: Record<string, unknown>) => void logs.push(e),
  };
  return { fake, codePipeline, deps, logs };
}

describe('lifecycle trigger', () => {
  test('starts one pipeline run scoped to the accounts of the batch (duplicates once, in order)', async () => {
    const env = setup();
    const result = await handleLifecycleBatch(
      batch(
        lifecycleEvent('222222222222'),
        lifecycleEvent('333333333333', 'UpdateManagedAccount'),
        lifecycleEvent('222222222222'),
      ),
      env.deps,
    );
    expect(result.accounts).toEqual(['222222222222', '333333333333']);
    expect(env.codePipeline.executions).toEqual([
      {
        pipelineName: PIPELINE,
        pipelineExecutionId: result.executionIds[0],
        variables: { ACCOUNTS: '222222222222,333333333333' },
      },
    ]);
  });

  test('acknowledges a batch with no lifecycle event: nothing started, no error', async () => {
    const env = setup();
    const result = await handleLifecycleBatch(
      batch(
        lifecycleEvent('222222222222', 'CreateManagedAccount', 'FAILED'),
        { source: 'aws.controltower', detail: { eventName: 'SetupLandingZone' } },
        { source: 'aws.s3' },
        'not json',
      ),
      env.deps,
    );
    expect(result.executionIds).toEqual([]);
    expect(result.ignored.map((i) => i.reason)).toEqual([
      'CreateManagedAccount state is FAILED, not SUCCEEDED',
      'event SetupLandingZone is not a managed account lifecycle event',
      'not a Control Tower event',
      'the message body is not JSON',
    ]);
    expect(env.fake.callCount('codepipeline')).toBe(0);
    expect(env.logs.at(-1)).toMatchObject({ message: 'no account to act on; batch acknowledged' });
  });

  test('splits more accounts than one pipeline variable holds (1,000 characters) into several runs', async () => {
    const env = setup();
    const ids = Array.from({ length: MAX_ACCOUNTS_PER_RUN + 4 }, (_, i) => String(100000000000 + i));
    const result = await handleLifecycleBatch(batch(...ids.map((id) => lifecycleEvent(id))), env.deps);
    expect(env.codePipeline.executions.map((e) => e.variables.ACCOUNTS.split(',').length)).toEqual([
      MAX_ACCOUNTS_PER_RUN,
      4,
    ]);
    expect(env.codePipeline.executions[0].variables.ACCOUNTS.length).toBeLessThanOrEqual(1000);
    expect(result.executionIds).toHaveLength(2);
  });

  test('survives throttling of StartPipelineExecution', async () => {
    const env = setup();
    env.fake.injectFault({
      service: 'codepipeline',
      operation: 'StartPipelineExecution',
      rate: 1,
      limit: 2,
      error: () =>
        new codepipelineSdk.CodePipelineServiceException({
          name: 'ThrottlingException',
          $fault: 'client',
          message: 'Rate exceeded',
          $metadata: {},
        }),
    });
    await handleLifecycleBatch(batch(lifecycleEvent('222222222222')), env.deps);
    expect(env.codePipeline.executions).toHaveLength(1);
    expect(env.fake.callCount('codepipeline', 'StartPipelineExecution')).toBe(3);
  });

  test('fails when the pipeline does not exist, so SQS delivers the batch again', async () => {
    const env = setup();
    await expect(
      handleLifecycleBatch(batch(lifecycleEvent('222222222222')), { ...env.deps, pipelineName: 'gone' }),
    ).rejects.toThrow(/does not have a pipeline with name 'gone'/);
  });

  test('fails when the pipeline does not declare the ACCOUNTS variable', async () => {
    const env = setup();
    env.codePipeline.addPipeline('v1', {});
    await expect(
      handleLifecycleBatch(batch(lifecycleEvent('222222222222')), { ...env.deps, pipelineName: 'v1' }),
    ).rejects.toThrow(/ACCOUNTS is not declared/);
  });

  test('ignores an event whose account id is not 12 digits', () => {
    const bad = lifecycleEvent('2222');
    expect(accountOfEvent(bad)).toEqual({ reason: 'CreateManagedAccount names no 12-digit account id' });
  });

  test('the Lambda entry point reads PIPELINE_NAME and uses a real client', async () => {
    const env = setup();
    env.fake.mockAllInstances(codepipelineSdk.CodePipelineClient, codepipelineSdk, 'codepipeline', {
      accountId: '111111111111',
      region: 'us-east-1',
    });
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    process.env.AWS_REGION = 'us-east-1';
    process.env.PIPELINE_NAME = PIPELINE;
    try {
      await handler(batch(lifecycleEvent('444444444444')));
      expect(env.codePipeline.executions[0].variables).toEqual({ ACCOUNTS: '444444444444' });
      delete process.env.PIPELINE_NAME;
      await expect(handler(batch(lifecycleEvent('444444444444')))).rejects.toThrow('PIPELINE_NAME is not set');
    } finally {
      env.fake.restore();
      jest.restoreAllMocks();
    }
  });
});
