import { SerdeError, type Serde } from '@weir/core';
import type avro from 'avsc';
import type { AvroSchema } from './avro-schema.js';
import { tagAvroSchema } from './avro-schema-of.js';
import { asBuffer, decode, deserializeError, encode, type Resolver } from './internal/codec.js';
import { parseSchema } from './internal/parse.js';
import { resolverFor } from './internal/resolve.js';
import { frame, HEADER_LENGTH, headerProblem, schemaIdOf } from './internal/wire-format.js';
import { type SchemaRegistry, type SubjectNameStrategy, SubjectNameStrategies } from './schema-registry.js';

/** Options of {@link confluentAvroSerde}. */
export interface ConfluentAvroSerdeOptions {
  /** Where writer schemas are looked up by id, and where `schema` is registered. */
  registry: SchemaRegistry;
  /**
   * The schema values are written with and read into. Each record's writer schema is resolved
   * into it (added fields take their defaults, removed fields are skipped). Default: none;
   * values are then read in each record's own writer schema, and `serialize` throws.
   */
  schema?: AvroSchema;
  /** True for a key serde: the default subject ends in `-key`. Default: `false`. */
  isKey?: boolean;
  /**
   * The subject `schema` is registered under: a fixed name or a strategy. Default:
   * `SubjectNameStrategies.topic` (`<topic>-value`, `<topic>-key`), Confluent's default.
   */
  subject?: string | SubjectNameStrategy;
  /** Write this schema id instead of registering `schema`. Default: register on first use. */
  schemaId?: number;
}

/** What a Confluent Avro serde can be asked to resolve ahead of the synchronous hot path. */
export interface PrepareOptions {
  /** Topics about to be produced to: their subject's schema id is registered and cached. */
  topics?: readonly string[];
  /** Writer schema ids about to be read: fetched, parsed and resolved into the reader schema. */
  schemaIds?: readonly number[];
}

/**
 * A `Serde<T>` in the Confluent wire format, plus the asynchronous preparation that keeps its
 * synchronous `serialize`/`deserialize` free of registry round trips.
 */
export interface ConfluentAvroSerde<T> extends Serde<T> {
  /**
   * Resolves schema ids ahead of time. A failing schema id lookup does not reject: it is
   * remembered and reported by `deserialize` for each record that carries the id (so a poison
   * record goes to the deserialization error handler instead of stopping the batch), and is
   * retried by the next `prepare` that names it.
   * @throws (rejects) when a topic's schema cannot be registered: nothing could be produced
   */
  prepare(options: PrepareOptions): Promise<void>;
  /**
   * Prepares every schema id found in `values` (raw record values or keys, as received) that the
   * serde has not resolved yet. Cheap when nothing is missing: call it before processing each
   * batch when the registry answers asynchronously.
   */
  prepareBatch(values: Iterable<Uint8Array | null | undefined>): Promise<void>;
}

interface Reader {
  type: avro.Type;
  resolver: Resolver | undefined;
}

const LABEL = 'Confluent Avro serde';

function isPromise<V>(value: V | Promise<V>): value is Promise<V> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

class ConfluentAvroSerdeImpl<T> implements ConfluentAvroSerde<T> {
  private readonly registry: SchemaRegistry;
  private readonly schema: AvroSchema | undefined;
  private readonly type: avro.Type | undefined;
  private readonly subjectOf: (topic: string) => string;
  private readonly fixedId: number | undefined;
  // The hot path reads only these maps; the registry is asked once per id or topic.
  private readonly readers = new Map<number, Reader>();
  private readonly failures = new Map<number, unknown>();
  private readonly pending = new Map<number, Promise<void>>();
  private readonly idByTopic = new Map<string, number>();

  constructor(options: ConfluentAvroSerdeOptions) {
    const { registry, schema, isKey = false, subject = SubjectNameStrategies.topic, schemaId } = options;
    this.registry = registry;
    this.schema = schema;
    this.type = schema === undefined ? undefined : parseSchema(schema);
    const recordName = this.type?.name;
    this.subjectOf =
      typeof subject === 'string' ? () => subject : (topic) => subject({ topic, isKey, recordName });
    this.fixedId = schemaId;
  }

