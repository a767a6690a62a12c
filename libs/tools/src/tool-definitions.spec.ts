import { duplicateToolNames, parametersProblem } from './tool-definitions';

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
