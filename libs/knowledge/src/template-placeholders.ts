const PLACEHOLDER = /\{\{\s*input\.([A-Za-z0-9_.-]+)\s*\}\}/g;

function lookup(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** The `{{input.<path>}}` placeholders a template names, in order, each once. */
export function templatePlaceholders(content: string): string[] {
  return [...new Set([...content.matchAll(PLACEHOLDER)].map((match) => match[1]))];
}

/**
 * Fills `{{input.<path>}}` from `values` the way a plan task's `{{plan.input.<path>}}` is filled:
 * a dotted path, objects written as JSON, a missing value as empty text.
 */
export function renderTemplate(content: string, values: unknown): string {
  return content.replace(PLACEHOLDER, (_whole, path: string) => {
    const value = lookup(values, path);
    if (value === undefined || value === null) return '';
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}
