import { defineConfig } from 'vitest/config';

// Most tests run the built CLI as a child process (a Node start-up each): give them time on a
// busy machine.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
