import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cachedLibDir, fetchPom } from '../src/internal/maven.js';

describe('fetchPom', () => {
  it('asks for kafka_2.13 at the version and an SLF4J binding for log4j2', () => {
    const pom = fetchPom('4.1.1');
    expect(pom).toContain('<artifactId>kafka_2.13</artifactId><version>4.1.1</version>');
    expect(pom).toContain('<artifactId>log4j-slf4j-impl</artifactId>');
  });
});

describe('cachedLibDir', () => {
  it('finds a version only once its broker jar is in lib/', () => {
    const root = mkdtempSync(join(tmpdir(), 'weir-testkit-cache-'));
    try {
      expect(cachedLibDir(root, '4.1.1')).toBeUndefined();
      const lib = join(root, 'kafka-4.1.1', 'lib');
      mkdirSync(lib, { recursive: true });
      expect(cachedLibDir(root, '4.1.1')).toBeUndefined();
      writeFileSync(join(lib, 'kafka_2.13-4.1.1.jar'), '');
      expect(cachedLibDir(root, '4.1.1')).toBe(lib);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
