/**
 * The fake must be as unkind as AWS: these tests pin the AWS behaviour the engine relies on,
 * through the real SDK client and paginators.
 */
import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DeletePolicyCommand,
  DetachPolicyCommand,
  ListAccountsCommand,
  EnablePolicyTypeCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  OrganizationsClient,
  paginateListAccounts,
  TagResourceCommand,
} from '@aws-sdk/client-organizations';
import * as organizationsSdk from '@aws-sdk/client-organizations';
import { policyDocument } from './builders';
import { fakeAwsClients } from './clients';
import { FakeAws } from './core';
import { concurrentModification, FakeOrganizations } from './organizations';

function setup(enabled: ('SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY')[] = ['SERVICE_CONTROL_POLICY']) {
  const fake = new FakeAws({ seed: 5 });
  const org = new FakeOrganizations(fake, { enabledPolicyTypes: enabled });
  const client = fakeAwsClients(fake, org.managementAccountId).organizations();
  const ou = org.addOu(org.rootId, 'Security');
  return { fake, org, client, ou };
}

const scp = (name: string, content = policyDocument(name)) =>
  new CreatePolicyCommand({ Name: name, Type: 'SERVICE_CONTROL_POLICY', Description: '', Content: content });

describe('fake Organizations', () => {
  test('pages of at most 20 with NextToken, through the real paginator', async () => {
    const { client, org } = setup();
    for (let i = 0; i < 44; i++) org.addAccount({ name: `A${i}` });
    const sizes: number[] = [];
    for await (const page of paginateListAccounts({ client, pageSize: 20 }, {})) sizes.push(page.Accounts!.length);
    expect(sizes).toEqual([20, 20, 5]);
    await expect(client.send(new ListAccountsCommand({ MaxResults: 21 }))).rejects.toMatchObject({
      name: 'InvalidInputException',
      Reason: 'MAX_VALUE_EXCEEDED',
    });
    await expect(client.send(new ListAccountsCommand({ NextToken: 'garbage' }))).rejects.toMatchObject({
      name: 'InvalidInputException',
      Reason: 'INVALID_NEXT_TOKEN',
    });
  });

  test('a sixth SCP on a target is a ConstraintViolationException; FullAWSAccess counts', async () => {
    const { client, ou } = setup();
    for (const n of ['a', 'b', 'c', 'd']) {
      const id = (await client.send(scp(n))).Policy!.PolicySummary!.Id!;
      await client.send(new AttachPolicyCommand({ PolicyId: id, TargetId: ou }));
    }
    const sixth = (await client.send(scp('e'))).Policy!.PolicySummary!.Id!;
    await expect(client.send(new AttachPolicyCommand({ PolicyId: sixth, TargetId: ou }))).rejects.toMatchObject({
      name: 'ConstraintViolationException',
      Reason: 'MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED',
    });
  });

  test('policy documents: 5,120 characters at most, JSON only, names unique per type', async () => {
    const { client } = setup();
    const big = JSON.stringify({ Statement: [{ Sid: 'x'.repeat(5120) }] });
    await expect(client.send(scp('big', big))).rejects.toMatchObject({
      name: 'ConstraintViolationException',
      Reason: 'POLICY_CONTENT_LIMIT_EXCEEDED',
    });
    await expect(client.send(scp('bad', '{'))).rejects.toMatchObject({ name: 'MalformedPolicyDocumentException' });
    await client.send(scp('dup'));
    await expect(client.send(scp('dup'))).rejects.toMatchObject({ name: 'DuplicatePolicyException' });
  });

  test('attachment errors: duplicate, not attached, last SCP, type not enabled, unknown target, policy in use', async () => {
    const { client, ou } = setup();
    const id = (await client.send(scp('p'))).Policy!.PolicySummary!.Id!;
    await client.send(new AttachPolicyCommand({ PolicyId: id, TargetId: ou }));
    await expect(client.send(new AttachPolicyCommand({ PolicyId: id, TargetId: ou }))).rejects.toMatchObject({
      name: 'DuplicatePolicyAttachmentException',
    });
    await expect(
      client.send(new AttachPolicyCommand({ PolicyId: id, TargetId: 'ou-none-00000000' })),
    ).rejects.toMatchObject({ name: 'TargetNotFoundException' });
    await expect(client.send(new DeletePolicyCommand({ PolicyId: id }))).rejects.toMatchObject({
      name: 'PolicyInUseException',
    });
    await client.send(new DetachPolicyCommand({ PolicyId: 'p-FullAWSAccess', TargetId: ou }));
    await expect(client.send(new DetachPolicyCommand({ PolicyId: id, TargetId: ou }))).rejects.toMatchObject({
      name: 'ConstraintViolationException',
      Reason: 'MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED',
    });
    await expect(
      client.send(new DetachPolicyCommand({ PolicyId: 'p-FullAWSAccess', TargetId: ou })),
    ).rejects.toMatchObject({ name: 'PolicyNotAttachedException' });
    const rcp = (
      await client.send(
        new CreatePolicyCommand({
          Name: 'r',
          Type: 'RESOURCE_CONTROL_POLICY',
          Description: '',
          Content: policyDocument('r'),
        }),
      )
    ).Policy!.PolicySummary!.Id!;
    await expect(client.send(new AttachPolicyCommand({ PolicyId: rcp, TargetId: ou }))).rejects.toMatchObject({
      name: 'PolicyTypeNotEnabledException',
    });
  });

  test('enabling RCPs attaches RCPFullAWSAccess everywhere, which cannot be detached', async () => {
    const { client, org, ou } = setup(['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY']);
    const account = org.addAccount({ name: 'New', parentId: ou });
    for (const target of [org.rootId, ou, account]) {
      expect(org.attachedTo(target)).toEqual(['p-FullAWSAccess', 'p-RCPFullAWSAccess']);
    }
    await expect(
      client.send(new DetachPolicyCommand({ PolicyId: 'p-RCPFullAWSAccess', TargetId: ou })),
    ).rejects.toMatchObject({
      name: 'InvalidInputException',
      Reason: 'NON_DETACHABLE_POLICY',
    });
    expect((await client.send(new ListRootsCommand({}))).Roots![0].PolicyTypes).toEqual([
      { Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' },
      { Type: 'RESOURCE_CONTROL_POLICY', Status: 'ENABLED' },
    ]);
  });

  test('EnablePolicyType is asynchronous: PENDING_ENABLE for a few ListRoots reads, attaching fails meanwhile', async () => {
    const { client, org, ou } = setup();
    const enabled = await client.send(
      new EnablePolicyTypeCommand({ RootId: org.rootId, PolicyType: 'RESOURCE_CONTROL_POLICY' }),
    );
    expect(enabled.Root!.PolicyTypes).toContainEqual({ Type: 'RESOURCE_CONTROL_POLICY', Status: 'PENDING_ENABLE' });
    const rcp = (
      await client.send(
        new CreatePolicyCommand({
          Name: 'r',
          Type: 'RESOURCE_CONTROL_POLICY',
          Description: '',
          Content: policyDocument('r'),
        }),
      )
    ).Policy!.PolicySummary!.Id!;
    await expect(client.send(new AttachPolicyCommand({ PolicyId: rcp, TargetId: ou }))).rejects.toMatchObject({
      name: 'PolicyTypeNotEnabledException',
    });
    await expect(
      client.send(new EnablePolicyTypeCommand({ RootId: org.rootId, PolicyType: 'RESOURCE_CONTROL_POLICY' })),
    ).rejects.toMatchObject({
      name: 'PolicyTypeAlreadyEnabledException',
    });
    const status = async () =>
      (await client.send(new ListRootsCommand({}))).Roots![0].PolicyTypes!.find(
        (t) => t.Type === 'RESOURCE_CONTROL_POLICY',
      )?.Status;
    expect([await status(), await status(), await status()]).toEqual(['PENDING_ENABLE', 'PENDING_ENABLE', 'ENABLED']);
    expect(org.attachedTo(ou)).toContain('p-RCPFullAWSAccess');
    await client.send(new AttachPolicyCommand({ PolicyId: rcp, TargetId: ou }));
  });

  test('tags as the Organizations API reference states: lengths, pattern, no aws: keys, unique keys, 50 per resource, all or nothing', async () => {
    const { client, org } = setup();
    const create = (tags: { Key: string; Value: string }[], name = 'p') =>
      client.send(
        new CreatePolicyCommand({
          Name: name,
          Type: 'SERVICE_CONTROL_POLICY',
          Description: '',
          Content: policyDocument(name),
          Tags: tags,
        }),
      );
    await expect(create([{ Key: 'team', Value: 'a (b)' }])).rejects.toMatchObject({
      name: 'InvalidInputException',
      Reason: 'INVALID_PATTERN',
    });
    await expect(create([{ Key: '', Value: 'x' }])).rejects.toMatchObject({
      name: 'InvalidInputException',
      Reason: 'MIN_LENGTH_EXCEEDED',
    });
    await expect(create([{ Key: 'k'.repeat(129), Value: 'x' }])).rejects.toMatchObject({
      name: 'InvalidInputException',
      Reason: 'MAX_LENGTH_EXCEEDED',
    });
    await expect(create([{ Key: 'k', Value: 'v'.repeat(257) }])).rejects.toMatchObject({
      name: 'InvalidInputException',
      Reason: 'MAX_LENGTH_EXCEEDED',
    });
    await expect(create([{ Key: 'AWS:owner', Value: 'x' }])).rejects.toMatchObject({
      name: 'InvalidInputException',
      Reason: 'INVALID_SYSTEM_TAGS_PARAMETER',
    });
    await expect(
      create([
        { Key: 'k', Value: '1' },
        { Key: 'k', Value: '2' },
      ]),
    ).rejects.toMatchObject({ name: 'InvalidInputException', Reason: 'DUPLICATE_TAG_KEY' });
    await expect(create(Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: '' })))).rejects.toMatchObject({
      name: 'ConstraintViolationException',
      Reason: 'MAX_TAG_LIMIT_EXCEEDED',
    });
    expect(org.allPolicies().map((p) => p.name)).toEqual(['FullAWSAccess']);

    // unicode letters, separators and the allowed symbols pass; an empty value is a value
    const id = (await create([{ Key: 'Équipe büro_1.2:3/4=5+6-7@8', Value: '' }])).Policy!.PolicySummary!.Id!;
    await client.send(
      new TagResourceCommand({
        ResourceId: id,
        Tags: Array.from({ length: 49 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })),
      }),
    );
    // the 51st tag fails the whole request: k49 is not added either
    await expect(
      client.send(
        new TagResourceCommand({
          ResourceId: id,
          Tags: [
            { Key: 'k49', Value: 'v' },
            { Key: 'k50', Value: 'v' },
          ],
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ConstraintViolationException',
      Reason: 'MAX_TAG_LIMIT_EXCEEDED',
    });
    await expect(
      client.send(
        new TagResourceCommand({
          ResourceId: id,
          Tags: [
            { Key: 'ok', Value: 'v' },
            { Key: 'bad', Value: '<script>' },
          ],
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidInputException',
      Reason: 'INVALID_PATTERN',
    });
    const keys = Object.keys(org.policy(id)!.tags);
    expect(keys).toHaveLength(50);
    expect(keys).not.toContain('ok');
    expect((await client.send(new ListTagsForResourceCommand({ ResourceId: id }))).Tags).toHaveLength(20);
    // overwriting an existing key does not count as a new tag
    await client.send(new TagResourceCommand({ ResourceId: id, Tags: [{ Key: 'k0', Value: 'new' }] }));
  });

  test('OU names are unique among siblings and OUs nest at most 5 levels', () => {
    const { org, ou } = setup();
    expect(() => org.addOu(org.rootId, 'Security')).toThrow(organizationsSdk.DuplicateOrganizationalUnitException);
    let parent = ou;
    for (let level = 2; level <= 5; level++) parent = org.addOu(parent, `L${level}`);
    expect(() => org.addOu(parent, 'L6')).toThrow(
      expect.objectContaining({ name: 'ConstraintViolationException', Reason: 'OU_DEPTH_LIMIT_EXCEEDED' }),
    );
  });

  test('only the management account may call it', async () => {
    const { fake } = setup();
    const member = fake.client(OrganizationsClient, organizationsSdk, 'organizations', {
      accountId: '222222222222',
      region: 'us-east-1',
    });
    await expect(member.send(new ListRootsCommand({}))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  test('injected faults fire before the operation, so a failed call changes nothing; the call log counts both', async () => {
    const { fake, client, org } = setup();
    fake.injectFault({ service: 'organizations', operation: 'CreatePolicy', rate: 1, error: concurrentModification });
    await expect(client.send(scp('x'))).rejects.toBeInstanceOf(organizationsSdk.ConcurrentModificationException);
    expect(org.allPolicies().map((p) => p.name)).toEqual(['FullAWSAccess']);
    expect(fake.callCounts()).toEqual({ 'organizations:CreatePolicy': 1 });
    expect(fake.calls[0].error).toBe('ConcurrentModificationException');
    fake.clearFaults();
    // a limited fault fires only so many times
    fake.injectFault({
      service: 'organizations',
      operation: 'CreatePolicy',
      rate: 1,
      limit: 1,
      error: concurrentModification,
    });
    await expect(client.send(scp('y'))).rejects.toBeInstanceOf(organizationsSdk.ConcurrentModificationException);
    await client.send(scp('y'));
    expect(org.allPolicies().map((p) => p.name)).toEqual(['FullAWSAccess', 'y']);
  });
});
