import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// One Node.js line everywhere: .nvmrc pins it, and every other place must agree.
describe('runtime', () => {
  const root = join(__dirname, '..');
  const read = (file: string) => readFileSync(join(root, file), 'utf8');
  const pinned = read('.nvmrc').trim();
  const line = pinned.split('.')[0];

  it('pins an exact version of an LTS line', () => {
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(Number(line) % 2).toBe(0);
  });

  it('is the runtime the tests run on', () => {
    expect(process.versions.node.split('.')[0]).toBe(line);
  });

  it('is the line package.json requires', () => {
    const { engines } = JSON.parse(read('package.json')) as { engines: { node: string } };
    expect(engines.node).toMatch(new RegExp(`^\\^${line}\\.`));
  });

  it('is the line of the Docker image', () => {
    expect(read('Dockerfile')).toMatch(
      new RegExp(`^ARG NODE_IMAGE=node:${line}-bookworm-slim$`, 'm'),
    );
  });

  it('is the line the README names', () => {
    expect(read('README.md')).toContain(`Node.js ${line}`);
  });

  it('is the types the code is checked against', () => {
    const lock = JSON.parse(read('package-lock.json')) as {
      packages: Record<string, { version: string }>;
    };
    expect(lock.packages['node_modules/@types/node'].version.split('.')[0]).toBe(line);
  });

  it('leaves the compose file to the image', () => {
    const compose = parse(read('docker-compose.yml')) as {
      services: Record<string, { image?: string }>;
    };
    const nodeImages = Object.values(compose.services)
      .map((service) => service.image ?? '')
      .filter((image) => image.startsWith('node:'));
    expect(nodeImages).toEqual([]);
  });
});
