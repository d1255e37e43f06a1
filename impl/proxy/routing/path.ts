// Path matching of networking.k8s.io/v1 HTTPIngressPath:
//  - Exact: the request path equals the rule path, case-sensitive.
//  - Prefix: element-wise on "/" — the rule's elements are a prefix of the
//    request's elements. A trailing "/" on either side is ignored, so "/foo"
//    and "/foo/" match each other, "/aaa/bbb" does not match "/aaa/bbbxyz",
//    and "/" matches every path. Empty elements inside a path ("/a//b") are
//    kept as elements, so "/a/b" does not match "/a//b".
//  - ImplementationSpecific: treated as Prefix by this controller.

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

export const PATH_TYPES: readonly PathType[] = ['Exact', 'Prefix', 'ImplementationSpecific'];

/**
 * The key a Prefix rule path is stored under: one trailing "/" removed, so
 * "/" → "", "/foo/" → "/foo". Two prefix rules with the same key are the
 * same rule. Its length is the "matching path length" used for precedence.
 */
export function prefixKey(path: string): string {
  return path.endsWith('/') ? path.slice(0, -1) : path;
}

/**
 * Every prefix key a request path is matched by, longest first:
 * "/aaa/bbb/" → ["/aaa/bbb", "/aaa", ""]. Calls visit for each until it
 * returns a value.
 */
export function findByPrefix<T>(requestPath: string, visit: (key: string) => T | undefined): T | undefined {
  let key = prefixKey(requestPath);
  for (;;) {
    const found = visit(key);
    if (found !== undefined) return found;
    if (key === '') return undefined;
    key = key.slice(0, key.lastIndexOf('/'));
  }
}

/** The path part of a request target: query and fragment removed. */
export function pathOf(target: string): string {
  let end = target.length;
  const q = target.indexOf('?');
  if (q >= 0) end = q;
  const h = target.indexOf('#');
  if (h >= 0 && h < end) end = h;
  return target.slice(0, end);
}
