// The node agent's configuration: one JSON file per node, written by the
// local provider's supervisor. Parsed strictly: a missing, mistyped or
// unknown field is an error that names the file and the field.
import { readFile } from 'node:fs/promises';
import type { LocalImage } from '../images.ts';
import { isHostAddress, parsePodCidr } from './ipam.ts';
import { parseIPv4 } from '../../../../lib/net/index.ts';

export interface NodeAgentConfig {
  /** Kubernetes Node name (also the node's network namespace name). */
  nodeName: string;
  /** The node's InternalIP on the fabric; the log endpoint listens here. */
  nodeAddress: string;
  /** This node's pod range, e.g. 198.18.65.0/24. */
  podCidr: string;
  /** First address of podCidr, held by every pod veth on the node side. */
  podGateway: string;
  /** Client certificate for user system:node:<nodeName>, group system:nodes. */
  kubeconfig: string;
  /** CA that signs the apiserver's kubelet client certificate (and the pods' ca.crt fallback). */
  caFile: string;
  /** TLS for the :kubeletPort log endpoint, SAN = nodeAddress. */
  servingCertFile: string;
  servingKeyFile: string;
  kubeletPort: number;
  /** This node's directory: pods/<uid>/{logs,serviceaccount,volumes}, state.json. */
  runDir: string;
  kubernetesServiceHost: string;
  kubernetesServicePort: number;
  /** Where pods' kubeconfigs point (the apiserver's fabric address). */
  apiServerUrl: string;
  kubernetesVersion: string;
  /** Extra Node labels (must pass NodeRestriction). */
  labels: Record<string, string>;
  /** Image repository → local program. */
  images: Record<string, LocalImage>;
}

export class NodeAgentConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NodeAgentConfigError';
  }
}

const FIELDS = [
  'nodeName', 'nodeAddress', 'podCidr', 'podGateway', 'kubeconfig', 'caFile', 'servingCertFile', 'servingKeyFile',
  'kubeletPort', 'runDir', 'kubernetesServiceHost', 'kubernetesServicePort', 'apiServerUrl', 'kubernetesVersion',
  'labels', 'images',
] as const;

export async function loadNodeAgentConfig(file: string): Promise<NodeAgentConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new NodeAgentConfigError(`cannot read node agent config ${file}: ${(error as Error).message}`);
  }
  return parseNodeAgentConfig(text, file);
}

