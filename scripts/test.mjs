// `npm test`: builds the Ory servers the integration tests run (cached after the first time, see
// scripts/ory/install) and the Toxiproxy the fault tests put in front of them
// (scripts/toxiproxy/install), installs the Chromium the browser tests drive
// (scripts/browser/install) and the nginx the decision-API tests ask Oathkeeper through
// (scripts/nginx/install), then runs vitest with whatever arguments were passed through.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// Each script exits 3 after printing the one line that says what is missing and how to get it.
const installers = [
  {
    script: 'scripts/ory/install',
    help: 'install Go >= 1.25 and gcc (https://go.dev/dl/, apt-get install gcc), or run the servers with Docker: docker compose -f examples/zero-trust/docker-compose.yml up',
  },
  { script: 'scripts/toxiproxy/install', help: 'install Go (https://go.dev/dl/)' },
  {
    script: 'scripts/browser/install',
    help: 'install chromium (apt-get install chromium) or set NESTJS_ORY_IAM_CHROMIUM',
  },
  {
    script: 'scripts/nginx/install',
    help: 'install nginx (apt-get install nginx) or set NESTJS_ORY_IAM_NGINX',
  },
];
for (const { script, help } of installers) {
  const install = spawnSync('bash', [script], { cwd: root, stdio: 'inherit' });
  if (install.error !== undefined) {
    console.error(`npm test: cannot run ${script} (${install.error.message}); ${help}`);
    process.exit(1);
  }
  if (install.status !== 0) process.exit(install.status === 3 ? 1 : (install.status ?? 1));
}

// Besides the usual output, vitest writes a JSON report so the run ends with one plain count.
const report = join(mkdtempSync(join(tmpdir(), 'nestjs-ory-iam-test-')), 'report.json');
const vitest = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit' },
);
if (existsSync(report)) {
  const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = JSON.parse(
    readFileSync(report, 'utf8'),
  );
  console.log(
    `Tests: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped`,
  );
}
process.exit(vitest.status ?? 1);
