import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Topology } from '@weir/core';
import { CliError, ExitCode, UsageError } from '../errors.js';

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts', '.tsx']);

let tsxRegistered = false;

/**
 * Teaches Node's module loader TypeScript, once per process, through tsx's ESM API.
 * `register()` (global hooks) rather than `tsImport()` (a private module namespace): the user's
 * module must share `@weir/core` and friends with the CLI, not load a second copy of them.
 */
async function registerTypeScript(): Promise<void> {
  if (tsxRegistered) return;
  const { register } = await import('tsx/esm/api');
  register();
  tsxRegistered = true;
}

/** The `type` of the package.json nearest to `file` (`'commonjs'` when there is none, as Node decides). */
async function packageType(file: string): Promise<string> {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(await fs.readFile(path.join(dir, 'package.json'), 'utf8')) as { type?: unknown };
      return typeof pkg.type === 'string' ? pkg.type : 'commonjs';
    } catch {
      // No (readable) package.json here: keep looking upwards, as Node does.
    }
    if (path.dirname(dir) === dir) return 'commonjs';
  }
}

/**
 * Structural check instead of `instanceof Topology`: a module may resolve its own copy of
 * `@weir/core` (another node_modules), whose Topology class is a different object.
 */
function isTopology(value: unknown): value is Topology {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Topology>;
  return typeof candidate.describe === 'function' && typeof candidate.describeMermaid === 'function' && Array.isArray(candidate.subtopologies);
}

/**
 * Loads a JavaScript or TypeScript module and returns the topology it exports: `default` or
 * `topology`, either a `Topology` or a function returning one (or a Promise of one).
 *
 * @param file the module path, relative to the working directory
 * @throws UsageError (exit 2) when the file does not exist or exports no topology
 * @throws CliError (exit 1) when the module throws while loading or building the topology
 */
export async function loadTopology(file: string): Promise<Topology> {
  const absolute = path.resolve(file);
  try {
    const stat = await fs.stat(absolute);
    if (!stat.isFile()) throw new UsageError(`${file} is not a file: give the path of a module exporting a topology`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`no such module: ${file}`);
    throw error;
  }
  if (TYPESCRIPT.has(path.extname(absolute))) await registerTypeScript();
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (error) {
    let message = `cannot load ${file}: ${(error as Error).message ?? String(error)}`;
    if (path.extname(absolute) === '.ts' || path.extname(absolute) === '.tsx') {
      // Node (and tsx) load a .ts file as CommonJS unless its package says "type": "module"; the
      // resulting errors (require cycles, "No exports main") do not say that this is the cause.
      if ((await packageType(absolute)) !== 'module') {
        message += ` (hint: ${file} is loaded as CommonJS because its package.json has no "type": "module", but Weir's packages are ES modules: add "type": "module" or rename it to .mts)`;
      }
    }
    throw new CliError(message, ExitCode.Failure, { cause: error });
  }
  const exported = module.default ?? module.topology;
  if (exported === undefined) {
    throw new UsageError(`${file} exports no topology: export default (or export const topology) a Topology, or a function returning one`);
  }
  let value: unknown = exported;
  if (typeof exported === 'function') {
    try {
      value = await (exported as () => unknown)();
    } catch (error) {
      throw new CliError(`building the topology of ${file} failed: ${(error as Error).message ?? String(error)}`, ExitCode.Failure, { cause: error });
    }
  }
  if (!isTopology(value)) {
    const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    throw new UsageError(`${file} exports ${typeof exported === 'function' ? 'a function returning ' : ''}${what}, not a Topology: export builder.build()`);
  }
  return value;
}

/** Counts for a start-up summary: sub-topologies, stores, sinks (topics and external sinks) and source topics. */
export function summarizeTopology(topology: Topology): { subtopologies: number; stores: string[]; sinks: string[]; sources: string[] } {
  const sinks = new Set<string>();
  const externalNodes = new Set(topology.externalSinks.map((s) => s.nodeName));
  for (const node of topology.nodes.values()) {
    if (node.kind !== 'sink' || node.internal || externalNodes.has(node.name)) continue;
    sinks.add(typeof node.topic === 'string' ? node.topic : `${node.name} (topic per record)`);
  }
  for (const sink of topology.externalSinks) sinks.add(`${sink.sink.name} (external)`);
  return {
    subtopologies: topology.subtopologies.length,
    stores: [...topology.stores.keys()],
    sinks: [...sinks],
    sources: topology.sourceTopics(),
  };
}
