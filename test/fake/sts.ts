/**
 * Fake STS AssumeRole: a role can be assumed when it exists in the target account. The
 * credentials' access key id names the account, so clients made from them get that account's view.
 */
import { STSServiceException } from '@aws-sdk/client-sts';
import type { FakeAws, FakeService } from './core';

/** The fake's state and its service module. */
export class FakeSts {
  /** Roles that do not exist, as `account/roleName` (every other role exists). */
  readonly missingRoles = new Set<string>();
  /** Every role ARN assumed, in order. */
  readonly assumed: string[] = [];

  constructor(fake: FakeAws) {
    fake.register(this.service);
  }

  get service(): FakeService {
    return {
      name: 'sts',
      operations: {
        AssumeRole: (input) => {
          const match = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(input.RoleArn ?? '');
          if (!match || this.missingRoles.has(`${match[1]}/${match[2]}`)) {
            throw new STSServiceException({
              name: 'AccessDenied',
              $fault: 'client',
              message: `User is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`,
              $metadata: { httpStatusCode: 403 },
            });
          }
          this.assumed.push(input.RoleArn);
          return {
            Credentials: {
              AccessKeyId: `ASIA${match[1]}`,
              SecretAccessKey: 'fake',
              SessionToken: 'fake',
              Expiration: new Date(Date.UTC(2100, 0, 1)),
            },
            AssumedRoleUser: {
              Arn: `arn:aws:sts::${match[1]}:assumed-role/${match[2]}/${input.RoleSessionName}`,
              AssumedRoleId: `AROA:${input.RoleSessionName}`,
            },
          };
        },
      },
    };
  }
}
