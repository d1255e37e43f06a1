// The checkout this code runs from: fixtures, versions.json and the impl
// programs are found relative to it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
