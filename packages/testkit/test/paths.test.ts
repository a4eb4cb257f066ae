import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultCacheRoot, defaultStateDir, kafkaVersionDir } from '../src/internal/paths.js';

describe('cache and state locations', () => {
  it('default to ~/.cache/weir, outside the repository', () => {
    expect(defaultCacheRoot({})).toBe(join(homedir(), '.cache', 'weir'));
    expect(defaultStateDir({})).toBe(join(homedir(), '.cache', 'weir', 'run'));
    expect(kafkaVersionDir('/c', '4.1.1')).toBe('/c/kafka-4.1.1');
  });

  it('follow WEIR_KAFKA_CACHE and WEIR_KAFKA_STATE_DIR', () => {
    expect(defaultCacheRoot({ WEIR_KAFKA_CACHE: '/ci/cache' })).toBe('/ci/cache');
    expect(defaultStateDir({ WEIR_KAFKA_CACHE: '/ci/cache' })).toBe('/ci/cache/run');
    expect(defaultStateDir({ WEIR_KAFKA_STATE_DIR: '/state' })).toBe('/state');
  });
});
