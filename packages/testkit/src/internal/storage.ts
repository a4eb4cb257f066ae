import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KafkaStartError } from '../errors.js';
import { lastLines, runProcess } from './process-output.js';

/** What {@link formatStorage} needs. */
export interface FormatStorageOptions {
  javaPath: string;
  libDir: string;
  /** JVM options (the log4j2 configuration among them). */
  jvmOptions: readonly string[];
  serverPropertiesFile: string;
  clusterId: string;
  /** The tool's output is appended here, ahead of the broker's own log. */
  logFile: string;
  /** The Kafka version, for messages. */
  version: string;
}

/**
 * Formats the KRaft log directory named in `server.properties` with `kafka.tools.StorageTool`,
 * which a KRaft node requires before its first start (it writes meta.properties and the
 * bootstrap metadata version). Done once per fresh directory, never on restart.
 *
 * @throws KafkaStartError with reason 'format'
 */
export async function formatStorage(options: FormatStorageOptions): Promise<void> {
  const { javaPath, libDir, jvmOptions, serverPropertiesFile, clusterId, logFile, version } = options;
  const args = [
    ...jvmOptions,
    '-cp',
    join(libDir, '*'),
    'kafka.tools.StorageTool',
    'format',
    '--cluster-id',
    clusterId,
    '--config',
    serverPropertiesFile,
  ];
  let result: Awaited<ReturnType<typeof runProcess>>;
  try {
    result = await runProcess(javaPath, args, { timeoutMs: 60_000 });
  } catch (error) {
    throw new KafkaStartError(`Could not run "${javaPath}" to format the Kafka ${version} storage: ${(error as Error).message}`, {
      reason: 'java',
      cause: error,
      logFile,
    });
  }
  await appendFile(logFile, `[weir-testkit] kafka.tools.StorageTool format:\n${result.output}\n`);
  if (result.code !== 0) {
    throw new KafkaStartError(
      `Formatting the Kafka ${version} storage failed (kafka.tools.StorageTool exited with ` +
        `${result.code ?? result.signal}). Log file: ${logFile}. Last output:\n${lastLines(result.output, 30)}`,
      { reason: 'format', logFile },
    );
  }
}
