import type { Message } from 'kafkajs';

/** Most records per produce request. */
const MAX_MESSAGES = 1_000;
/** Most key and value bytes per produce request: well under the broker's 1 MiB default batch limit. */
const MAX_BYTES = 512 * 1024;

function size(message: Message): number {
  const bytes = (value: Message['key'] | Message['value']) =>
    value === null || value === undefined ? 0 : typeof value === 'string' ? Buffer.byteLength(value) : value.byteLength;
  return bytes(message.key) + bytes(message.value) + 64;
}

/**
 * Splits a commit's records into produce requests of bounded size. One request per commit would
 * put a partition's records into one record batch, which the broker refuses above
 * `max.message.bytes`, and kafkajs groups large sends per partition in quadratic time.
 */
export function* chunkMessages(records: ReadonlyArray<{ topic: string; messages: Message[] }>): Iterable<{ topic: string; messages: Message[] }> {
  for (const { topic, messages } of records) {
    let chunk: Message[] = [];
    let bytes = 0;
    for (const message of messages) {
      const n = size(message);
      if (chunk.length > 0 && (chunk.length >= MAX_MESSAGES || bytes + n > MAX_BYTES)) {
        yield { topic, messages: chunk };
        chunk = [];
        bytes = 0;
      }
      chunk.push(message);
      bytes += n;
    }
    if (chunk.length > 0) yield { topic, messages: chunk };
  }
}
