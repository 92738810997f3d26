/**
 * The fake Control Tower through the engine's real signed-request client (src/aws/controltower.ts):
 * ListEnabledBaselines as the organization reader uses it (AWS Control Tower API reference:
 * ListEnabledBaselines, EnabledBaselineFilter), and the 403s of a request that is not signed
 * with the fake credentials. test/aws/controltower.test.ts tests the engine's reader.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { fakeAwsClients } from './clients';
import { controlTowerBaselineArn, FAKE_CONTROL_TOWER_CREDENTIALS, FakeControlTower } from './controltower';
import { FakeAws } from './core';
import { ControlTowerClient, ControlTowerServiceError } from '../../src/aws/controltower';
import type { ListEnabledBaselinesInput } from '../../src/aws/controltower';

const MANAGEMENT = '111111111111';
const REGION = 'us-east-1';
const ouArn = (n: number) =>
  `arn:aws:organizations::${MANAGEMENT}:ou/o-abcdefghij/ou-ab12-${String(n).padStart(8, '0')}`;
const OTHER_BASELINE = `arn:aws:controltower:${REGION}::baseline/LN25R72TTG6IGPTQ`;

function setup() {
  const fake = new FakeAws({ seed: 2 });
  const controlTower = new FakeControlTower(fake);
  const clients = fakeAwsClients(fake, MANAGEMENT, REGION, controlTower);
  const client = clients.controlTower(REGION);
  const list = (input: ListEnabledBaselinesInput = {}) => client.listEnabledBaselines(input);
  return { fake, controlTower, clients, client, list };
}

/** Every page of ListEnabledBaselines, following nextToken. */
async function listAll(client: ControlTowerClient, input: ListEnabledBaselinesInput = {}) {
  const pages: number[] = [];
  const targets: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.listEnabledBaselines({ ...input, ...(nextToken ? { nextToken } : {}) });
    pages.push(page.enabledBaselines.length);
    targets.push(...page.enabledBaselines.map((b) => b.targetIdentifier));
    nextToken = page.nextToken;
  } while (nextToken);
  return { pages, targets };
}

/** A request to the fake's HTTP side, signed as the given signer signs it (or not at all). */
async function signedRequest(
  options: { path?: string; body?: string; signer?: SignatureV4 | 'none'; tamper?: string } = {},
): Promise<HttpRequest> {
  const body = options.body ?? '{}';
  const request = new HttpRequest({
    method: 'POST',
    protocol: 'https:',
    hostname: 'controltower.us-east-1.amazonaws.com',
    path: options.path ?? '/list-enabled-baselines',
    headers: {
      host: 'controltower.us-east-1.amazonaws.com',
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
    },
    body,
  });
  if (options.signer === 'none') return request;
  const signer =
    options.signer ??
    new SignatureV4({
      service: 'controltower',
      region: REGION,
      credentials: FAKE_CONTROL_TOWER_CREDENTIALS,
      sha256: Sha256,
    });
  const signed = (await signer.sign(request)) as HttpRequest;
  if (options.tamper !== undefined) signed.body = options.tamper;
  return signed;
}

const errorOf = (response: { statusCode: number; headers: Record<string, string>; body: string }) => ({
  statusCode: response.statusCode,
  name: response.headers['x-amzn-ErrorType']?.split(':')[0],
  message: JSON.parse(response.body).message,
});

