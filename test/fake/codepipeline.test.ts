/**
 * The fake CodePipeline through the real SDK client: StartPipelineExecution as the lifecycle
 * trigger uses it (CodePipeline API reference: StartPipelineExecution, PipelineVariable).
 */
import * as codepipelineSdk from '@aws-sdk/client-codepipeline';
import {
  CodePipelineClient,
  CodePipelineServiceException,
  PipelineNotFoundException,
  StartPipelineExecutionCommand,
  ValidationException,
} from '@aws-sdk/client-codepipeline';
import type { StartPipelineExecutionCommandInput } from '@aws-sdk/client-codepipeline';
import { fakeAwsClients } from './clients';
import { FakeCodePipeline } from './codepipeline';
import { FakeAws } from './core';

const HOME = { accountId: '111111111111', region: 'us-east-1' };

function setup() {
  const fake = new FakeAws({ seed: 11 });
  const codePipeline = new FakeCodePipeline(fake);
  codePipeline.addPipeline('cfct', { ACCOUNTS: 'all', MODE: 'full' });
  const client = fake.client(CodePipelineClient, codepipelineSdk, 'codepipeline', HOME);
  const start = (input: Partial<StartPipelineExecutionCommandInput> = {}) =>
    client.send(new StartPipelineExecutionCommand({ name: 'cfct', ...input }));
  return { fake, codePipeline, client, start };
}

/** The validation message AWS gives for one failed constraint. */
const validation = (value: string, path: string, constraint: string) => ({
  name: 'ValidationException',
  $metadata: { httpStatusCode: 400 },
  message: `1 validation error detected: Value ${value} at '${path}' failed to satisfy constraint: ${constraint}`,
});

