import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnModuleInit,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { DataSource } from 'typeorm';

/**
 * Keeps api_keys.last_used_at off the request path: a request only notes its key in memory, and
 * every AUTH_LAST_USED_INTERVAL_MS one statement writes the keys used since, so a key's row is
 * written at most once per interval per API process.
 */
@Injectable()
export class ApiKeyUsage implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(ApiKeyUsage.name);
  private readonly intervalMs: number;
  // Key id → time of its latest use (epoch ms) since the last write.
  private pending = new Map<string, number>();
  private writing: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.intervalMs = config.auth.lastUsedIntervalMs;
  }

  onModuleInit() {
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  record(apiKeyId: string, at = Date.now()): void {
    this.pending.set(apiKeyId, at);
  }

  /** Writes the uses noted so far; calls queue behind a write in progress. */
  flush(): Promise<void> {
    this.writing = this.writing.then(() => this.write());
    return this.writing;
  }

  private async write() {
    if (this.pending.size === 0) return;
    const uses = this.pending;
    this.pending = new Map();
    try {
      await this.dataSource.query(
        `SELECT agentq_record_api_key_use($1::uuid[], $2::timestamptz[])`,
        [[...uses.keys()], [...uses.values()].map((at) => new Date(at).toISOString())],
      );
    } catch (error) {
      // Kept for the next interval; a newer use noted meanwhile wins.
      for (const [id, at] of uses) if (!this.pending.has(id)) this.pending.set(id, at);
      this.logger.warn(
        `last_used_at of ${uses.size} key(s) not written: ${(error as Error).message}`,
      );
    }
  }

  async beforeApplicationShutdown() {
    clearInterval(this.timer);
    await this.flush();
  }
}
