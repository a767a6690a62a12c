import { traceIdOf } from './tracing';

describe('traceIdOf', () => {
  it('reads the trace id of a W3C traceparent', () => {
    expect(traceIdOf('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
  });

  it('is null without a trace, or for one that is malformed or all zeros', () => {
    expect(traceIdOf(undefined)).toBeNull();
    expect(traceIdOf('garbage')).toBeNull();
    expect(traceIdOf('00-XYZ-00f067aa0ba902b7-01')).toBeNull();
    expect(traceIdOf(`00-${'0'.repeat(32)}-00f067aa0ba902b7-01`)).toBeNull();
  });
});
