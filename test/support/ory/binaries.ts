import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Ory servers the harness can run. */
export type OryServerName = 'kratos' | 'keto' | 'oathkeeper' | 'hydra';

/** The repository root, for templates under test/ory and scripts/ory. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

interface PinnedServer {
  readonly version: string;
}

/** Versions come from scripts/ory/versions, the file the install script builds from. */
function pinnedServers(): ReadonlyMap<string, PinnedServer> {
  const text = readFileSync(join(repoRoot, 'scripts/ory/versions'), 'utf8');
  const servers = new Map<string, PinnedServer>();
  for (const line of text.split('\n')) {
    const [name, , version] = line.trim().split(/\s+/);
    if (name === undefined || name === '' || name.startsWith('#') || version === undefined)
      continue;
    servers.set(name, { version });
  }
  return servers;
}

/** Where scripts/ory/install puts the binaries: `<cache>/<name>-<version>/<name>`. */
export function oryCacheDir(): string {
  const override = process.env.NESTJS_ORY_IAM_ORY_CACHE;
  return override !== undefined && override !== ''
    ? override
    : join(homedir(), '.cache', 'nestjs-ory-iam', 'ory');
}

/** The built binary of a server; throws, saying how to build it, when it is missing. */
export function oryBinary(name: OryServerName): string {
  const pinned = pinnedServers().get(name);
  if (pinned === undefined) throw new Error(`scripts/ory/versions has no line for ${name}`);
  const binary = join(oryCacheDir(), `${name}-${pinned.version}`, name);
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    throw new Error(
      `${name} ${pinned.version} is not built (${binary} is missing). ` +
        'Run scripts/ory/install (npm test runs it for you).',
    );
  }
  return binary;
}
