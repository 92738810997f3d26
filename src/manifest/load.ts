/**
 * Loading a configuration package: read it (folder, zip or memory), parse the manifest,
 * validate it against the schema of its version, normalise it, and run every rule.
 */
import { readFileSync, statSync } from 'node:fs';
import { checkFiles } from './checks/files';
import { checkNames } from './checks/names';
import { checkOptions } from './checks/options';
import { checkParameters } from './checks/parameters';
import { applySuppressions, checkSuppressions } from './checks/suppressions';
import { checkTags } from './checks/tags';
import { checkTargets } from './checks/targets';
import type { Finding } from './findings';
import { isStackSet, type Manifest, type PackageFiles, type StackSetResource } from './model';
import { normalise } from './normalise';
import {
  MANIFEST_FILE,
  packageFiles,
  readFolder,
  readRecord,
  readZip,
  rootPackage,
  type ReadLimits,
  type ReadResult,
} from './package-files';
import { finding } from './rules';
import { emptyNullLists, MANIFEST_VERSIONS, validateSchema } from './schema';
import { decodeText } from './text';
import { asText, isObject } from './values';
import { formatPath, parseYaml, type DocPath } from './yaml';

/** Options for reading and validating a package. */
export interface LoadOptions {
  /** Most entries a package (zip or folder) may have. @default 1000 */
  readonly maxEntries?: number;
  /** Most bytes all files together may hold, uncompressed. @default 500 MiB */
  readonly maxTotalBytes?: number;
  /** Prefix of stack set names (`stack_set_name` replaces prefix + name). @default 'CustomControlTower-' */
  readonly stackSetPrefix?: string;
}

/** A read and validated package. */
export interface LoadedPackage {
  readonly files: PackageFiles;
  /**
   * The normalised manifest; undefined when the package cannot be read or the manifest fails
   * the schema. It is still given with other errors (a missing file, a bad parameter), so
   * callers act on it only when `hasErrors(findings)` is false.
   */
  readonly manifest?: Manifest;
  /** Every finding of every rule, sorted by file and position. */
  readonly findings: Finding[];
}

/** A package source that does not exist or cannot be read (not a finding: a usage error). */
export class PackageSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackageSourceError';
  }
}

/** The default stack set name prefix, as upstream. */
export const DEFAULT_STACK_SET_PREFIX = 'CustomControlTower-';

function limits(options: LoadOptions): ReadLimits {
  return { maxEntries: options.maxEntries ?? 1000, maxTotalBytes: options.maxTotalBytes ?? 500 * 1024 * 1024 };
}

function byPosition(a: Finding, b: Finding): number {
  const fa = a.location?.file ?? '';
  const fb = b.location?.file ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  return (a.location?.line ?? 0) - (b.location?.line ?? 0) || (a.location?.column ?? 0) - (b.location?.column ?? 0);
}

function versionOf(value: Record<string, unknown>): string | undefined {
  return value.version === undefined || value.version === null ? undefined : asText(value.version);
}

/** Resource list paths of a manifest value, e.g. `resources[2]`, for paths under a resource. */
function resourcePrefix(path: string | undefined): string | undefined {
  const match = /^((?:resources|organization_policies|cloudformation_resources)\[\d+\])/.exec(path ?? '');
  return match?.[1];
}

function allResourceNames(value: Record<string, unknown>): string[] {
  const lists = [value.resources, value.organization_policies, value.cloudformation_resources];
  return lists.flatMap((list) => (Array.isArray(list) ? list.filter(isObject).map((r) => asText(r.name)) : []));
}

