import { readFileSync } from 'node:fs';

/**
 * A rules file as Oathkeeper's file repository reads it: JSON, or YAML for `.yml`/`.yaml`. The
 * YAML parser is the optional peer `yaml`, loaded only for such a file.
 */
export async function readRulesFile(path: string): Promise<unknown> {
  const text = readFileSync(path, 'utf8');
  if (!/\.ya?ml$/i.test(path)) return JSON.parse(text);
  let yaml: { parse(source: string): unknown };
  try {
    yaml = await import('yaml');
  } catch {
    throw new Error(`${path} is YAML: install the yaml package to read it (npm install -D yaml)`);
  }
  return yaml.parse(text);
}