describe('fake Control Tower: ListEnabledBaselines', () => {
  test('lists the enabled baselines of the client region with their ARNs, target, version and status', async () => {
    const { controlTower, list } = setup();
    controlTower.enable(REGION, ouArn(1));
    controlTower.enable('eu-west-1', ouArn(2));
    const page = await list();
    expect(page).toEqual({
      enabledBaselines: [
        {
          arn: `arn:aws:controltower:${REGION}:${MANAGEMENT}:enabledbaseline/EB0000000000000`,
          baselineIdentifier: controlTowerBaselineArn(REGION),
          baselineVersion: '4.0',
          targetIdentifier: ouArn(1),
          statusSummary: { status: 'SUCCEEDED', lastOperationIdentifier: 'op' },
        },
      ],
    });
  });

  test('pages 100 at a time by default and maxResults at a time when given, with nextToken until the last page', async () => {
    const { controlTower, client, fake } = setup();
    for (let i = 0; i < 230; i++) controlTower.enable(REGION, ouArn(i));
    const byDefault = await listAll(client);
    expect(byDefault.pages).toEqual([100, 100, 30]);
    expect(byDefault.targets).toEqual(Array.from({ length: 230 }, (_, i) => ouArn(i)));
    expect((await listAll(client, { maxResults: 5 })).pages.slice(0, 3)).toEqual([5, 5, 5]);
    expect((await listAll(client, { maxResults: 100 })).pages).toEqual([100, 100, 30]);
    expect(fake.callCount('controltower', 'ListEnabledBaselines')).toBe(3 + 46 + 3);
  });

  test('an exactly full last page has no nextToken; no baselines is an empty page', async () => {
    const { controlTower, list } = setup();
    expect(await list()).toEqual({ enabledBaselines: [] });
    for (let i = 0; i < 10; i++) controlTower.enable(REGION, ouArn(i));
    const page = await list({ maxResults: 10 });
    expect(page.enabledBaselines).toHaveLength(10);
    expect(page.nextToken).toBeUndefined();
  });

  test('filters by baseline, by target and by status; the filters combine', async () => {
    const { controlTower, list } = setup();
    controlTower.enable(REGION, ouArn(1));
    controlTower.enable(REGION, ouArn(2), { status: 'FAILED' });
    controlTower.enable(REGION, ouArn(3), { baselineIdentifier: OTHER_BASELINE });
    controlTower.enable(REGION, ouArn(4), { status: 'UNDER_CHANGE' });
    const targets = async (input: ListEnabledBaselinesInput) =>
      (await list(input)).enabledBaselines.map((b) => b.targetIdentifier);
    expect(await targets({ filter: { baselineIdentifiers: [OTHER_BASELINE] } })).toEqual([ouArn(3)]);
    expect(await targets({ filter: { targetIdentifiers: [ouArn(2), ouArn(4)] } })).toEqual([ouArn(2), ouArn(4)]);
    expect(await targets({ filter: { statuses: ['FAILED'] } as ListEnabledBaselinesInput['filter'] })).toEqual([
      ouArn(2),
    ]);
    expect(
      await targets({
        filter: { baselineIdentifiers: [controlTowerBaselineArn(REGION)], targetIdentifiers: [ouArn(3), ouArn(4)] },
      }),
    ).toEqual([ouArn(4)]);
  });

  test('child baselines (on accounts, with a parent) are listed only with includeChildren', async () => {
    const { controlTower, list } = setup();
    controlTower.enable(REGION, ouArn(1));
    const parent = controlTower.enabledBaselines.get(REGION)![0].arn;
    controlTower.enable(REGION, `arn:aws:organizations::${MANAGEMENT}:account/o-abcdefghij/222222222222`, {
      parentIdentifier: parent,
    });
    expect((await list()).enabledBaselines.map((b) => b.targetIdentifier)).toEqual([ouArn(1)]);
    const all = await list({ includeChildren: true } as ListEnabledBaselinesInput);
    expect(all.enabledBaselines.map((b) => b.parentIdentifier)).toEqual([undefined, parent]);
  });

  test('fails with ValidationException (400) when maxResults is outside 5-100 or not an integer', async () => {
    const { list, fake } = setup();
    for (const maxResults of [4, 101, 0, 7.5]) {
      await expect(list({ maxResults })).rejects.toMatchObject({
        name: 'ValidationException',
        statusCode: 400,
        message:
          "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value between 5 and 100",
      });
    }
    expect(fake.calls.map((c) => c.error)).toEqual(Array.from({ length: 4 }, () => 'ValidationException'));
  });

  test('fails with ValidationException when a filter list is empty or holds more than 5 identifiers', async () => {
    const { list } = setup();
    await expect(list({ filter: { targetIdentifiers: [] } })).rejects.toMatchObject({
      name: 'ValidationException',
      message:
        "Value at 'filter.targetIdentifiers' failed to satisfy constraint: Member must have length between 1 and 5",
    });
    await expect(
      list({ filter: { baselineIdentifiers: Array.from({ length: 6 }, () => OTHER_BASELINE) } }),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message:
        "Value at 'filter.baselineIdentifiers' failed to satisfy constraint: Member must have length between 1 and 5",
    });
  });

  test('fails with ValidationException when a filter identifier is not an ARN of 20-2048 characters', async () => {
    const { list } = setup();
    for (const bad of ['ou-ab12-00000001', 'arn:aws:x', `arn:aws:${'a'.repeat(2048)}`, 'arn:aws:organizations ou']) {
      await expect(list({ filter: { targetIdentifiers: [bad] } })).rejects.toMatchObject({
        name: 'ValidationException',
        statusCode: 400,
        message: `Value '${bad}' at 'filter.targetIdentifiers' failed to satisfy constraint: Member must have length between 20 and 2048 and satisfy regular expression pattern: ^arn:aws[0-9a-zA-Z_\\-:\\/]+$`,
      });
    }
  });

  test('fails with ValidationException when the statuses filter is not exactly one of SUCCEEDED, FAILED, UNDER_CHANGE', async () => {
    const { list } = setup();
    for (const statuses of [[], ['SUCCEEDED', 'FAILED'], ['DONE']]) {
      await expect(list({ filter: { statuses } as ListEnabledBaselinesInput['filter'] })).rejects.toMatchObject({
        name: 'ValidationException',
        message:
          "Value at 'filter.statuses' failed to satisfy constraint: Member must have length 1 and its member must satisfy enum value set: [SUCCEEDED, FAILED, UNDER_CHANGE]",
      });
    }
  });

  test('fails with ValidationException when nextToken is blank or was not issued by the service', async () => {
    const { controlTower, list } = setup();
    for (let i = 0; i < 6; i++) controlTower.enable(REGION, ouArn(i));
    await expect(list({ nextToken: ' ' })).rejects.toMatchObject({
      name: 'ValidationException',
      message:
        "Value at 'nextToken' failed to satisfy constraint: Member must satisfy regular expression pattern: \\S+",
    });
    for (const nextToken of [
      'garbage',
      Buffer.from('page:-1').toString('base64'),
      Buffer.from('page:1x').toString('base64'),
    ]) {
      await expect(list({ nextToken })).rejects.toMatchObject({
        name: 'ValidationException',
        message: 'The nextToken is not valid.',
      });
    }
    const { nextToken } = await list({ maxResults: 5 });
    expect((await list({ maxResults: 5, nextToken })).enabledBaselines.map((b) => b.targetIdentifier)).toEqual([
      ouArn(5),
    ]);
  });

  test('fails with ValidationException when includeChildren is not a boolean', async () => {
    const { list } = setup();
    await expect(list({ includeChildren: 'yes' } as unknown as ListEnabledBaselinesInput)).rejects.toMatchObject({
      name: 'ValidationException',
      message: "Value at 'includeChildren' failed to satisfy constraint: Member must be a boolean",
    });
  });

  test('fails with ResourceNotFoundException (404) without a landing zone, after the input is validated', async () => {
    const { controlTower, list } = setup();
    controlTower.landingZone = false;
    const error = await list().catch((e) => e);
    expect(error).toBeInstanceOf(ControlTowerServiceError);
    expect(error).toMatchObject({
      name: 'ResourceNotFoundException',
      statusCode: 404,
      message: 'No landing zone exists in this Region.',
    });
    await expect(list({ maxResults: 1 })).rejects.toMatchObject({ name: 'ValidationException' });
  });

  test('fails loudly (500 naming the filter) for the filters it does not model: parentIdentifiers, inheritanceDriftStatuses', async () => {
    const { list } = setup();
    for (const key of ['parentIdentifiers', 'inheritanceDriftStatuses']) {
      await expect(list({ filter: { [key]: ['x'] } } as ListEnabledBaselinesInput)).rejects.toMatchObject({
        name: 'InternalServerException',
        statusCode: 500,
        message: `the fake does not implement the ListEnabledBaselines filter ${key}`,
      });
    }
  });

  test('fails with an injected ThrottlingException (429) before the operation runs, then answers', async () => {
    const { controlTower, fake, list } = setup();
    controlTower.enable(REGION, ouArn(1));
    fake.injectFault({
      service: 'controltower',
      operation: 'ListEnabledBaselines',
      rate: 1,
      limit: 2,
      error: () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }),
    });
    for (let i = 0; i < 2; i++) {
      await expect(list()).rejects.toMatchObject({
        name: 'ThrottlingException',
        statusCode: 429,
        message: 'Rate exceeded',
      });
    }
    expect((await list()).enabledBaselines).toHaveLength(1);
    expect(fake.calls.map((c) => c.error)).toEqual(['ThrottlingException', 'ThrottlingException', undefined]);
  });

  test('an injected error keeps its own status code; AccessDeniedException is 403', async () => {
    const { fake, list } = setup();
    fake.injectFault({
      service: 'controltower',
      rate: 1,
      limit: 1,
      error: () => Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }),
    });
    fake.injectFault({
      service: 'controltower',
      rate: 1,
      limit: 1,
      error: () => Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable', statusCode: 503 }),
    });
    await expect(list()).rejects.toMatchObject({ name: 'AccessDeniedException', statusCode: 403 });
    await expect(list()).rejects.toMatchObject({ name: 'ServiceUnavailable', statusCode: 503 });
  });
});

