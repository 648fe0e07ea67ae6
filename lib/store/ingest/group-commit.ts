// Group commit. Small requests (up to MAX_SHARED_SPANS spans), and StartTraceV3 rows, that arrive while a write
// is in flight are written together in the next one (one transaction, one commit for all of them): with the
// Python client's one span per request, the per-transaction cost of PostgreSQL (round trip, locks, WAL flush)
// is shared by every request waiting at that moment. At most WRITERS (FLOWTRACE_INGEST_WRITERS, default 1)
// shared writes run at once: measured with 8 one-span senders, 1 writer gave 2,350 requests/s, 2 gave 1,850
// and 4 gave 700 (concurrent transactions contend on the trace rows' index pages). If a shared write fails,
// each of its requests is written again on its own, so one bad request never fails another. Bigger requests
// are batches already: each is written at once on its own connection, several in flight (512-span batches
// from 4 senders: 15,700 spans/s through one writer, 24,300 with two, more with one write per request).
//
// Where a shared write's time goes under bench:rest (8 TypeScript-SDK clients, ~4 requests a write, one write
// every ~2.1 ms): ~1.2 ms of execution (pg_stat_statements; roughly 0.5 ms of it is the same whatever the batch
// size), 0.35–0.8 ms of WAL flush (fdatasync, by strace on the backend) and ~0.3 ms before the event loop, busy
// with HTTP requests, picks the answer up. Tried, measured slower on this 2-core machine, and not kept:
// committing with synchronous_commit = off and flushing through a second connection before answering (a round
// trip more per write and smaller batches: 0.5 -> 1.35 transactions per trace, ~720 against ~825 traces/s);
// flushing only every other write (its requests wait for the next one: ~520 against ~700–900); two writers
// (0.93 transactions per trace, ~520–760). Even with the flush gone altogether (synchronous_commit = off, not
// durable) bench:rest gained only 14–25%: the writer's execution time is the thing to shrink.
import type { PoolClient } from "pg";
import { getIngestPool } from "../../db";
import { MixedExperiments } from "./trace-rollup";

/** An error that says the connection itself is unusable (not a statement's failure). */
const isConnectionError = (err: unknown) => {
  if (err instanceof MixedExperiments) return false;
  const code = (err as { code?: string })?.code;
  return !code || code.startsWith("08") || code.startsWith("57");
};

export function ingestWriters(): number {
  const v = Number(process.env.FLOWTRACE_INGEST_WRITERS);
  return Number.isInteger(v) && v > 0 ? v : 1;
}

/**
 * A group-commit writer: jobs pushed while a write is in flight wait for the next one, which takes as many as
 * `take` picks and writes them together (`write` settles each). At most `writers()` writes run at once, each
 * holding its connection while jobs keep coming (checking one out of the pool for every write cost ~0.15 ms
 * of the ~1.5 ms a write takes). If a write of several jobs fails, each is written again on its own
 * (`writeAlone`), so one bad request never fails another; without a connection every waiting job fails.
 */
export class GroupCommit<J extends { reject: (err: unknown) => void }> {
  private readonly queue: J[] = [];
  private running = 0;

  constructor(
    private readonly o: {
      writers: () => number;
      take: (queue: J[]) => J[];
      write: (jobs: J[], client: PoolClient) => Promise<void>;
      writeAlone: (job: J) => Promise<void>;
    },
  ) {}

  push(job: J): void {
    this.queue.push(job);
    if (this.running < this.o.writers()) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running++;
    let client: PoolClient | undefined;
    try {
      while (this.queue.length) {
        client ??= await getIngestPool().connect();
        const jobs = this.o.take(this.queue);
        try {
          await this.o.write(jobs, client);
        } catch (err) {
          if (isConnectionError(err)) {
            client.release(err as Error);
            client = undefined;
          }
          if (jobs.length === 1) {
            jobs[0].reject(err);
            continue;
          }
          for (const j of jobs) await this.o.writeAlone(j).catch(j.reject);
        }
      }
    } catch (err) {
      // no connection: every waiting request fails with it
      for (const j of this.queue.splice(0)) j.reject(err);
    } finally {
      client?.release();
      this.running--;
    }
  }
}
