import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KafkaStartError } from '../errors.js';
import { kafkaVersionDir } from './paths.js';
import { lastLines, runProcess } from './process-output.js';

/** Pinned so the fetch behaves the same with any Maven 3 (Maven 3.8's default plugin is 2.8). */
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

/**
 * The SLF4J 1.x binding to log4j2. kafka_2.13's pom brings log4j-api and log4j-core but no
 * binding (the binary distribution adds it), and without one the broker's own SLF4J loggers are
 * silent, so a failed start would leave an empty log.
 */
const LOG4J_SLF4J_BINDING = { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-slf4j-impl', version: '2.24.3' };

/** Options of {@link ensureKafkaJars}. */
export interface EnsureKafkaJarsOptions {
  /** The Apache Kafka version, e.g. '4.1.1'. */
  version: string;
  /** The cache root; jars land in `<cacheRoot>/kafka-<version>/lib`. */
  cacheRoot: string;
  /** The Maven executable, used only when the jars are not cached yet. */
  mavenPath: string;
  /** How long Maven may take to download everything. */
  timeoutMs: number;
}

/** A pom whose only purpose is to resolve the broker's runtime classpath. */
export function fetchPom(version: string): string {
  const dependency = (groupId: string, artifactId: string, v: string) =>
    `    <dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId><version>${v}</version></dependency>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<project xmlns="http://maven.apache.org/POM/4.0.0">',
    '  <modelVersion>4.0.0</modelVersion>',
    '  <groupId>dev.weir.testkit</groupId>',
    `  <artifactId>kafka-${version}-classpath</artifactId>`,
    '  <version>1</version>',
    '  <packaging>pom</packaging>',
    '  <dependencies>',
    dependency('org.apache.kafka', 'kafka_2.13', version),
    dependency(LOG4J_SLF4J_BINDING.groupId, LOG4J_SLF4J_BINDING.artifactId, LOG4J_SLF4J_BINDING.version),
    '  </dependencies>',
    '</project>',
    '',
  ].join('\n');
}

/** The lib directory of a cached version, or undefined if that version is not (fully) cached. */
export function cachedLibDir(cacheRoot: string, version: string): string | undefined {
  const lib = join(kafkaVersionDir(cacheRoot, version), 'lib');
  // lib/ appears only by an atomic rename of a finished download, so its existence means complete.
  return existsSync(join(lib, `kafka_2.13-${version}.jar`)) ? lib : undefined;
}

/**
 * Makes sure the jars of Apache Kafka `version` are in the cache and returns their directory.
 * On a cache miss, Maven resolves `org.apache.kafka:kafka_2.13:<version>` with its runtime
 * dependencies from Maven Central into a private directory that is then renamed into place, so
 * concurrent callers never see a half-filled cache (the loser of the rename discards its copy).
 *
 * @throws KafkaStartError with reason 'maven' when Maven is missing or the download fails
 */
export async function ensureKafkaJars(options: EnsureKafkaJarsOptions): Promise<string> {
  const { version, cacheRoot, mavenPath, timeoutMs } = options;
  const cached = cachedLibDir(cacheRoot, version);
  if (cached !== undefined) return cached;

  // Said once per machine and version, so a first run that pauses for a download explains itself.
  process.stderr.write(`[weir-testkit] Fetching Apache Kafka ${version} with Maven into ${kafkaVersionDir(cacheRoot, version)} (once)\n`);
  const versionDir = kafkaVersionDir(cacheRoot, version);
  const workDir = join(versionDir, `fetch-${process.pid}-${randomBytes(4).toString('hex')}`);
  const libDir = join(versionDir, 'lib');
  await mkdir(workDir, { recursive: true });
  try {
    await writeFile(join(workDir, 'pom.xml'), fetchPom(version));
    const args = [
      '-B',
      '-q',
      '-f',
      join(workDir, 'pom.xml'),
      `${DEPENDENCY_PLUGIN}:copy-dependencies`,
      '-DincludeScope=runtime',
      `-DoutputDirectory=${join(workDir, 'lib')}`,
    ];
    let result: Awaited<ReturnType<typeof runProcess>>;
    try {
      result = await runProcess(mavenPath, args, { cwd: workDir, timeoutMs });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new KafkaStartError(
        `Maven not found: could not run "${mavenPath}" (${code}). It is needed once, to fetch ` +
          `Apache Kafka ${version} from Maven Central into ${libDir}. Install Maven (mvn), pass ` +
          'the mavenPath option, or point WEIR_KAFKA_CACHE at a cache that already holds the jars.',
        { reason: 'maven', cause: error },
      );
    }
    if (result.code !== 0) {
      const how = result.signal !== null ? `was killed (${result.signal}, timeout ${timeoutMs} ms)` : `exited with ${result.code}`;
      throw new KafkaStartError(
        `Maven failed to fetch org.apache.kafka:kafka_2.13:${version} into ${libDir}: ` +
          `"${mavenPath} ${args.join(' ')}" ${how}. Last output:\n${lastLines(result.output, 30)}`,
        { reason: 'maven' },
      );
    }
    const jars = await readdir(join(workDir, 'lib'));
    if (!jars.includes(`kafka_2.13-${version}.jar`)) {
      throw new KafkaStartError(
        `Maven finished but kafka_2.13-${version}.jar is not among the ${jars.length} fetched jars in ${workDir}.`,
        { reason: 'maven' },
      );
    }
    try {
      await rename(join(workDir, 'lib'), libDir);
    } catch (error) {
      // Another process cached the same version first: use its copy.
      if (cachedLibDir(cacheRoot, version) === undefined) throw error;
    }
    return libDir;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
