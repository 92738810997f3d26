/**
 * Step Functions limits a state's input and output to 256 KB: executions pass references to S3
 * objects, never plans or account lists. A 10,000-account, 4-region organization goes through
 * both state machines and the largest payload any state sees is measured.
 */
import { execute, realHandlers, synthesize } from './harness';
import { PipelineWorld, samplePackage } from './world';

const LIMIT = 256 * 1024;

test('a 10,000-account, 4-region organization: both machines succeed and every state payload stays under 256 KB', async () => {
  const world = new PipelineWorld({ accounts: 10_000 });
  const { policyMachine, stackSetMachine } = synthesize();
  const run = await world.build(
    samplePackage({ regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'eu-central-1'] }),
    'exec-large',
  );
  const handlers = realHandlers(world.deps);

  const policies = await execute(policyMachine, run.policyStateMachineInput, handlers);
  expect(policies.status).toBe('SUCCEEDED');
  const stackSets = await execute(stackSetMachine, run.stackSetStateMachineInput, handlers);
  expect(stackSets.status).toBe('SUCCEEDED');
  expect(world.cfn.instancesOf('CustomControlTower-app')).toHaveLength(40_000);

  const runInputBytes = world.s3.objects.get(
    `${run.stackSetStateMachineInput.runInput.bucket}/${run.stackSetStateMachineInput.runInput.key}`,
  )!.length;
  const planBytes = world.s3.objects.get(
    `${run.policyStateMachineInput.plan.bucket}/${run.policyStateMachineInput.plan.key}`,
  )!.length;
  // The figure the issue asks for.
  console.log(
    `10,000 accounts x 4 regions: largest state payload ${policies.largestPayloadBytes} bytes (policy machine), ${stackSets.largestPayloadBytes} bytes (stack set machine); ` +
      `limit ${LIMIT}; the plan in S3 is ${planBytes} bytes, the stack set run input ${runInputBytes} bytes`,
  );
  expect(planBytes).toBeGreaterThan(LIMIT);
  expect(policies.largestPayloadBytes).toBeLessThan(LIMIT);
  expect(stackSets.largestPayloadBytes).toBeLessThan(LIMIT);
}, 600_000);
