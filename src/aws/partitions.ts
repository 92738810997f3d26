/**
 * AWS partitions: which partition a region belongs to (for ARNs) and the DNS suffix of its
 * endpoints (for S3 URLs). The data is the AWS SDK's partition table.
 */

/** Partitions other than the commercial one (`aws`, the fallback), by region pattern. */
const PARTITIONS: readonly { readonly id: string; readonly regions: RegExp; readonly dnsSuffix: string }[] = [
  { id: 'aws-cn', regions: /^cn-\w+-\d+$/, dnsSuffix: 'amazonaws.com.cn' },
  { id: 'aws-us-gov', regions: /^us-gov-\w+-\d+$/, dnsSuffix: 'amazonaws.com' },
  { id: 'aws-eusc', regions: /^eusc-de-\w+-\d+$/, dnsSuffix: 'amazonaws.eu' },
  { id: 'aws-iso', regions: /^us-iso-\w+-\d+$/, dnsSuffix: 'c2s.ic.gov' },
  { id: 'aws-iso-b', regions: /^us-isob-\w+-\d+$/, dnsSuffix: 'sc2s.sgov.gov' },
  { id: 'aws-iso-e', regions: /^eu-isoe-\w+-\d+$/, dnsSuffix: 'cloud.adc-e.uk' },
  { id: 'aws-iso-f', regions: /^us-isof-\w+-\d+$/, dnsSuffix: 'csp.hci.ic.gov' },
];

/** The partition of a region: `aws`, `aws-us-gov`, `aws-cn`, ... */
export function partitionOf(region: string): string {
  return PARTITIONS.find((p) => p.regions.test(region))?.id ?? 'aws';
}

/** The DNS suffix of a partition's endpoints (`amazonaws.com`, `amazonaws.com.cn`, ...). */
export function dnsSuffixOf(partition: string): string {
  return PARTITIONS.find((p) => p.id === partition)?.dnsSuffix ?? 'amazonaws.com';
}
