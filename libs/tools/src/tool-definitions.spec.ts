import { argumentsProblem, duplicateToolNames, parametersProblem } from './tool-definitions';

describe('parametersProblem', () => {
  it('accepts an object schema', () => {
    expect(
      parametersProblem({
        type: 'object',
        properties: { city: { type: 'string' } },
        required: ['city'],
      }),
    ).toBeNull();
  });

  it('refuses what is not a schema of an object', () => {
    expect(parametersProblem('nope')).toMatch(/JSON Schema object/);
    expect(parametersProblem({ type: 'string' })).toMatch(/type: "object"/);
    expect(parametersProblem({ type: 'object', properties: { a: { type: 'wat' } } })).toMatch(
      /not a valid JSON Schema/,
    );
    expect(parametersProblem({ type: 'object', required: 'city' })).toMatch(/not a valid/);
  });
});

describe('duplicateToolNames', () => {
  it('names each repeated name once', () => {
    expect(duplicateToolNames(['a', 'b', 'a', 'a', 'c', 'b'])).toEqual(['a', 'b']);
  });
});

describe('argumentsProblem', () => {
  const schema = {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
  };

  it('accepts arguments that match, and names what does not', () => {
    expect(argumentsProblem(schema, { city: 'Paris' })).toBeNull();
    expect(argumentsProblem(schema, {})).toMatch(/must have required property 'city'/);
    expect(argumentsProblem(schema, { city: 3 })).toMatch(/arguments\/city must be string/);
    expect(argumentsProblem(schema, 'not json')).toMatch(/must be object/);
  });
});
