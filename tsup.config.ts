import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' },
  sourcemap: true,
  target: 'node20',
  // One shared chunk: the testing entry must hand out the very classes (guards, services, errors)
  // the main entry exports, or a stand-in registered under `SessionService` would not be the
  // `SessionService` an app injects.
  splitting: true,
  treeshake: true,
  // Without decorator metadata (see the file): esbuild compiles the decorators itself.
  tsconfig: 'tsconfig.build.json',
};

export default defineConfig([
  // Type declarations for both formats, generated once.
  { ...shared, format: ['esm', 'cjs'], dts: { only: true } },
  // The CLI rides in the ES module build, sharing its chunk with the index entry.
  { ...shared, entry: { ...shared.entry, cli: 'src/cli/main.ts' }, format: ['esm'] },
  {
    ...shared,
    format: ['cjs'],
    // jose ships ES modules only. Node 20.19+ can require() them, but Jest (Nest's default test
    // runner) cannot, so the CommonJS build carries its own copy of jose.
    noExternal: ['jose'],
    // ioredis is loaded on demand with createRequire(import.meta.url); the CJS build needs the shim.
    shims: true,
  },
]);
