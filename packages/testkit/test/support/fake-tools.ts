import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A scratch directory with stand-ins for java, mvn and a filled Kafka cache. */
export interface FakeTools {
  root: string;
  /** A filled cache root for `version`, so no Maven run is needed. */
  cacheDir: string;
  version: string;
  /** Writes an executable shell script and returns its path. */
  script(name: string, body: string): string;
  /** A java that reports `javaVersion`, formats storage fine, and runs `broker` as the broker. */
  java(options: { javaVersion?: string; broker: string }): string;
  remove(): void;
}

export function fakeTools(): FakeTools {
  const root = mkdtempSync(join(tmpdir(), 'weir-testkit-test-'));
  const version = '9.9.9-fake';
  const cacheDir = join(root, 'cache');
  const lib = join(cacheDir, `kafka-${version}`, 'lib');
  mkdirSync(lib, { recursive: true });
  writeFileSync(join(lib, `kafka_2.13-${version}.jar`), '');
  const script = (name: string, body: string) => {
    const path = join(root, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };
  return {
    root,
    cacheDir,
    version,
    script,
    java: ({ javaVersion = '17.0.15', broker }) =>
      script(
        'java',
        [
          'case "$*" in',
          `  *-version*) echo 'openjdk version "${javaVersion}" 2025-04-15' >&2; exit 0 ;;`,
          '  *kafka.tools.StorageTool*) echo "Formatting fake storage"; exit 0 ;;',
          `  *kafka.Kafka*) ${broker} ;;`,
          'esac',
          'exit 99',
        ].join('\n'),
      ),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
