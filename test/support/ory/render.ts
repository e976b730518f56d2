import { readFileSync, writeFileSync } from 'node:fs';

const placeholder = /\$\{([A-Z0-9_]+)\}/g;

/** Replaces every `${NAME}`; an unknown name is a bug in the harness, so it throws. */
export function renderTemplate(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(placeholder, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for \${${name}} in an Ory config template`);
    return value;
  });
}

/** Renders a template file into the run directory. */
export function renderFile(
  templatePath: string,
  targetPath: string,
  values: Readonly<Record<string, string>>,
): void {
  writeFileSync(targetPath, renderTemplate(readFileSync(templatePath, 'utf8'), values));
}

/** Env values may name the stack's ports (`${OATHKEEPER_PROXY_PORT}`), chosen only at start. */
export function renderEnv(
  env: Readonly<Record<string, string>> | undefined,
  values: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> | undefined {
  if (env === undefined) return undefined;
  return Object.fromEntries(
    Object.entries(env).map(([name, value]) => [name, renderTemplate(value, values)]),
  );
}
