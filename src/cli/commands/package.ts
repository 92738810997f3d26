import { writeFileSync } from 'node:fs';
import { resolve, relative, sep } from 'node:path';
import type { Command } from 'commander';
import { formatFinding, hasErrors, loadPackage } from '../../manifest';
import { ExitCode, type CliIo } from '../io';
import { createPackageZip, isPackable, PACKAGE_ZIP_NAME } from '../package-zip';
import { isReadableDirectory, unusablePath } from '../paths';

interface PackageOptions {
  readonly out?: string;
  readonly upload?: string;
  readonly key: string;
  readonly region?: string;
}

/**
 * `cfct package <folder>`: validates the folder, then writes the zip the pipeline's S3 source
 * expects (`custom-control-tower-configuration.zip`, manifest at the root) and optionally
 * uploads it. An invalid package is never packaged.
 */
export function register(program: Command, io: CliIo, result: { exitCode: number }): void {
  program
    .command('package')
    .description('validate a configuration package folder and zip it for the pipeline (optionally upload it)')
    .argument('<folder>', 'configuration package folder')
    .option('--out <file>', 'where to write the zip', PACKAGE_ZIP_NAME)
    .option('--upload <bucket>', 'also upload the zip to this S3 bucket (the configuration bucket)')
    .option('--key <key>', 'object key of the upload', PACKAGE_ZIP_NAME)
    .option('--region <region>', 'region of the bucket (default: AWS_REGION)')
    .action(async (folder: string, options: PackageOptions) => {
      if (!isReadableDirectory(folder)) {
        io.stderr(`cfct package: ${unusablePath(folder, 'a configuration package folder holding manifest.yaml')}\n`);
        result.exitCode = ExitCode.USAGE;
        return;
      }
      const loaded = await loadPackage(folder);
      for (const finding of loaded.findings) io.stderr(`${formatFinding(finding)}\n`);
      if (hasErrors(loaded.findings)) {
        io.stderr('cfct package: the package has errors; nothing was written\n');
        result.exitCode = ExitCode.FINDINGS;
        return;
      }
      // Never the command's own output (whatever its name), earlier zips, or editor and OS litter.
      const out = options.out ?? PACKAGE_ZIP_NAME;
      const own = relative(resolve(folder), resolve(out)).split(sep).join('/');
      const files = loaded.files.list().filter((f) => isPackable(f) && f !== own);
      const zip = await createPackageZip(folder, files);
      writeFileSync(out, zip);
      io.stdout(`wrote ${options.out} (${files.length} files, ${zip.length} bytes)\n`);
      if (options.upload) {
        const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
        if (!region) {
          io.stderr('cfct package: --upload needs a region: pass --region or set AWS_REGION\n');
          result.exitCode = ExitCode.USAGE;
          return;
        }
        const { PutObjectCommand } = require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
        const { awsClients } = require('../inputs') as typeof import('../inputs');
        const { retryThrottled, systemClock } = require('../../engine/retry') as typeof import('../../engine/retry');
        const s3 = awsClients(io, region).s3(region);
        const upload = new PutObjectCommand({
          Bucket: options.upload,
          Key: options.key,
          Body: zip,
          ContentType: 'application/zip',
        });
        await retryThrottled(() => s3.send(upload), systemClock);
        io.stdout(`uploaded s3://${options.upload}/${options.key}\n`);
      }
    });
}