  serialize(topic: string, data: T | null): Uint8Array | null {
    if (data === null || data === undefined) return null;
    if (this.type === undefined) {
      throw new SerdeError(`${LABEL} has no schema to serialize with (topic "${topic}"): pass options.schema`, {
        context: { topic },
      });
    }
    const id = this.fixedId ?? this.idByTopic.get(topic) ?? this.registerNow(topic);
    return frame(id, encode(LABEL, this.type, topic, data));
  }

  deserialize(topic: string, data: Uint8Array | null): T | null {
    if (data === null || data === undefined) return null;
    const problem = headerProblem(data);
    if (problem !== undefined) throw deserializeError(LABEL, topic, data.byteLength, problem);
    const id = schemaIdOf(data);
    const reader = this.readers.get(id) ?? this.lookupNow(id, topic, data.byteLength);
    return decode(LABEL, reader.type, reader.resolver, topic, asBuffer(data), HEADER_LENGTH, `schema id ${id}`) as T;
  }

  async prepare(options: PrepareOptions): Promise<void> {
    const { topics = [], schemaIds = [] } = options;
    await Promise.all([
      ...schemaIds.map((id) => this.fetch(id)),
      ...topics.map(async (topic) => {
        if (this.fixedId !== undefined || this.idByTopic.has(topic) || this.schema === undefined) return;
        this.idByTopic.set(topic, await this.registry.register(this.subjectOf(topic), this.schema));
      }),
    ]);
  }

  prepareBatch(values: Iterable<Uint8Array | null | undefined>): Promise<void> {
    const missing = new Set<number>();
    for (const value of values) {
      if (value === null || value === undefined || headerProblem(value) !== undefined) continue;
      const id = schemaIdOf(value);
      if (!this.readers.has(id)) missing.add(id);
    }
    return missing.size === 0 ? Promise.resolve() : this.prepare({ schemaIds: [...missing] });
  }

  /** Registers the topic's subject synchronously, or explains why it cannot. */
  private registerNow(topic: string): number {
    let subject: string | undefined;
    let id: number | Promise<number>;
    try {
      subject = this.subjectOf(topic);
      id = this.registry.register(subject, this.schema!);
    } catch (cause) {
      const about = subject === undefined ? '' : ` under subject "${subject}"`;
      throw new SerdeError(`${LABEL} cannot register its schema${about} (topic "${topic}"): ${message(cause)}`, {
        cause,
        context: { topic },
      });
    }
    if (isPromise(id)) {
      // Nothing is started in the background: a rejected promise would go unnoticed.
      id.catch(() => {});
      throw new SerdeError(
        `${LABEL} has no schema id for subject "${subject}" yet (topic "${topic}"): the registry answers ` +
          `asynchronously, so await serde.prepare({ topics: ["${topic}"] }) before serializing`,
        { context: { topic } },
      );
    }
    this.idByTopic.set(topic, id);
    return id;
  }

  /** The reader for a schema id not seen yet, from a synchronous registry; else a SerdeError. */
  private lookupNow(id: number, topic: string, byteLength: number): Reader {
    const fail = (reason: string, cause?: unknown): SerdeError =>
      deserializeError(LABEL, topic, byteLength, reason, `schema id ${id}`, cause);
    if (this.failures.has(id)) {
      const failure = this.failures.get(id);
      throw fail(this.explain(id, failure), failure);
    }
    let schema: AvroSchema | Promise<AvroSchema>;
    try {
      schema = this.registry.getSchema(id);
    } catch (cause) {
      // Not remembered: the registry may learn the id later.
      throw fail(this.explain(id, cause), cause);
    }
    if (isPromise(schema)) {
      this.track(id, schema);
      throw fail(
        `schema id ${id} is not loaded yet: the registry answers asynchronously, so await ` +
          `serde.prepareBatch(values) or serde.prepare({ schemaIds: [${id}] }) before deserializing`,
      );
    }
    try {
      return this.install(id, schema);
    } catch (cause) {
      throw fail(this.explain(id, cause), cause);
    }
  }

