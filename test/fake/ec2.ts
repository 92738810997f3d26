/** Fake EC2: key pairs and availability zones per account and region. */
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import type { CallContext, FakeAws, FakeService } from './core';

function ec2Error(name: string, message: string): EC2ServiceException {
  return new EC2ServiceException({ name, $fault: 'client', message, $metadata: { httpStatusCode: 400 } });
}

/** The fake's state and its service module. */
export class FakeEc2 {
  readonly keyPairs = new Map<string, { name: string; fingerprint: string; id: string }>();
  /** Zones per region; every account sees the same zone names unless overridden by `account/region`. */
  readonly zones = new Map<string, { name: string; state: 'available' | 'impaired' | 'unavailable' }[]>();

  constructor(private readonly fake: FakeAws) {
    fake.register(this.service);
  }

  get service(): FakeService {
    return {
      name: 'ec2',
      operations: {
        CreateKeyPair: (input, context) => this.createKeyPair(input, context),
        DescribeKeyPairs: (input, context) => this.describeKeyPairs(input, context),
        DescribeAvailabilityZones: (_input, context) => ({
          AvailabilityZones: this.zonesOf(context).map((z, i) => ({
            ZoneName: z.name,
            ZoneId: `${context.region.replace(/-/g, '')}-az${i + 1}`,
            State: z.state,
            RegionName: context.region,
            ZoneType: 'availability-zone',
          })),
        }),
      },
    };
  }

  private zonesOf(context: CallContext) {
    return (
      this.zones.get(`${context.accountId}/${context.region}`) ??
      this.zones.get(context.region) ??
      ['a', 'b', 'c'].map((s) => ({ name: `${context.region}${s}`, state: 'available' as const }))
    );
  }

  private createKeyPair(input: any, context: CallContext) {
    const key = `${context.accountId}/${context.region}/${input.KeyName}`;
    if (this.keyPairs.has(key)) {
      throw ec2Error('InvalidKeyPair.Duplicate', `The keypair '${input.KeyName}' already exists.`);
    }
    const pair = {
      name: input.KeyName,
      fingerprint: this.fake.rng.chars(40, '0123456789abcdef').replace(/(..)(?!$)/g, '$1:'),
      id: `key-${this.fake.rng.chars(17)}`,
    };
    this.keyPairs.set(key, pair);
    return {
      KeyName: pair.name,
      KeyFingerprint: pair.fingerprint,
      KeyPairId: pair.id,
      KeyMaterial: `-----BEGIN RSA PRIVATE KEY-----\n${this.fake.rng.chars(64)}\n-----END RSA PRIVATE KEY-----`,
    };
  }

  private describeKeyPairs(input: any, context: CallContext) {
    const names: string[] = input.KeyNames ?? [];
    const prefix = `${context.accountId}/${context.region}/`;
    const all = [...this.keyPairs.entries()].filter(([k]) => k.startsWith(prefix)).map(([, v]) => v);
    const missing = names.find((n) => !all.some((p) => p.name === n));
    if (missing) throw ec2Error('InvalidKeyPair.NotFound', `The key pair '${missing}' does not exist`);
    return {
      KeyPairs: all
        .filter((p) => names.length === 0 || names.includes(p.name))
        .map((p) => ({
          KeyName: p.name,
          KeyFingerprint: p.fingerprint,
          KeyPairId: p.id,
        })),
    };
  }
}
