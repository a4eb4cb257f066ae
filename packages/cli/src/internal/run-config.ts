import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ProcessingGuarantee, WeirAppConfig } from '@weir/kafka';
import { UsageError } from '../errors.js';
import { splitList } from './options.js';

/** The log levels `--log-level` accepts: pino's. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** One of {@link LOG_LEVELS}. */
export type CliLogLevel = (typeof LOG_LEVELS)[number];

/** `weir run`'s flags, as commander parses them (all optional: the other layers fill in). */
export interface RunFlags {
  config?: string;
  applicationId?: string;
  brokers?: string[];
  stateDir?: string;
  guarantee?: string;
  commitIntervalMs?: number;
  metricsPort?: number;
  logLevel?: string;
}

/** Where a setting came from, for the start-up summary. */
export type Origin = 'default' | 'config file' | `env ${string}` | `--${string}`;

/** A setting and where it came from. */
export interface Setting<T> {
  value: T;
  origin: Origin;
}

/** The WeirApp fields a config file may set besides the ones with their own flag. */
type Extra = Pick<
  WeirAppConfig,
  | 'clientId'
  | 'connectTimeoutMs'
  | 'sessionTimeoutMs'
  | 'heartbeatIntervalMs'
  | 'rebalanceTimeoutMs'
  | 'maxCacheBytesPerStore'
  | 'maxBytesPerPartition'
  | 'repartitionPartitions'
  | 'repartitionPurgeIntervalMs'
  | 'replicationFactor'
  | 'runSinks'
>;

/** `weir run`'s configuration after merging defaults, the config file, the environment and flags. */
export interface RunConfig {
  applicationId: Setting<string>;
  brokers: Setting<string[]>;
  stateDir: Setting<string>;
  guarantee: Setting<ProcessingGuarantee>;
  /** Undefined: WeirApp's default for the guarantee (100 ms exactly-once, 30 s at-least-once). */
  commitIntervalMs: Setting<number | undefined>;
  /** Undefined: no metrics server. */
  metricsPort: Setting<number | undefined>;
  logLevel: Setting<CliLogLevel>;
  /** Other WeirApp settings from the config file. */
  extra: Extra;
}

/** The environment variables `weir run` reads, by setting. */
export const RUN_ENV = {
  brokers: 'WEIR_BROKERS',
  applicationId: 'WEIR_APPLICATION_ID',
  stateDir: 'WEIR_STATE_DIR',
  guarantee: 'WEIR_GUARANTEE',
  commitIntervalMs: 'WEIR_COMMIT_INTERVAL_MS',
  metricsPort: 'WEIR_METRICS_PORT',
  logLevel: 'WEIR_LOG_LEVEL',
} as const;

const GUARANTEES: readonly ProcessingGuarantee[] = ['exactly_once', 'at_least_once'];
const POSITIVE_INTEGER_KEYS = [
  'commitIntervalMs',
  'connectTimeoutMs',
  'sessionTimeoutMs',
  'heartbeatIntervalMs',
  'rebalanceTimeoutMs',
  'maxCacheBytesPerStore',
  'maxBytesPerPartition',
  'repartitionPartitions',
  'repartitionPurgeIntervalMs',
] as const;
const CONFIG_KEYS = [
  'applicationId',
  'brokers',
  'stateDir',
  'processingGuarantee',
  'metricsPort',
  'logLevel',
  'clientId',
  'replicationFactor',
  'runSinks',
  ...POSITIVE_INTEGER_KEYS,
];

/** The application id a module gets when none is configured: its file name, made a legal id. */
export function defaultApplicationId(module: string): string {
  const base = path.basename(module, path.extname(module)).replace(/[^A-Za-z0-9._-]/g, '-');
  return base === '' ? 'weir-app' : base;
}

function guarantee(value: unknown, where: string): ProcessingGuarantee {
  if (typeof value === 'string' && (GUARANTEES as readonly string[]).includes(value)) return value as ProcessingGuarantee;
  throw new UsageError(`${where} must be exactly_once or at_least_once, got ${JSON.stringify(value)}`);
}

function logLevel(value: unknown, where: string): CliLogLevel {
  if (typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value)) return value as CliLogLevel;
  throw new UsageError(`${where} must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(value)}`);
}

function integer(value: unknown, where: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    throw new UsageError(`${where} must be ${range}, got ${JSON.stringify(value)}`);
  }
  return n;
}

function text(value: unknown, where: string): string {
  if (typeof value === 'string' && value.trim() !== '') return value;
  throw new UsageError(`${where} must be a non-empty string, got ${JSON.stringify(value)}`);
}

function brokerList(value: unknown, where: string): string[] {
  const list = typeof value === 'string' ? splitList(value) : Array.isArray(value) && value.every((b) => typeof b === 'string') ? value : undefined;
  if (list === undefined || list.length === 0) {
    throw new UsageError(`${where} must be a list of host:port addresses (an array, or a comma-separated string), got ${JSON.stringify(value)}`);
  }
  return list;
}

/**
 * Reads a `--config` JSON file: an object with WeirAppConfig's keys (`applicationId`, `brokers`,
 * `stateDir`, `processingGuarantee`, `commitIntervalMs`, `connectTimeoutMs`, ...) plus
 * `metricsPort` and `logLevel`. Unknown keys are refused, so a typo does not go unnoticed. A
 * relative `stateDir` is relative to the file.
 * @throws UsageError naming the file, and the key when one is wrong
 */
