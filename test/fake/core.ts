/**
 * Core of the stateful AWS fake: a registry of service modules, a call log, a seeded random
 * number generator, fault injection and a clock. Service modules (organizations.ts, ...) hold
 * the state of one service and implement its operations; this file knows none of them.
 *
 * The fake sits behind the real SDK v3 clients through aws-sdk-client-mock, so the real
 * paginators and the real error classes run.
 */
import { mockClient } from 'aws-sdk-client-mock';

/** Who calls and where: the account whose credentials the client has, and the client region. */
export interface CallContext {
  readonly accountId: string;
  readonly region: string;
}

/** One operation of a fake service: receives the command input, returns the command output or throws. */
export type OperationHandler = (input: any, context: CallContext) => unknown;

/** A service module: a name (`organizations`, `cloudformation`, ...) and its operations by name. */
export interface FakeService {
  readonly name: string;
  readonly operations: Readonly<Record<string, OperationHandler>>;
}

/** One recorded call. */
export interface CallRecord {
  readonly service: string;
  readonly operation: string;
  readonly input: unknown;
  readonly context: CallContext;
  readonly at: number;
  /** The error name when the call failed (injected or not). */
  readonly error?: string;
}

/** A recorded call of one command, its input typed as that command's input. */
export interface TypedCallRecord<I> extends CallRecord {
  readonly input: I;
}

/**
 * An SDK v3 command class such as `CreateStackSetCommand`: its name gives the operation
 * (`CreateStackSet`), its constructor the input type.
 */
export interface CommandClass<I> {
  readonly name: string;
  new (input: I): { readonly input: I };
}

/** Which calls of a command `callsOf` returns. */
export interface CallFilter {
  /** Only calls to this service (`cloudformation`, `s3`, ...). @default - every service */
  readonly service?: string;
  /** Only calls that failed (`true`) or succeeded (`false`). @default - both */
  readonly failed?: boolean;
}

/** A fault: calls matching service/operation fail with `error()` at `rate` (0..1). */
export interface Fault {
  readonly service: string;
  /** Operation name, a pattern, or every operation of the service when absent. */
  readonly operation?: string | RegExp;
  readonly rate: number;
  readonly error: (operation: string) => Error;
  /** Fire at most this many times. @default no limit */
  readonly limit?: number;
  /** Fire only on calls whose input this accepts (e.g. one parameter name). @default every call */
  readonly when?: (input: any) => boolean;
}

/** Deterministic pseudo-random numbers (mulberry32). */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = Math.abs(Math.trunc(seed)) % 4294967296;
  }

  /** A float in [0, 1). */
  /* eslint-disable no-bitwise -- mulberry32 is defined in terms of 32-bit integer operations */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /* eslint-enable no-bitwise */

  /** An integer in [0, max). */
  int(max: number): number {
    return Math.floor(this.next() * max);
  }

  /** `length` characters from `alphabet`. */
  chars(length: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
    let text = '';
    for (let i = 0; i < length; i++) text += alphabet[this.int(alphabet.length)];
    return text;
  }
}