/** Parses and validates; `source` names the file in errors. */
export function parseNodeAgentConfig(text: string, source: string): NodeAgentConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new NodeAgentConfigError(`${source}: not valid JSON: ${(error as Error).message}`);
  }
  const fail = (field: string, problem: string): never => {
    throw new NodeAgentConfigError(`${source}: field "${field}" ${problem}`);
  };
  if (!isPlainObject(raw)) throw new NodeAgentConfigError(`${source}: expected a JSON object at the top level`);
  for (const key of Object.keys(raw)) {
    if (!(FIELDS as readonly string[]).includes(key)) fail(key, `is not a known field (known: ${FIELDS.join(', ')})`);
  }
  const str = (field: (typeof FIELDS)[number]): string => {
    const value = raw[field];
    if (value === undefined) return fail(field, 'is required');
    if (typeof value !== 'string' || value.length === 0) return fail(field, `must be a non-empty string, got ${JSON.stringify(value)}`);
    return value;
  };
  const ip = (field: (typeof FIELDS)[number]): string => {
    const value = str(field);
    if (parseIPv4(value) === undefined) fail(field, `must be an IPv4 address, got "${value}"`);
    return value;
  };
  const port = (field: (typeof FIELDS)[number]): number => {
    const value = raw[field];
    if (value === undefined) return fail(field, 'is required');
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
      return fail(field, `must be an integer port from 1 to 65535, got ${JSON.stringify(value)}`);
    }
    return value;
  };

  const nodeName = str('nodeName');
  if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(nodeName)) fail('nodeName', `must be a DNS subdomain name, got "${nodeName}"`);
  const podCidr = str('podCidr');
  let cidr;
  try {
    cidr = parsePodCidr(podCidr);
  } catch (error) {
    return fail('podCidr', (error as Error).message);
  }
  if (cidr.prefix > 30) fail('podCidr', `is too small for pods (/${cidr.prefix}); use /30 or larger`);
  const podGateway = ip('podGateway');
  if (!isHostAddress(cidr, podGateway)) fail('podGateway', `${podGateway} is not a host address inside podCidr ${podCidr}`);
  const apiServerUrl = str('apiServerUrl');
  let url: URL | undefined;
  try {
    url = new URL(apiServerUrl);
  } catch {
    fail('apiServerUrl', `is not a URL: "${apiServerUrl}"`);
  }
  if (url?.protocol !== 'https:') fail('apiServerUrl', `must be an https:// URL, got "${apiServerUrl}"`);
  const kubernetesVersion = str('kubernetesVersion');
  if (!/^v\d+\.\d+\.\d+/.test(kubernetesVersion)) fail('kubernetesVersion', `must look like v1.37.0, got "${kubernetesVersion}"`);

  return {
    nodeName,
    nodeAddress: ip('nodeAddress'),
    podCidr,
    podGateway,
    kubeconfig: str('kubeconfig'),
    caFile: str('caFile'),
    servingCertFile: str('servingCertFile'),
    servingKeyFile: str('servingKeyFile'),
    kubeletPort: port('kubeletPort'),
    runDir: str('runDir'),
    kubernetesServiceHost: ip('kubernetesServiceHost'),
    kubernetesServicePort: port('kubernetesServicePort'),
    apiServerUrl,
    kubernetesVersion,
    labels: parseLabels(raw.labels, fail),
    images: parseImages(raw.images, fail),
  };
}

function parseLabels(value: unknown, fail: (field: string, problem: string) => never): Record<string, string> {
  if (value === undefined) return fail('labels', 'is required (use {} for none)');
  if (!isPlainObject(value)) return fail('labels', 'must be an object of string values');
  const labels: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') fail(`labels.${key}`, `must be a string, got ${JSON.stringify(v)}`);
    if (!/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(key)) fail(`labels.${key}`, 'is not a valid label key');
    labels[key] = v as string;
  }
  return labels;
}

function parseImages(value: unknown, fail: (field: string, problem: string) => never): Record<string, LocalImage> {
  if (value === undefined) return fail('images', 'is required');
  if (!isPlainObject(value)) return fail('images', 'must be an object: repository → { entrypoint, files? }');
  const images: Record<string, LocalImage> = {};
  for (const [repository, entry] of Object.entries(value)) {
    const field = `images["${repository}"]`;
    if (!isPlainObject(entry)) fail(field, 'must be an object { entrypoint, files? }');
    const e = entry as Record<string, unknown>;
    for (const key of Object.keys(e)) {
      if (key !== 'entrypoint' && key !== 'files') fail(`${field}.${key}`, 'is not a known field (known: entrypoint, files)');
    }
    if (!Array.isArray(e.entrypoint) || e.entrypoint.some((part) => typeof part !== 'string')) {
      fail(`${field}.entrypoint`, 'must be an array of strings');
    }
    const image: LocalImage = { entrypoint: [...(e.entrypoint as string[])] };
    if (e.files !== undefined) {
      if (!isPlainObject(e.files)) fail(`${field}.files`, 'must be an object: path in the image → local path');
      const files: Record<string, string> = {};
      for (const [inImage, local] of Object.entries(e.files as Record<string, unknown>)) {
        if (typeof local !== 'string' || local.length === 0) fail(`${field}.files["${inImage}"]`, 'must be a non-empty string');
        files[inImage] = local as string;
      }
      image.files = files;
    }
    images[repository] = image;
  }
  return images;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
