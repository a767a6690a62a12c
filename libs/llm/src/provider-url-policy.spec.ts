import { privateDestinationProblem } from './provider-url-policy';

describe('privateDestinationProblem', () => {
  it.each([
    'http://127.0.0.1:11434/v1',
    'http://10.1.2.3/v1',
    'http://172.20.0.5/v1',
    'http://192.168.1.10/v1',
    'http://169.254.169.254/latest/meta-data',
    'http://[::1]:8000/v1',
    'http://[fd00::1]/v1',
    'http://[::ffff:127.0.0.1]/v1',
    'http://localhost:8000/v1',
  ])('refuses %s', async (url) => {
    expect(await privateDestinationProblem(url)).not.toBeNull();
  });

  it.each(['https://8.8.8.8/v1', 'https://[2606:4700::1111]/v1'])('allows %s', async (url) => {
    expect(await privateDestinationProblem(url)).toBeNull();
  });
});
