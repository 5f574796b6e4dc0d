// A set of change listeners, called after the current task so that an append never
// runs subscriber code inside its own call.

export interface Watchers {
  add(onChange: () => void): () => void;
  notify(): void;
  readonly size: number;
}

export function createWatchers(onFirst?: () => void, onLast?: () => void): Watchers {
  const listeners = new Set<() => void>();
  let scheduled = false;
  return {
    add(onChange) {
      const entry = () => onChange();
      listeners.add(entry);
      if (listeners.size === 1) onFirst?.();
      return () => {
        if (listeners.delete(entry) && listeners.size === 0) onLast?.();
      };
    },
    notify() {
      if (scheduled || listeners.size === 0) return;
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        for (const listener of listeners) listener();
      });
    },
    get size() {
      return listeners.size;
    },
  };
}
