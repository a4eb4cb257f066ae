import type { SourceOffsets } from '../commit.js';
import { AlreadyCommittedError, ContinuityError } from '../errors.js';
import type { TableState } from './table-state.js';

const OFFSET = /^\d+$/;

/** Checks the form of source offsets: `"<topic>:<partition>"` keys, integer strings, `from <= to`. */
export function checkSourceOffsets(sources: SourceOffsets): void {
  for (const [key, range] of Object.entries(sources)) {
    if (!/^.+:\d+$/.test(key)) throw new ContinuityError(`Source key "${key}" is not "<topic>:<partition>"`);
    if (!OFFSET.test(range?.from ?? '') || !OFFSET.test(range?.to ?? '')) {
      throw new ContinuityError(`Source ${key}: offsets must be non-negative integer strings, got ${JSON.stringify(range)}`);
    }
    if (BigInt(range.to) < BigInt(range.from)) {
      throw new ContinuityError(`Source ${key}: range ends before it starts (from ${range.from}, to ${range.to})`);
    }
  }
}

/**
 * The continuity rule of sink commits. For each source partition of `sources`, against the
 * position where the table's commits for it ended:
 * - no commit yet: any `from` starts it;
 * - `from` equals the committed `to`: the commit continues it (valid);
 * - `to` at or before the committed `to`: these offsets are in the table already;
 * - anything else is a gap or an overlap.
 *
 * @throws AlreadyCommittedError when every source partition is already committed (a replay)
 * @throws ContinuityError for a gap, an overlap, or a mix of committed and new partitions: the
 *   writer is a zombie (its partitions moved to another writer) or lost track of its offsets
 */
export function checkContinuity(table: string, state: TableState, sources: SourceOffsets): void {
  checkSourceOffsets(sources);
  const committed: string[] = [];
  const broken: string[] = [];
  let committedVersion = -1;
  const entries = Object.entries(sources);
  for (const [key, range] of entries) {
    const position = state.sources.get(key);
    if (position === undefined) continue;
    const from = BigInt(range.from);
    const to = BigInt(range.to);
    if (from === position.to) continue;
    if (to <= position.to) {
      committed.push(key);
      // The commit that holds exactly this range, when there is one; else the latest for the key.
      const exact = state.commits.find((c) => c.sources[key]?.from === range.from && c.sources[key]?.to === range.to);
      committedVersion = Math.max(committedVersion, exact?.version ?? position.version);
    } else {
      broken.push(
        `${key} from ${range.from} does not continue the committed position ${position.to} (commit ${position.version})`,
      );
    }
  }
  if (broken.length === 0 && committed.length > 0 && committed.length === entries.length) {
    throw new AlreadyCommittedError(
      `Source offsets already committed to table ${table} (commit ${committedVersion}): ${committed
        .map((key) => `${key} ${sources[key]!.from}..${sources[key]!.to}`)
        .join(', ')}`,
      committedVersion,
      { context: { file: table } },
    );
  }
  if (committed.length > 0) {
    broken.push(...committed.map((key) => `${key} ${sources[key]!.from}..${sources[key]!.to} is already committed`));
  }
  if (broken.length > 0) {
    throw new ContinuityError(`Commit to table ${table} breaks source continuity: ${broken.join('; ')}`, {
      context: { file: table },
    });
  }
}
