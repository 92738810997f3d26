/**
 * Template change detection: templates are compared as parsed documents, so formatting, key
 * order and the choice of JSON or YAML do not count as changes.
 */
import { canonicalJson, sha256 } from '../canonical';

/** A parsed template and what change detection needs from it. */
export interface NormalisedTemplate {
  /** SHA-256 (hex) of the canonical JSON of the parsed template. */
  readonly hash: string;
  /** Parameters declared with `NoEcho: true` (or `'true'`). */
  readonly noEchoParameters: readonly string[];
  /** Parameters the template declares. */
  readonly declaredParameters: readonly string[];
}

/** Hash and parameter facts of an already parsed template (short-form tags in long form). */
export function normaliseTemplate(template: unknown): NormalisedTemplate {
  const parameters = isRecord(template) && isRecord(template.Parameters) ? template.Parameters : {};
  const declaredParameters = Object.keys(parameters).sort();
  const noEchoParameters = declaredParameters.filter((key) => {
    const definition = parameters[key];
    return isRecord(definition) && (definition.NoEcho === true || String(definition.NoEcho).toLowerCase() === 'true');
  });
  return { hash: sha256(canonicalJson(template)), noEchoParameters, declaredParameters };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
