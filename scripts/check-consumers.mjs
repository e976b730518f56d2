// Packs the library as npm would publish it, installs the tarball into throwaway CJS and ESM
// projects next to its peers, and requires/imports it there: what users get, not what the repo has.
// In the CommonJS one it also runs the package's CLI (`npx nestjs-ory-iam rules`).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  // The build keeps no names for esbuild (tsconfig.build.json): a class it renamed to avoid a
  // clash (SessionGuard2) would show that name in Nest's errors and in the rules CLI's guard check.
  const isClass = (value) =>
    typeof value === 'function' && Function.prototype.toString.call(value).startsWith('class');
  const renamed = [...Object.entries(lib), ...Object.entries(testing)]
    .filter(([name, value]) => isClass(value) && value.name !== name)
    .map(([name, value]) => name + ' is named ' + value.name);
  if (renamed.length > 0) {
    console.error('renamed classes:', renamed.join(', '));
    process.exit(1);
  }
  console.log(kind + ' consumer: ok (' + Object.keys(lib).length + ' exports)');
`;

// An app module as tsc emits it for CommonJS (Nest's default), decorators applied by
// Reflect.decorate: the CLI runs from the package's ES module build and must still read it.
const appModule = `
'use strict';
require('reflect-metadata');
const { Controller, Get, Injectable, Module } = require('@nestjs/common');
const { IamModule, Public, RequireRole } = require('nestjs-ory-iam');
class Database {
  constructor() { throw new Error('the rules CLI instantiated a provider'); }
}
Reflect.decorate([Injectable()], Database);
class OrdersController {
  list() {}
  one() {}
}
for (const [name, decorators] of [['list', [Get(), Public()]], ['one', [Get(':id'), RequireRole('clerk')]]]) {
  Reflect.decorate(decorators, OrdersController.prototype, name, Object.getOwnPropertyDescriptor(OrdersController.prototype, name));
}
Reflect.decorate([Controller('orders')], OrdersController);
class AppModule {}
Reflect.decorate([Module({
  imports: [IamModule.forRoot({ tenants: { default: { transport: 'oathkeeper', oathkeeper: {
    jwks: { url: 'http://127.0.0.1:9/jwks.json' }, audience: 'orders-api', identityHeader: 'Authorization',
  } } } })],
  controllers: [OrdersController],
  providers: [Database],
})], AppModule);
exports.AppModule = AppModule;
`;

/** `npx nestjs-ory-iam rules` from the installed tarball: writes the rules, then checks them. */
function checkRulesCli(dir) {
  writeFileSync(join(dir, 'app.module.js'), appModule);
  const common = [
    'nestjs-ory-iam',
    'rules',
    '--app',
    'app.module.js',
    '--origin',
    'https://api.example.com',
    '--upstream',
    'http://orders:3000',
  ];
  run('npx', [...common, '--out', 'access-rules.json'], dir);
  const ids = JSON.parse(readFileSync(join(dir, 'access-rules.json'), 'utf8')).map(
    (rule) => rule.id,
  );
  if (ids.join(' ') !== 'orders-api:public:get-head orders-api:authenticated:get-head') {
    console.error(`rules CLI: unexpected rules ${ids.join(', ')}`);
    process.exit(1);
  }
  run('npx', [...common, '--check', 'access-rules.json'], dir);
  console.log(`rules CLI from the tarball: ok (${ids.length} rules written and checked)`);
}

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
  checkRulesCli(join(work, 'cjs'));
} finally {
  rmSync(work, { recursive: true, force: true });
}
