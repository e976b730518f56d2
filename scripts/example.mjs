// `npm run example`: the zero-trust example (examples/zero-trust) on this machine. Builds the Ory
// servers from the Go module proxy when they are not cached yet (scripts/ory/install), then starts
// Kratos, Keto, Oathkeeper and the three apps; arguments pass through (`-- --smoke`).
// `npm run example -- --nginx`: nginx as the front door, asking Oathkeeper's decision API (Debian's
// nginx, installed by scripts/nginx/install the first time).
// `npm run example -- --single`: the one-service example with the test signer, which needs
// neither Go nor the Ory servers. `npm run example -- --build`: only compiles the zero-trust apps
// (for `npm start` in each app's directory, against the Ory servers of its docker-compose.yml).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const run = (command, commandArgs) => {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit' });
  if (result.error !== undefined) {
    console.error(`npm run example: cannot run ${command}: ${result.error.message}`);
    process.exit(1);
  }
  return result.status ?? 1;
};
const runOrExit = (command, commandArgs) => {
  const status = run(command, commandArgs);
  if (status !== 0) process.exit(status);
};

function newestModification(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile())
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

// Both examples import the built package, the way an application that installed it would.
const builtIndex = join(root, 'dist', 'index.js');
if (
  !existsSync(builtIndex) ||
  statSync(builtIndex).mtimeMs < newestModification(join(root, 'src'))
) {
  runOrExit('npm', ['run', 'build', '--silent']);
}

if (args.includes('--build')) {
  runOrExit('npx', ['tsx', 'examples/zero-trust/build.ts']);
  process.exit(0);
}

if (args.includes('--single')) {
  runOrExit('npx', [
    'tsx',
    'examples/single-service/main.ts',
    ...args.filter((arg) => arg !== '--single'),
  ]);
  process.exit(0);
}

const install = run('bash', ['scripts/ory/install']);
if (install === 3) {
  console.error(
    'npm run example: without Go, try `npm run example -- --single` (no Ory needed) or the Docker setup in examples/zero-trust/README.md.',
  );
}
if (install !== 0) process.exit(install);
if (args.includes('--nginx')) {
  const nginx = run('bash', ['scripts/nginx/install']);
  if (nginx !== 0) process.exit(nginx);
}
process.exit(run('npx', ['tsx', 'examples/zero-trust/run.ts', ...args]));
