/**
 * Configuration packages: reading (folder, zip, memory), the manifest schema, validation rules,
 * and the normalised model the engine plans from.
 */
export * from './findings';
export * from './model';
export {
  loadPackage,
  packageFromFiles,
  packageFromZip,
  PackageSourceError,
  DEFAULT_STACK_SET_PREFIX,
  type LoadOptions,
  type LoadedPackage,
} from './load';
export { parseTemplate, TEMPLATE_MAX_BYTES } from './template';
export { minifyPolicy, POLICY_MAX_CHARS } from './policy';
export { RULES, type RuleId, type RuleInfo } from './rules';
export { MANIFEST_V2_SCHEMA } from './schema';
export { parseHelper, ssmNameProblem, type Helper } from './helpers';
export { stackSetName } from './checks/names';
