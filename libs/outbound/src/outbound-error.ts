export type OutboundErrorCode =
  'destination_refused' | 'destination_unresolved' | 'redirect_refused' | 'response_too_large';

/** An outbound request the policy stopped; never worth retrying as is. */
export class OutboundError extends Error {
  constructor(
    readonly code: OutboundErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'OutboundError';
  }
}

/** The OutboundError anywhere in `error`'s cause chain (fetch and the SDKs wrap it). */
export function findOutboundError(error: unknown): OutboundError | null {
  for (let current = error, depth = 0; current && depth < 8; depth += 1) {
    if (current instanceof OutboundError) return current;
    current = current instanceof Error ? current.cause : undefined;
  }
  return null;
}
