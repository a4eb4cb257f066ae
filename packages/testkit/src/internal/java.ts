import { join } from 'node:path';
import { KafkaStartError } from '../errors.js';
import { lastLines, runProcess } from './process-output.js';

/** Kafka 4 brokers are compiled for Java 17. */
export const MINIMUM_JAVA_MAJOR = 17;

/** `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java` from the PATH. */
export function defaultJavaPath(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.JAVA_HOME;
  return home !== undefined && home !== '' ? join(home, 'bin', 'java') : 'java';
}

/**
 * The major version in `java -version` output: `openjdk version "17.0.15"` gives 17 and the
 * pre-9 form `"1.8.0_292"` gives 8. Undefined when no version string is found.
 */
export function parseJavaMajor(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (match === null) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

/**
 * Checks that `javaPath` runs and is Java 17 or newer, so a missing or old Java is reported as
 * such instead of as a broker that died at start.
 *
 * @throws KafkaStartError with reason 'java'
 */
export async function checkJava(javaPath: string, kafkaVersion: string): Promise<void> {
  const advice =
    `Apache Kafka ${kafkaVersion} needs Java ${MINIMUM_JAVA_MAJOR} or newer: install a JDK, ` +
    'put java on the PATH or set JAVA_HOME, or pass the javaPath option.';
  let result: Awaited<ReturnType<typeof runProcess>>;
  try {
    result = await runProcess(javaPath, ['-version'], { timeoutMs: 30_000 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new KafkaStartError(`Java not found: could not run "${javaPath}" (${code}). ${advice}`, {
      reason: 'java',
      cause: error,
    });
  }
  if (result.code !== 0) {
    throw new KafkaStartError(
      `Java failed: "${javaPath} -version" exited with ${result.code ?? result.signal}. ${advice}\n` +
        lastLines(result.output, 10),
      { reason: 'java' },
    );
  }
  const major = parseJavaMajor(result.output);
  if (major !== undefined && major < MINIMUM_JAVA_MAJOR) {
    throw new KafkaStartError(`Java ${major} at "${javaPath}" is too old. ${advice}`, {
      reason: 'java',
    });
  }
}
