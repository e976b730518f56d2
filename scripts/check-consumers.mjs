// Packs the library as npm would publish it, installs the tarball into throwaway CJS and ESM
// projects next to its peers, and requires/imports it there: what users get, not what the repo has.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packLibrary } from './pack-library.mjs';

const work = mkdtempSync(join(tmpdir(), 'nestjs-ory-iam-consumers-'));
const run = (command, args, cwd) =>
  execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

const probe = `
  const names = ['IamModule', 'SessionGuard', 'RoleGuard', 'REPLAY_CACHE', 'IamUnauthorizedError', 'CurrentUser'];
  const missing = names.filter((name) => lib[name] === undefined);
  const testingMissing = ['IamTestingModule', 'TestSigner'].filter((name) => testing[name] === undefined);
  if (missing.length + testingMissing.length > 0) {
    console.error('missing exports:', [...missing, ...testingMissing].join(', '));
    process.exit(1);
  }
  console.log(kind + ' consumer: ok (' + Object.keys(lib).length + ' exports)');
`;

try {
  const tarball = packLibrary(work);
  const peers = ['@nestjs/common@^11', '@nestjs/core@^11', 'reflect-metadata', 'rxjs'];
  const consumers = {
    cjs: {
      pkg: { name: 'cjs-consumer', private: true, type: 'commonjs' },
      file: 'index.js',
      code: `require('reflect-metadata');\nconst lib = require('nestjs-ory-iam');\nconst testing = require('nestjs-ory-iam/testing');\nconst kind = 'CJS';\n${probe}`,
    },
    esm: {
      pkg: { name: 'esm-consumer', private: true, type: 'module' },
      file: 'index.js',
      code: `import 'reflect-metadata';\nimport * as lib from 'nestjs-ory-iam';\nimport * as testing from 'nestjs-ory-iam/testing';\nconst kind = 'ESM';\n${probe}`,
    },
  };
  for (const [kind, consumer] of Object.entries(consumers)) {
    const dir = join(work, kind);
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify(consumer.pkg));
    writeFileSync(join(dir, consumer.file), consumer.code);
    run('npm', ['install', '--no-audit', '--no-fund', '--silent', tarball, ...peers], dir);
    process.stdout.write(run('node', [consumer.file], dir));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
