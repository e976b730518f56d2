// Proves the ioredis peer range `^5 || ^6`: installs the packed library next to each major of
// ioredis in a throwaway project and runs the Redis stores against the machine's Redis
// (127.0.0.1:6379, or REDIS_URL): a client the user built and one from `fromUrl`, replay claims,
// session entries, eviction by tag, and a clean close. Run after `npm run check:package`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkInProjects } from './pack-library.mjs';

const MAJORS = (process.env.IOREDIS_MAJORS ?? '5,6').split(',');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const work = mkdtempSync(join(tmpdir(), 'nestjs-ory-iam-ioredis-'));

const check = `
const assert = require('node:assert/strict');
const { randomUUID } = require('node:crypto');
const { readFileSync } = require('node:fs');
const Redis = require('ioredis');
const { RedisReplayCache, RedisSessionStore } = require('nestjs-ory-iam');

const version = JSON.parse(readFileSync('node_modules/ioredis/package.json', 'utf8')).version;
const url = process.env.REDIS_URL;

async function main() {
  const run = randomUUID();
  const own = new Redis(url, { lazyConnect: false });
  const replay = new RedisReplayCache(own, { keyPrefix: 'iam-check:' + run + ':replay:' });
  const jti = 'default:' + randomUUID();
  assert.equal(await replay.claim(jti, 60_000), true, 'first claim');
  assert.equal(await replay.claim(jti, 60_000), false, 'second claim of the same jti');
  assert.equal(await replay.seen(jti), true, 'seen after the claim');
  await replay.close();
  // A client the user built stays theirs to close.
  assert.equal(own.status, 'ready', 'the user client is left open');
  await own.quit();

  const sessions = RedisSessionStore.fromUrl(url, { keyPrefix: 'iam-check:' + run + ':session:' });
  const generation = await sessions.generation();
  await sessions.set('k1', 'v1', 60_000, ['session:default:s1'], generation);
  assert.equal(await sessions.get('k1'), 'v1', 'entry after set');
  await sessions.deleteTagged('session:default:s1');
  assert.equal(await sessions.get('k1'), undefined, 'entry after eviction by tag');
  assert.notEqual(await sessions.generation(), generation, 'eviction moves the generation');
  await sessions.close();

  const cleanup = new Redis(url);
  const keys = await cleanup.keys('iam-check:' + run + ':*');
  if (keys.length > 0) await cleanup.del(...keys);
  await cleanup.quit();
  console.log('ioredis ' + version + ': replay claims once, session entries evicted by tag, closed cleanly');
}
main().catch((error) => { console.error(error.stack ?? error); process.exit(1); });
`;

await checkInProjects({
  work,
  name: 'ioredis',
  versions: MAJORS,
  files: { 'check.cjs': check },
  dependencies: (major) => [
    `ioredis@^${major}`,
    '@nestjs/common@^11',
    '@nestjs/core@^11',
    'reflect-metadata',
    'rxjs',
  ],
  runs: [{ script: 'check.cjs', env: { REDIS_URL } }],
});
