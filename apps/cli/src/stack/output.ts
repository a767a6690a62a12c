const COLOURS: Record<string, number> = {
  stack: 32,
  postgres: 34,
  redis: 31,
  migrate: 33,
  api: 36,
  worker: 35,
};

const useColour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const WIDTH = Math.max(...Object.keys(COLOURS).map((name) => name.length)) + 2;

function tag(name: string): string {
  const label = `[${name}]`.padEnd(WIDTH);
  const colour = COLOURS[name];
  return useColour && colour ? `\x1b[${colour}m${label}\x1b[0m` : label;
}

/** Writes lines prefixed with the name of the process they come from, e.g. `[api]`. */
export function prefixedWriter(name: string): (line: string) => void {
  const prefix = tag(name);
  return (text) => {
    for (const line of text.split('\n')) process.stdout.write(`${prefix} ${line}\n`);
  };
}

/** The stack's own messages. */
export const say = prefixedWriter('stack');

export function bold(text: string): string {
  return useColour ? `\x1b[1m${text}\x1b[0m` : text;
}
