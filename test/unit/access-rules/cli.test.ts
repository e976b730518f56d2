import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../../..');
const work = mkdtempSync(join(tmpdir(), 'rules-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const BASE = [
  'rules',
  '--app',
  'test/unit/access-rules/apps.ts',
  '--export',
  'OrdersAppModule',
  '--origin',
  'https://api.example.com',
  '--upstream',
  'http://orders-api:3000',
  '--global-prefix',
  'api',
  '--uri-versioning',
];

/** The CLI from source, as `npx nestjs-ory-iam` runs it from dist. */
async function cli(
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { cwd: root },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('nestjs-ory-iam rules', () => {
  it('writes the rules, then finds them in agreement (exit 0)', async () => {
    const out = join(work, 'access-rules.json');
    const written = await cli([...BASE, '--out', out]);
    expect(written.stderr).toBe('');
    expect(written.stdout).toContain(`access rules written to ${out}`);
    const rules = JSON.parse(readFileSync(out, 'utf8')) as Array<{ id: string }>;
    expect(rules.map((rule) => rule.id)).toContain('orders-api:public:get-head');

    const checked = await cli([...BASE, '--check', out]);
    expect(checked).toMatchObject({ code: 0, stderr: '' });
  }, 60_000);

  it('reads a YAML rules file as Oathkeeper does', async () => {
    const out = join(work, 'as-json.json');
    await cli([...BASE, '--out', out]);
    const yamlFile = join(work, 'access-rules.yaml');
    writeFileSync(yamlFile, stringify(JSON.parse(readFileSync(out, 'utf8'))));
    expect(await cli([...BASE, '--check', yamlFile])).toMatchObject({ code: 0, stderr: '' });

    const drifted = (JSON.parse(readFileSync(out, 'utf8')) as Array<{ id: string }>).slice(1);
    writeFileSync(yamlFile, stringify(drifted));
    const checked = await cli([...BASE, '--check', yamlFile]);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain('no rule matches HealthController.check GET /api/v2/health');
  }, 60_000);

  it('exits 1 with one line per problem when the file drifted', async () => {
    const out = join(work, 'drifted.json');
    await cli([...BASE, '--out', out]);
    const rules = JSON.parse(readFileSync(out, 'utf8')) as Array<{ id: string }>;
    writeFileSync(
      out,
      JSON.stringify(rules.filter((rule) => rule.id !== 'orders-api:authenticated:post')),
    );

    const checked = await cli([...BASE, '--check', out]);
    expect(checked.code).toBe(1);
    expect(checked.stderr.trim().split('\n')).toEqual([
      'methods mismatch: OrdersController.create POST /api/orders matches "orders-api:authenticated:get-head" (GET, HEAD) by URL, but none lists POST',
    ]);
  }, 60_000);

  it('writes and checks one file for several apps, --app and --upstream paired in order', async () => {
    const out = join(work, 'two-apps.json');
    const twoApps = [
      ...BASE,
      '--id-prefix',
      'orders-api',
      '--app',
      'test/unit/access-rules/apps.ts',
      '--export',
      'CookieFeedModule',
      '--upstream',
      'http://feed:3000',
      '--id-prefix',
      'feed',
    ];
    const written = await cli([...twoApps, '--out', out]);
    expect(written).toMatchObject({ code: 0, stderr: '' });
    const rules = JSON.parse(readFileSync(out, 'utf8')) as Array<{ upstream: { url: string } }>;
    expect(new Set(rules.map((rule) => rule.upstream.url))).toEqual(
      new Set(['http://orders-api:3000', 'http://feed:3000']),
    );
    expect(await cli([...twoApps, '--check', out])).toMatchObject({ code: 0, stderr: '' });

    // Checked as one app, the feed's rules are another service's: no problem either way.
    expect(await cli([...BASE, '--check', out])).toMatchObject({ code: 0 });
    const unpaired = await cli([...twoApps.slice(0, -4), '--out', out]);
    expect(unpaired.code).toBe(2);
    expect(unpaired.stderr).toContain('usage: nestjs-ory-iam rules');
  }, 60_000);

  it('exits 2 with the reason when it cannot load the module', async () => {
    const result = await cli([
      ...BASE.slice(0, 4),
      'Missing',
      ...BASE.slice(5),
      '--out',
      join(work, 'x.json'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'test/unit/access-rules/apps.ts exports no Missing (choose another with --export)',
    );
  }, 60_000);

  it('writes --introspection-url into service rules and checks it; refuses one that is not http(s)', async () => {
    const out = join(work, 'inventory.json');
    const inventory = [
      'rules',
      '--app',
      'test/unit/access-rules/service-apps.ts',
      '--export',
      'InventoryAppModule',
      '--origin',
      'https://api.example.com',
      '--upstream',
      'http://inventory-api:3000',
    ];
    const url = 'http://hydra:4445/admin/oauth2/introspect';
    const written = await cli([...inventory, '--introspection-url', url, '--out', out]);
    expect(written).toMatchObject({ code: 0, stderr: '' });
    const rules = JSON.parse(readFileSync(out, 'utf8')) as Array<{
      id: string;
      authenticators: Array<{ config?: { introspection_url?: string } }>;
    }>;
    const reserve = rules.find(
      (rule) => rule.id === 'inventory-api:service[inventory:reserve]:post',
    );
    expect(reserve?.authenticators[0]?.config?.introspection_url).toBe(url);
    expect(await cli([...inventory, '--introspection-url', url, '--check', out])).toMatchObject({
      code: 0,
      stderr: '',
    });

    const other = await cli([
      ...inventory,
      '--introspection-url',
      'http://other/x',
      '--check',
      out,
    ]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(
      'rule "inventory-api:service[inventory:reserve]:post": oauth2_introspection asks "http://hydra:4445/admin/oauth2/introspect", not http://other/x (--introspection-url)',
    );
    const invalid = await cli([...inventory, '--introspection-url', 'hydra:4445', '--out', out]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr.trim()).toBe(
      'introspectionUrl (--introspection-url) must be an absolute URL starting with http:// or https://',
    );
  }, 90_000);
});
