/**
 * Fake EC2: key pairs and Availability Zones per account and region, with the checks of the API
 * reference (CreateKeyPair, DescribeKeyPairs, DescribeAvailabilityZones). Inputs the fake does
 * not model (filters, tags, dry runs, PPK keys) fail loudly rather than being ignored.
 * Spec: ec2.md.
 */
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import type { CallContext, FakeAws, FakeService } from './core';

function ec2Error(name: string, message: string): EC2ServiceException {
  return new EC2ServiceException({ name, $fault: 'client', message, $metadata: { httpStatusCode: 400 } });
}

/** A key pair as the fake holds it (tests may set one directly, as an earlier run would have). */
export interface FakeKeyPair {
  readonly name: string;
  readonly fingerprint: string;
  readonly id: string;
  /** @default 'rsa' */
  readonly type?: 'rsa' | 'ed25519';
  /** Milliseconds since the epoch. @default - the fake clock's start */
  readonly created?: number;
}

/** A zone as the fake holds it. */
export interface FakeZone {
  readonly name: string;
  readonly state: 'available' | 'information' | 'impaired' | 'unavailable' | 'constrained';
  /** @default 'availability-zone' */
  readonly type?: 'availability-zone' | 'local-zone' | 'wavelength-zone';
  /** Local and Wavelength Zones only: listed without `AllAvailabilityZones` only when opted in. @default false */
  readonly optedIn?: boolean;
}

/** Fails loudly on an input member the fake does not model, so it is never silently ignored. */
function unsupported(operation: string, input: any, members: string[]): void {
  for (const member of members) {
    if (input[member] !== undefined) throw new Error(`the fake does not implement ${operation} ${member}`);
  }
}

/** The zone id prefix AWS uses for a region: us-east-1 -> use1, ap-northeast-2 -> apne2, us-gov-west-1 -> usgw1. */
export function zoneIdPrefix(region: string): string {
  const parts = region.split('-');
  const middle = parts
    .slice(1, -1)
    .map(
      (p) =>
        /^(north|south)(east|west)$/
          .exec(p)
          ?.slice(1)
          .map((w) => w[0])
          .join('') ?? p[0],
    )
    .join('');
  return `${parts[0]}${middle}${parts[parts.length - 1]}`;
}

/** The fake's state and its service module. */
export class FakeEc2 {
  /** Key pairs by `account/region/name`. */
  readonly keyPairs = new Map<string, FakeKeyPair>();
  /** Zones per region; every account sees the same zone names unless overridden by `account/region`. */
  readonly zones = new Map<string, FakeZone[]>();

  constructor(private readonly fake: FakeAws) {
    fake.register(this.service);
  }

  get service(): FakeService {
    return {
      name: 'ec2',
      operations: {
        CreateKeyPair: (input, context) => this.createKeyPair(input, context),
        DescribeKeyPairs: (input, context) => this.describeKeyPairs(input, context),
        DescribeAvailabilityZones: (input, context) => this.describeZones(input, context),
      },
    };
  }

  private zonesOf(context: CallContext): FakeZone[] {
    return (
      this.zones.get(`${context.accountId}/${context.region}`) ??
      this.zones.get(context.region) ??
      ['a', 'b', 'c'].map((s) => ({ name: `${context.region}${s}`, state: 'available' as const }))
    );
  }

  private describeZones(input: any, context: CallContext) {
    unsupported('DescribeAvailabilityZones', input, ['Filters', 'DryRun']);
    const prefix = zoneIdPrefix(context.region);
    const zones = this.zonesOf(context).map((z, i) => {
      const type = z.type ?? 'availability-zone';
      return {
        ZoneName: z.name,
        ZoneId: `${prefix}-${type === 'availability-zone' ? 'az' : type === 'local-zone' ? 'lz' : 'wlz'}${i + 1}`,
        State: z.state,
        OptInStatus: type === 'availability-zone' ? 'opt-in-not-required' : z.optedIn ? 'opted-in' : 'not-opted-in',
        RegionName: context.region,
        GroupName: type === 'availability-zone' ? `${context.region}-zg-1` : z.name.replace(/[a-z]$/, ''),
        NetworkBorderGroup: type === 'availability-zone' ? context.region : z.name.replace(/[a-z]$/, ''),
        ZoneType: type,
        Messages: [],
      };
    });
    const names: string[] | undefined = input.ZoneNames;
    const ids: string[] | undefined = input.ZoneIds;
    for (const name of names ?? []) {
      if (!zones.some((z) => z.ZoneName === name)) {
        throw ec2Error('InvalidParameterValue', `Invalid availability zone: [${name}]`);
      }
    }
    for (const id of ids ?? []) {
      if (!zones.some((z) => z.ZoneId === id)) {
        throw ec2Error('InvalidParameterValue', `Invalid availability zone ID: [${id}]`);
      }
    }
    const named = names?.length || ids?.length;
    return {
      AvailabilityZones: zones.filter((z) =>
        named
          ? (names ?? []).includes(z.ZoneName) || (ids ?? []).includes(z.ZoneId)
          : input.AllAvailabilityZones === true || z.OptInStatus !== 'not-opted-in',
      ),
    };
  }

