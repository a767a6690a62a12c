import { startApiProcess, useBuiltProcessEnv } from './support/api-process';
import { startProcess } from './support/child-process';

// The built entry points, run as an operator would: env-configured, stopped with SIGTERM.
describe('api and worker processes', () => {
  const builtEnv = useBuiltProcessEnv();

  it('worker boots, saying its Node.js version, then exits 0 on SIGTERM', async () => {
    const worker = startProcess('dist/apps/worker/src/main.js', builtEnv());
    await worker.waitForOutput(/running with concurrency/);
    expect(worker.output()).toContain(`on Node.js ${process.version}`);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(worker.output()).toContain('worker stopped');
  });

  it('api serves /health/ready, then exits on SIGTERM', async () => {
    const api = await startApiProcess(builtEnv());
    expect((await api.http.get('/health/ready')).status).toBe(200);
    api.process.child.kill('SIGTERM');
    expect((await api.process.exited).code).toBe(0);
  });

  it('refuses to start with a missing variable, naming it', async () => {
    const worker = startProcess('dist/apps/worker/src/main.js', {
      ...builtEnv(),
      AGENTQ_MASTER_KEY: '',
    });
    expect((await worker.exited).code).toBe(1);
    expect(worker.output()).toContain('AGENTQ_MASTER_KEY is required');
  });
});