  private explain(id: number, cause: unknown): string {
    const name = (cause as { name?: string } | null)?.name;
    if (name === 'SchemaNotFoundError') return `unknown schema id ${id} (${message(cause)})`;
    if (name === 'IncompatibleSchemaError') return `the serde's schema cannot read schema id ${id}: ${message(cause)}`;
    return `schema id ${id} is unusable: ${message(cause)}`;
  }

  /** Parses a writer schema and resolves it into the reader schema; a failure is remembered. */
  private install(id: number, schema: AvroSchema): Reader {
    try {
      const writer = parseSchema(schema);
      const reader: Reader =
        this.type === undefined
          ? { type: writer, resolver: undefined }
          : { type: this.type, resolver: resolverFor(this.type, writer) };
      this.readers.set(id, reader);
      this.failures.delete(id);
      return reader;
    } catch (cause) {
      // A schema that does not parse or resolve will not start to.
      this.failures.set(id, cause);
      throw cause;
    }
  }

  private track(id: number, schema: Promise<AvroSchema>): Promise<void> {
    const existing = this.pending.get(id);
    if (existing !== undefined) return existing;
    const done = schema
      .then(
        (resolved) => void this.install(id, resolved),
        (cause: unknown) => void this.failures.set(id, cause),
      )
      .catch(() => {}) // install failures are already remembered
      .finally(() => this.pending.delete(id));
    this.pending.set(id, done);
    return done;
  }

  private async fetch(id: number): Promise<void> {
    if (this.readers.has(id)) return;
    const pending = this.pending.get(id);
    if (pending !== undefined) return pending;
    this.failures.delete(id);
    let schema: AvroSchema | Promise<AvroSchema>;
    try {
      schema = this.registry.getSchema(id);
    } catch (cause) {
      this.failures.set(id, cause);
      return;
    }
    if (isPromise(schema)) return this.track(id, schema);
    try {
      this.install(id, schema);
    } catch {
      // remembered by install; reported per record
    }
  }
}

/**
 * Avro in the Confluent wire format: magic byte `0`, the writer schema's registry id as a 4-byte
 * big-endian int, then the Avro binary datum. Interoperates with Confluent's KafkaAvroSerializer
 * and KafkaAvroDeserializer. Stateless apart from its schema caches.
 *
 * Deserializing reads the writer schema id from each record, fetches that schema from the
 * registry the first time, and resolves it into `schema` (cached per id), so a topic holding
 * several compatible versions reads as one type. Serializing registers `schema` under the
 * subject of the topic the first time (or writes `schemaId`). Both calls are synchronous; with a
 * registry that answers with Promises, call `prepare`/`prepareBatch` first (see
 * {@link ConfluentAvroSerde}). JS values are those of {@link avroSerde}.
 *
 * @returns a {@link ConfluentAvroSerde}; `null` passes through as a tombstone
 * @throws InvalidSchemaError when `schema` does not parse
 * @example
 * ```ts
 * const registry = new InMemorySchemaRegistry();
 * const orders = confluentAvroSerde<Order>({ registry, schema: orderSchema });
 * const bytes = orders.serialize('orders', order); // registers subject "orders-value"
 * orders.deserialize('orders', bytes); // 0x00, id, Avro body -> Order
 * ```
 */
export function confluentAvroSerde<T>(options: ConfluentAvroSerdeOptions): ConfluentAvroSerde<T> {
  // Tagged with the reader schema (values always have its shape) for `avroSchemaOf`.
  return tagAvroSchema(new ConfluentAvroSerdeImpl<T>(options), options.schema);
}

/**
 * The schema id of a Confluent-framed record, or `undefined` when `data` has no valid header:
 * for tooling (dead-letter inspection, routing by schema) that must not decode the value.
 */
export function confluentSchemaId(data: Uint8Array): number | undefined {
  return headerProblem(data) === undefined ? schemaIdOf(data) : undefined;
}
