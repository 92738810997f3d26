/**
 * Test helpers: manifests built directly as the normalised model, an in-memory package, and a
 * fake organization with the `AwsClients` the engine receives.
 */
import type { Manifest, PackageFiles, PolicyResource, TargetEntry } from '../../src/manifest/model';
import { packageFiles } from '../../src/manifest/package-files';
import { fakeAwsClients } from '../fake/clients';
import { FakeAws } from '../fake/core';
import { FakeOrganizations, FakeOrganizationsOptions } from '../fake/organizations';

/** An in-memory package. */
export function memoryFiles(files: Record<string, string>): PackageFiles {
  return packageFiles(new Map(Object.entries(files).map(([path, text]) => [path, Buffer.from(text, 'utf8')])));
}

/** Target entries with a manifest location each. */
export function entries(values: readonly string[], path = 'resources[0].deployment_targets'): TargetEntry[] {
  return values.map((value, i) => ({
    value,
    location: { file: 'manifest.yaml', line: 10 + i, column: 9, path: `${path}[${i}]` },
  }));
}

/** A policy resource. */
export function policyResource(
  name: string,
  options: {
    type?: 'scp' | 'rcp';
    ous?: readonly string[];
    accounts?: readonly string[];
    attachToAccounts?: boolean;
    file?: string;
    description?: string;
    tags?: Record<string, string>;
  } = {},
): PolicyResource {
  const file = options.file ?? `policies/${name}.json`;
  return {
    name,
    deployMethod: options.type ?? 'scp',
    description: options.description ?? `${name} policy`,
    resourceFile: { raw: file, kind: 'local', path: file, location: { file: 'manifest.yaml', line: 5, column: 20 } },
    deploymentTargets: {
      organizationalUnits: entries(options.ous ?? [], 'resources[0].deployment_targets.organizational_units'),
      accounts: entries(options.accounts ?? [], 'resources[0].deployment_targets.accounts'),
      excludeAccounts: [],
      includeNestedOus: false,
    },
    attachToAccounts: options.attachToAccounts ?? false,
    tags: options.tags ?? {},
    lintSuppressions: [],
    index: 0,
    location: { file: 'manifest.yaml', line: 3, column: 5 },
  };
}

/** A manifest of `resources`. */
export function manifestOf(
  resources: Manifest['resources'],
  options: { enablePolicyDeletion?: boolean } = {},
): Manifest {
  return {
    version: '2021-03-15',
    region: 'us-east-1',
    enableStackSetDeletion: false,
    enablePolicyDeletion: options.enablePolicyDeletion ?? false,
    stackSetOrder: 'sequential',
    resources: resources.map((r, index) => ({ ...r, index })),
  };
}

/** A fresh fake with an organization and its clients. */
export function fakeOrganization(options: FakeOrganizationsOptions & { seed?: number } = {}) {
  const fake = new FakeAws({ seed: options.seed ?? 3 });
  const organizations = new FakeOrganizations(fake, options);
  const clients = fakeAwsClients(fake, organizations.managementAccountId);
  return { fake, organizations, clients };
}
