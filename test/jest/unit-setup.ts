// The unit layer runs without PostgreSQL, Redis or any network: a spec that opens a socket or
// listens on a port belongs in *.int-spec.ts. Jest workers are shared by all projects in a run,
// so the patch is undone after each unit file.
import net from 'node:net';

const originalConnect = net.Socket.prototype.connect;
const originalListen = net.Server.prototype.listen;
const attempts: string[] = [];

function refuse(what: string): never {
  attempts.push(what);
  throw new Error(`unit specs use no network (${what}): move this test to a *.int-spec.ts file`);
}

net.Socket.prototype.connect = function connect(...args: unknown[]) {
  // net.connect() hands its arguments over normalised: [[options, callback]].
  const first = (Array.isArray(args[0]) ? args[0][0] : args[0]) as
    { host?: string; port?: number; path?: string } | number | string;
  const target =
    typeof first === 'object' && first !== null
      ? (first.path ?? `${first.host ?? 'localhost'}:${first.port}`)
      : String(first);
  return refuse(`connect to ${target}`);
} as typeof net.Socket.prototype.connect;

net.Server.prototype.listen = function listen() {
  return refuse('listen');
} as typeof net.Server.prototype.listen;

afterAll(() => {
  net.Socket.prototype.connect = originalConnect;
  net.Server.prototype.listen = originalListen;
  // Also fails a spec whose code caught the refusal and carried on.
  expect(attempts).toEqual([]);
});
