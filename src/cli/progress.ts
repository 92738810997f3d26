/**
 * Progress of a long read (a large organization) on standard error, so standard output stays the
 * plan. Counts the AWS requests made through the clients it wraps and writes a line every
 * `every` requests, naming the last operation, then one closing line.
 */
import { interceptRequests, type AwsClients } from '../aws/clients';

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
  const wrapped = interceptRequests(clients, count);
  return {
    clients: wrapped,
    done(summary) {
      if (!reporting) return;
      reporting = false;
      write(`${summary} (${requests} requests)\n`);
    },
  };
}
