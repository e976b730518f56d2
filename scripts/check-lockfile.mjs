// CI's install step: `npm ci` from the committed lockfile, then one line if the registry would now
// resolve the lockfile differently (a package added, dropped or moved to another version), instead
// of a diff of hundreds of lines. `npm ci` is the gate; the drift line is a warning, because a
// lockfile that installs is still reproducible and the registry's answer is not ours to control.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const refresh =
  'refresh it with `rm -rf node_modules && npm install` on any machine and commit package-lock.json';

const ci = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
if (ci.status !== 0) {
  console.error(
    `lockfile: \`npm ci\` failed: package-lock.json does not match package.json or the registry; ${refresh}`,
  );
  process.exit(1);
}

const packagesOf = (lockPath) => {
  const { packages } = JSON.parse(readFileSync(lockPath, 'utf8'));
  return new Map(
    Object.entries(packages)
      .filter(([path]) => path !== '')
      .map(([path, entry]) => [path, entry.version]),
  );
};

const scratch = mkdtempSync(join(tmpdir(), 'nestjs-ory-iam-lock-'));
try {
  for (const file of ['package.json', 'package-lock.json']) {
    copyFileSync(join(root, file), join(scratch, file));
  }
  const resolve = spawnSync(
    'npm',
    ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'],
    { cwd: scratch, encoding: 'utf8' },
  );
  if (resolve.status !== 0) {
    console.warn(
      `lockfile: warning: could not re-resolve the lockfile against the registry (${resolve.stderr.trim().split('\n').at(-1)})`,
    );
    process.exit(0);
  }
  const committed = packagesOf(join(root, 'package-lock.json'));
  const resolved = packagesOf(join(scratch, 'package-lock.json'));
  const added = [...resolved.keys()].filter((name) => !committed.has(name));
  const removed = [...committed.keys()].filter((name) => !resolved.has(name));
  const moved = [...committed.keys()].filter(
    (name) => resolved.has(name) && resolved.get(name) !== committed.get(name),
  );
  if (added.length + removed.length + moved.length === 0) {
    console.log('lockfile: installed with npm ci; the registry resolves it unchanged');
  } else {
    const sample = (paths) =>
      paths
        .slice(0, 3)
        .map((path) => path.replaceAll('node_modules/', ''))
        .join(', ') + (paths.length > 3 ? ', ...' : '');
    console.warn(
      `lockfile: warning: the registry now resolves package-lock.json differently (${added.length} added${added.length ? `: ${sample(added)}` : ''}; ${removed.length} dropped${removed.length ? `: ${sample(removed)}` : ''}; ${moved.length} other versions${moved.length ? `: ${sample(moved)}` : ''}); ${refresh}`,
    );
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
