/**
 * Fake CodePipeline: pipelines with their declared V2 variables, and StartPipelineExecution with
 * AWS's checks (unknown pipeline, undeclared variable, a value outside 1-1,000 characters, a name
 * outside `[A-Za-z0-9@\-_]+`). Executions are recorded, not run.
 */
import { CodePipelineServiceException } from '@aws-sdk/client-codepipeline';
import type { FakeAws, FakeService } from './core';

/** One started execution. */
export interface FakePipelineExecution {
  readonly pipelineName: string;
  readonly pipelineExecutionId: string;
  readonly variables: Readonly<Record<string, string>>;
}

function error(name: string, message: string): CodePipelineServiceException {
  return new CodePipelineServiceException({ name, $fault: 'client', message, $metadata: { httpStatusCode: 400 } });
}

/** The fake's state and its service module. */
export class FakeCodePipeline {
  /** Pipeline name -> declared variables with their default values. */
  readonly pipelines = new Map<string, Record<string, string>>();
  readonly executions: FakePipelineExecution[] = [];

  constructor(private readonly fake: FakeAws) {
    fake.register(this.service);
  }

  /** Declares a pipeline (setup; bypasses the API). */
  addPipeline(name: string, variables: Record<string, string> = {}): void {
    this.pipelines.set(name, { ...variables });
  }

  get service(): FakeService {
    return {
      name: 'codepipeline',
      operations: {
        StartPipelineExecution: (input) => {
          const declared = this.pipelines.get(input.name);
          if (!declared) {
            throw error(
              'PipelineNotFoundException',
              `Account '${'123456789012'}' does not have a pipeline with name '${input.name}'`,
            );
          }
          const variables: Record<string, string> = { ...declared };
          for (const v of (input.variables ?? []) as { name?: string; value?: string }[]) {
            if (!v.name || !/^[A-Za-z0-9@\-_]{1,128}$/.test(v.name)) {
              throw error('ValidationException', `Invalid variable name: ${v.name}`);
            }
            if (typeof v.value !== 'string' || v.value.length < 1 || v.value.length > 1000) {
              throw error(
                'ValidationException',
                `1 validation error detected: Value at 'variables.${v.name}.value' failed to satisfy constraint: Member must have length between 1 and 1000`,
              );
            }
            if (!(v.name in declared)) {
              throw error(
                'ValidationException',
                `Pipeline variable ${v.name} is not declared in the pipeline ${input.name}`,
              );
            }
            variables[v.name] = v.value;
          }
          const pipelineExecutionId = `exec-${this.executions.length + 1}-${Math.floor(this.fake.rng.next() * 1e8)}`;
          this.executions.push({ pipelineName: input.name, pipelineExecutionId, variables });
          return { pipelineExecutionId };
        },
      },
    };
  }
}
