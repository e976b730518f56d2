import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// Nest's DI reads decorator metadata, which esbuild does not emit; swc does.
const decorators = swc.vite({ module: { type: 'es6' } });

export default defineConfig({
  plugins: [decorators],
  test: {
    projects: [
      {
        plugins: [decorators],
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        plugins: [decorators],
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        plugins: [decorators],
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
