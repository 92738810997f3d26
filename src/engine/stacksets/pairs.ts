/**
 * (account, region) pairs: the unit of stack instance change detection, and the grouping of
 * pairs into as few CreateStackInstances/DeleteStackInstances calls as possible.
 */

/** One stack instance position. */
export interface Pair {
  readonly account: string;
  readonly region: string;
}

/** One instance operation's targets: every account × every region (the API's cross product). */
export interface PairGroup {
  readonly accounts: string[];
  readonly regions: string[];
}

/** `account/region`. */
export function pairKey(pair: Pair): string {
  return `${pair.account}/${pair.region}`;
}

/** Every account × region, in the given order. */
export function crossPairs(accounts: readonly string[], regions: readonly string[]): Pair[] {
  return accounts.flatMap((account) => regions.map((region) => ({ account, region })));
}

/**
 * Groups pairs into cross products that cover exactly these pairs: accounts that want the same
 * set of regions share one group. Groups, accounts and regions are sorted, so the result is
 * deterministic whatever the input order.
 */
export function groupPairs(pairs: readonly Pair[]): PairGroup[] {
  const regionsByAccount = new Map<string, Set<string>>();
  for (const { account, region } of pairs) {
    const regions = regionsByAccount.get(account) ?? new Set<string>();
    regions.add(region);
    regionsByAccount.set(account, regions);
  }
  const accountsByRegionSet = new Map<string, { regions: string[]; accounts: string[] }>();
  for (const [account, regionSet] of regionsByAccount) {
    const regions = [...regionSet].sort();
    const key = regions.join(',');
    const group = accountsByRegionSet.get(key) ?? { regions, accounts: [] };
    group.accounts.push(account);
    accountsByRegionSet.set(key, group);
  }
  return [...accountsByRegionSet.values()]
    .map((g) => ({ accounts: g.accounts.sort(), regions: g.regions }))
    .sort((a, b) =>
      a.regions.join(',') < b.regions.join(',') ? -1 : a.regions.join(',') > b.regions.join(',') ? 1 : 0,
    );
}
