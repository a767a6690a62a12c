/**
 * Abort reason of an attempt whose concurrency slot lease is no longer surely its own (gone from
 * Redis, expired while its worker stalled, or not renewable in time): its provider call is
 * abandoned and no other call is made, since another attempt may hold the slot now.
 */
export class ConcurrencySlotLost extends Error {
  constructor(executionId: string, why: string) {
    super(`execution ${executionId}: concurrency slot lost (${why})`);
    this.name = 'ConcurrencySlotLost';
  }
}
