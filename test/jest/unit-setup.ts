// Fails a unit file that tried the network even if its code caught the refusal and carried on
// (test/jest/unit-environment.js refuses sockets and records each attempt).
declare const __agentqRefusedNetwork: string[];

afterAll(() => {
  expect(__agentqRefusedNetwork).toEqual([]);
});
