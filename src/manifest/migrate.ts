/**
 * Rewrites a legacy `2020-01-01` manifest as `2021-03-15`, keeping comments, key order and the
 * scalars exactly as written (the document is read with the failsafe schema, so an account id
 * such as `035935210323` is moved as text and never re-typed).
 */
import { isMap, isScalar, isSeq, Pair, parseDocument, Scalar, YAMLMap, YAMLSeq } from 'yaml';

export interface MigrationResult {
  /** The new manifest text; undefined when the input cannot be migrated. */
  readonly text?: string;
  /** What changed or was dropped, one sentence each. */
  readonly notes: string[];
  /** Why the input cannot be migrated. */
  readonly errors: string[];
}

/** Legacy key -> 2021-03-15 key, per resource kind. */
const POLICY_KEYS: Record<string, string> = {
  name: 'name',
  description: 'description',
  policy_file: 'resource_file',
};
const STACK_SET_KEYS: Record<string, string> = {
  name: 'name',
  description: 'description',
  template_file: 'resource_file',
  parameter_file: 'parameter_file',
  deploy_method: 'deploy_method',
  regions: 'regions',
  ssm_parameters: 'export_outputs',
};

function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

function renameKey(pair: Pair, name: string): Pair {
  const key = isScalar(pair.key) ? pair.key : new Scalar(name);
  key.value = name;
  pair.key = key;
  return pair;
}

/** A `deployment_targets` pair holding the given target lists, in order. */
function targetsPair(lists: Array<[string, Pair | undefined]>): Pair | undefined {
  const targets = new YAMLMap();
  for (const [name, pair] of lists) {
    if (pair) targets.items.push(renameKey(pair, name));
  }
  if (targets.items.length === 0) return undefined;
  // The comment and blank line above the first moved key stay above that line, now deployment_targets.
  const key = new Scalar('deployment_targets');
  const first = (targets.items[0] as Pair).key as Scalar;
  key.commentBefore = first.commentBefore;
  key.spaceBefore = first.spaceBefore;
  first.commentBefore = undefined;
  first.spaceBefore = undefined;
  return new Pair(key, targets);
}

/** Comments joined as the yaml library keeps them (one string, lines separated by newlines). */
function joinComments(...comments: (string | null | undefined)[]): string | undefined {
  const kept = comments.filter((c): c is string => typeof c === 'string' && c !== '');
  return kept.length > 0 ? kept.join('\n') : undefined;
}

function migrateResource(item: YAMLMap, kind: 'policy' | 'stack_set', position: string, notes: string[]): YAMLMap {
  const keys = kind === 'policy' ? POLICY_KEYS : STACK_SET_KEYS;
  const out = new YAMLMap();
  out.commentBefore = item.commentBefore;
  out.comment = item.comment;
  out.spaceBefore = item.spaceBefore;
  let accounts: Pair | undefined;
  let ous: Pair | undefined;
  let sawDeployMethod = false;
  for (const pair of item.items as Pair[]) {
    const key = keyOf(pair);
    if (key === undefined) continue;
    if (kind === 'policy' && key === 'apply_to_accounts_in_ou') {
      ous = pair;
    } else if (kind === 'stack_set' && key === 'deploy_to_account') {
      accounts = pair;
    } else if (kind === 'stack_set' && key === 'deploy_to_ou') {
      ous = pair;
    } else if (key === 'depends_on') {
      notes.push(`${position}: dropped depends_on (2020-01-01 ignores it; resources run in manifest order)`);
    } else if (key in keys) {
      out.items.push(renameKey(pair, keys[key]));
      if (key === 'deploy_method') sawDeployMethod = true;
    } else {
      out.items.push(pair);
      notes.push(`${position}: kept unknown key '${key}' as it is; validation will report it`);
    }
  }
  if (!sawDeployMethod) {
    // 2020-01-01 policies are always SCPs (that version has no RCPs).
    out.items.push(new Pair(new Scalar('deploy_method'), new Scalar(kind === 'policy' ? 'scp' : 'stack_set')));
  }
  const targets =
    kind === 'policy'
      ? targetsPair([['organizational_units', ous]])
      : targetsPair([
          ['accounts', accounts],
          ['organizational_units', ous],
        ]);
  if (targets) {
    // deployment_targets goes right after deploy_method, where 2021-03-15 examples put it.
    const at = out.items.findIndex((p) => keyOf(p as Pair) === 'deploy_method');
    out.items.splice(at + 1, 0, targets);
  }
  return out;
}

