import { z } from 'zod';

/** The limits of the attribution a submission, plan or schedule may carry (issue #28). */
export const ATTRIBUTION_LIMITS = {
  userChars: 256,
  tags: 10,
  tagChars: 64,
  metadataBytes: 8 * 1024,
} as const;

export const TAG_PATTERN = /^[A-Za-z0-9_.:/-]+$/;

/** An end-user id, like the `user` field of the OpenAI API. */
export const endUserSchema = z.string().min(1).max(ATTRIBUTION_LIMITS.userChars);

export const tagSchema = z
  .string()
  .min(1)
  .max(ATTRIBUTION_LIMITS.tagChars)
  .regex(TAG_PATTERN, 'letters, digits and _ . : / - only');

export const tagsSchema = z.array(tagSchema).max(ATTRIBUTION_LIMITS.tags);

/** A JSON object of at most 8 KiB, measured as its UTF-8 JSON text. */
export const metadataSchema = z
  .record(z.string(), z.unknown())
  .refine(
    (value) => Buffer.byteLength(JSON.stringify(value), 'utf8') <= ATTRIBUTION_LIMITS.metadataBytes,
    `at most ${ATTRIBUTION_LIMITS.metadataBytes} bytes as JSON`,
  );

/** Who ran an execution and how the caller labelled it; every field may be absent (null). */
export interface ExecutionAttribution {
  /** From authentication, never from a request body. */
  apiKeyId: string | null;
  user: string | null;
  tags: string[] | null;
  metadata: Record<string, unknown> | null;
}

export const NO_ATTRIBUTION: ExecutionAttribution = {
  apiKeyId: null,
  user: null,
  tags: null,
  metadata: null,
};

/**
 * The attribution to store from what a caller gave: an empty tag list or metadata object is
 * stored as none (null), so the partial indexes skip it; repeated tags are kept once.
 */
export function attributionOf(
  apiKeyId: string | null,
  given: {
    user?: string | null;
    tags?: string[] | null;
    metadata?: Record<string, unknown> | null;
  },
): ExecutionAttribution {
  const tags = given.tags ? [...new Set(given.tags)] : [];
  const metadata = given.metadata ?? null;
  return {
    apiKeyId,
    user: given.user ?? null,
    tags: tags.length > 0 ? tags : null,
    metadata: metadata && Object.keys(metadata).length > 0 ? metadata : null,
  };
}

/** Attribution columns as the insert statements take them (jsonb_to_recordset's names). */
export interface AttributionRecord {
  api_key_id: string | null;
  end_user: string | null;
  tags: string[] | null;
  metadata: Record<string, unknown> | null;
}

export function attributionRecord(
  attribution: ExecutionAttribution | undefined,
): AttributionRecord {
  const a = attribution ?? NO_ATTRIBUTION;
  return { api_key_id: a.apiKeyId, end_user: a.user, tags: a.tags, metadata: a.metadata };
}

/** The attribution of a stored row (executions, plans and schedules share the column names). */
export function attributionFromRecord(row: Partial<AttributionRecord>): ExecutionAttribution {
  return {
    apiKeyId: row.api_key_id ?? null,
    user: row.end_user ?? null,
    tags: row.tags ?? null,
    metadata: row.metadata ?? null,
  };
}
