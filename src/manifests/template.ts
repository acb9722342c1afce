// Templates are parsed as YAML first; values are then placed into the parsed tree as
// typed data. A value can never add keys, documents or structure, however many
// newlines, colons or `---` it contains (docs/architecture.md rule 2).
//
// Template language (kept deliberately tiny):
//   key: ${a.b}          the whole scalar is replaced by the value, keeping its type;
//                        an undefined value removes the key (or the list item)
//   key: pre-${a}-post   string interpolation inside one scalar (value must be defined)
//   - $if: a.b           inside a mapping: keep the mapping only when a.b is truthy
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import type { KubeObject } from '../k8s/types.js';
import { PACKAGE_ROOT } from '../paths.js';

export const TEMPLATE_DIR = `${join(PACKAGE_ROOT, 'templates')}/`;

const WHOLE = /^\$\{([A-Za-z0-9_.]+)\}$/;
const PART = /\$\{([A-Za-z0-9_.]+)\}/g;
const REMOVE = Symbol('remove');

export type Values = Record<string, unknown>;

export class TemplateError extends Error {}

function lookup(values: Values, path: string): unknown {
  let cur: unknown = values;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function fillNode(node: unknown, values: Values, where: string): unknown {
  if (typeof node === 'string') {
    const whole = WHOLE.exec(node);
    if (whole) {
      const v = lookup(values, whole[1]!);
      // Clone objects so one value placed twice never aliases inside the output.
      return v === undefined ? REMOVE : v !== null && typeof v === 'object' ? structuredClone(v) : v;
    }
    return node.replace(PART, (_m, path: string) => {
      const v = lookup(values, path);
      if (v === undefined || v === null || typeof v === 'object') {
        throw new TemplateError(`${where}: \${${path}} inside a string needs a defined scalar value`);
      }
      return String(v);
    });
  }
  if (Array.isArray(node)) {
    const out: unknown[] = [];
    node.forEach((item, i) => {
      const v = fillNode(item, values, `${where}[${i}]`);
      if (v !== REMOVE) out.push(v);
    });
    return out;
  }
  if (node !== null && typeof node === 'object') {
    const obj = node as Record<string, unknown>;
    if ('$if' in obj) {
      const cond = obj.$if;
      if (typeof cond !== 'string') throw new TemplateError(`${where}: $if needs a value path`);
      if (!lookup(values, cond)) return REMOVE;
    }
    const out: Record<string, unknown> = {};
    for (const [k, child] of Object.entries(obj)) {
      if (k === '$if') continue;
      const v = fillNode(child, values, `${where}.${k}`);
      if (v !== REMOVE) out[k] = v;
    }
    return out;
  }
  return node;
}

const cache = new Map<string, unknown[]>();

/** Parses a template file once; returns the raw documents (placeholders intact). */
export function loadTemplate(rel: string, dir = TEMPLATE_DIR): unknown[] {
  const file = `${dir}${rel}`;
  let docs = cache.get(file);
  if (!docs) {
    docs = loadAll(readFileSync(file, 'utf8'), { filename: rel, schema: CORE_SCHEMA }).filter((d) => d != null);
    cache.set(file, docs);
  }
  return docs;
}

/** Renders one template file with values into Kubernetes objects. */
export function renderTemplate(rel: string, values: Values, dir = TEMPLATE_DIR): KubeObject[] {
  return loadTemplate(rel, dir).map((doc, i) => {
    const obj = fillNode(doc, values, `${rel}#${i}`);
    if (obj === REMOVE) return undefined;
    const o = obj as KubeObject;
    if (!o || typeof o !== 'object' || typeof o.kind !== 'string' || typeof o.apiVersion !== 'string' || !o.metadata?.name) {
      throw new TemplateError(`${rel}#${i}: not a Kubernetes object after rendering`);
    }
    return o;
  }).filter((o): o is KubeObject => o !== undefined);
}

/** Exposed for the injection tests: fill an already-parsed tree. */
export function fillTree(tree: unknown, values: Values): unknown {
  const v = fillNode(tree, values, 'tree');
  return v === REMOVE ? undefined : v;
}
