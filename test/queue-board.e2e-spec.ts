import { QUEUES } from '@agentq/jobs';
import { startTestStack, TestStack } from './support/test-stack';

describe('Bull Board at /admin/queues', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });

  afterAll(() => stack.stop());

  const basic = (password: string) =>
    `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;

  it.each(['/admin/queues', '/admin/queues/api/queues', '/admin/queues/static/favicon.ico'])(
    'refuses %s without the admin token',
    async (path) => {
      const anonymous = await stack.http.request('GET', path);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toContain('Basic');
      const wrong = await stack.http.request('GET', path, {
        headers: { authorization: basic('nope') },
      });
      expect(wrong.status).toBe(401);
    },
  );

  it('refuses a tenant API key', async () => {
    const tenant = await stack.createTenant();
    const answer = await stack.http.get('/admin/queues/api/queues', tenant.apiKey);
    expect(answer.status).toBe(401);
  });

  it('shows the admin every queue agentq uses, and only those (Basic or Bearer)', async () => {
    const page = await stack.http.request('GET', '/admin/queues', {
      headers: { authorization: basic(stack.adminToken) },
    });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<html');
    const api = await stack.http.get('/admin/queues/api/queues', stack.adminToken);
    expect(api.status).toBe(200);
    const shown = (api.body.queues as { name: string }[]).map((queue) => queue.name).sort();
    expect(shown).toEqual(
      [
        'agent-context-maintenance',
        'agent-execution-reconciler',
        'agent-executions',
        'knowledge-embeddings',
        'schedule-ticks',
        'webhook-deliveries',
        'webhook-dispatch',
      ].sort(),
    );
    expect(shown).toEqual(Object.values(QUEUES).sort());
  });
});
