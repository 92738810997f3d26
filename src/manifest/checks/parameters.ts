/**
 * Parameters against the template's `Parameters`, parameter helpers, and exported outputs.
 */
import type { Finding, SourceLocation } from '../findings';
import { ssmNameProblem, parseHelper, STORAGE_PLACEHOLDERS } from '../helpers';
import type { ParameterEntry, StackSetResource } from '../model';
import { finding } from '../rules';
import { didYouMean } from '../suggest';
import { isObject } from '../values';

function checkAgainstTemplate(
  resource: StackSetResource,
  parameters: readonly ParameterEntry[],
  template: unknown,
): Finding[] {
  const findings: Finding[] = [];
  const declared = isObject(template) && isObject(template.Parameters) ? template.Parameters : {};
  const names = Object.keys(declared);
  const given = new Set<string>();
  for (const parameter of parameters) {
    if (given.has(parameter.key)) {
      findings.push(
        finding('CFCT-R005', {
          message: `parameter "${parameter.key}" is given more than once`,
          location: parameter.location,
          hint: 'keep one entry per parameter',
          resource: resource.name,
        }),
      );
    }
    given.add(parameter.key);
    const spec = declared[parameter.key];
    const noEcho = isObject(spec) && (spec.NoEcho === true || String(spec.NoEcho).toLowerCase() === 'true');
    if (isObject(spec) && !noEcho && parameter.value.split(',').some(isGeneratedPassword)) {
      findings.push(secretToPlainParameter(resource, parameter, 'a generated password'));
    }
    if (!Object.prototype.hasOwnProperty.call(declared, parameter.key)) {
      findings.push(
        finding('CFCT-R003', {
          message: `parameter "${parameter.key}" is not declared by template ${resource.resourceFile.raw}`,
          location: parameter.location,
          hint:
            didYouMean(parameter.key, names) ??
            (names.length ? `the template declares: ${names.join(', ')}` : 'the template declares no parameters'),
          resource: resource.name,
        }),
      );
    }
  }
  for (const name of names) {
    const spec = declared[name];
    if (given.has(name) || (isObject(spec) && spec.Default !== undefined)) continue;
    findings.push(
      finding('CFCT-R004', {
        message: `template parameter "${name}" has no Default and is not given`,
        location: resource.parameterFile?.location ?? resource.location,
        hint: resource.parameterFile
          ? `add {"ParameterKey": "${name}", "ParameterValue": "..."} to the parameter file`
          : `add it under parameters (parameter_key: ${name})`,
        resource: resource.name,
      }),
    );
  }
  return findings;
}

function isGeneratedPassword(element: string): boolean {
  const helper = parseHelper(element.trim());
  return helper !== undefined && 'kind' in helper && helper.kind === 'genpass';
}

/** CFCT-M070: a secret given to a template parameter that is not NoEcho (also reported by the engine for SecureStrings). */
export function secretToPlainParameter(
  resource: Pick<StackSetResource, 'name' | 'resourceFile'>,
  parameter: ParameterEntry,
  what: string,
): Finding {
  return finding('CFCT-M070', {
    message: `parameter "${parameter.key}" receives ${what}, but template ${resource.resourceFile.raw} does not declare it NoEcho: the value would be shown in clear text by DescribeStackSet and in every member stack's parameters`,
    location: parameter.location,
    hint: `add NoEcho: true to parameter ${parameter.key} in the template, or, if the value may be seen, add lint_suppressions: [{rule_id: CFCT-M070, reason: "..."}] to the resource`,
    resource: resource.name,
  });
}

function ssmNameFinding(
  name: string,
  problem: string,
  location: SourceLocation | undefined,
  resource: string,
  what: string,
): Finding {
  return finding('CFCT-M012', {
    message: `${what} "${name}" ${problem}`,
    location,
    hint: 'SSM parameter names look like /org/team/name',
    resource,
  });
}