/** Migrates manifest text. Returns the unchanged text with a note when it is already 2021-03-15. */
export function migrateManifest(text: string): MigrationResult {
  const notes: string[] = [];
  const doc = parseDocument(text, { schema: 'failsafe', keepSourceTokens: false });
  if (doc.errors.length > 0) {
    return { notes, errors: doc.errors.map((e) => `manifest.yaml: ${e.message.split('\n')[0]}`) };
  }
  const root = doc.contents as unknown;
  if (!isMap(root)) return { notes, errors: ['manifest.yaml: the manifest must be a mapping'] };

  const version = root.get('version', true) as unknown;
  const versionText = isScalar(version) ? String(version.value) : undefined;
  if (versionText === '2021-03-15') {
    return { text, notes: ['the manifest is already version 2021-03-15; nothing to do'], errors: [] };
  }
  if (versionText !== '2020-01-01') {
    return { notes, errors: [`manifest.yaml: version must be 2020-01-01 to migrate, got ${versionText ?? 'none'}`] };
  }

  const resources = new YAMLSeq();
  const resourcesComments: string[] = [];
  const sections: Array<['organization_policies' | 'cloudformation_resources', 'policy' | 'stack_set']> = [
    ['organization_policies', 'policy'],
    ['cloudformation_resources', 'stack_set'],
  ];
  let firstSection: Pair | undefined;
  for (const [section, kind] of sections) {
    const pair = (root.items as Pair[]).find((p) => keyOf(p) === section);
    if (!pair) continue;
    firstSection ??= pair;
    if (pair.value !== null && !isSeq(pair.value)) {
      return { notes, errors: [`manifest.yaml: ${section} must be a list`] };
    }
    const items = isSeq(pair.value) ? pair.value.items : [];
    const before = resources.items.length;
    items.forEach((item, i) => {
      if (!isMap(item)) {
        notes.push(`${section}[${i}]: not a mapping; left out`);
        return;
      }
      resources.items.push(migrateResource(item, kind, `${section}[${i}]`, notes));
    });
    // Comments above the section's first item, and (for later sections) above the section key,
    // go above its first resource; the first section's key comment goes above `resources`.
    const first = resources.items[before] as YAMLMap | undefined;
    const key = pair.key as Scalar | undefined;
    const seqComment = isSeq(pair.value) ? pair.value.commentBefore : undefined;
    if (first) {
      first.commentBefore =
        pair === firstSection
          ? joinComments(seqComment, first.commentBefore)
          : joinComments(key?.commentBefore, seqComment, first.commentBefore);
      if (pair !== firstSection) first.spaceBefore = key?.spaceBefore || first.spaceBefore;
    } else if (pair !== firstSection && (key?.commentBefore || seqComment)) {
      notes.push(`${section}: empty; its comment is kept above resources`);
      resourcesComments.push(joinComments(key?.commentBefore, seqComment) ?? '');
    }
  }

  (version as Scalar).value = '2021-03-15';
  const resourcesPair = new Pair(new Scalar('resources'), resources);
  if (firstSection) {
    const firstKey = firstSection.key as Scalar | undefined;
    (resourcesPair.key as Scalar).commentBefore = joinComments(firstKey?.commentBefore, ...resourcesComments);
    (resourcesPair.key as Scalar).spaceBefore = firstKey?.spaceBefore;
  }
  const kept = (root.items as Pair[]).filter(
    (p) => keyOf(p) !== 'organization_policies' && keyOf(p) !== 'cloudformation_resources',
  );
  const at = firstSection ? Math.min((root.items as Pair[]).indexOf(firstSection), kept.length) : kept.length;
  kept.splice(at, 0, resourcesPair);
  root.items = kept;
  notes.push(`version 2020-01-01 -> 2021-03-15; ${resources.items.length} resources`);
  return { text: doc.toString({ lineWidth: 0 }), notes, errors: [] };
}
