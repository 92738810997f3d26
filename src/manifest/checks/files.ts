/**
 * The files resources refer to: they exist in the package, and each parses as what it must be
 * (a policy, a template, a parameter file).
 */
import type { Finding } from '../findings';
import { isPolicy, type FileReference, type Manifest, type PackageFiles, type ParameterEntry } from '../model';
import { readParameterFile } from '../parameter-file';
import { checkPolicy } from '../policy';
import { finding } from '../rules';
import { didYouMean } from '../suggest';
import { checkTemplate } from '../template';
import { decodeText } from '../text';

/** What the file checks learnt, for the checks that follow. */
export interface FileCheckResult {
  readonly findings: Finding[];
  /** Parsed templates by package path (only those that parsed). */
  readonly templates: ReadonlyMap<string, unknown>;
  /** Parameters read from each stack set's parameter file, by resource name (only files without errors). */
  readonly fileParameters: ReadonlyMap<string, ParameterEntry[]>;
}

function readLocal(files: PackageFiles, ref: FileReference, resource: string, findings: Finding[]): string | undefined {
  if (ref.kind !== 'local' || ref.path === undefined) return undefined;
  const bytes = files.read(ref.path);
  if (!bytes) {
    findings.push(
      finding('CFCT-M003', {
        message: `file "${ref.raw}" is not in the package`,
        location: ref.location,
        hint:
          didYouMean(ref.path, files.list()) ??
          'paths are relative to the package root (the folder holding manifest.yaml)',
        resource,
      }),
    );
    return undefined;
  }
  const decoded = decodeText(bytes, ref.path, resource);
  findings.push(...decoded.findings);
  return decoded.text;
}

/**
 * Checks every local file the manifest refers to. Policies: JSON, statements, size (CFCT-L*).
 * Templates: parse, Resources, size (CFCT-T*), each distinct file once. Parameter files:
 * structure (CFCT-R001, CFCT-R002). Remote files are not fetched.
 */
export function checkFiles(manifest: Manifest, files: PackageFiles): FileCheckResult {
  const findings: Finding[] = [];
  const templates = new Map<string, unknown>();
  const checkedTemplates = new Set<string>();
  const checkedPolicies = new Set<string>();
  const fileParameters = new Map<string, ParameterEntry[]>();
  for (const resource of manifest.resources) {
    const text = readLocal(files, resource.resourceFile, resource.name, findings);
    const path = resource.resourceFile.path;
    if (text !== undefined && path !== undefined) {
      if (isPolicy(resource)) {
        if (!checkedPolicies.has(path)) findings.push(...checkPolicy(text, path, resource.name));
        checkedPolicies.add(path);
      } else if (!checkedTemplates.has(path)) {
        checkedTemplates.add(path);
        const checked = checkTemplate(text, path, resource.name);
        findings.push(...checked.findings);
        if (checked.value !== undefined) templates.set(path, checked.value);
      }
    }
    if (isPolicy(resource) || !resource.parameterFile) continue;
    if (resource.parameterFile.kind !== 'local') {
      // Parameters are never silently dropped: a parameter file is read from the package only.
      findings.push(
        finding('CFCT-M003', {
          message: `parameter file "${resource.parameterFile.raw}" is not in the package; parameter files are read from the package only`,
          location: resource.parameterFile.location,
          hint: 'copy the file into the package (e.g. parameters/) and name it by its relative path',
          resource: resource.name,
        }),
      );
      continue;
    }
    const parameterText = readLocal(files, resource.parameterFile, resource.name, findings);
    if (parameterText === undefined || resource.parameterFile.path === undefined) continue;
    const read = readParameterFile(parameterText, resource.parameterFile.path, resource.name);
    findings.push(...read.findings);
    // A broken file's parameters are not compared with the template: its findings say enough.
    if (!read.findings.some((f) => f.severity === 'error')) fileParameters.set(resource.name, read.parameters);
  }
  return { findings, templates, fileParameters };
}