describe('fake CodePipeline', () => {
  test('StartPipelineExecution records an execution with the declared defaults, overridden by the variables given', async () => {
    const { codePipeline, start } = setup();
    const out = await start({ variables: [{ name: 'ACCOUNTS', value: '222222222222,333333333333' }] });
    expect(out.pipelineExecutionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(codePipeline.executions).toEqual([
      {
        pipelineName: 'cfct',
        pipelineExecutionId: out.pipelineExecutionId,
        variables: { ACCOUNTS: '222222222222,333333333333', MODE: 'full' },
      },
    ]);
  });

  test('each start is a new execution with its own id; without variables the defaults apply', async () => {
    const { codePipeline, start } = setup();
    const first = await start();
    const second = await start();
    expect(second.pipelineExecutionId).not.toBe(first.pipelineExecutionId);
    expect(codePipeline.executions.map((e) => e.variables)).toEqual([
      { ACCOUNTS: 'all', MODE: 'full' },
      { ACCOUNTS: 'all', MODE: 'full' },
    ]);
  });

  test('the same seed gives the same execution ids', async () => {
    const ids = async () => {
      const { start } = setup();
      return [(await start()).pipelineExecutionId, (await start()).pipelineExecutionId];
    };
    expect(await ids()).toEqual(await ids());
  });

  test('through fakeAwsClients, the management account starts the pipeline in the client region', async () => {
    const fake = new FakeAws();
    const codePipeline = new FakeCodePipeline(fake);
    codePipeline.addPipeline('cfct', { ACCOUNTS: 'all' }, { region: 'eu-west-1', accountId: HOME.accountId });
    const clients = fakeAwsClients(fake, HOME.accountId);
    await clients
      .codePipeline('eu-west-1')
      .send(new StartPipelineExecutionCommand({ name: 'cfct', variables: [{ name: 'ACCOUNTS', value: '1' }] }));
    expect(fake.callsOf(StartPipelineExecutionCommand)[0].context).toEqual({
      accountId: HOME.accountId,
      region: 'eu-west-1',
    });
    expect(codePipeline.executions).toHaveLength(1);
  });

  test('fails with PipelineNotFoundException naming the caller account when the pipeline does not exist', async () => {
    const { codePipeline, start } = setup();
    const error = await start({ name: 'gone' }).catch((e) => e);
    expect(error).toBeInstanceOf(PipelineNotFoundException);
    expect(error).toMatchObject({
      name: 'PipelineNotFoundException',
      message: "Account '111111111111' does not have a pipeline with name 'gone'",
      $metadata: { httpStatusCode: 400 },
    });
    expect(codePipeline.executions).toEqual([]);
  });

  test('fails with PipelineNotFoundException when the pipeline is in another region or another account', async () => {
    const { fake, codePipeline } = setup();
    codePipeline.addPipeline('regional', {}, { region: 'eu-west-1' });
    codePipeline.addPipeline('theirs', {}, { accountId: '999999999999' });
    const other = fake.client(CodePipelineClient, codepipelineSdk, 'codepipeline', { ...HOME, region: 'eu-west-1' });
    const home = fake.client(CodePipelineClient, codepipelineSdk, 'codepipeline', HOME);
    await expect(home.send(new StartPipelineExecutionCommand({ name: 'regional' }))).rejects.toMatchObject({
      name: 'PipelineNotFoundException',
    });
    await expect(other.send(new StartPipelineExecutionCommand({ name: 'cfct' }))).rejects.toMatchObject({
      name: 'PipelineNotFoundException',
    });
    await other.send(new StartPipelineExecutionCommand({ name: 'regional' }));
    await expect(home.send(new StartPipelineExecutionCommand({ name: 'theirs' }))).rejects.toMatchObject({
      name: 'PipelineNotFoundException',
      message: "Account '111111111111' does not have a pipeline with name 'theirs'",
    });
    expect(codePipeline.executions.map((e) => e.pipelineName)).toEqual(['regional']);
  });

  test('fails with ValidationException when a variable is not declared by the pipeline; nothing is started', async () => {
    const { codePipeline, start } = setup();
    const error = await start({
      variables: [
        { name: 'ACCOUNTS', value: '1' },
        { name: 'REGIONS', value: 'us-east-1' },
      ],
    }).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationException);
    expect(error).toMatchObject({
      name: 'ValidationException',
      message: 'Pipeline variable REGIONS is not declared in the pipeline cfct',
    });
    expect(codePipeline.executions).toEqual([]);
  });

  test('fails with ValidationException when the pipeline name is longer than 100 characters or outside [A-Za-z0-9.@\\-_]', async () => {
    const { start } = setup();
    await expect(start({ name: 'a'.repeat(101) })).rejects.toMatchObject(
      validation(`'${'a'.repeat(101)}'`, 'name', 'Member must have length less than or equal to 100'),
    );
    await expect(start({ name: '' })).rejects.toMatchObject(
      validation("''", 'name', 'Member must have length greater than or equal to 1'),
    );
    await expect(start({ name: 'my pipeline' })).rejects.toMatchObject(
      validation("'my pipeline'", 'name', 'Member must satisfy regular expression pattern: [A-Za-z0-9.@\\-_]+'),
    );
    await expect(start({ name: undefined })).rejects.toMatchObject(
      validation('null', 'name', 'Member must not be null'),
    );
  });

  test('fails with ValidationException when the variables list is empty or holds more than 50', async () => {
    const { codePipeline, start } = setup();
    await expect(start({ variables: [] })).rejects.toMatchObject(
      validation("'[]'", 'variables', 'Member must have length greater than or equal to 1'),
    );
    const many = Array.from({ length: 51 }, (_, i) => ({ name: `V${i}`, value: 'x' }));
    await expect(start({ variables: many })).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(
        /^1 validation error detected: Value '.*' at 'variables' failed to satisfy constraint: Member must have length less than or equal to 50$/,
      ),
    });
    expect(codePipeline.executions).toEqual([]);
  });

  test('fails with ValidationException when a variable name is outside [A-Za-z0-9@\\-_] or 1-128 characters, naming its position', async () => {
    const { start } = setup();
    await expect(
      start({
        variables: [
          { name: 'ACCOUNTS', value: '1' },
          { name: 'MY VAR', value: 'x' },
        ],
      }),
    ).rejects.toMatchObject(
      validation(
        "'MY VAR'",
        'variables.2.member.name',
        'Member must satisfy regular expression pattern: [A-Za-z0-9@\\-_]+',
      ),
    );
    await expect(start({ variables: [{ name: 'V'.repeat(129), value: 'x' }] })).rejects.toMatchObject(
      validation(
        `'${'V'.repeat(129)}'`,
        'variables.1.member.name',
        'Member must have length less than or equal to 128',
      ),
    );
    await expect(start({ variables: [{ name: '', value: 'x' }] })).rejects.toMatchObject(
      validation("''", 'variables.1.member.name', 'Member must have length greater than or equal to 1'),
    );
    await expect(start({ variables: [{ value: 'x' } as { name: string; value: string }] })).rejects.toMatchObject(
      validation('null', 'variables.1.member.name', 'Member must not be null'),
    );
  });

  test('fails with ValidationException when a value is empty or longer than 1,000 characters (1,000 is accepted)', async () => {
    const { codePipeline, start } = setup();
    await expect(start({ variables: [{ name: 'ACCOUNTS', value: '' }] })).rejects.toMatchObject(
      validation("''", 'variables.1.member.value', 'Member must have length greater than or equal to 1'),
    );
    await expect(start({ variables: [{ name: 'ACCOUNTS', value: 'x'.repeat(1001) }] })).rejects.toMatchObject(
      validation(
        `'${'x'.repeat(1001)}'`,
        'variables.1.member.value',
        'Member must have length less than or equal to 1000',
      ),
    );
    await expect(
      start({ variables: [{ name: 'ACCOUNTS', value: undefined as unknown as string }] }),
    ).rejects.toMatchObject(validation('null', 'variables.1.member.value', 'Member must not be null'));
    await start({ variables: [{ name: 'ACCOUNTS', value: 'x'.repeat(1000) }] });
    expect(codePipeline.executions.map((e) => e.variables.ACCOUNTS.length)).toEqual([1000]);
  });

  test('fails with ValidationException when the client request token is outside [a-zA-Z0-9-]{1,128}', async () => {
    const { start } = setup();
    await expect(start({ clientRequestToken: 'not_a_token' })).rejects.toMatchObject(
      validation(
        "'not_a_token'",
        'clientRequestToken',
        'Member must satisfy regular expression pattern: ^[a-zA-Z0-9-]+$',
      ),
    );
    await expect(start({ clientRequestToken: 't'.repeat(129) })).rejects.toMatchObject(
      validation(`'${'t'.repeat(129)}'`, 'clientRequestToken', 'Member must have length less than or equal to 128'),
    );
    await expect(start({ clientRequestToken: '0f8fad5b-d9cb-469f-a165-70867728950e' })).resolves.toMatchObject({
      pipelineExecutionId: expect.any(String),
    });
  });

  test('fails with an injected ThrottlingException before the operation runs: nothing started, the call logged as failed', async () => {
    const { fake, codePipeline, start } = setup();
    fake.injectFault({
      service: 'codepipeline',
      operation: 'StartPipelineExecution',
      rate: 1,
      limit: 1,
      error: () =>
        new CodePipelineServiceException({
          name: 'ThrottlingException',
          $fault: 'client',
          message: 'Rate exceeded',
          $metadata: { httpStatusCode: 400 },
        }),
    });
    await expect(start()).rejects.toMatchObject({ name: 'ThrottlingException', message: 'Rate exceeded' });
    expect(codePipeline.executions).toEqual([]);
    await start();
    expect(codePipeline.executions).toHaveLength(1);
    expect(fake.callsOf(StartPipelineExecutionCommand).map((c) => c.error)).toEqual(['ThrottlingException', undefined]);
  });

  test('fails loudly for an operation the fake does not implement', async () => {
    const { client } = setup();
    await expect(client.send(new codepipelineSdk.GetPipelineCommand({ name: 'cfct' }))).rejects.toThrow(
      /the fake does not implement this codepipeline operation/,
    );
  });
});
