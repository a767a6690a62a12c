// The unit layer's environment for the console's component specs (*.spec.tsx): an in-process
// DOM (jsdom), with sockets refused as in every unit spec (unit-environment.js).
const { TestEnvironment } = require('jest-environment-jsdom');
const { withoutNetwork } = require('./unit-environment');

module.exports = withoutNetwork(TestEnvironment);
