// Packs the library as npm would publish it, for the consumer checks. CI builds dist/ once
// (`npm run check:package`) before them, so packing skips the prepack build when dist/ is there.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

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
