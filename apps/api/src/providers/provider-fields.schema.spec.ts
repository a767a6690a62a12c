import {
  baseUrlSchema,
  modelPricingSchema,
  providerSettingsSchema,
} from './provider-fields.schema';

describe('baseUrlSchema', () => {
  it.each(['https://api.openai.com/v1', 'http://localhost:11434/v1', 'http://10.0.0.5:8000'])(
    'accepts %s',
    (url) => expect(baseUrlSchema.safeParse(url).success).toBe(true),
  );

  it.each([
    'ftp://example.com',
    'not a url',
    'https://user:pass@example.com/v1',
    'https://token@example.com',
    '',
  ])('refuses %p', (url) => expect(baseUrlSchema.safeParse(url).success).toBe(false));
});

describe('modelPricingSchema', () => {
  it('accepts decimal strings per model', () => {
    const pricing = { 'gpt-4o-mini': { inputPerMillion: '0.15', outputPerMillion: '0.6' } };
    expect(modelPricingSchema.safeParse(pricing).success).toBe(true);
  });

  it.each([
    { m: { inputPerMillion: 0.15, outputPerMillion: '0.6' } },
    { m: { inputPerMillion: '-1', outputPerMillion: '0.6' } },
    { m: { inputPerMillion: '1e3', outputPerMillion: '0.6' } },
    { m: { inputPerMillion: '1' } },
    { m: { inputPerMillion: '1', outputPerMillion: '1', extra: '1' } },
    { '': { inputPerMillion: '1', outputPerMillion: '1' } },
  ])('refuses %j', (pricing) => expect(modelPricingSchema.safeParse(pricing).success).toBe(false));
});

describe('providerSettingsSchema', () => {
  it('accepts an echo latency', () => {
    expect(providerSettingsSchema.safeParse({ latencyMs: 250 }).success).toBe(true);
  });

  it.each([{ latencyMs: -1 }, { latencyMs: 1.5 }, { latencyMs: '5' }, { latency: 5 }])(
    'refuses %j',
    (settings) => expect(providerSettingsSchema.safeParse(settings).success).toBe(false),
  );
});
