import { WeirError } from '@weir/core';
import type avro from 'avsc';
import type { AvroSchema } from './avro-schema.js';
import { IncompatibleSchemaError, SchemaNotFoundError } from './errors.js';
import { compatibilityIssues } from './internal/compatibility.js';
import { parseSchema, schemaText } from './internal/parse.js';
import type { SchemaRegistry } from './schema-registry.js';

/** Options of {@link InMemorySchemaRegistry}. */
export interface InMemorySchemaRegistryOptions {
  /**
   * The rule `register` applies against a subject's latest version: `'BACKWARD'` (new readers
   * read old data, see `checkCompatible`) or `'NONE'`. Default: `'BACKWARD'`, the Confluent default.
   */
  compatibility?: 'BACKWARD' | 'NONE';
}

/** One version of a subject. */
export interface RegisteredSchema {
  subject: string;
  /** 1 for the subject's first schema, then 2, 3, ... */
  version: number;
  /** The registry-wide id written in the Confluent header. */
  id: number;
  schema: AvroSchema;
}

interface Entry {
  schema: AvroSchema;
  type: avro.Type;
  text: string;
}

/**
 * A schema registry in memory, answering synchronously: for tests, the TestDriver, and apps whose
 * schemas are known up front. Behaves like Confluent's: ids are registry-wide and shared by equal
 * schemas across subjects, each subject keeps numbered versions, registering an existing schema
 * returns its id, and a new version must pass the compatibility rule.
 *
 * To read a topic written through a remote registry without an HTTP call on the hot path, copy
 * its schemas in with {@link InMemorySchemaRegistry.add} under their real ids before starting.
 *
 * @example
 * ```ts
 * const registry = new InMemorySchemaRegistry();
 * const id = registry.register('orders-value', orderSchemaV1); // 1
 * registry.add(42, schemaFetchedElsewhere); // known id from a remote registry
 * const orders = confluentAvroSerde<Order>({ registry, schema: orderSchemaV2 });
 * ```
 */
export class InMemorySchemaRegistry implements SchemaRegistry {
  private readonly compatibility: 'BACKWARD' | 'NONE';
  private readonly byId = new Map<number, Entry>();
  private readonly idByText = new Map<string, number>();
  private readonly bySubject = new Map<string, RegisteredSchema[]>();
  private nextId = 1;

  constructor(options: InMemorySchemaRegistryOptions = {}) {
    const { compatibility = 'BACKWARD' } = options;
    this.compatibility = compatibility;
  }

  /**
   * The schema with registry id `id`, synchronously.
   * @throws SchemaNotFoundError when no schema has that id
   */
  getSchema(id: number): AvroSchema {
    const entry = this.byId.get(id);
    if (entry === undefined) throw new SchemaNotFoundError(`No schema with id ${id} in the registry`);
    return entry.schema;
  }

  /**
   * Registers `schema` as the next version of `subject` and returns its id; a schema the subject
   * already has returns its existing id, and a schema registered under another subject keeps its id.
   * @throws IncompatibleSchemaError when the compatibility rule refuses it, naming the fields
   * @throws InvalidSchemaError when the schema does not parse
   */
  register(subject: string, schema: AvroSchema): number {
    const entry = this.entry(schema);
    const versions = this.bySubject.get(subject) ?? [];
    const existing = versions.find((v) => this.byId.get(v.id)?.text === entry.text);
    if (existing !== undefined) return existing.id;
    const latest = versions.at(-1);
    if (latest !== undefined && this.compatibility === 'BACKWARD') {
      // Confluent's BACKWARD: the new schema reads what the latest one wrote.
      const issues = compatibilityIssues(entry.type, this.byId.get(latest.id)!.type);
      if (issues.length > 0) throw new IncompatibleSchemaError(issues, { subject });
    }
    const id = this.idByText.get(entry.text) ?? this.nextId++;
    this.store(id, entry);
    versions.push({ subject, version: versions.length + 1, id, schema: entry.schema });
    this.bySubject.set(subject, versions);
    return id;
  }

  /**
   * Adds a schema under a known id, as copied from another registry; with `subject`, also as that
   * subject's next version (no compatibility check: the source registry made it). Ids that
   * `register` hands out later stay above every added id.
   * @throws WeirError when `id` already holds a different schema
   * @returns this registry, for chaining
   */
  add(id: number, schema: AvroSchema, subject?: string): this {
    if (!Number.isInteger(id)) throw new WeirError(`Schema id must be an integer, got ${id}`);
    const entry = this.entry(schema);
    const current = this.byId.get(id);
    if (current !== undefined && current.text !== entry.text) {
      throw new WeirError(`Schema id ${id} is already registered with a different schema`);
    }
    this.store(id, entry);
    this.nextId = Math.max(this.nextId, id + 1);
    if (subject !== undefined) {
      const versions = this.bySubject.get(subject) ?? [];
      if (!versions.some((v) => v.id === id)) {
        versions.push({ subject, version: versions.length + 1, id, schema: entry.schema });
      }
      this.bySubject.set(subject, versions);
    }
    return this;
  }

  /** The latest version of `subject`, or `undefined` when it has none. */
  latest(subject: string): RegisteredSchema | undefined {
    return this.bySubject.get(subject)?.at(-1);
  }

  /** Every version of `subject`, oldest first. */
  versions(subject: string): readonly RegisteredSchema[] {
    return this.bySubject.get(subject) ?? [];
  }

  /** Every subject with at least one version, in registration order. */
  subjects(): string[] {
    return [...this.bySubject.keys()];
  }

  private entry(schema: AvroSchema): Entry {
    const type = parseSchema(schema);
    // A copy: the caller may go on to mutate the object it registered.
    return { schema: structuredClone(schema) as AvroSchema, type, text: schemaText(type) };
  }

  private store(id: number, entry: Entry): void {
    if (!this.byId.has(id)) this.byId.set(id, entry);
    if (!this.idByText.has(entry.text)) this.idByText.set(entry.text, id);
  }
}
