import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

// ../shared/STYLE.md: JSDoc on exported contracts only; `//` for the why elsewhere. This reads
// the sources (no I/O beyond them) and finds `/** */` blocks on what no other module can see:
// private and protected members, and declarations at the top of a module that are not exported.

const ROOT = join(__dirname, '..');
const SCANNED = ['apps', 'libs'];
const SOURCE = /\.tsx?$/;
const NOT_SCANNED = /(\.(spec|int-spec|e2e-spec)\.tsx?|\.d\.ts)$/;

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return SOURCE.test(entry.name) && !NOT_SCANNED.test(entry.name) ? [path] : [];
  });
}

const HIDDEN = [
  /^\s+(private|protected)\b/,
  /^(const|let|function|async function|class|abstract class|interface|type|enum)\b/,
];

// Each JSDoc block whose declaration is hidden, as "line: declaration".
function hiddenJsDoc(source: string): string[] {
  const lines = source.split('\n');
  const found: string[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    if (!lines[i].trimStart().startsWith('/**')) continue;
    let end = i;
    while (end < lines.length && !lines[end].includes('*/')) end += 1;
    let next = end + 1;
    while (next < lines.length && /^\s*(@.*)?$/.test(lines[next])) next += 1;
    const declaration = lines[next] ?? '';
    if (HIDDEN.some((pattern) => pattern.test(declaration))) {
      found.push(`${next + 1}: ${declaration.trim()}`);
    }
    i = end;
  }
  return found;
}

describe('JSDoc sits on exported contracts only', () => {
  it('no /** */ block on a private member or an unexported declaration in apps and libs', () => {
    const found = SCANNED.flatMap((dir) => sourceFiles(join(ROOT, dir))).flatMap((path) =>
      hiddenJsDoc(readFileSync(path, 'utf8')).map(
        (where) => `${relative(ROOT, path).split(sep).join('/')}:${where}`,
      ),
    );
    expect(found).toEqual([]);
  });

  it('tells hidden declarations from contracts', () => {
    const source = [
      '/** exported */',
      'export function a() {}',
      '/** hidden */',
      'function b() {}',
      'export class C {',
      '  /** a public method is the class contract */',
      '  run() {}',
      '  /** hidden */',
      '  @Decorated()',
      '  private stop() {}',
      '}',
      'interface D {',
      '  /** a member named like a keyword */',
      "  type: 'x';",
      '}',
    ].join('\n');
    expect(hiddenJsDoc(source)).toEqual(['4: function b() {}', '10: private stop() {}']);
  });
});
