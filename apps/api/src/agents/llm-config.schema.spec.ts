import { getMetadataStorage } from 'class-validator';
import { LlmConfigDto } from './dto/llm-config.dto';
import { llmConfigSchema } from './llm-config.schema';

describe('llmConfigSchema', () => {
  it('accepts a full config', () => {
    const config = {
      model: 'gpt-4o-mini',
      temperature: 0.2,
      maxTokens: 512,
      topP: 0.9,
      stop: ['\n\n'],
    };
    expect(llmConfigSchema.parse(config)).toEqual(config);
  });

  it('needs only a model', () => {
    expect(llmConfigSchema.safeParse({ model: 'claude-sonnet-4-5' }).success).toBe(true);
  });

  it.each([
    [{}, 'model'],
    [{ model: '   ' }, 'model'],
    [{ model: 'm', temperature: 2.5 }, 'temperature'],
    [{ model: 'm', temperature: -0.1 }, 'temperature'],
    [{ model: 'm', maxTokens: 0 }, 'maxTokens'],
    [{ model: 'm', maxTokens: 200_001 }, 'maxTokens'],
    [{ model: 'm', maxTokens: 10.5 }, 'maxTokens'],
    [{ model: 'm', topP: 1.5 }, 'topP'],
    [{ model: 'm', stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop'],
    [{ model: 'm', temperature: '0.5' }, 'temperature'],
  ])('refuses %j at %s', (config, field) => {
    const result = llmConfigSchema.safeParse(config);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path[0])).toContain(field);
  });

  it('refuses unknown keys', () => {
    expect(llmConfigSchema.safeParse({ model: 'm', temprature: 0.5 }).success).toBe(false);
  });

  it('is exactly what LlmConfigDto declares, so the two cannot drift apart', () => {
    const declared = getMetadataStorage()
      .getTargetValidationMetadatas(LlmConfigDto, '', true, false)
      .map((metadata) => metadata.propertyName);
    expect(new Set(declared)).toEqual(new Set(Object.keys(llmConfigSchema.shape)));
  });
});
