import { createServer, IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAwsClients } from '../../src/aws/clients';
import { ControlTowerClient, ControlTowerServiceError } from '../../src/aws/controltower';
import { readEnrolledOus } from '../../src/engine/organization/baselines';
import { fakeAwsClients } from '../fake/clients';
import { controlTowerBaselineArn, FAKE_CONTROL_TOWER_CREDENTIALS, FakeControlTower } from '../fake/controltower';
import { FakeAws } from '../fake/core';

const MANAGEMENT = '111111111111';
const REGION = 'us-east-1';
const ouArn = (n: number) =>
  `arn:aws:organizations::${MANAGEMENT}:ou/o-abcdefghij/ou-ab12-${String(n).padStart(8, '0')}`;

function world() {
  const fake = new FakeAws();
  const controlTower = new FakeControlTower(fake);
  return { fake, controlTower, clients: fakeAwsClients(fake, MANAGEMENT, REGION, controlTower) };
}

describe('Control Tower client (ListEnabledBaselines over signed HTTP)', () => {
  test('signs each request with SigV4 for service controltower in the client region, and pages through nextToken', async () => {
    const { controlTower, clients, fake } = world();
    for (let i = 0; i < 230; i++) controlTower.enable(REGION, ouArn(i));
    const read = await readEnrolledOus(clients, REGION, fake.clock);
    expect(read.ous).toHaveLength(230);
    expect(read.calls).toBe(3);
    expect(fake.callCount('controltower', 'ListEnabledBaselines')).toBe(3);
    for (const request of controlTower.requests) {
      expect(request).toMatchObject({
        method: 'POST',
        hostname: 'controltower.us-east-1.amazonaws.com',
        path: '/list-enabled-baselines',
      });
      expect(request.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIAFAKE\/\d{8}\/us-east-1\/controltower\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/,
      );
      expect(request.headers['content-type']).toBe('application/json');
    }
    expect(JSON.parse(String(controlTower.requests[1].body))).toMatchObject({
      maxResults: 100,
      nextToken: expect.any(String),
    });
  });

  test('fails when the request is signed with other credentials or for another region (the fake checks the signature)', async () => {
    const { controlTower, fake } = world();
    controlTower.enable(REGION, ouArn(1));
    const send = controlTower.send({ accountId: MANAGEMENT, region: REGION });
    const wrongKey = new ControlTowerClient({
      region: REGION,
      credentials: { ...FAKE_CONTROL_TOWER_CREDENTIALS, secretAccessKey: 'other' },
      send,
    });
    await expect(wrongKey.listEnabledBaselines()).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      statusCode: 403,
    });
    const wrongRegion = new ControlTowerClient({
      region: 'eu-west-1',
      credentials: FAKE_CONTROL_TOWER_CREDENTIALS,
      send,
    });
    await expect(wrongRegion.listEnabledBaselines()).rejects.toThrow(/scoped to a valid region/);
    expect(fake.callCount('controltower')).toBe(0);
  });

  test('fails with AWS error names: ValidationException for a bad page size, ResourceNotFoundException without a landing zone', async () => {
    const { controlTower, clients } = world();
    const client = clients.controlTower(REGION);
    await expect(client.listEnabledBaselines({ maxResults: 4 })).rejects.toMatchObject({
      name: 'ValidationException',
      statusCode: 400,
    });
    controlTower.landingZone = false;
    const error = await client.listEnabledBaselines().catch((e) => e);
    expect(error).toBeInstanceOf(ControlTowerServiceError);
    expect(error).toMatchObject({ name: 'ResourceNotFoundException', statusCode: 404 });
  });

  test('survives throttling: ThrottlingException (429) is retried with backoff through the clock', async () => {
    const { controlTower, clients, fake } = world();
    controlTower.enable(REGION, ouArn(1));
    fake.injectFault({
      service: 'controltower',
      rate: 1,
      limit: 3,
      error: () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }),
    });
    const read = await readEnrolledOus(clients, REGION, fake.clock);
    expect(read.ous).toEqual(['ou-ab12-00000001']);
    expect(read.calls).toBe(4);
    expect(fake.clock.sleeps).toHaveLength(3);
  });

  test('enrolled OUs: only AWSControlTowerBaseline in SUCCEEDED state; none, or an error, leaves them unknown with the reason', async () => {
    const { controlTower, clients, fake } = world();
    controlTower.enable(REGION, ouArn(1));
    controlTower.enable(REGION, ouArn(2), { status: 'FAILED' });
    controlTower.enable(REGION, ouArn(3), { status: 'UNDER_CHANGE' });
    controlTower.enable(REGION, ouArn(4), {
      baselineIdentifier: `arn:aws:controltower:${REGION}::baseline/LN25R72TTG6IGPTQ`,
    });
    expect((await readEnrolledOus(clients, REGION, fake.clock)).ous).toEqual(['ou-ab12-00000001']);
    const none = new FakeControlTower(new FakeAws());
    expect(
      await readEnrolledOus(fakeAwsClients(new FakeAws(), MANAGEMENT, REGION, none), REGION, fake.clock),
    ).toMatchObject({ reason: 'no OU has AWSControlTowerBaseline enabled' });
    fake.injectFault({
      service: 'controltower',
      rate: 1,
      error: () => Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }),
    });
    expect(await readEnrolledOus(clients, REGION, fake.clock)).toMatchObject({
      reason: expect.stringContaining('AccessDeniedException'),
    });
    expect((await readEnrolledOus(fakeAwsClients(new FakeAws(), MANAGEMENT), REGION, fake.clock)).reason).toContain(
      'ENOTFOUND',
    );
  });

  test('real HTTP through the SDK handler, to the endpoint in AWS_ENDPOINT_URL, with the default credential chain', async () => {
    const received: { url?: string; authorization?: string; body: string }[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ url: req.url, authorization: req.headers.authorization, body });
        if (received.length === 1) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              enabledBaselines: [
                {
                  arn: 'a',
                  baselineIdentifier: controlTowerBaselineArn(REGION),
                  targetIdentifier: ouArn(7),
                  statusSummary: { status: 'SUCCEEDED' },
                },
              ],
            }),
          );
        } else {
          res.writeHead(429, { 'content-type': 'application/json', 'x-amzn-ErrorType': 'ThrottlingException' });
          res.end(JSON.stringify({ message: 'Rate exceeded' }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const saved = { ...process.env };
    try {
      process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      process.env.AWS_ACCESS_KEY_ID = 'AKIAENV';
      process.env.AWS_SECRET_ACCESS_KEY = 'env-secret';
      delete process.env.AWS_PROFILE;
      const client = createAwsClients({ region: REGION }).controlTower(REGION);
      const page = await client.listEnabledBaselines({ maxResults: 50 });
      expect(page.enabledBaselines.map((b) => b.targetIdentifier)).toEqual([ouArn(7)]);
      await expect(client.listEnabledBaselines()).rejects.toMatchObject({
        name: 'ThrottlingException',
        statusCode: 429,
        message: 'Rate exceeded',
      });
      expect(received[0]).toMatchObject({ url: '/list-enabled-baselines', body: '{"maxResults":50}' });
      expect(received[0].authorization).toMatch(/Credential=AKIAENV\/\d{8}\/us-east-1\/controltower\/aws4_request/);
    } finally {
      process.env = saved;
      server.close();
    }
  });
});
