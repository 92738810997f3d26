/**
 * Progress of a long read (a large organization) on standard error, so standard output stays the
 * plan. Counts the AWS requests made through the clients it wraps and writes a line every
 * `every` requests, naming the last operation, then one closing line.
 */
import type { AwsClients } from '../aws/clients';

export interface Progress {
  /** The same clients, counting their requests. */
  readonly clients: AwsClients;
  /** Writes the closing line (with the request count) and stops reporting. */
  done(summary: string): void;
}

/** Requests between two progress lines. */
export const PROGRESS_EVERY = 50;

export function withProgress(clients: AwsClients, write: (text: string) => void, label: string, every = PROGRESS_EVERY): Progress {
  let requests = 0;
  let reporting = true;
  const count = (operation: string) => {
    requests += 1;
    if (reporting && requests % every === 0) write(`${label}: ${requests} requests so far (${operation})\n`);
  };
  // A Proxy keeps the client's class (SDK paginators check it) and only wraps `send`.
  const counted = <C extends object>(client: C): C =>
    new Proxy(client, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (property !== 'send' || typeof value !== 'function') return value;
        return (command: { constructor: { name: string } }, ...rest: unknown[]) => {
          count(command.constructor.name.replace(/Command$/, ''));
          return (value as (...args: unknown[]) => unknown).call(target, command, ...rest);
        };
      },
    });
  const wrapped: AwsClients = {
    organizations: () => counted(clients.organizations()),
    cloudFormation: (region) => counted(clients.cloudFormation(region)),
    ssm: (region) => counted(clients.ssm(region)),
    s3: (region) => counted(clients.s3(region)),
    sts: (region) => counted(clients.sts(region)),
    ec2InAccount: async (...args) => counted(await clients.ec2InAccount(...args)),
    cloudFormationInAccount: async (...args) => counted(await clients.cloudFormationInAccount(...args)),
  };
  return {
    clients: wrapped,
    done(summary) {
      if (!reporting) return;
      reporting = false;
      write(`${summary} (${requests} requests)\n`);
    },
  };
}
