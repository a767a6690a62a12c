import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export const PROVIDER_TYPES = ['openai', 'anthropic', 'openai-compatible', 'echo'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

/** USD per million tokens, as decimal strings, keyed by model name. */
export type ModelPricing = Record<string, { inputPerMillion: string; outputPerMillion: string }>;

/** Limits agentq keeps to when calling a provider, across every worker; absent: no limit. */
export interface ProviderRateLimit {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

@Entity('llm_providers')
export class LlmProvider {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') tenantId!: string;
  @Column('text') name!: string;
  @Column('text') type!: ProviderType;
  @Column('text', { nullable: true }) baseUrl!: string | null;
  /** AES-256-GCM envelope, see @agentq/crypto; null for providers without a key (echo). */
  @Column('text', { nullable: true }) apiKeyCiphertext!: string | null;
  @Column('text', { nullable: true }) apiKeyLast4!: string | null;
  @Column('boolean', { default: false }) isDefault!: boolean;
  @Column('boolean', { default: true }) isActive!: boolean;
  /** Per-model price overrides for this provider. */
  @Column('jsonb', { nullable: true }) pricing!: ModelPricing | null;
  @Column('jsonb', { nullable: true }) rateLimit!: ProviderRateLimit | null;
  /** Provider-specific options (echo latency, extra headers, ...). */
  @Column('jsonb', { default: () => "'{}'" }) settings!: Record<string, unknown>;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
