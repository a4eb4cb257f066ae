import type { AvroSchema } from './avro-schema.js';

/**
 * Where Confluent-framed Avro finds its writer schemas: ids to schemas, and subjects to ids.
 *
 * A method may answer synchronously or with a Promise. `Serde.deserialize` is synchronous, so
 * the serde calls the registry only for an id it has not seen and caches the parsed schema and
 * its resolver from then on. A synchronous registry ({@link InMemorySchemaRegistry}) therefore
 * never stalls the hot path; with an asynchronous one (an HTTP client), resolve the ids ahead
 * of time with `ConfluentAvroSerde.prepare` or `prepareBatch` before the records are processed.
 */
export interface SchemaRegistry {
  /**
   * The schema registered under `id`.
   * @throws SchemaNotFoundError (or rejects with it) when the id is unknown
   */
  getSchema(id: number): AvroSchema | Promise<AvroSchema>;
  /**
   * Registers `schema` under `subject` and returns its id. Registering a schema the subject
   * already has returns the existing id (the registry's idempotent `POST /subjects/{subject}/versions`).
   * @throws IncompatibleSchemaError (or rejects with it) when the subject's compatibility rule refuses it
   */
  register(subject: string, schema: AvroSchema): number | Promise<number>;
}

/** What a subject name strategy is told about the record being serialized. */
export interface SubjectContext {
  /** The topic the record goes to. */
  topic: string;
  /** True for a key serde. */
  isKey: boolean;
  /** The full name of the schema's top-level record (`com.acme.Order`), when it is a named type. */
  recordName: string | undefined;
}

/** Chooses the registry subject of a record: Confluent's `subject.name.strategy`. */
export type SubjectNameStrategy = (context: SubjectContext) => string;

/** Confluent's built-in subject name strategies. */
export const SubjectNameStrategies = {
  /** `<topic>-key` or `<topic>-value`: one schema (and its versions) per topic. Confluent's default. */
  topic: (({ topic, isKey }) => `${topic}-${isKey ? 'key' : 'value'}`) as SubjectNameStrategy,
  /** The record's full name: one schema per record type, whatever the topic. */
  record: (({ recordName, topic }) => {
    if (recordName === undefined) throw new Error(`RecordNameStrategy needs a named schema (topic "${topic}")`);
    return recordName;
  }) as SubjectNameStrategy,
  /** `<topic>-<record full name>`: several record types per topic, each with its own versions. */
  topicRecord: (({ recordName, topic }) => {
    if (recordName === undefined) throw new Error(`TopicRecordNameStrategy needs a named schema (topic "${topic}")`);
    return `${topic}-${recordName}`;
  }) as SubjectNameStrategy,
} as const;
