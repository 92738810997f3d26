/**
 * Organization benchmark: a generated organization of 5,000 accounts in 500 nested OUs with 50
 * SCPs, behind the stateful fake. Prints the API calls a snapshot takes, the CPU time of planning
 * the 50 policies against it, and the size of the plan.
 *
 *   npx ts-node --transpile-only benchmarks/organization.ts
 *
 * Constants (edit them here; they are printed with the results):
 */
import { loadOrganizationSnapshot } from '../src/engine/organization/load';
import { serialiseSnapshot } from '../src/engine/organization/serialise';
import { createPolicyPlan } from '../src/engine/policies';
import { manifestOf, memoryFiles, policyResource } from '../test/engine/helpers';
import { buildLargeOrganization, policyDocument } from '../test/fake/builders';
import { fakeAwsClients } from '../test/fake/clients';

const ACCOUNTS = 5000;
const OUS = 500;
const POLICIES = 50;
/** Of the 50 policies, this many get new content and one more target in the manifest. */
const CHANGED = 5;
/** Parallel Organizations reads while loading the snapshot (the loader's default). */
const CONCURRENCY = 4;
/** Estimate, not measured: one Organizations API call. */
const API_CALL_MS = 150;

async function main(): Promise<void> {
  const built = buildLargeOrganization({ accountCount: ACCOUNTS, ouCount: OUS, policyCount: POLICIES });
  const clients = fakeAwsClients(built.fake, built.organizations.managementAccountId);

  const loadStarted = Date.now();
  const { snapshot, apiCalls } = await loadOrganizationSnapshot(clients, { concurrency: CONCURRENCY });
  const loadMs = Date.now() - loadStarted;
  const totalCalls = Object.values(apiCalls).reduce((a, b) => a + b, 0);
  const depth = Math.max(
    ...snapshot.organizationalUnits.map((ou) => {
      let d = 0;
      for (
        let id: string | undefined = ou.id;
        id && id.startsWith('ou-');
        id = snapshot.organizationalUnits.find((o) => o.id === id)?.parentId
      ) {
        d++;
      }
      return d;
    }),
  );

  // The manifest: the same 50 policies and targets, CHANGED of them with new content and one more OU.
  const files: Record<string, string> = {};
  const resources = snapshot.policies
    .filter((p) => !p.awsManaged)
    .map((p, i) => {
      const ous = p.targetIds.map((id) => (id.startsWith('r-') ? 'Root' : id));
      if (i < CHANGED) ous.push(snapshot.organizationalUnits[(i * 37) % OUS].id);
      files[`policies/${p.name}.json`] = i < CHANGED ? policyDocument(`${p.name}-v2`) : p.content!;
      return policyResource(p.name, { ous, description: p.description });
    });
  const manifest = manifestOf(resources);

  const cpuBefore = process.cpuUsage();
  const wallBefore = process.hrtime.bigint();
  const plan = createPolicyPlan({ manifest, files: memoryFiles(files), snapshot, installationId: 'default' });
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = Number(process.hrtime.bigint() - wallBefore) / 1e6;
  const planJson = JSON.stringify(plan);
  const kinds: Record<string, number> = {};
  for (const step of plan.steps) kinds[step.kind] = (kinds[step.kind] ?? 0) + 1;

  const estimate = (ms: number) => ((totalCalls / CONCURRENCY) * ms) / 1000;
  const lines = [
    `organization: ${snapshot.accounts.length} accounts, ${snapshot.organizationalUnits.length} OUs (depth ${depth}), ${snapshot.policies.length} policies (${POLICIES} customer SCPs + AWS-managed)`,
    `snapshot API calls: ${totalCalls} (${Object.entries(apiCalls)
      .map(([op, n]) => `${op} ${n}`)
      .join(', ')})`,
    `snapshot JSON: ${serialiseSnapshot(snapshot).length} bytes; loaded from the fake in ${loadMs} ms`,
    `snapshot read time against AWS, ESTIMATE at ${API_CALL_MS} ms/call, ${CONCURRENCY} in parallel: ${estimate(API_CALL_MS).toFixed(1)} s` +
      ` (halved: ${estimate(API_CALL_MS / 2).toFixed(1)} s, doubled: ${estimate(API_CALL_MS * 2).toFixed(1)} s)`,
    `plan CPU time: ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms (wall ${wallMs.toFixed(1)} ms; target <= 2000 ms)`,
    `plan size: ${plan.steps.length} steps (${
      Object.entries(kinds)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || 'none'
    }), ` + `${plan.findings.length} findings, ${planJson.length} bytes of JSON`,
    `constants: ACCOUNTS=${ACCOUNTS} OUS=${OUS} POLICIES=${POLICIES} CHANGED=${CHANGED} CONCURRENCY=${CONCURRENCY} API_CALL_MS=${API_CALL_MS} (estimate)`,
  ];
  console.log(lines.join('\n'));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
