/**
 * Fake CodePipeline: pipelines (per region) with their declared V2 variables, and
 * StartPipelineExecution with the checks of the API reference (StartPipelineExecution,
 * PipelineVariable): a pipeline name of 1-100 characters of `[A-Za-z0-9.@\-_]`, 1 to 50
 * variables, each named with 1-128 characters of `[A-Za-z0-9@\-_]` and valued with 1-1,000
 * characters, each declared by the pipeline, a client request token of `[a-zA-Z0-9-]{1,128}`,
 * and PipelineNotFoundException for a pipeline the caller's account does not have in the
 * client's region. Executions are recorded, not run. Spec: codepipeline.md.
 */
import { PipelineNotFoundException, ValidationException } from '@aws-sdk/client-codepipeline';
import type { CallContext, FakeAws, FakeService } from './core';

/** One started execution. */
export interface FakePipelineExecution {
  readonly pipelineName: string;
  readonly pipelineExecutionId: string;
  readonly variables: Readonly<Record<string, string>>;
}

/** Where a pipeline lives (`addPipeline`). */
export interface FakePipelineLocation {
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default - every account finds it (the fake models one account's pipelines) */
  readonly accountId?: string;
}

/** A declared pipeline. */
export interface FakePipeline {
  /** Declared variables with their default values. */
  readonly variables: Readonly<Record<string, string>>;
  readonly region: string;
  /** The owning account, or undefined when every account finds it. */
  readonly accountId?: string;
}

const PIPELINE_NAME = /^[A-Za-z0-9.@\-_]+$/;
const VARIABLE_NAME = /^[A-Za-z0-9@\-_]+$/;
const REQUEST_TOKEN = /^[a-zA-Z0-9-]+$/;

/** AWS's message for failed input constraints (one per request: the first). */
function invalid(value: unknown, path: string, constraint: string): ValidationException {
  const shown = value === null ? 'null' : typeof value === 'string' ? `'${value}'` : `'${JSON.stringify(value)}'`;
  return new ValidationException({
    message: `1 validation error detected: Value ${shown} at '${path}' failed to satisfy constraint: ${constraint}`,
    $metadata: { httpStatusCode: 400 },
  });
}

/** The length constraint a string of `length` characters breaks, or undefined. */
function lengthProblem(length: number, min: number, max: number): string | undefined {
  if (length < min) return `Member must have length greater than or equal to ${min}`;
  if (length > max) return `Member must have length less than or equal to ${max}`;
  return undefined;
}

/** The fake's state and its service module. */
export class FakeCodePipeline {
  /** Pipelines by `region/name`. */
  readonly pipelines = new Map<string, FakePipeline>();
  readonly executions: FakePipelineExecution[] = [];

  constructor(private readonly fake: FakeAws) {
    fake.register(this.service);
  }

  /** Declares a pipeline with its variables and default values (setup; bypasses the API). */
  addPipeline(name: string, variables: Record<string, string> = {}, where: FakePipelineLocation = {}): void {
    const region = where.region ?? 'us-east-1';
    this.pipelines.set(`${region}/${name}`, { variables: { ...variables }, region, accountId: where.accountId });
  }

  get service(): FakeService {
    return {
      name: 'codepipeline',
      operations: { StartPipelineExecution: (input, context) => this.start(input, context) },
    };
  }

  private start(input: any, context: CallContext) {
    const name = input.name;
    if (typeof name !== 'string') {
      throw invalid(null, 'name', 'Member must not be null');
    }
    const nameLength = lengthProblem(name.length, 1, 100);
    if (nameLength) throw invalid(name, 'name', nameLength);
    if (!PIPELINE_NAME.test(name)) {
      throw invalid(name, 'name', 'Member must satisfy regular expression pattern: [A-Za-z0-9.@\\-_]+');
    }
    const token = input.clientRequestToken;
    if (token !== undefined) {
      const tokenLength = lengthProblem(String(token).length, 1, 128);
      if (tokenLength) throw invalid(token, 'clientRequestToken', tokenLength);
      if (!REQUEST_TOKEN.test(token)) {
        throw invalid(token, 'clientRequestToken', 'Member must satisfy regular expression pattern: ^[a-zA-Z0-9-]+$');
      }
    }
    const given = input.variables as { name?: string; value?: string }[] | undefined;
    if (given !== undefined) {
      const count = lengthProblem(given.length, 1, 50);
      if (count) throw invalid(given, 'variables', count);
      given.forEach((v, i) => {
        const at = `variables.${i + 1}.member`;
        if (typeof v.name !== 'string') throw invalid(null, `${at}.name`, 'Member must not be null');
        const vNameLength = lengthProblem(v.name.length, 1, 128);
        if (vNameLength) throw invalid(v.name, `${at}.name`, vNameLength);
        if (!VARIABLE_NAME.test(v.name)) {
          throw invalid(v.name, `${at}.name`, 'Member must satisfy regular expression pattern: [A-Za-z0-9@\\-_]+');
        }
        if (typeof v.value !== 'string') throw invalid(null, `${at}.value`, 'Member must not be null');
        const valueLength = lengthProblem(v.value.length, 1, 1000);
        if (valueLength) throw invalid(v.value, `${at}.value`, valueLength);
      });
    }
    const pipeline = this.pipelines.get(`${context.region}/${name}`);
    if (!pipeline || (pipeline.accountId !== undefined && pipeline.accountId !== context.accountId)) {
      throw new PipelineNotFoundException({
        message: `Account '${context.accountId}' does not have a pipeline with name '${name}'`,
        $metadata: { httpStatusCode: 400 },
      });
    }
    const variables: Record<string, string> = { ...pipeline.variables };
    for (const v of given ?? []) {
      if (!(v.name! in pipeline.variables)) {
        throw new ValidationException({
          message: `Pipeline variable ${v.name} is not declared in the pipeline ${name}`,
          $metadata: { httpStatusCode: 400 },
        });
      }
      variables[v.name!] = v.value!;
    }
    const pipelineExecutionId = this.uuid();
    this.executions.push({ pipelineName: name, pipelineExecutionId, variables });
    return { pipelineExecutionId };
  }

  /**
   * An execution id of AWS's shape (a UUID): one seeded random number and the execution's
   * number, so each start draws from the fake's random numbers exactly once.
   */
  private uuid(): string {
    const random = Math.floor(this.fake.rng.next() * 4294967296)
      .toString(16)
      .padStart(8, '0');
    const count = String(this.executions.length + 1).padStart(12, '0');
    return `${random}-0000-4000-8000-${count}`;
  }
}
