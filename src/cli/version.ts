import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The version of the installed package. The CLI runs as a bundle under `assets/`, so it looks
 * for the nearest `package.json` named `cdk-control-tower-customizations` above its own file.
 */
export function packageVersion(start: string = __dirname): string {
  let dir = start;
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'cdk-control-tower-customizations' && pkg.version) {
          return pkg.version;
        }
      } catch {
        // not our package.json; keep looking upwards
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return '0.0.0';
}
