// `npm run example`: builds the library when dist/ is missing or older than src/, then runs the
// example against the built package, the way an application that installed it would.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (command, args) => {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

function newestModification(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile())
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

const builtIndex = join(root, 'dist', 'index.js');
if (
  !existsSync(builtIndex) ||
  statSync(builtIndex).mtimeMs < newestModification(join(root, 'src'))
) {
  run('npm', ['run', 'build', '--silent']);
}
run('npx', ['tsx', 'examples/single-service/main.ts', ...process.argv.slice(2)]);
