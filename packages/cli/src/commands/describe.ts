import { type Command, Option } from 'commander';
import { loadTopology } from '../internal/load-topology.js';
import { type CliIo, write } from '../internal/output.js';

/** Options of `weir describe`. */
export interface DescribeOptions {
  format: 'text' | 'mermaid';
}

/**
 * Runs `weir describe`: loads the module's topology and prints `topology.describe()` (Kafka
 * Streams' TopologyDescription layout) or `describeMermaid()` (a Mermaid flowchart).
 * @throws UsageError when the module does not exist or exports no topology
 */
export async function describeTopology(file: string, options: DescribeOptions, io: CliIo): Promise<void> {
  const topology = await loadTopology(file);
  const text = options.format === 'mermaid' ? topology.describeMermaid() : topology.describe();
  await write(io.stdout, text.endsWith('\n') ? text : `${text}\n`);
}

/** Registers `weir describe <module>`. */
export function registerDescribe(program: Command, io: CliIo): void {
  program
    .command('describe')
    .summary("print a topology's sub-topologies, nodes, topics and stores")
    .description(
      'Loads <module> (JavaScript or TypeScript) and prints the topology it exports (default or `topology`: a Topology, ' +
        'or a function returning one or a Promise of one), as text or as a Mermaid flowchart.',
    )
    .argument('<module>', 'the module exporting the topology (.js, .mjs, .ts, .mts)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'mermaid']).default('text'))
    .action((file: string, options: DescribeOptions) => describeTopology(file, options, io));
}
