/**
 * A small AWS Control Tower client for the one operation the engine needs, ListEnabledBaselines
 * (`POST /list-enabled-baselines`, JSON in and out). The registry's `@aws-sdk/client-controltower`
 * predates it, so requests are made with the SDK's own parts: `HttpRequest`, SigV4 signing for
 * service `controltower` and the default credential chain, sent with Node.js `http`/`https`
 * (`@smithy/node-http-handler` is only a transitive dependency here, so it is not imported).
 *
 * The HTTP exchange is one injectable function (`send`), so tests answer signed requests with a
 * fake Control Tower behind the same request path.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** An HTTP response with its body read as text. */
export interface TextHttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Sends one signed request. */
export type HttpSend = (request: HttpRequest) => Promise<TextHttpResponse>;

/** Options of {@link ControlTowerClient}. */
export interface ControlTowerClientOptions {
  readonly region: string;
  /** @default - the SDK's default credential chain (`AWS_PROFILE`, environment, SSO, instance roles, ...) */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** @default - `AWS_ENDPOINT_URL_CONTROLTOWER`, else `AWS_ENDPOINT_URL`, else `https://controltower.<region>.amazonaws.com` */
  readonly endpoint?: string;
  /** @default - Node.js `https` (or `http` for an `http://` endpoint) */
  readonly send?: HttpSend;
  /** @default 'cdk-control-tower-customizations' */
  readonly userAgent?: string;
  /** Named profile for the default credential chain. @default - `AWS_PROFILE` */
  readonly profile?: string;
}

/** Input of ListEnabledBaselines. */
export interface ListEnabledBaselinesInput {
  readonly filter?: {
    readonly baselineIdentifiers?: readonly string[];
    readonly targetIdentifiers?: readonly string[];
  };
  /** 5 to 100. */
  readonly maxResults?: number;
  readonly nextToken?: string;
}

/** One enabled baseline, as ListEnabledBaselines summarises it. */
export interface EnabledBaselineSummary {
  readonly arn: string;
  readonly baselineIdentifier: string;
  readonly baselineVersion?: string;
  /** The target's ARN: an OU (`arn:aws:organizations::<account>:ou/o-.../ou-...`), or an account for child baselines. */
  readonly targetIdentifier: string;
  readonly parentIdentifier?: string;
  readonly statusSummary?: { readonly status?: string; readonly lastOperationIdentifier?: string };
}

/** Output of ListEnabledBaselines. */
export interface ListEnabledBaselinesOutput {
  readonly enabledBaselines: readonly EnabledBaselineSummary[];
  readonly nextToken?: string;
}

/** An error answer of Control Tower: `name` is AWS's error code (`AccessDeniedException`, `ThrottlingException`, ...). */
export class ControlTowerServiceError extends Error {
  constructor(
    name: string,
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = name;
  }
}

/** Control Tower's API in one region (only what the engine uses). */
export class ControlTowerClient {
  private readonly signer: SignatureV4;
  private readonly endpoint: URL;
  private readonly send: HttpSend;
  private readonly userAgent: string;

  constructor(private readonly options: ControlTowerClientOptions) {
    this.signer = new SignatureV4({
      service: 'controltower',
      region: options.region,
      credentials: options.credentials ?? defaultProvider(options.profile ? { profile: options.profile } : {}),
      sha256: Sha256,
    });
    this.endpoint = new URL(
      options.endpoint ??
        process.env.AWS_ENDPOINT_URL_CONTROLTOWER ??
        process.env.AWS_ENDPOINT_URL ??
        `https://controltower.${options.region}.amazonaws.com`,
    );
    this.send = options.send ?? nodeSend();
    this.userAgent = options.userAgent ?? 'cdk-control-tower-customizations';
  }

  /** The client's region. */
  get region(): string {
    return this.options.region;
  }

  /** One page of ListEnabledBaselines. */
  async listEnabledBaselines(input: ListEnabledBaselinesInput = {}): Promise<ListEnabledBaselinesOutput> {
    const output = await this.call('/list-enabled-baselines', input);
    return {
      enabledBaselines: Array.isArray(output.enabledBaselines) ? output.enabledBaselines : [],
      ...(typeof output.nextToken === 'string' ? { nextToken: output.nextToken } : {}),
    };
  }

  private async call(path: string, input: object): Promise<any> {
    const body = JSON.stringify(input);
    const basePath = this.endpoint.pathname.replace(/\/$/, '');
    const request = new HttpRequest({
      method: 'POST',
      protocol: this.endpoint.protocol,
      hostname: this.endpoint.hostname,
      ...(this.endpoint.port ? { port: Number(this.endpoint.port) } : {}),
      path: `${basePath}${path}`,
      headers: {
        host: this.endpoint.host,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': this.userAgent,
      },
      body,
    });
    const signed = (await this.signer.sign(request)) as HttpRequest;
    const response = await this.send(signed);
    if (response.statusCode >= 200 && response.statusCode < 300) return response.body ? JSON.parse(response.body) : {};
    throw errorOf(response);
  }
}

/** The error a REST-JSON error response stands for (code from `x-amzn-ErrorType`, else the body). */
function errorOf(response: TextHttpResponse): ControlTowerServiceError {
  let parsed: any = {};
  try {
    parsed = JSON.parse(response.body || '{}');
  } catch {
    parsed = {};
  }
  const header = Object.entries(response.headers).find(([k]) => k.toLowerCase() === 'x-amzn-errortype')?.[1];
  const raw = header ?? parsed.__type ?? parsed.code ?? `HTTP${response.statusCode}`;
  const name = String(raw).split(':')[0].split('#').pop()!;
  return new ControlTowerServiceError(
    name,
    parsed.message ?? parsed.Message ?? `Control Tower answered ${response.statusCode}`,
    response.statusCode,
  );
}

/** Sends a signed request with Node.js; 30 s timeout. */
function nodeSend(): HttpSend {
  return (request) =>
    new Promise<TextHttpResponse>((resolve, reject) => {
      const send = request.protocol === 'http:' ? httpRequest : httpsRequest;
      const req = send(
        {
          method: request.method,
          hostname: request.hostname,
          ...(request.port ? { port: request.port } : {}),
          path: request.path,
          headers: request.headers,
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              statusCode: res.statusCode ?? 0,
              headers: Object.fromEntries(
                Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
              ),
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(
          Object.assign(new Error(`no answer from ${request.hostname} within 30 s`), { name: 'TimeoutError' }),
        ),
      );
      req.on('error', reject);
      if (request.body !== undefined) req.write(request.body);
      req.end();
    });
}