  private createKeyPair(input: any, context: CallContext) {
    unsupported('CreateKeyPair', input, ['TagSpecifications', 'DryRun']);
    const name = input.KeyName;
    if (name === undefined || name === '') {
      throw ec2Error('MissingParameter', 'The request must contain the parameter KeyName');
    }
    if (String(name).length > 255 || !/^[\x20-\x7e]+$/.test(name)) {
      throw ec2Error(
        'InvalidParameterValue',
        `Value (${name}) for parameter KeyName is invalid. A key pair name can have up to 255 ASCII characters.`,
      );
    }
    const type = input.KeyType ?? 'rsa';
    if (type !== 'rsa' && type !== 'ed25519') {
      throw ec2Error('InvalidParameterValue', `Value (${type}) for parameter KeyType is invalid. Use rsa or ed25519.`);
    }
    if (input.KeyFormat !== undefined && input.KeyFormat !== 'pem') {
      if (input.KeyFormat === 'ppk') throw new Error('the fake does not implement CreateKeyPair KeyFormat ppk');
      throw ec2Error('InvalidParameterValue', `Value (${input.KeyFormat}) for parameter KeyFormat is invalid.`);
    }
    const key = `${context.accountId}/${context.region}/${name}`;
    if (this.keyPairs.has(key)) {
      throw ec2Error('InvalidKeyPair.Duplicate', `The keypair '${name}' already exists.`);
    }
    const pair: FakeKeyPair = {
      name,
      // RSA: the SHA-1 digest of the private key, as colon-separated hex; ED25519: a base64 SHA-256 digest
      fingerprint:
        type === 'rsa'
          ? this.fake.rng.chars(40, '0123456789abcdef').replace(/(..)(?!$)/g, '$1:')
          : `${this.fake.rng.chars(43, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')}=`,
      id: `key-${this.fake.rng.chars(17, '0123456789abcdef')}`,
      type,
      created: this.fake.clock.now(),
    };
    this.keyPairs.set(key, pair);
    const header = type === 'rsa' ? 'RSA PRIVATE KEY' : 'OPENSSH PRIVATE KEY';
    return {
      KeyName: pair.name,
      KeyFingerprint: pair.fingerprint,
      KeyPairId: pair.id,
      KeyMaterial: `-----BEGIN ${header}-----\n${this.fake.rng.chars(64)}\n-----END ${header}-----`,
    };
  }

  private describeKeyPairs(input: any, context: CallContext) {
    unsupported('DescribeKeyPairs', input, ['Filters', 'IncludePublicKey', 'DryRun']);
    const names: string[] = input.KeyNames ?? [];
    const ids: string[] = input.KeyPairIds ?? [];
    const prefix = `${context.accountId}/${context.region}/`;
    const all = [...this.keyPairs.entries()].filter(([k]) => k.startsWith(prefix)).map(([, v]) => v);
    const missing = names.find((n) => !all.some((p) => p.name === n));
    if (missing !== undefined) throw ec2Error('InvalidKeyPair.NotFound', `The key pair '${missing}' does not exist`);
    const missingId = ids.find((id) => !all.some((p) => p.id === id));
    if (missingId !== undefined) {
      throw ec2Error('InvalidKeyPair.NotFound', `The key pair '${missingId}' does not exist`);
    }
    return {
      KeyPairs: all
        .filter((p) => (names.length === 0 && ids.length === 0) || names.includes(p.name) || ids.includes(p.id))
        .map((p) => ({
          KeyPairId: p.id,
          KeyFingerprint: p.fingerprint,
          KeyName: p.name,
          KeyType: p.type ?? 'rsa',
          Tags: [],
          CreateTime: new Date(p.created ?? Date.UTC(2026, 0, 1)),
        })),
    };
  }
}
