// The unit layer's environment: node, with no sockets. A spec that opens a connection or
// listens on a port belongs in *.int-spec.ts. Node's net module is one per process, shared with
// jest itself (and, with --runInBand, with the global setup of the other layers), so the patch
// lives exactly as long as one unit file's environment: teardown undoes it even when the file
// failed to load.
const net = require('node:net');
const { TestEnvironment } = require('jest-environment-node');

const original = { connect: net.Socket.prototype.connect, listen: net.Server.prototype.listen };

/** Where a refused attempt is recorded, read by unit-setup.ts to fail the file. */
const ATTEMPTS = '__agentqRefusedNetwork';

function describeTarget(args) {
  // net.connect() hands its arguments over normalised: [[options, callback]].
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (first && typeof first === 'object') {
    return first.path ?? `${first.host ?? 'localhost'}:${first.port}`;
  }
  return String(first);
}

/** `Base` (a jest environment) with sockets refused: node for specs, jsdom for components. */
const withoutNetwork = (Base) =>
  class extends Base {
    async setup() {
      await super.setup();
      const attempts = [];
      this.global[ATTEMPTS] = attempts;
      const refuse = (what) => {
        attempts.push(what);
        throw new Error(
          `unit specs use no network (${what}): move this test to a *.int-spec.ts file`,
        );
      };
      net.Socket.prototype.connect = function connect(...args) {
        return refuse(`connect to ${describeTarget(args)}`);
      };
      net.Server.prototype.listen = function listen() {
        return refuse('listen');
      };
    }

    async teardown() {
      net.Socket.prototype.connect = original.connect;
      net.Server.prototype.listen = original.listen;
      await super.teardown();
    }
  };

module.exports = withoutNetwork(TestEnvironment);
module.exports.withoutNetwork = withoutNetwork;
