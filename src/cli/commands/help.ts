/**
 * Examples shown at the end of each command's `--help`, in one place so every command has them.
 * Keys are command paths (`org export`).
 */
import type { Command } from 'commander';

export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  validate: [
    'cfct validate ./configuration',
    'cfct validate custom-control-tower-configuration.zip --strict',
    'cfct validate ./configuration --format json',
  ],
  plan: [
    'cfct plan ./configuration --organization org.json',
    'cfct plan ./configuration --live --out plan.html',
    'cfct plan ./configuration --live --out plan.json && cfct apply ./configuration --live --plan plan.json',
    'cfct plan custom-control-tower-configuration.zip --live --detailed-exitcode',
  ],
  show: [
    'cfct show plan.json',
    'cfct show plan.json --format markdown > plan.md',
    'cfct show plan.json --format html > plan.html',
  ],
  apply: [
    'cfct apply ./configuration --live',
    'cfct apply ./configuration --live --plan plan.json --yes',
    'cfct apply ./configuration --live --accounts 111111111111,222222222222',
  ],
  'print-tasks': [
    'cfct print-tasks ./configuration --organization org.json',
    'cfct print-tasks ./configuration --live --format json > tasks.json',
  ],
  org: ['cfct org export --package ./configuration --out org.json'],
  'org export': [
    'cfct org export --package ./configuration --out org.json',
    'cfct org export --region us-east-1 > org.json',
  ],
  package: [
    'cfct package ./configuration',
    'cfct package ./configuration --upload my-configuration-bucket --region us-east-1',
  ],
  init: ['cfct init ./configuration', 'cfct init ./configuration && cfct validate ./configuration'],
  migrate: ['cfct migrate ./configuration', 'cfct migrate ./configuration/manifest.yaml --out -'],
  'pipeline-build': [
    'cfct pipeline-build "$CODEBUILD_SRC_DIR" --bucket my-artifact-bucket --execution-id "$PIPELINE_EXECUTION_ID" --out cfct-out',
    'cfct pipeline-build ./configuration --bucket my-artifact-bucket --execution-id a1b2c3d4-5678-90ab-cdef-111122223333 --accounts 111111111111 --lint cfn-lint',
  ],
};

/** Adds the examples to `command` and its subcommands. */
export function addExamples(command: Command, path = ''): void {
  for (const sub of command.commands) {
    const name = path ? `${path} ${sub.name()}` : sub.name();
    const examples = EXAMPLES[name];
    if (examples) sub.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`);
    addExamples(sub, name);
  }
}