describe('fake Control Tower: the signed HTTP exchange', () => {
  test('records each request as received, signed with SigV4 for controltower in the client region', async () => {
    const { controlTower, list } = setup();
    await list({ maxResults: 50 });
    expect(controlTower.requests).toHaveLength(1);
    expect(controlTower.requests[0]).toMatchObject({ method: 'POST', path: '/list-enabled-baselines' });
    expect(JSON.parse(String(controlTower.requests[0].body))).toEqual({ maxResults: 50 });
    expect(controlTower.requests[0].headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAFAKE\/\d{8}\/us-east-1\/controltower\/aws4_request, /,
    );
  });

  test('fails with 403 MissingAuthenticationTokenException for an unsigned request; nothing reaches the operation', async () => {
    const { controlTower, fake } = setup();
    const send = controlTower.send({ accountId: MANAGEMENT, region: REGION });
    expect(errorOf(await send(await signedRequest({ signer: 'none' })))).toEqual({
      statusCode: 403,
      name: 'MissingAuthenticationTokenException',
      message: 'Missing Authentication Token',
    });
    expect(fake.calls).toEqual([]);
  });

  test('fails with 403 UnrecognizedClientException for an access key the service does not know', async () => {
    const { controlTower } = setup();
    const client = new ControlTowerClient({
      region: REGION,
      credentials: { accessKeyId: 'AKIAOTHER', secretAccessKey: 'fake' },
      send: controlTower.send({ accountId: MANAGEMENT, region: REGION }),
    });
    await expect(client.listEnabledBaselines()).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      statusCode: 403,
      message: 'The security token included in the request is invalid.',
    });
  });

  test('fails with 403 InvalidSignatureException for a wrong secret key, region or service scope, or a changed body', async () => {
    const { controlTower, fake } = setup();
    const send = controlTower.send({ accountId: MANAGEMENT, region: REGION });
    const signer = (region: string, service: string, secretAccessKey = 'fake') =>
      new SignatureV4({
        service,
        region,
        credentials: { ...FAKE_CONTROL_TOWER_CREDENTIALS, secretAccessKey },
        sha256: Sha256,
      });
    const mismatch =
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
    expect(errorOf(await send(await signedRequest({ signer: signer(REGION, 'controltower', 'other') })))).toEqual({
      statusCode: 403,
      name: 'InvalidSignatureException',
      message: mismatch,
    });
    expect(errorOf(await send(await signedRequest({ signer: signer('eu-west-1', 'controltower') })))).toEqual({
      statusCode: 403,
      name: 'InvalidSignatureException',
      message: "Credential should be scoped to a valid region, not 'eu-west-1'.",
    });
    expect(errorOf(await send(await signedRequest({ signer: signer(REGION, 'ec2') })))).toEqual({
      statusCode: 403,
      name: 'InvalidSignatureException',
      message: "Credential should be scoped to correct service: 'controltower', not 'ec2'.",
    });
    expect(errorOf(await send(await signedRequest({ tamper: '{"maxResults":5}' })))).toEqual({
      statusCode: 403,
      name: 'InvalidSignatureException',
      message: mismatch,
    });
    expect(fake.calls).toEqual([]);
  });

  test('fails with 403 IncompleteSignatureException for an Authorization header that is not SigV4', async () => {
    const { controlTower } = setup();
    const request = await signedRequest({ signer: 'none' });
    request.headers.authorization = 'Basic dXNlcjpwYXNz';
    request.headers['x-amz-date'] = '20260101T000000Z';
    expect(errorOf(await controlTower.send({ accountId: MANAGEMENT, region: REGION })(request))).toEqual({
      statusCode: 403,
      name: 'IncompleteSignatureException',
      message: 'Authorization header requires a SigV4 signature.',
    });
  });

  test('fails with 404 UnknownOperationException for another path, and 400 SerializationException for a body that is not JSON', async () => {
    const { controlTower, fake } = setup();
    const send = controlTower.send({ accountId: MANAGEMENT, region: REGION });
    expect(errorOf(await send(await signedRequest({ path: '/list-baselines' })))).toEqual({
      statusCode: 404,
      name: 'UnknownOperationException',
      message: 'no operation at POST /list-baselines',
    });
    expect(errorOf(await send(await signedRequest({ body: '{not json' })))).toEqual({
      statusCode: 400,
      name: 'SerializationException',
      message: 'the request body is not JSON',
    });
    expect(fake.calls).toEqual([]);
  });
});
