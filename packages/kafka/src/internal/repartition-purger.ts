import type { Admin } from 'kafkajs';
import type { Logger } from '../logger.js';
import { topicPartitionKey } from './commit-sender.js';

/** What the purger needs of a task: which topics it reads, and where its last commit left them. */
export interface PurgeableTask {
  readonly taskId: { readonly partition: number };
  readonly sourceTopics: readonly string[];
  committedPosition(topic: string): bigint | undefined;
}

/**
 * Deletes the records of repartition topics that the app committed as consumed, as Kafka
 * Streams does after its commits (`repartition.purge.interval.ms`).
 *
 * Why: a repartition topic is read only by this app, and its records are never needed again once
 * the task that reads them committed past them (restore replays changelogs, not repartition
 * topics). Weir creates repartition topics with unlimited retention, so that an app stopped for
 * longer than a time limit loses nothing; without purging they would grow forever.
 *
 * Safe at any moment: a task's committed position only moves after its transaction committed,
 * and the group's committed offset is at or past it, so the next owner of the task never needs
 * a purged record. Purges run in the background, one at a time; a failed one is retried at the
 * next interval.
 */
export class RepartitionPurger {
  private lastRun = Date.now();
  private running: Promise<void> | undefined;
  /** Offset each topic-partition was last purged to, so that an idle partition costs no request. */
  private readonly purgedTo = new Map<string, bigint>();

  constructor(
    private readonly admin: Admin,
    /** Full names of the repartition topics to purge. */
    private readonly topics: ReadonlySet<string>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  /** After a commit: purges what `tasks` committed, if the interval has passed and no purge is running. */
  afterCommit(tasks: Iterable<PurgeableTask>): void {
    if (this.topics.size === 0 || this.running || Date.now() - this.lastRun < this.intervalMs) return;
    this.lastRun = Date.now();
    const byTopic = new Map<string, Array<{ partition: number; offset: string }>>();
    const targets: Array<[string, bigint]> = [];
    for (const task of tasks) {
      for (const topic of task.sourceTopics) {
        if (!this.topics.has(topic)) continue;
        const offset = task.committedPosition(topic);
        const key = topicPartitionKey(topic, task.taskId.partition);
        if (offset === undefined || offset <= (this.purgedTo.get(key) ?? 0n)) continue;
        byTopic.set(topic, [...(byTopic.get(topic) ?? []), { partition: task.taskId.partition, offset: offset.toString() }]);
        targets.push([key, offset]);
      }
    }
    if (byTopic.size === 0) return;
    this.running = (async () => {
      for (const [topic, partitions] of byTopic) await this.admin.deleteTopicRecords({ topic, partitions });
      for (const [key, offset] of targets) this.purgedTo.set(key, offset);
    })()
      .catch((error: unknown) => {
        this.logger.warn('purging consumed repartition records failed; retrying at the next interval', { error: (error as Error).message });
      })
      .finally(() => {
        this.running = undefined;
      });
  }

  /** Waits for the purge in flight, if any (before the admin client disconnects). */
  async drain(): Promise<void> {
    await this.running;
  }
}