function validateManifest(files: PackageFiles, stackSetPrefix: string): { manifest?: Manifest; findings: Finding[] } {
  const bytes = files.read(MANIFEST_FILE);
  if (!bytes) return { findings: [] };
  const decoded = decodeText(bytes, MANIFEST_FILE);
  if (decoded.text === undefined) return { findings: decoded.findings };
  const parsed = parseYaml(decoded.text, MANIFEST_FILE, { syntaxRule: 'CFCT-Y001' });
  const findings = [...parsed.findings];
  const positions = parsed.positions;
  if (findings.some((f) => f.severity === 'error') || parsed.value === undefined) return { findings };
  const value = parsed.value;
  if (!isObject(value)) {
    findings.push(
      finding('CFCT-S004', {
        message: 'the manifest must be a mapping with region, version and resources',
        location: positions.at([]),
        hint: 'start from the sample manifest in the documentation',
      }),
    );
    return { findings };
  }
  const version = versionOf(value);
  if (version === undefined) {
    // Without a version, the current schema says what is missing and which keys are unknown.
    findings.push(...validateSchema(value, '2021-03-15', positions));
    return { findings };
  }
  if (!(MANIFEST_VERSIONS as readonly string[]).includes(version)) {
    findings.push(
      finding('CFCT-S001', {
        message: `manifest version "${version}" is not supported`,
        location: positions.at(['version']),
        hint: 'use version: 2021-03-15 (or the legacy 2020-01-01)',
      }),
    );
    return { findings };
  }
  if (version === '2020-01-01') {
    findings.push(
      finding('CFCT-S006', {
        message: 'manifest version 2020-01-01 is deprecated; it is read as 2021-03-15',
        location: positions.at(['version']),
        hint: 'run `cfct migrate <package>` to rewrite it as version 2021-03-15, comments kept (organization_policies and cloudformation_resources become resources)',
      }),
    );
  }
  findings.push(...emptyNullLists(value, version as (typeof MANIFEST_VERSIONS)[number], positions));
  const schemaFindings = validateSchema(value, version as (typeof MANIFEST_VERSIONS)[number], positions);
  findings.push(...schemaFindings);
  const broken = new Set(schemaFindings.map((f) => resourcePrefix(f.location?.path)));
  if (broken.has(undefined)) return { findings };
  const skip = (path: DocPath) => broken.has(formatPath(path));
  const normalised = normalise({ value, positions, skip });
  findings.push(...normalised.findings, ...checkOptions(value, positions, skip), ...checkTags(value, positions, skip));
  const checked = checkManifest(normalised.manifest, files, stackSetPrefix, allResourceNames(value));
  findings.push(...checked.findings);
  const usable = schemaFindings.length === 0;
  return { manifest: usable ? checked.manifest : undefined, findings: applySuppressions(findings, checked.manifest) };
}

/** Runs the rules on the normalised manifest; returns it with parameters from parameter files. */
function checkManifest(
  manifest: Manifest,
  files: PackageFiles,
  prefix: string,
  allNames: string[],
): { manifest: Manifest; findings: Finding[] } {
  const findings = [
    ...checkNames(manifest, prefix, allNames),
    ...checkTargets(manifest),
    ...checkSuppressions(manifest),
  ];
  const fileCheck = checkFiles(manifest, files);
  findings.push(...fileCheck.findings);
  const resources = manifest.resources.map((resource) => {
    if (!isStackSet(resource)) return resource;
    const parameters = resource.parameterFile ? fileCheck.fileParameters.get(resource.name) : resource.parameters;
    const template =
      resource.resourceFile.path === undefined ? undefined : fileCheck.templates.get(resource.resourceFile.path);
    const withParameters: StackSetResource = { ...resource, parameters: parameters ?? [] };
    findings.push(...checkParameters(withParameters, parameters, template));
    return withParameters;
  });
  return { manifest: { ...manifest, resources }, findings };
}

/** Validates a package whose files have been read. */
function validateRead(read: ReadResult, source: string, options: LoadOptions): LoadedPackage {
  const rooted = rootPackage(read, source);
  const files = packageFiles(rooted.files);
  const findings = [...rooted.findings];
  const unsafe = findings.some((f) => f.severity === 'error');
  const result = validateManifest(files, options.stackSetPrefix ?? DEFAULT_STACK_SET_PREFIX);
  findings.push(...result.findings);
  return { files, manifest: unsafe ? undefined : result.manifest, findings: findings.sort(byPosition) };
}

/**
 * Reads and validates an in-memory package (paths relative to the package root, forward
 * slashes; a zip-style `custom-control-tower-configuration/` folder is accepted too).
 */
export function packageFromFiles(
  files: Readonly<Record<string, string | Buffer>>,
  options: LoadOptions = {},
): LoadedPackage {
  return validateRead(readRecord(files, limits(options)), 'the package', options);
}

/** Reads and validates a package zip held in memory (a stored pipeline run's package). */
export async function packageFromZip(zip: Buffer, options: LoadOptions = {}): Promise<LoadedPackage> {
  return validateRead(await readZip(zip, limits(options)), 'the package', options);
}

/**
 * Reads and validates a package from a folder or a zip file. Resolves with findings for every
 * problem in the package (including a corrupt or unsafe zip); rejects with
 * {@link PackageSourceError} only when `source` does not exist or cannot be read.
 */
export async function loadPackage(source: string, options: LoadOptions = {}): Promise<LoadedPackage> {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(source).isDirectory();
  } catch (err) {
    throw new PackageSourceError(
      `cannot read ${source}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  let read: ReadResult;
  try {
    read = isDirectory ? readFolder(source, limits(options)) : await readZip(readFileSync(source), limits(options));
  } catch (err) {
    throw new PackageSourceError(
      `cannot read ${source}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return validateRead(read, source, options);
}
