// `vh-deploy init STACK [FILE]`: writes a commented config file for the stack's deploy
// command (docs/cli.md). Every key is commented out: a key set in the file outranks
// the values a later `upgrade` or `scale` records (docs/architecture.md, "Values
// persist"), so the file pins only what the user uncomments.
import { writeFileSync } from 'node:fs';
import { envName, type Field, fileKey, flagName, GLOBAL_FIELDS } from '../config/fields.js';
import { InputError } from '../errors.js';
import { stackByName, stackNamesText } from '../stacks/registry.js';
import type { Stack } from '../stacks/stack.js';
import { VERSION } from '../version.js';

export const DEFAULT_CONFIG_FILE = 'vh-deploy.yaml';
export const SCHEMA_FILE = 'vh-deploy.schema.json';

/** Wrapped comment lines (`#   text`), never starting like a key. */
function comment(text: string, width = 88): string[] {
  const out: string[] = [];
  let line = '#  ';
  for (const word of text.split(/\s+/)) {
    if (line.length + word.length + 1 > width && line !== '#  ') {
      out.push(line);
      line = '#  ';
    }
    line += ` ${word}`;
  }
  return [...out, line];
}

function fieldLines(f: Field): string[] {
  // `patches` come from --patch FILE, which their description names; the other flagless keys from --set.
  const origin = f.flagless ? (f.key === 'patches' ? undefined : 'or --set') : `flag ${flagName(f.key)}, env ${envName(f.key)}`;
  const extra = [origin, f.choices && `one of ${f.choices.join(', ')}`, f.default !== undefined && `default ${String(f.default)}`].filter(Boolean).join('; ');
  const lines = comment(`${f.description}${extra ? ` (${extra})` : ''}`);
  if (f.secret) {
    // A config file is often committed: a secret is read from a file named here, or from env.
    return [...lines, ...comment(`a secret: keep it out of this file; give ${envName(f.key)} or name a file:`), `# ${fileKey(f.key)}: /path/to/${f.key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`];
  }
  const example = f.default !== undefined ? ` ${String(f.default)}` : f.boolean ? ' false' : '';
  return [...lines, `# ${f.key}:${example}`];
}

/** The file's text. Pure. */
export function configTemplate(stack: Stack): string {
  const required = new Set(stack.required({}, false));
  const own = stack.fields.filter((f) => !GLOBAL_FIELDS.some((g) => g.key === f.key));
  const sections: Array<[string, Field[]]> = [
    ['Required (or give them as flags or VH_DEPLOY_* env vars)', own.filter((f) => required.has(f.key))],
    [`Options of ${stack.command.name}`, own.filter((f) => !required.has(f.key))],
    ['Global options', GLOBAL_FIELDS.map((g) => (g.key === 'namespace' ? { ...g, default: stack.defaultNamespace } : g))],
  ];
  const head = [
    `# yaml-language-server: $schema=${SCHEMA_FILE}`,
    `# vh-deploy ${VERSION} config for \`vh-deploy ${stack.command.name} --config FILE\` (also read by render, diff`,
    '# and the day-2 commands). Editors check it against the schema: vh-deploy config schema > ' + SCHEMA_FILE,
    '#',
    '# Every key is commented out: uncomment what you set. Precedence: flag > env (VH_DEPLOY_*) >',
    "# this file > the values the stack's last successful run recorded > defaults. A key set here",
    '# overrides what a later upgrade or scale recorded, so set only what you mean to pin.',
  ];
  const body = sections.filter(([, fields]) => fields.length).flatMap(([title, fields]) => ['', `# ${title}`, ...fields.flatMap((f) => ['#', ...fieldLines(f)])]);
  return `${[...head, ...body].join('\n')}\n`;
}

export function runInit(o: { stack: string; file?: string | undefined; force: boolean; write: (s: string) => void; note: (s: string) => void }): void {
  const stack = stackByName(o.stack);
  if (!stack) throw new InputError(`init: unknown stack ${JSON.stringify(o.stack)}; expected ${stackNamesText(', ')}`);
  const text = configTemplate(stack);
  const file = o.file ?? DEFAULT_CONFIG_FILE;
  if (file === '-') return o.write(text);
  try {
    writeFileSync(file, text, { flag: o.force ? 'w' : 'wx', mode: 0o644 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new InputError(`init: ${file} already exists; give --force to overwrite it, or another file name`);
    throw new InputError(`init: cannot write ${file} (${code ?? 'error'})`);
  }
  // A required secret is named by its env var: it is never set in the file.
  const required = stack.required({}, false).map((k) => (stack.fields.find((f) => f.key === k)?.secret ? envName(k) : k));
  o.note(`wrote ${file}${required.length ? `: set ${required.join(', ')}, then` : '; then'} run \`vh-deploy ${stack.command.name} --config ${file}\``);
}
