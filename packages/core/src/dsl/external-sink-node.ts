import { TopologyError } from '../errors.js';
import type { ProcessorContext, ProcessorSupplier } from '../processor/processor.js';
import type { ExternalSink } from '../sink/external-sink.js';
import type { Serde } from '../serde/serde.js';
import type { KStream } from './kstream.js';

/** Forwards records the sink accepts; a record it refuses throws (and reaches the error handler). */
function checkRecords<K, V>(check: (key: K, value: V, timestamp: number) => void): ProcessorSupplier<K, V, K, V> {
  return () => {
    let context: ProcessorContext<K, V>;
    return {
      init(ctx) {
        context = ctx;
      },
      process(record) {
        check(record.key, record.value, record.timestamp);
        context.forward(record);
      },
    };
  };
}

/**
 * Adds the sink node of an external sink: the stream is written to the internal outbox topic
 * `<name>-outbox`, inside the task's transaction; the runtime's sink writers take it from there.
 */
export function addExternalSink<K, V>(stream: KStream<K, V>, sink: ExternalSink<K, V>): void {
  const { builder } = stream;
  if (!/^[A-Za-z0-9._-]+$/.test(sink.name)) {
    throw new TopologyError(`external sink name "${sink.name}" may only contain letters, digits, ".", "_" and "-"`);
  }
  const outboxTopic = `${sink.name}-outbox`;
  if (builder.graph.externalSinks.some((s) => s.outboxTopic === outboxTopic)) {
    throw new TopologyError(`two external sinks are named "${sink.name}"`, { context: { node: sink.name } });
  }
  const nodeName = builder.name('KSTREAM-EXTERNAL-SINK', sink.name);
  let parent = stream.nodeName;
  if (sink.check) {
    const check = sink.check.bind(sink);
    parent = `${nodeName}-check`;
    builder.addProcessor(parent, [stream.nodeName], checkRecords<K, V>(check));
  }
  builder.addSink({
    name: nodeName,
    parents: [parent],
    topic: outboxTopic,
    internal: true,
    keySerde: sink.keySerde as Serde<unknown>,
    valueSerde: sink.valueSerde as Serde<unknown>,
  });
  builder.graph.externalSinks.push({ sink: sink as ExternalSink<unknown, unknown>, outboxTopic, nodeName });
}
