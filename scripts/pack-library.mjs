// Packs the library as npm would publish it, for the consumer checks. CI builds dist/ once
// (`npm run check:package`) before them, so packing skips the prepack build when dist/ is there.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const root = resolve(import.meta.dirname, '..');

/** Writes the tarball into `destination` and answers its path. */
export function packLibrary(destination) {
  const built = existsSync(join(root, 'dist', 'index.js'));
  const file = execFileSync(
    'npm',
    ['pack', '--silent', '--pack-destination', destination, ...(built ? ['--ignore-scripts'] : [])],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  )
    .trim()
    .split('\n')
    .pop();
  return join(destination, file);
}

const execAsync = promisify(execFile);

/**
 * Packs the library once, then for each of `versions`, in parallel (npm's one cache is shared),
 * makes a throwaway CommonJS project `<name>-<version>` under `work` with `files` written in it,
 * installs the tarball with `dependencies(version)`, and runs `node <script>` with each of `runs`
 * (extra environment), printing what they print. Failures are printed as one FAIL line each and
 * set the exit code; `work` is removed at the end.
 */
export async function checkInProjects({ work, name, versions, files, dependencies, runs }) {
  try {
    const tarball = packLibrary(work);
    const results = await Promise.allSettled(
      versions.map(async (version) => {
        const dir = join(work, `${name}-${version}`);
        mkdirSync(dir);
        writeFileSync(
          join(dir, 'package.json'),
          JSON.stringify({ name: `${name}-${version}`, private: true, type: 'commonjs' }),
        );
        for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
        const install = ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball];
        try {
          await execAsync('npm', [...install, ...dependencies(version)], { cwd: dir });
          for (const { script, env } of runs) {
            const { stdout } = await execAsync('node', [script], {
              cwd: dir,
              timeout: 60_000,
              env: { ...process.env, ...env },
            });
            process.stdout.write(stdout);
          }
        } catch (error) {
          const output = error.stderr || error.stdout || error.message;
          throw new Error(`${name} ${version}: ${output.trim()}`);
        }
      }),
    );
    const failures = results.filter((result) => result.status === 'rejected');
    for (const failure of failures) console.error(`FAIL ${failure.reason.message}`);
    if (failures.length > 0) process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
