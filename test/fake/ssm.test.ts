/**
 * The fake SSM Parameter Store through the real SDK client: what the stack set engine relies
 * on (SSM API reference: GetParameter, GetParameters, PutParameter, DeleteParameter).
 */
import * as ssmSdk from '@aws-sdk/client-ssm';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { FakeAws } from './core';
import { FakeSsm } from './ssm';

const HOME = { accountId: '111111111111', region: 'us-east-1' };

function setup() {
  const fake = new FakeAws({ seed: 5 });
  const ssm = new FakeSsm(fake);
  const client = fake.client(SSMClient, ssmSdk, 'ssm', HOME);
  return { fake, ssm, client };
}

describe('fake SSM Parameter Store', () => {
  test('PutParameter creates version 1, Overwrite adds a version, GetParameter returns the latest', async () => {
    const { client } = setup();
    expect(await client.send(new PutParameterCommand({ Name: '/cfct/a', Value: 'one', Type: 'String' }))).toMatchObject(
      { Version: 1 },
    );
    expect(
      await client.send(new PutParameterCommand({ Name: '/cfct/a', Value: 'two', Overwrite: true })),
    ).toMatchObject({ Version: 2 });
    const read = await client.send(new GetParameterCommand({ Name: '/cfct/a' }));
    expect(read.Parameter).toMatchObject({ Name: '/cfct/a', Type: 'String', Value: 'two', Version: 2 });
  });

  test('fails when PutParameter overwrites without Overwrite: ParameterAlreadyExists, the value stays', async () => {
    const { client, ssm } = setup();
    await client.send(new PutParameterCommand({ Name: '/cfct/a', Value: 'one', Type: 'String' }));
    await expect(
      client.send(new PutParameterCommand({ Name: '/cfct/a', Value: 'two', Type: 'String' })),
    ).rejects.toMatchObject({ name: 'ParameterAlreadyExists' });
    expect(ssm.get(HOME, '/cfct/a')).toMatchObject({ value: 'one', version: 1 });
  });

  test('fails when a new parameter has no type or an empty value: ValidationException', async () => {
    const { client } = setup();
    await expect(client.send(new PutParameterCommand({ Name: '/cfct/a', Value: 'one' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(
      client.send(new PutParameterCommand({ Name: '/cfct/a', Value: '', Type: 'String' })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  test('fails when GetParameter or DeleteParameter names a missing parameter: ParameterNotFound', async () => {
    const { client } = setup();
    await expect(client.send(new GetParameterCommand({ Name: '/missing' }))).rejects.toMatchObject({
      name: 'ParameterNotFound',
    });
    await expect(client.send(new DeleteParameterCommand({ Name: '/missing' }))).rejects.toMatchObject({
      name: 'ParameterNotFound',
    });
  });

  test('SecureString values come back encrypted unless WithDecryption is set', async () => {
    const { client, ssm } = setup();
    ssm.seed(HOME, '/cfct/secret', 'hunter2', 'SecureString');
    const hidden = await client.send(new GetParameterCommand({ Name: '/cfct/secret' }));
    expect(hidden.Parameter!.Value).not.toContain('hunter2');
    const shown = await client.send(new GetParameterCommand({ Name: '/cfct/secret', WithDecryption: true }));
    expect(shown.Parameter!.Value).toBe('hunter2');
  });

  test('GetParameters returns found names and lists the rest as InvalidParameters; more than 10 names fail', async () => {
    const { client, ssm } = setup();
    ssm.seed(HOME, '/cfct/a', 'A');
    const read = await client.send(new GetParametersCommand({ Names: ['/cfct/a', '/cfct/b'] }));
    expect(read.Parameters!.map((p) => p.Value)).toEqual(['A']);
    expect(read.InvalidParameters).toEqual(['/cfct/b']);
    const eleven = Array.from({ length: 11 }, (_, i) => `/cfct/${i}`);
    await expect(client.send(new GetParametersCommand({ Names: eleven }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  test('each account and Region has its own parameters', async () => {
    const { fake, ssm, client } = setup();
    const other = fake.client(SSMClient, ssmSdk, 'ssm', { ...HOME, region: 'eu-west-1' });
    await client.send(new PutParameterCommand({ Name: '/cfct/a', Value: 'home', Type: 'String' }));
    await expect(other.send(new GetParameterCommand({ Name: '/cfct/a' }))).rejects.toMatchObject({
      name: 'ParameterNotFound',
    });
    expect(ssm.get({ ...HOME, accountId: '222222222222' }, '/cfct/a')).toBeUndefined();
  });

  test('the call log answers typed queries: inputs of one command, failed or not', async () => {
    const { fake, client } = setup();
    await client.send(new PutParameterCommand({ Name: '/cfct/a', Value: 'one', Type: 'String' }));
    await client
      .send(new PutParameterCommand({ Name: '/cfct/a', Value: 'two', Type: 'String' }))
      .catch(() => undefined);
    expect(fake.inputsOf(PutParameterCommand).map((input) => input.Value)).toEqual(['one', 'two']);
    expect(fake.callsOf(PutParameterCommand, { failed: true }).map((c) => [c.input.Value, c.error])).toEqual([
      ['two', 'ParameterAlreadyExists'],
    ]);
    expect(fake.inputsOf(PutParameterCommand, { service: 's3' })).toEqual([]);
  });
});
