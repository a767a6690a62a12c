import { ArgumentMetadata } from '@nestjs/common';
import { ApiError } from '../../common/api-errors';
import { createValidationPipe } from '../../common/validation.pipe';
import { CreateAgentDto } from './create-agent.dto';
import { UpdateAgentDto } from './update-agent.dto';

const pipe = createValidationPipe();

async function problems(metatype: ArgumentMetadata['metatype'], body: unknown) {
  try {
    await pipe.transform(body, { type: 'body', metatype });
    return [];
  } catch (error) {
    return (error as ApiError).details as { field: string; message: string }[];
  }
}

const fields = async (metatype: ArgumentMetadata['metatype'], body: unknown) =>
  (await problems(metatype, body)).map((problem) => problem.field);

const valid = { name: 'triage', role: 'Support triager', llmConfig: { model: 'gpt-4o-mini' } };

describe('CreateAgentDto validation', () => {
  it('accepts a minimal agent', async () => {
    expect(await problems(CreateAgentDto, valid)).toEqual([]);
  });

  it('names nested llmConfig fields, unknown keys included', async () => {
    const body = { ...valid, llmConfig: { model: 'm', temperature: 3, maxTokens: 0, seed: 1 } };
    expect(await fields(CreateAgentDto, body)).toEqual(
      expect.arrayContaining(['llmConfig.temperature', 'llmConfig.maxTokens', 'llmConfig.seed']),
    );
  });

  it('requires llmConfig with a model', async () => {
    expect(await fields(CreateAgentDto, { name: 'a', role: 'b' })).toContain('llmConfig');
    expect(await fields(CreateAgentDto, { ...valid, llmConfig: {} })).toEqual(['llmConfig.model']);
  });

  it('lists every bad field at once', async () => {
    const body = {
      name: '',
      role: 5,
      status: 'sleeping',
      maxConcurrency: 0,
      extra: true,
      llmConfig: { model: 'm', topP: 2 },
    };
    expect(await fields(CreateAgentDto, body)).toEqual(
      expect.arrayContaining([
        'name',
        'role',
        'status',
        'maxConcurrency',
        'extra',
        'llmConfig.topP',
      ]),
    );
  });

  it('refuses null for a field whose column cannot be null', async () => {
    expect(await fields(CreateAgentDto, { ...valid, status: null, providerId: null })).toEqual(
      expect.arrayContaining(['status', 'providerId']),
    );
  });
});

describe('UpdateAgentDto validation', () => {
  it('accepts an empty patch and nulls for the nullable fields', async () => {
    expect(await problems(UpdateAgentDto, {})).toEqual([]);
    expect(
      await problems(UpdateAgentDto, { backstory: null, maxConcurrency: null, space: null }),
    ).toEqual([]);
  });

  it('refuses null for required fields', async () => {
    expect(
      await fields(UpdateAgentDto, { name: null, llmConfig: null, enableMemory: null }),
    ).toEqual(expect.arrayContaining(['name', 'llmConfig', 'enableMemory']));
  });
});
