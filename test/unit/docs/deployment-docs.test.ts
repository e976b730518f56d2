import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The directives that decide who passes and what reaches a service, one per line. */
const DECISIVE =
  /^(auth_request\b|auth_request_set|error_page|proxy_set_header|proxy_pass_request_body|if \(|return)/;

/** The decisive directives of a config without `${...}` placeholders (ports, paths differ). */
function decisiveLines(config: string): string[] {
  return config
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => DECISIVE.test(line) && !line.includes('${'));
}

/**
 * docs/deployment.md shows the nginx configuration in production shape (TLS, host names); the
 * tested one is examples/zero-trust/config/nginx.conf (test/e2e/zero-trust.test.ts) and, for one
 * service, test/support/nginx/decisions.conf (test/integration/ory/nginx-decisions.test.ts). A
 * directive that decides access or headers may not change in one without the others.
 */
describe('the nginx configuration of docs/deployment.md', () => {
  const docs = read('docs/deployment.md');
  const shown = /```nginx\n([\s\S]*?)```/.exec(docs)?.[1] ?? '';
  const shownLines = new Set(shown.split('\n').map((line) => line.trim()));

  it.each(['examples/zero-trust/config/nginx.conf', 'test/support/nginx/decisions.conf'])(
    'has every access-deciding directive of %s',
    (path) => {
      const config = read(path);
      const missing = decisiveLines(config).filter((line) => !shownLines.has(line));
      expect(missing).toEqual([]);
      expect(decisiveLines(config).length).toBeGreaterThan(10);
    },
  );

  it('and no such directive that the tested configuration lacks', () => {
    const tested = new Set(decisiveLines(read('examples/zero-trust/config/nginx.conf')));
    const extra = decisiveLines(shown).filter((line) => !tested.has(line));
    // The host the rules are written for is a placeholder in the tested configuration.
    expect(extra).toEqual(['proxy_set_header X-Forwarded-Host api.example.com;']);
  });
});
