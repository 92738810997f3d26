/**
 * Fake AWS Control Tower: enabled baselines (which OUs Control Tower governs), answered over the
 * same signed HTTP request the engine's client sends (src/aws/controltower.ts). Each request's
 * SigV4 signature is checked by signing it again with the fake credentials: an unsigned, wrongly
 * scoped or tampered request gets AWS's 403. Validates and pages as the API reference says
 * (ListEnabledBaselines, EnabledBaselineFilter: maxResults 5..100, nextToken, filters of 1..5
 * ARNs, one status); calls go through `FakeAws.handle`, so the call log and fault injection
 * apply. Spec: controltower.md.
 */
import { createHash } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { CallContext, FakeAws, FakeService } from './core';
import type { EnabledBaselineSummary, HttpSend, TextHttpResponse } from '../../src/aws/controltower';

/** Credentials the fake clients sign with (the same as every other fake client's). */
export const FAKE_CONTROL_TOWER_CREDENTIALS = { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake' };

/** AWSControlTowerBaseline's ARN in a region. */
export function controlTowerBaselineArn(region: string): string {
  return `arn:aws:controltower:${region}::baseline/17BSJV3IGJ2QSGA2`;
}

/** A Control Tower error, as the fake service throws it. */
export class FakeControlTowerError extends Error {
  constructor(
    name: string,
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = name;
  }
}

const STATUS: Record<string, number> = {
  ValidationException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ThrottlingException: 429,
  InternalServerException: 500,
};

/** The fake's state and its service module. */
export class FakeControlTower {
  /** Enabled baselines per region. */
  readonly enabledBaselines = new Map<string, EnabledBaselineSummary[]>();
  /** Every request as received (signed). */
  readonly requests: HttpRequest[] = [];
  /** When false, the landing zone does not exist in any region (ResourceNotFoundException). */
  landingZone = true;

  constructor(private readonly fake: FakeAws) {
    fake.register(this.service);
  }

  get service(): FakeService {
    return {
      name: 'controltower',
      operations: { ListEnabledBaselines: (input, context) => this.list(input, context) },
    };
  }

  /**
   * Enables a baseline on a target, an OU by default (state that existed before the test). The
   * enabled baseline's ARN names the account in the target's ARN (the management account).
   */
  enable(
    region: string,
    ouArn: string,
    options: {
      status?: 'SUCCEEDED' | 'FAILED' | 'UNDER_CHANGE';
      baselineIdentifier?: string;
      /** The parent enabled baseline's ARN: a child baseline, listed only with `includeChildren`. */
      parentIdentifier?: string;
    } = {},
  ): void {
    const list = this.enabledBaselines.get(region) ?? [];
    const account = /^arn:aws[\w-]*:organizations::(\d{12}):/.exec(ouArn)?.[1] ?? '111111111111';
    list.push({
      arn: `arn:aws:controltower:${region}:${account}:enabledbaseline/EB${String(list.length).padStart(13, '0')}`,
      baselineIdentifier: options.baselineIdentifier ?? controlTowerBaselineArn(region),
      baselineVersion: '4.0',
      targetIdentifier: ouArn,
      ...(options.parentIdentifier ? { parentIdentifier: options.parentIdentifier } : {}),
      statusSummary: { status: options.status ?? 'SUCCEEDED', lastOperationIdentifier: 'op' },
    });
    this.enabledBaselines.set(region, list);
  }

  /** The HTTP side: what the client's `send` reaches, acting as `context`. */
  send(context: CallContext): HttpSend {
    return async (request) => {
      this.requests.push(request);
      const problem = await signatureProblem(request, context.region);
      if (problem) return answer(403, problem.name, problem.message);
      if (request.method !== 'POST' || request.path !== '/list-enabled-baselines') {
        return answer(404, 'UnknownOperationException', `no operation at ${request.method} ${request.path}`);
      }
      let input: unknown;
      try {
        input = JSON.parse(String(request.body ?? '{}'));
      } catch {
        return answer(400, 'SerializationException', 'the request body is not JSON');
      }
      try {
        const output = (await this.fake.handle('controltower', 'ListEnabledBaselines', input, context)) as Record<
          string,
          unknown
        >;
        const { $metadata: _m, ...body } = output;
        return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
      } catch (error) {
        const name = (error as Error).name;
        return answer(
          (error as { statusCode?: number }).statusCode ?? STATUS[name] ?? 500,
          name in STATUS || (error as { statusCode?: number }).statusCode ? name : 'InternalServerException',
          (error as Error).message,
        );
      }
    };
  }

  private list(input: any, context: CallContext) {
    const max = input.maxResults ?? 100;
    if (!Number.isInteger(max) || max < 5 || max > 100) {
      throw invalid(
        "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value between 5 and 100",
      );
    }
    if (input.nextToken !== undefined && (typeof input.nextToken !== 'string' || !/\S/.test(input.nextToken))) {
      throw invalid(
        "Value at 'nextToken' failed to satisfy constraint: Member must satisfy regular expression pattern: \\S+",
      );
    }
    if (input.includeChildren !== undefined && typeof input.includeChildren !== 'boolean') {
      throw invalid("Value at 'includeChildren' failed to satisfy constraint: Member must be a boolean");
    }
    const filter = input.filter ?? {};
    for (const key of Object.keys(filter)) {
      if (!['baselineIdentifiers', 'targetIdentifiers', 'statuses'].includes(key)) {
        // parentIdentifiers, inheritanceDriftStatuses: not modelled, so not silently ignored
        throw new Error(`the fake does not implement the ListEnabledBaselines filter ${key}`);
      }
    }
    for (const key of ['baselineIdentifiers', 'targetIdentifiers']) {
      const values = filter[key];
      if (values === undefined) continue;
      if (!Array.isArray(values) || values.length < 1 || values.length > 5) {
        throw invalid(`Value at 'filter.${key}' failed to satisfy constraint: Member must have length between 1 and 5`);
      }
      const bad = values.find((v) => typeof v !== 'string' || v.length < 20 || v.length > 2048 || !ARN.test(v));
      if (bad !== undefined) {
        throw invalid(
          `Value '${bad}' at 'filter.${key}' failed to satisfy constraint: Member must have length between 20 and 2048 and satisfy regular expression pattern: ^arn:aws[0-9a-zA-Z_\\-:\\/]+$`,
        );
      }
    }
    const statuses = filter.statuses;
    if (
      statuses !== undefined &&
      (!Array.isArray(statuses) || statuses.length !== 1 || !STATUSES.includes(statuses[0]))
    ) {
      throw invalid(
        `Value at 'filter.statuses' failed to satisfy constraint: Member must have length 1 and its member must satisfy enum value set: [${STATUSES.join(', ')}]`,
      );
    }
    const start = input.nextToken ? tokenStart(input.nextToken) : 0;
    if (start === undefined) throw invalid('The nextToken is not valid.');
    if (!this.landingZone) {
      throw new FakeControlTowerError('ResourceNotFoundException', 'No landing zone exists in this Region.', 404);
    }
    const all = (this.enabledBaselines.get(context.region) ?? []).filter(
      (b) =>
        (input.includeChildren === true || b.parentIdentifier === undefined) &&
        (!filter.baselineIdentifiers || filter.baselineIdentifiers.includes(b.baselineIdentifier)) &&
        (!filter.targetIdentifiers || filter.targetIdentifiers.includes(b.targetIdentifier)) &&
        (!statuses || statuses[0] === b.statusSummary?.status),
    );
    const page = all.slice(start, start + max);
    const next = start + max < all.length ? Buffer.from(`page:${start + max}`).toString('base64') : undefined;
    return { enabledBaselines: page.map((b) => ({ ...b })), ...(next ? { nextToken: next } : {}) };
  }
}

const ARN = /^arn:aws[0-9a-zA-Z_\-:/]+$/;
const STATUSES = ['SUCCEEDED', 'FAILED', 'UNDER_CHANGE'];

function invalid(message: string): FakeControlTowerError {
  return new FakeControlTowerError('ValidationException', message, 400);
}

/** The offset a token the fake issued stands for, or undefined for any other token. */
function tokenStart(token: string): number | undefined {
  const match = /^page:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
  return match && Buffer.from(`page:${match[1]}`).toString('base64') === token ? Number(match[1]) : undefined;
}

function answer(statusCode: number, name: string, message: string): TextHttpResponse {
  return {
    statusCode,
    headers: {
      'content-type': 'application/json',
      'x-amzn-ErrorType': `${name}:http://internal.amazon.com/coral/com.amazonaws.controltower/`,
    },
    body: JSON.stringify({ message }),
  };
}

/** AWS's 403 for a request that is not signed, or not signed by known credentials. */
interface SignatureProblem {
  readonly name: string;
  readonly message: string;
}

const signature = (message: string): SignatureProblem => ({ name: 'InvalidSignatureException', message });

/** Why the request is not correctly signed for controltower in `region` with the fake credentials, or undefined. */
async function signatureProblem(request: HttpRequest, region: string): Promise<SignatureProblem | undefined> {
  const authorization = request.headers.authorization ?? request.headers.Authorization;
  const date = request.headers['x-amz-date'];
  if (!authorization || !date) {
    return { name: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  }
  const scope =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  if (!scope) {
    return { name: 'IncompleteSignatureException', message: 'Authorization header requires a SigV4 signature.' };
  }
  if (scope[1] !== FAKE_CONTROL_TOWER_CREDENTIALS.accessKeyId) {
    return { name: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  }
  if (scope[3] !== region) return signature(`Credential should be scoped to a valid region, not '${scope[3]}'.`);
  if (scope[4] !== 'controltower') {
    return signature(`Credential should be scoped to correct service: 'controltower', not '${scope[4]}'.`);
  }
  const mismatch = signature(
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  );
  // The signed payload hash must be the body's, else a changed body would pass as signed.
  const payloadHash = request.headers['x-amz-content-sha256'];
  if (
    payloadHash !== undefined &&
    payloadHash !==
      createHash('sha256')
        .update(String(request.body ?? ''))
        .digest('hex')
  ) {
    return mismatch;
  }
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter(([k]) => !['authorization', 'x-amz-date'].includes(k.toLowerCase())),
  );
  const unsigned = new HttpRequest({ ...request, headers });
  const signer = new SignatureV4({
    service: 'controltower',
    region,
    credentials: FAKE_CONTROL_TOWER_CREDENTIALS,
    sha256: Sha256,
  });
  const when = new Date(
    `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`,
  );
  const expected = (await signer.sign(unsigned, { signingDate: when })).headers.authorization;
  return expected === authorization ? undefined : mismatch;
}
