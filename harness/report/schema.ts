// Validation of report.json against report.schema.json, the contract CI
// pipelines read.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { REPO_ROOT } from '../../lib/repo-root.ts';
import type { Report } from './report.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

let validator: ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null } | undefined;

/** Problems with a report (empty when it conforms to report.schema.json). */
export function reportProblems(report: Report | unknown): string[] {
  if (!validator) {
    const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, 'report.schema.json'), 'utf8'));
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(ajv);
    validator = ajv.compile(schema);
  }
  return validator(report) ? [] : (validator.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`);
}
