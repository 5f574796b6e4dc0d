// Reading page after page, one page ahead: while the caller works through a page, the
// next is already on its way. On a database across a network the wait for each page then
// overlaps the work on the one before, instead of adding to it.

/**
 * Iterates the items of `first` and of the pages after it. `next(page)` starts reading
 * the page after `page`, or gives undefined when `page` was the last. Each item passes
 * through `map` only when the caller reaches it.
 */
export function readAhead<Item, Out>(
  first: Promise<Item[]>,
  next: (page: Item[]) => Promise<Item[]> | undefined,
  map: (item: Item) => Out,
): AsyncIterableIterator<Out> {
  let page: Item[] = [];
  let index = 0;
  let coming: Promise<Item[]> | undefined = settled(first);

  async function turnPage(): Promise<IteratorResult<Out>> {
    while (index >= page.length) {
      if (coming === undefined) return { value: undefined, done: true };
      page = await coming;
      index = 0;
      const after = next(page);
      coming = after && settled(after);
    }
    return { value: map(page[index++]!), done: false };
  }

  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next() {
      if (index < page.length) return Promise.resolve({ value: map(page[index++]!), done: false });
      return turnPage();
    },
    // A caller that stops early leaves the page in flight unread.
    async return() {
      coming = undefined;
      page = [];
      return { value: undefined, done: true };
    },
  };
}

/** A page read ahead may fail before anyone awaits it; it still fails whoever awaits it later. */
function settled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}
