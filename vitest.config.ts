import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests send nothing off this machine: no registry is asked for the base image.
    env: { BOTTLE_OFFLINE: '1' },
  },
});