/** A clock whose sleeps return at once and move time forward. */
export class FakeClock {
  private current: number;
  /** Every sleep requested, in milliseconds. */
  readonly sleeps: number[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.current += ms;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

/** An SDK v3 client class (its constructor) and the module that exports its commands. */
type ClientClass<C> = new (config: any) => C;
type CommandModule = Readonly<Record<string, unknown>>;

/** Options of `FakeAws`. */
export interface FakeAwsOptions {
  /** @default 1 */
  readonly seed?: number;
  /** @default - a `FakeClock` at 2026-01-01 */
  readonly clock?: FakeClock;
}

/** The fake AWS: services, call log, faults, random numbers, clock. */
export class FakeAws {
  readonly rng: SeededRandom;
  readonly clock: FakeClock;
  readonly calls: CallRecord[] = [];
  private readonly services = new Map<string, FakeService>();
  private faults: { fault: Fault; fired: number }[] = [];
  private readonly stubs: { restore(): void }[] = [];

  constructor(options: FakeAwsOptions = {}) {
    this.rng = new SeededRandom(options.seed ?? 1);
    this.clock = options.clock ?? new FakeClock();
  }

  /** Adds a service module. */
  register(service: FakeService): void {
    this.services.set(service.name, service);
  }

  /** Makes calls fail; faults are checked before the operation runs, so a failed call changes nothing. */
  injectFault(fault: Fault): void {
    this.faults.push({ fault, fired: 0 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Calls per `service:Operation`. */
  callCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const call of this.calls) {
      const key = `${call.service}:${call.operation}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  /** Number of calls, optionally of one service and operation. */
  callCount(service?: string, operation?: string): number {
    return this.calls.filter(
      (c) => (service === undefined || c.service === service) && (operation === undefined || c.operation === operation),
    ).length;
  }

  /**
   * The recorded calls of one command, in order, typed with the command's input:
   * `fake.callsOf(CreateStackSetCommand)[0].input.StackSetName`.
   */
  callsOf<I>(command: CommandClass<I>, filter: CallFilter = {}): TypedCallRecord<I>[] {
    const operation = operationOf(command);
    return this.calls.filter(
      (c): c is TypedCallRecord<I> =>
        c.operation === operation &&
        (filter.service === undefined || c.service === filter.service) &&
        (filter.failed === undefined || (c.error !== undefined) === filter.failed),
    );
  }

  /** The inputs of the recorded calls of one command, in order (see `callsOf`). */
  inputsOf<I>(command: CommandClass<I>, filter: CallFilter = {}): I[] {
    return this.callsOf(command, filter).map((c) => c.input);
  }

  /** Runs one operation as the SDK client would have sent it. */
  async handle(service: string, operation: string, input: unknown, context: CallContext): Promise<unknown> {
    // A copy: the SDK's paginators reuse one input object and set its token for each page.
    const record = {
      service,
      operation,
      input: typeof input === 'object' && input !== null ? { ...input } : input,
      context,
      at: this.clock.now(),
    };
    try {
      for (const entry of this.faults) {
        const { fault } = entry;
        if (fault.service !== service || !matches(fault.operation, operation)) continue;
        if (fault.limit !== undefined && entry.fired >= fault.limit) continue;
        if (fault.when && !fault.when(input ?? {})) continue;
        if (this.rng.next() < fault.rate) {
          entry.fired++;
          throw fault.error(operation);
        }
      }
      const module = this.services.get(service);
      const handler = module?.operations[operation];
      if (!handler) throw new Error(`the fake does not implement ${service}:${operation}`);
      const output = await handler(input ?? {}, context);
      this.calls.push(record);
      return { $metadata: { httpStatusCode: 200 }, ...(output as object) };
    } catch (err) {
      this.calls.push({ ...record, error: (err as Error).name });
      throw err;
    }
  }

  /** A new client instance whose every command is answered by the fake as `context`. */
  client<C extends object>(
    clientClass: ClientClass<C>,
    commands: CommandModule,
    service: string,
    context: CallContext,
  ): C {
    const client = new clientClass({ region: context.region, credentials: FAKE_CREDENTIALS });
    this.stubs.push(this.route(mockClient(client as any), commands, service, context));
    return client;
  }

  /**
   * Answers every command of every instance of `clientClass` (including clients created by code
   * under test, such as a Lambda handler) as `context`. Undo with `restore()`.
   */
  mockAllInstances(
    clientClass: ClientClass<object>,
    commands: CommandModule,
    service: string,
    context: CallContext,
  ): void {
    this.stubs.push(this.route(mockClient(clientClass as any), commands, service, context));
  }

  /** Removes every client mock this fake installed. */
  restore(): void {
    for (const stub of this.stubs.splice(0)) stub.restore();
  }

  /**
   * Routes the commands the service module implements to `handle`; any other command fails
   * loudly. (Routing only implemented operations keeps client creation cheap: EC2 alone has
   * about 700 commands.)
   */
  private route(stub: ReturnType<typeof mockClient>, commands: CommandModule, service: string, context: CallContext) {
    stub.onAnyCommand().callsFake((input: unknown) => {
      throw new Error(
        `the fake does not implement this ${service} operation (input: ${JSON.stringify(input).slice(0, 200)})`,
      );
    });
    const implemented = Object.keys(this.services.get(service)?.operations ?? {});
    for (const operation of implemented) {
      const command = commands[`${operation}Command`];
      if (typeof command !== 'function') {
        throw new Error(`${service}:${operation} has no ${operation}Command in the SDK module`);
      }
      stub.on(command as any).callsFake((input: unknown) => this.handle(service, operation, input, context));
    }
    return stub;
  }
}

const FAKE_CREDENTIALS = { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake' };

function operationOf(command: { readonly name: string }): string {
  if (!command.name.endsWith('Command')) throw new Error(`${command.name} is not an SDK command class`);
  return command.name.slice(0, -'Command'.length);
}

function matches(pattern: string | RegExp | undefined, operation: string): boolean {
  if (pattern === undefined) return true;
  return typeof pattern === 'string' ? pattern === operation : pattern.test(operation);
}
