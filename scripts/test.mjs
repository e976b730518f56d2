// `npm test`: builds the Ory servers the integration tests run (cached after the first time, see
// scripts/ory/install), installs the Chromium the browser tests drive (scripts/browser/install),
// then runs vitest with whatever arguments were passed through.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const toolchainHelp =
  'install Go >= 1.25 and gcc (https://go.dev/dl/, apt-get install gcc), or run the servers with Docker: docker compose -f examples/zero-trust/docker-compose.yml up';

const install = spawnSync('bash', ['scripts/ory/install'], { cwd: root, stdio: 'inherit' });
if (install.error !== undefined) {
  console.error(
    `npm test: cannot run scripts/ory/install (${install.error.message}); ${toolchainHelp}`,
  );
  process.exit(1);
}
// 3: the script already printed the one line saying what is missing.
if (install.status !== 0) process.exit(install.status === 3 ? 1 : (install.status ?? 1));

const browser = spawnSync('bash', ['scripts/browser/install'], { cwd: root, stdio: 'inherit' });
if (browser.error !== undefined) {
  console.error(
    `npm test: cannot run scripts/browser/install (${browser.error.message}); install chromium (apt-get install chromium) or set NESTJS_ORY_IAM_CHROMIUM`,
  );
  process.exit(1);
}
// 3: the script already printed the one line saying why chromium cannot be installed.
if (browser.status !== 0) process.exit(browser.status === 3 ? 1 : (browser.status ?? 1));

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
