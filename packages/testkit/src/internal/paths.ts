import { homedir } from 'node:os';
import { join } from 'node:path';

/** The Apache Kafka release used when no version is asked for (tested with kafkajs 2.2.4). */
export const DEFAULT_KAFKA_VERSION = '4.1.1';

/**
 * The root of Weir's local Kafka cache: `$WEIR_KAFKA_CACHE`, else `~/.cache/weir`. It lives
 * outside the repository so that the ~45 MB of jars survive a fresh clone and `git clean`.
 */
export function defaultCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.WEIR_KAFKA_CACHE;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(homedir(), '.cache', 'weir');
}

/** The directory holding one Kafka version: `<root>/kafka-<version>` (jars in its `lib/`). */
export function kafkaVersionDir(cacheRoot: string, version: string): string {
  return join(cacheRoot, `kafka-${version}`);
}

/**
 * Where the CLI keeps the pid and state of its detached broker: `$WEIR_KAFKA_STATE_DIR`, else
 * `<cache root>/run`.
 */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.WEIR_KAFKA_STATE_DIR;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(defaultCacheRoot(env), 'run');
}
