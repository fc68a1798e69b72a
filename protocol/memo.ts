/**
 * A small bounded memo for pure, expensive parses (PEM → KeyObject, PEM → X509Certificate). The same
 * few keys and certificates are parsed on every request; a profile showed parsing, not cryptography,
 * taking most of a license download. Results are immutable objects; failures are not cached.
 * Oldest entries are dropped first once `max` is reached (Map keeps insertion order).
 */
export function boundedMemo<V>(max: number, compute: (key: string) => V): (key: string) => V {
  const cache = new Map<string, V>();
  return (key) => {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const value = compute(key);
    if (cache.size >= max) cache.delete(cache.keys().next().value as string);
    cache.set(key, value);
    return value;
  };
}