export async function readConfigFile(file: string): Promise<Record<string, unknown>> {
  let source: string;
  try {
    source = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`no such config file: ${file}`);
    if (code === 'EISDIR') throw new UsageError(`config file ${file} is a directory`);
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch (error) {
    throw new UsageError(`config file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`config file ${file} must hold a JSON object`);
  const config = parsed as Record<string, unknown>;
  for (const key of Object.keys(config)) {
    if (!CONFIG_KEYS.includes(key)) throw new UsageError(`config file ${file}: unknown key "${key}"; known keys are ${CONFIG_KEYS.join(', ')}`);
  }
  if (typeof config.stateDir === 'string') config.stateDir = path.resolve(path.dirname(file), config.stateDir);
  return config;
}

/**
 * Merges `weir run`'s configuration: defaults < `--config` file < environment (`WEIR_*`) <
 * flags, checking each value where it comes from so an error names its source.
 *
 * @param module the topology module (its name is the default application id)
 * @throws UsageError naming the setting, its source and the bad value
 */
export async function resolveRunConfig(module: string, flags: RunFlags, env: NodeJS.ProcessEnv = process.env): Promise<RunConfig> {
  const file = flags.config === undefined ? {} : await readConfigFile(flags.config);
  const where = (key: string) => `config file ${flags.config}: "${key}"`;
  const fromEnv = (name: string) => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  // Each setting: the flag, else the environment, else the file, else the default.
  const pick = <T>(
    flag: T | undefined,
    flagName: string,
    envName: string,
    fromEnvValue: (raw: string, where: string) => T,
    fileKey: string,
    fromFile: (raw: unknown, where: string) => T,
    fallback: T,
  ): Setting<T> => {
    if (flag !== undefined) return { value: flag, origin: `--${flagName}` };
    const raw = fromEnv(envName);
    if (raw !== undefined) return { value: fromEnvValue(raw, envName), origin: `env ${envName}` };
    if (file[fileKey] !== undefined) return { value: fromFile(file[fileKey], where(fileKey)), origin: 'config file' };
    return { value: fallback, origin: 'default' };
  };

  const applicationId = pick(flags.applicationId, 'application-id', RUN_ENV.applicationId, text, 'applicationId', text, defaultApplicationId(module));
  const brokers = pick(flags.brokers, 'brokers', RUN_ENV.brokers, brokerList, 'brokers', brokerList, ['127.0.0.1:9092']);
  const chosenGuarantee = pick(
    flags.guarantee === undefined ? undefined : guarantee(flags.guarantee, '--guarantee'),
    'guarantee',
    RUN_ENV.guarantee,
    guarantee,
    'processingGuarantee',
    guarantee,
    'exactly_once' as ProcessingGuarantee,
  );
  const stateDir = pick(
    flags.stateDir === undefined ? undefined : path.resolve(flags.stateDir),
    'state-dir',
    RUN_ENV.stateDir,
    (raw) => path.resolve(raw),
    'stateDir',
    text,
    // WeirApp's own default, made explicit so the summary shows where state goes.
    path.join(tmpdir(), 'weir', applicationId.value),
  );
  const commitIntervalMs = pick<number | undefined>(
    flags.commitIntervalMs,
    'commit-interval-ms',
    RUN_ENV.commitIntervalMs,
    (raw, w) => integer(raw, w, 1),
    'commitIntervalMs',
    (raw, w) => integer(raw, w, 1),
    undefined,
  );
  const metricsPort = pick<number | undefined>(
    flags.metricsPort,
    'metrics-port',
    RUN_ENV.metricsPort,
    (raw, w) => integer(raw, w, 0, 65535),
    'metricsPort',
    (raw, w) => integer(raw, w, 0, 65535),
    undefined,
  );
  const level = pick(
    flags.logLevel === undefined ? undefined : logLevel(flags.logLevel, '--log-level'),
    'log-level',
    RUN_ENV.logLevel,
    logLevel,
    'logLevel',
    logLevel,
    'info' as CliLogLevel,
  );

  const extra: Record<string, unknown> = {};
  for (const key of POSITIVE_INTEGER_KEYS) {
    if (key !== 'commitIntervalMs' && file[key] !== undefined) extra[key] = integer(file[key], where(key), 1);
  }
  if (file.clientId !== undefined) extra.clientId = text(file.clientId, where('clientId'));
  if (file.replicationFactor !== undefined) {
    const factor = integer(file.replicationFactor, where('replicationFactor'), -1);
    if (factor === 0) throw new UsageError(`${where('replicationFactor')} must be -1 (the broker's default) or at least 1, got 0`);
    extra.replicationFactor = factor;
  }
  if (file.runSinks !== undefined) {
    if (typeof file.runSinks !== 'boolean') throw new UsageError(`${where('runSinks')} must be true or false, got ${JSON.stringify(file.runSinks)}`);
    extra.runSinks = file.runSinks;
  }
  return { applicationId, brokers, stateDir, guarantee: chosenGuarantee, commitIntervalMs, metricsPort, logLevel: level, extra: extra as Extra };
}
