/**
 * A small AWS Control Tower client for the one operation the engine needs, ListEnabledBaselines
 * (`POST /list-enabled-baselines`, JSON in and out). The registry's `@aws-sdk/client-controltower`
 * predates it, so requests are made with the SDK's own parts: `HttpRequest`, SigV4 signing for
 * service `controltower`, the default credential chain and the Node.js HTTP handler.
 *
 * The HTTP exchange is one injectable function (`send`), so tests answer signed requests with a
 * fake Control Tower behind the same request path.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { NodeHttpHandler } from '@smithy/node-http-handler';
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
  /** @default - Node.js HTTPS through the SDK's `NodeHttpHandler` */
  readonly send?: HttpSend;
  /** @default 'cdk-control-tower-customizations' */
  readonly userAgent?: string;
  /** Named profile for the default credential chain. @default - `AWS_PROFILE` */
  readonly profile?: string;
}

/** Input of ListEnabledBaselines. */
export interface ListEnabledBaselinesInput {
  readonly filter?: { readonly baselineIdentifiers?: readonly string[]; readonly targetIdentifiers?: readonly string[] };
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
  constructor(name: string, message: string, readonly statusCode: number) {
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
    this.endpoint = new URL(options.endpoint ?? process.env.AWS_ENDPOINT_URL_CONTROLTOWER ?? process.env.AWS_ENDPOINT_URL ?? `https://controltower.${options.region}.amazonaws.com`);
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
    return { enabledBaselines: Array.isArray(output.enabledBaselines) ? output.enabledBaselines : [], ...(typeof output.nextToken === 'string' ? { nextToken: output.nextToken } : {}) };
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
        'host': this.endpoint.host,
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
  return new ControlTowerServiceError(name, parsed.message ?? parsed.Message ?? `Control Tower answered ${response.statusCode}`, response.statusCode);
}

function nodeSend(): HttpSend {
  const handler = new NodeHttpHandler();
  return async (request) => {
    const { response } = await handler.handle(request);
    const chunks: Buffer[] = [];
    for await (const chunk of response.body as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
    return { statusCode: response.statusCode, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') };
  };
}
