import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  INJECTABLE_WATERMARK,
  PARAMTYPES_METADATA,
  SELF_DECLARED_DEPS_METADATA,
} from '@nestjs/common/constants.js';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

const injectableFiles = sourceFiles(SRC).filter((file) =>
  readFileSync(file, 'utf8').includes('@Injectable('),
);

/**
 * The package is built without decorator metadata (tsconfig.build.json), while these tests run
 * with it: a constructor parameter without `@Inject` resolves here and fails in the built package
 * ("Nest can't resolve dependencies"). So every parameter must name its token.
 */
describe('providers name every dependency with @Inject', () => {
  it('finds the providers', () => {
    expect(injectableFiles.length).toBeGreaterThan(10);
  });

  it.each(injectableFiles.map((file) => [relative(SRC, file), file]))('%s', async (_, file) => {
    const exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const providers = Object.values(exports).filter(
      (value): value is abstract new (...args: never[]) => unknown =>
        typeof value === 'function' && Reflect.getMetadata(INJECTABLE_WATERMARK, value) === true,
    );
    expect(providers.length).toBeGreaterThan(0);
    for (const provider of providers) {
      const parameters = (Reflect.getMetadata(PARAMTYPES_METADATA, provider) ?? []) as unknown[];
      const declared = (Reflect.getMetadata(SELF_DECLARED_DEPS_METADATA, provider) ?? []) as {
        index: number;
      }[];
      const missing = parameters
        .map((_type, index) => index)
        .filter((index) => !declared.some((dependency) => dependency.index === index));
      expect({ provider: provider.name, missing }).toEqual({
        provider: provider.name,
        missing: [],
      });
    }
  });
});
