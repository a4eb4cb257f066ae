import type { Logger } from '@weir/kafka';
import { type DestinationStream, type Logger as Pino, pino } from 'pino';
import type { CliLogLevel } from './run-config.js';

/**
 * A pino logger writing JSON lines to `destination` (default: standard error, synchronously, so
 * the last lines before an exit are not lost and standard output stays free for the CLI's own
 * output).
 */
export function createPino(level: CliLogLevel, destination?: DestinationStream): Pino {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // WeirApp logs errors under `error`; pino only serializes `err` by default.
      serializers: { error: pino.stdSerializers.err, err: pino.stdSerializers.err },
    },
    destination ?? pino.destination({ dest: 2, sync: true }),
  );
}

/** Adapts pino to WeirApp's `Logger` (message first, fields second; pino takes them the other way round). */
export function weirLogger(log: Pino): Logger {
  return {
    debug: (message, fields) => log.debug(fields ?? {}, message),
    info: (message, fields) => log.info(fields ?? {}, message),
    warn: (message, fields) => log.warn(fields ?? {}, message),
    error: (message, fields) => log.error(fields ?? {}, message),
  };
}
