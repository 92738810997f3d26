/**
 * Validation benchmark: generates a configuration package with 500 stack set resources, each
 * with its own YAML template (short-form tags, parameters, outputs), half of them with a
 * parameter file, a depends_on chain and exports, then validates it as a folder and as a zip
 * in-process (as `cfct validate` does) and, when the bundle exists, through the bundled `cfct`
 * executable in a new process. Prints wall and CPU time. Target: at most 3 s.
 *
 *   npx ts-node --transpile-only benchmarks/validate.ts [resources] [runs] [keep-folder]
 *
 * With `keep-folder`, the generated package is also written there (and kept), e.g. to time
 * `cfct validate` by hand.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZipFile } from 'yazl';
import { hasErrors, loadPackage } from '../src/manifest';

const [resourcesArg, runsArg] = process.argv.slice(2, 4).map(Number);
const KEEP = process.argv[4];
const RESOURCES = resourcesArg || 500;
const RUNS = runsArg || 5;

function template(i: number): string {
  return [
    'AWSTemplateFormatVersion: 2010-09-09',
    `Description: Baseline ${i}`,
    'Parameters:',
    '  Env:',
    '    Type: String',
    '    AllowedValues: [dev, prod]',
    '  CidrBlock:',
    '    Type: String',
    '    Default: 10.0.0.0/16',
    'Conditions:',
    '  IsProd: !Equals [!Ref Env, prod]',
    'Resources:',
    '  Vpc:',
    '    Type: AWS::EC2::VPC',
    '    Properties:',
    '      CidrBlock: !Ref CidrBlock',
    '      Tags:',
    '        - Key: Name',
    "          Value: !Sub '${AWS::StackName}-vpc'",
    '  Subnet:',
    '    Type: AWS::EC2::Subnet',
    '    Properties:',
    '      VpcId: !Ref Vpc',
    '      CidrBlock: !Select [0, !Cidr [!GetAtt Vpc.CidrBlock, 4, 8]]',
    "      AvailabilityZone: !Select [0, !GetAZs '']",
    '  Topic:',
    '    Type: AWS::SNS::Topic',
    '    Condition: IsProd',
    'Outputs:',
    '  VpcId:',
    '    Value: !Ref Vpc',
    '',
  ].join('\n');
}

function resource(i: number): string {
  const name = `baseline-${String(i).padStart(3, '0')}`;
  const lines = [
    `  - name: ${name}`,
    `    description: Baseline number ${i}`,
    `    resource_file: templates/${name}.yaml`,
    '    deploy_method: stack_set',
    '    deployment_targets:',
    '      accounts:',
    `        - '${String(100000000000 + i)}'`,
    '        - 035935210323',
    '      organizational_units:',
    '        - Workloads:Prod',
    '        - Sandbox',
    '    regions: [us-east-1, eu-west-1, ap-southeast-2]',
    '    export_outputs:',
    `      - name: /org/${name}/vpc-id`,
    '        value: $[output_VpcId]',
  ];
  if (i % 2 === 0) lines.push(`    parameter_file: parameters/${name}.json`);
  else lines.push('    parameters:', '      - parameter_key: Env', '        parameter_value: dev');
  if (i > 0) lines.push('    depends_on:', `      - baseline-${String(i - 1).padStart(3, '0')}`);
  return lines.join('\n');
}

function packageFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const resources: string[] = [];
  for (let i = 0; i < RESOURCES; i++) {
    const name = `baseline-${String(i).padStart(3, '0')}`;
    files[`templates/${name}.yaml`] = template(i);
    if (i % 2 === 0) {
      files[`parameters/${name}.json`] = JSON.stringify([{ ParameterKey: 'Env', ParameterValue: 'prod' }], null, 2);
    }
    resources.push(resource(i));
  }
  files['manifest.yaml'] = [
    'region: us-east-1',
    'version: 2021-03-15',
    'stack_set_order: dependencies',
    'resources:',
    ...resources,
    '',
  ].join('\n');
  return files;
}

function zip(files: Record<string, string>): Promise<Buffer> {
  const archive = new ZipFile();
  for (const [name, content] of Object.entries(files)) archive.addBuffer(Buffer.from(content), name);
  archive.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    archive.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    archive.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

interface Timed {
  /** Wall time of each run. */
  readonly seconds: number[];
  /** CPU time (user + system) of each run: what the machine's other load does not inflate. */
  readonly cpuSeconds: number[];
  readonly findings: number;
  readonly errors: boolean;
}

async function time(source: string): Promise<Timed> {
  const seconds: number[] = [];
  const cpuSeconds: number[] = [];
  let findings = 0;
  let errors = false;
  for (let run = 0; run < RUNS; run++) {
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const loaded = await loadPackage(source);
    const used = process.cpuUsage(cpu);
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
    cpuSeconds.push((used.user + used.system) / 1e6);
    findings = loaded.findings.length;
    errors = hasErrors(loaded.findings);
  }
  return { seconds, cpuSeconds, findings, errors };
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

function summary(label: string, result: Timed): string {
  const wall = `wall: first run ${result.seconds[0].toFixed(3)} s, median ${median(result.seconds).toFixed(3)} s, best ${Math.min(...result.seconds).toFixed(3)} s`;
  const cpu = `cpu: first run ${result.cpuSeconds[0].toFixed(3)} s, median ${median(result.cpuSeconds).toFixed(3)} s`;
  return `${label}: ${wall}; ${cpu} over ${RUNS} runs (${result.findings} findings, errors: ${result.errors})`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cfct-bench-'));
  try {
    const files = packageFiles();
    const folder = join(dir, 'package');
    for (const target of KEEP ? [folder, KEEP] : [folder]) {
      for (const [name, content] of Object.entries(files)) {
        mkdirSync(join(target, name, '..'), { recursive: true });
        writeFileSync(join(target, name), content);
      }
    }
    const zipPath = join(dir, 'custom-control-tower-configuration.zip');
    writeFileSync(zipPath, await zip(files));
    const bytes = Object.values(files).reduce((total, content) => total + Buffer.byteLength(content), 0);
    console.log(
      `package: ${RESOURCES} resources, ${Object.keys(files).length} files, ${(bytes / 1024).toFixed(0)} KiB (manifest ${files['manifest.yaml'].split('\n').length} lines)`,
    );
    console.log(summary('validate folder', await time(folder)));
    console.log(summary('validate zip   ', await time(zipPath)));
    const bundle = join(__dirname, '..', 'assets', 'cli', 'main', 'cfct.js');
    if (existsSync(bundle)) {
      for (const source of [folder, zipPath]) {
        const start = process.hrtime.bigint();
        const run = spawnSync(process.execPath, [bundle, 'validate', source], { encoding: 'utf8' });
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        console.log(
          `cfct validate ${source === folder ? 'folder' : 'zip   '} (bundled executable, new process): exit ${run.status}, wall ${seconds.toFixed(3)} s`,
        );
      }
    } else {
      console.log('(run `npx projen bundle` first to also time the bundled cfct executable)');
    }
    console.log(`target: at most 3 s wall; load average now ${loadavg()[0].toFixed(2)} on ${cpus().length} CPUs`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
