/** Test events of the pipeline's triggers. */

/** A Control Tower lifecycle event as EventBridge delivers it to SQS. */
export function lifecycleEvent(
  accountId: string,
  eventName = 'CreateManagedAccount',
  state = 'SUCCEEDED',
): Record<string, unknown> {
  const field = eventName === 'CreateManagedAccount' ? 'createManagedAccountStatus' : 'updateManagedAccountStatus';
  return {
    version: '0',
    'detail-type': 'AWS Service Event via CloudTrail',
    source: 'aws.controltower',
    account: '111111111111',
    region: 'us-east-1',
    detail: {
      eventName,
      eventSource: 'controltower.amazonaws.com',
      serviceEventDetails: {
        [field]: {
          organizationalUnit: { organizationalUnitName: 'Workloads', organizationalUnitId: 'ou-abcd-11111111' },
          account: { accountName: `acct-${accountId}`, accountId },
          state,
          message: 'AWS Control Tower successfully created an enrolled account.',
          requestedTimestamp: '2026-12-01T10:00:00+0000',
          completedTimestamp: '2026-12-01T10:25:00+0000',
        },
      },
    },
  };
}
