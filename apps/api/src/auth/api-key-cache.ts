import { AuthContext } from './auth.decorators';

/** While revocations cannot reach this process, no answer older than this is reused. */
export const UNSUBSCRIBED_TTL_MS = 1_000;
const MAX_ENTRIES = 10_000;

export interface ApiKeyCacheOptions {
  /** 0: every lookup goes to the loader. */
  ttlMs: number;
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  auth: AuthContext;
  // When the lookup that produced it started: a revocation after that is not in it.
  loadedAt: number;
}

type Loader = (hash: string) => Promise<AuthContext | null>;

/**
 * Key hash → the key's tenant and scopes, per API process. Only keys that exist are kept: an
 * unknown hash is looked up again next time, so a key created a moment ago is never refused
 * from here, and concurrent lookups of one hash share a single load, so a flood of one unknown
 * key costs no more than it did without a cache. Entries live `ttlMs` while the revocation
 * subscription is up, at most UNSUBSCRIBED_TTL_MS while it is not.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<AuthContext | null>>();
  private generation = 0;
  private subscribed = false;
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: ApiKeyCacheOptions) {
    this.ttlMs = options.ttlMs;
    this.maxEntries = options.maxEntries ?? MAX_ENTRIES;
    this.now = options.now ?? Date.now;
  }

  resolve(hash: string, load: Loader): Promise<AuthContext | null> {
    const cached = this.fresh(hash);
    if (cached) return Promise.resolve(cached);
    const pending = this.loading.get(hash);
    if (pending) return pending;
    const started = { at: this.now(), generation: this.generation };
    const result = load(hash)
      .then((auth) => {
        if (auth && this.ttlMs > 0 && started.generation === this.generation) {
          this.store(hash, { auth, loadedAt: started.at });
        }
        return auth;
      })
      .finally(() => {
        if (this.loading.get(hash) === result) this.loading.delete(hash);
      });
    this.loading.set(hash, result);
    return result;
  }

  forgetKey(apiKeyId: string): void {
    this.outdateLoads();
    for (const [hash, entry] of this.entries) {
      if (entry.auth.apiKeyId === apiKeyId) this.entries.delete(hash);
    }
  }

  /**
   * Follows the revocation subscription. Coming back, everything is dropped: revocations
   * published while it was down were missed.
   */
  setSubscribed(subscribed: boolean): void {
    if (subscribed && !this.subscribed) {
      this.outdateLoads();
      this.entries.clear();
    }
    this.subscribed = subscribed;
  }

  // Loads in flight may predate the change: their answers are neither cached nor shared.
  private outdateLoads() {
    this.generation += 1;
    this.loading.clear();
  }

  private fresh(hash: string): AuthContext | null {
    const entry = this.entries.get(hash);
    if (!entry) return null;
    const ttl = this.subscribed ? this.ttlMs : Math.min(this.ttlMs, UNSUBSCRIBED_TTL_MS);
    if (this.now() - entry.loadedAt < ttl) return entry.auth;
    this.entries.delete(hash);
    return null;
  }

  private store(hash: string, entry: Entry) {
    this.entries.delete(hash);
    if (this.entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: the first entry is the oldest.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(hash, entry);
  }
}
