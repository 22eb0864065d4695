// Handlebars templates from reports/: compiled once, with the helpers the templates use.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type Handlebars from 'handlebars';
import { projectRoot } from '../manifest/load-manifest.js';

/** reports/ — or DLGRADE_TEMPLATES, for a course that wants its own look. */
export function templatesDir(): string {
  return process.env.DLGRADE_TEMPLATES ?? path.join(projectRoot(), 'reports');
}

let engine: typeof Handlebars | undefined;
const compiled = new Map<string, Handlebars.TemplateDelegate>();

function handlebars(): typeof Handlebars {
  if (engine) return engine;
  // Required on first use (it is CommonJS): commands that render no template, like check, never load it.
  const hb = (createRequire(import.meta.url)('handlebars') as typeof Handlebars).create();
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('lower', (s: unknown) => String(s).toLowerCase());
  hb.registerHelper('json', (v: unknown) => new hb.SafeString(JSON.stringify(v).replace(/</g, '\\u003c')));
  // Markdown table cells must not break the table.
  hb.registerHelper('cell', (s: unknown) => String(s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' '));
  const partials = path.join(templatesDir(), 'partials');
  if (existsSync(partials)) {
    for (const file of readdirSync(partials)) {
      if (file.endsWith('.hbs')) hb.registerPartial(file.replace(/\.(html|md)?\.hbs$/, '').replace(/\.hbs$/, ''), readFileSync(path.join(partials, file), 'utf8'));
    }
  }
  engine = hb;
  return hb;
}

/** Renders reports/<name> with the given data. Markdown templates are compiled without HTML escaping. */
export function render(name: string, data: unknown): string {
  let template = compiled.get(name);
  if (!template) {
    const source = readFileSync(path.join(templatesDir(), name), 'utf8');
    template = handlebars().compile(source, { noEscape: name.endsWith('.md.hbs'), strict: false });
    compiled.set(name, template);
  }
  return template(data);
}
