/**
 * Fake SSM Parameter Store: String / StringList / SecureString, versions, per account and region.
 * SecureString values come back encrypted unless WithDecryption is set.
 */
import { ParameterAlreadyExists, ParameterNotFound, SSMServiceException } from '@aws-sdk/client-ssm';
import type { CallContext, FakeAws, FakeService } from './core';

interface FakeParameter {
  type: 'String' | 'StringList' | 'SecureString';
  value: string;
  version: number;
  keyId?: string;
}

function validation(message: string): SSMServiceException {
  return new SSMServiceException({
    name: 'ValidationException',
    $fault: 'client',
    message,
    $metadata: { httpStatusCode: 400 },
  });
}

/** The fake's state and its service module. */
export class FakeSsm {
  readonly parameters = new Map<string, FakeParameter>();

  constructor(fake: FakeAws) {
    fake.register(this.service);
  }

  get service(): FakeService {
    return {
      name: 'ssm',
      operations: {
        GetParameter: (input, context) => ({ Parameter: this.view(input.Name, context, input.WithDecryption) }),
        GetParameters: (input, context) => this.getParameters(input, context),
        PutParameter: (input, context) => this.put(input, context),
        DeleteParameter: (input, context) => {
          if (!this.parameters.delete(this.key(context, input.Name))) {
            throw new ParameterNotFound({ message: `Parameter ${input.Name} not found.`, $metadata: {} });
          }
          return {};
        },
      },
    };
  }

  /** Sets a parameter directly (state that existed before the test). */
  seed(context: CallContext, name: string, value: string, type: FakeParameter['type'] = 'String'): void {
    this.parameters.set(this.key(context, name), { type, value, version: 1 });
  }

  /** The stored parameter, or undefined. */
  get(context: CallContext, name: string): FakeParameter | undefined {
    return this.parameters.get(this.key(context, name));
  }

  private key(context: CallContext, name: string): string {
    return `${context.accountId}/${context.region}/${name}`;
  }

  private view(name: string, context: CallContext, decrypt: boolean | undefined) {
    const parameter = this.parameters.get(this.key(context, name));
    if (!parameter) throw new ParameterNotFound({ message: `Parameter ${name} not found.`, $metadata: {} });
    const value =
      parameter.type === 'SecureString' && !decrypt
        ? `AQICAH-encrypted-${Buffer.from(parameter.value).toString('base64').length}`
        : parameter.value;
    return { Name: name, Type: parameter.type, Value: value, Version: parameter.version };
  }

  private getParameters(input: any, context: CallContext) {
    const names: string[] = input.Names ?? [];
    if (names.length === 0 || names.length > 10) {
      throw validation(
        "1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length less than or equal to 10",
      );
    }
    const found = names.filter((n) => this.parameters.has(this.key(context, n)));
    return {
      Parameters: found.map((n) => this.view(n, context, input.WithDecryption)),
      InvalidParameters: names.filter((n) => !found.includes(n)),
    };
  }

  private put(input: any, context: CallContext) {
    const key = this.key(context, input.Name);
    const existing = this.parameters.get(key);
    if (existing && !input.Overwrite) {
      throw new ParameterAlreadyExists({
        message:
          'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
        $metadata: {},
      });
    }
    const type = input.Type ?? existing?.type;
    if (!type) throw validation('A parameter type is required when you create a parameter.');
    if (typeof input.Value !== 'string' || input.Value.length === 0) {
      throw validation('Parameter value must not be empty');
    }
    const version = (existing?.version ?? 0) + 1;
    this.parameters.set(key, { type, value: input.Value, version, keyId: input.KeyId });
    return { Version: version, Tier: 'Standard' };
  }
}
