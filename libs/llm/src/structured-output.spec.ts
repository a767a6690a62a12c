import { ResponseFormat } from '@agentq/database';
import { jsonSchemaProblem, parseStructuredAnswer, repairMessages } from './structured-output';

const weather: ResponseFormat = {
  type: 'json_schema',
  name: 'weather',
  schema: {
    type: 'object',
    properties: { city: { type: 'string' }, celsius: { type: 'number' } },
    required: ['city', 'celsius'],
    additionalProperties: false,
  },
};

describe('structured output', () => {
  it('accepts a JSON Schema and names what is wrong with one that is not', () => {
    expect(jsonSchemaProblem(weather.schema)).toBeNull();
    expect(jsonSchemaProblem({ type: 'object', properties: { a: { type: 'strng' } } })).toMatch(
      /not a valid JSON Schema/,
    );
    expect(jsonSchemaProblem({ $ref: '#/definitions/missing' })).toMatch(/not a usable/);
  });

  it('takes two different schemas with the same $id', () => {
    const a = { $id: 'https://example.com/s.json', type: 'string' };
    const b = { $id: 'https://example.com/s.json', type: 'number' };
    expect(jsonSchemaProblem(a)).toBeNull();
    expect(jsonSchemaProblem(b)).toBeNull();
    const format = (schema: Record<string, unknown>) => ({ ...weather, schema });
    expect(parseStructuredAnswer('"x"', format(a)).ok).toBe(true);
    expect(parseStructuredAnswer('1', format(b)).ok).toBe(true);
    expect(parseStructuredAnswer('1', format(a)).ok).toBe(false);
  });

  it('parses a valid answer, also inside a Markdown code fence', () => {
    expect(parseStructuredAnswer('{"city":"Paris","celsius":21}', weather)).toEqual({
      ok: true,
      value: { city: 'Paris', celsius: 21 },
    });
    expect(parseStructuredAnswer('```json\n{"city":"Oslo","celsius":-3}\n```', weather)).toEqual({
      ok: true,
      value: { city: 'Oslo', celsius: -3 },
    });
  });

  it('explains an answer that is not JSON', () => {
    const answer = parseStructuredAnswer('It is sunny in Paris.', weather);
    expect(answer).toMatchObject({ ok: false, problem: expect.stringMatching(/not JSON/) });
  });

  it('lists every schema violation of an answer', () => {
    const answer = parseStructuredAnswer('{"city":7,"extra":true}', weather);
    expect(answer.ok).toBe(false);
    const { problem } = answer as { problem: string };
    expect(problem).toContain('answer/city must be string');
    expect(problem).toContain("must have required property 'celsius'");
    expect(problem).toContain('must NOT have additional properties');
  });

  it('feeds the answer and its problem back as the repair turns', () => {
    const [assistant, user] = repairMessages('{"city":7}', 'answer/city must be string', weather);
    expect(assistant).toEqual({ role: 'assistant', content: '{"city":7}' });
    expect(user.role).toBe('user');
    expect(user.content).toContain('"weather"');
    expect(user.content).toContain('answer/city must be string');
  });
});
