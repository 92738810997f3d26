/**
 * Which OUs AWS Control Tower governs: those with AWSControlTowerBaseline enabled and in SUCCEEDED
 * state, read with ListEnabledBaselines (paginated, 100 a page) in the home region. Control Tower
 * registers every OU on its own (nested OUs too), so an OU's enrolled accounts are its direct
 * ACTIVE child accounts (see targets.ts). Reference behaviour §3.
 */
import type { AwsClients } from '../../aws/clients';
import { Clock, errorName, withRetry } from '../retry';

/** AWSControlTowerBaseline's id, the last part of its ARN in every region. */
export const CONTROL_TOWER_BASELINE_ID = '17BSJV3IGJ2QSGA2';

/** What was learnt from Control Tower. */
export interface EnrolledOus {
  /** OU ids with a SUCCEEDED AWSControlTowerBaseline; undefined when they could not be read or none is enabled. */
  readonly ous?: readonly string[];
  /** Why `ous` is undefined. */
  readonly reason?: string;
  /** ListEnabledBaselines calls made. */
  readonly calls: number;
}

const CONTROL_TOWER_BASELINE = new RegExp(`[/:]${CONTROL_TOWER_BASELINE_ID}$`);
const THROTTLING = new Set(['ThrottlingException', 'TooManyRequestsException']);

/** Reads the enrolled OUs; any answer but a list (no landing zone, access denied, unreachable) leaves them undefined. */
export async function readEnrolledOus(
  clients: Pick<AwsClients, 'controlTower'>,
  homeRegion: string,
  clock: Clock,
): Promise<EnrolledOus> {
  const client = clients.controlTower(homeRegion);
  const ous = new Set<string>();
  let calls = 0;
  let token: string | undefined;
  try {
    do {
      const page = await withRetry(
        () => {
          calls++;
          return client.listEnabledBaselines({ maxResults: 100, ...(token ? { nextToken: token } : {}) });
        },
        { clock, retryable: (e) => THROTTLING.has(errorName(e) ?? ''), maxAttempts: 10 },
      );
      for (const baseline of page.enabledBaselines) {
        const id = /\/(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/.exec(baseline.targetIdentifier ?? '')?.[1];
        const isControlTower = CONTROL_TOWER_BASELINE.test(baseline.baselineIdentifier ?? '');
        if (id && isControlTower && baseline.statusSummary?.status === 'SUCCEEDED') ous.add(id);
      }
      token = page.nextToken;
    } while (token);
  } catch (error) {
    return {
      reason: `ListEnabledBaselines failed: ${errorName(error) ?? 'Error'}: ${(error as Error).message}`,
      calls,
    };
  }
  if (ous.size === 0) return { reason: 'no OU has AWSControlTowerBaseline enabled', calls };
  return { ous: [...ous].sort(), calls };
}
