/**
 * Rewrites the `setup.py` that `jsii-pacmak --code-only` generates, before the wheel is built:
 * jsii-pacmak derives the `jsii` runtime floor from its own version and the trove
 * `Development Status` from the jsii stability (experimental becomes "4 - Beta"); the package
 * states both on purpose instead (see `.projenrc.ts`). Usage:
 *   ts-node projenrc/python-metadata.ts <setup.py> '<json settings>'
 */
import { readFileSync, writeFileSync } from 'node:fs';

interface Settings {
  jsiiRuntime: string;
  developmentStatus: string;
  projectUrls: Record<string, string>;
}

const [file, json] = process.argv.slice(2);
if (!file || !json) {
  console.error('usage: python-metadata.ts <setup.py> <settings json>');
  process.exit(2);
}
const settings = JSON.parse(json) as Settings;
const source = readFileSync(file, 'utf8');
const match = /kwargs = json\.loads\(\n {4}"""\n([\s\S]*?)\n"""\n\)/.exec(source);
if (!match) {
  console.error(`${file}: no "kwargs = json.loads(...)" block; jsii-pacmak changed its setup.py layout`);
  process.exit(1);
}
const kwargs = JSON.parse(match[1]) as {
  install_requires: string[];
  classifiers: string[];
  project_urls: Record<string, string>;
};
const jsiiIndex = kwargs.install_requires.findIndex((r) => /^jsii[<>=~! ]/.test(r));
if (jsiiIndex < 0) {
  console.error(`${file}: no jsii requirement in install_requires`);
  process.exit(1);
}
kwargs.install_requires[jsiiIndex] = settings.jsiiRuntime;
kwargs.classifiers = [
  ...kwargs.classifiers.filter((c) => !c.startsWith('Development Status ::')),
  settings.developmentStatus,
];
kwargs.project_urls = { ...settings.projectUrls, ...kwargs.project_urls };
const rewritten = source.replace(match[1], JSON.stringify(kwargs, null, 4));
writeFileSync(file, rewritten);
console.log(
  `${file}: ${settings.jsiiRuntime}; ${settings.developmentStatus}; ${Object.keys(kwargs.project_urls).join(', ')}`,
);
