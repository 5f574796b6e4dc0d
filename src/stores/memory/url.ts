// The memory store's URL: `memory:`, with nothing after it.

export function isMemoryUrl(url: string): boolean {
  return url === 'memory:';
}