function checkHelpers(resource: StackSetResource, parameters: readonly ParameterEntry[]): Finding[] {
  const findings: Finding[] = [];
  for (const parameter of parameters) {
    const helper = parseHelper(parameter.value);
    const stored = new Set(parameter.ssmParameters.map((entry) => entry.value));
    for (const entry of parameter.ssmParameters) {
      const problem = ssmNameProblem(entry.name);
      if (problem) {
        findings.push(
          ssmNameFinding(
            entry.name,
            problem,
            parameter.location,
            resource.name,
            `ssm_parameters name of "${parameter.key}"`,
          ),
        );
      }
      if (!STORAGE_PLACEHOLDERS.includes(entry.value)) {
        findings.push(
          finding('CFCT-H001', {
            message: `ssm_parameters value "${entry.value}" of "${parameter.key}" is not a storage placeholder`,
            location: parameter.location,
            hint: `use one of ${STORAGE_PLACEHOLDERS.join(', ')}`,
            resource: resource.name,
          }),
        );
      }
    }
    if (!helper) continue;
    if ('error' in helper) {
      findings.push(
        finding('CFCT-H001', {
          message: `parameter "${parameter.key}": ${parameter.value} ${helper.error}`,
          location: parameter.location,
          hint: helper.near
            ? `did you mean ${helper.near}?`
            : 'helpers are $[alfred_ssm_<name>], $[alfred_genpass_<N>], $[alfred_genkeypair], $[alfred_genaz_<N>]',
          resource: resource.name,
        }),
      );
      continue;
    }
    if (helper.kind === 'ssm') {
      const problem = ssmNameProblem(helper.name);
      if (problem) {
        findings.push(
          ssmNameFinding(
            helper.name,
            problem,
            parameter.location,
            resource.name,
            `SSM parameter read by "${parameter.key}"`,
          ),
        );
      }
    }
    const needed =
      helper.kind === 'genpass' ? '$[password]' : helper.kind === 'genkeypair' ? '$[keymaterial]' : undefined;
    if (needed && !stored.has(needed)) {
      findings.push(
        finding('CFCT-H002', {
          message: `parameter "${parameter.key}" uses ${parameter.value} but no ssm_parameters entry has the value ${needed}`,
          location: parameter.location,
          hint: `in a parameter file, add "ssm_parameters": [{"name": "/path/to/store", "value": "${needed}"}] to this entry`,
          resource: resource.name,
        }),
      );
    }
  }
  return findings;
}

function checkExports(resource: StackSetResource, template: unknown): Finding[] {
  const findings: Finding[] = [];
  const outputs = isObject(template) && isObject(template.Outputs) ? Object.keys(template.Outputs) : undefined;
  for (const output of resource.exportOutputs) {
    const problem = ssmNameProblem(output.name, true);
    if (problem) {
      findings.push(ssmNameFinding(output.name, problem, output.location, resource.name, 'export_outputs name'));
    }
    const match = /^\$\[output_(.+)\]$/.exec(output.value);
    if (match && outputs && !outputs.includes(match[1])) {
      findings.push(
        finding('CFCT-M013', {
          message: `export "${output.name}" reads output "${match[1]}", which template ${resource.resourceFile.raw} does not declare`,
          location: output.location,
          hint:
            didYouMean(match[1], outputs) ??
            (outputs.length ? `the template's outputs: ${outputs.join(', ')}` : 'the template declares no Outputs'),
          resource: resource.name,
        }),
      );
    }
  }
  return findings;
}

/**
 * Checks a stack set's parameters and exports. `parameters` are those of `parameters` or of
 * the parameter file, or undefined when the parameter file could not be read (remote, missing
 * or broken: then they are not compared with the template). `template` is the parsed
 * template, or undefined when it is remote or did not parse (then only the checks that need
 * no template run).
 */
export function checkParameters(
  resource: StackSetResource,
  parameters: readonly ParameterEntry[] | undefined,
  template: unknown,
): Finding[] {
  if (parameters === undefined) return checkExports(resource, template);
  return [
    ...(template === undefined ? [] : checkAgainstTemplate(resource, parameters, template)),
    ...checkHelpers(resource, parameters),
    ...checkExports(resource, template),
  ];
}
