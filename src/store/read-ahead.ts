// Reading page after page, one page ahead: while the caller works through a page, the
// next is already on its way. On a database across a network the wait for each page then
// overlaps the work on the one before, instead of adding to it.

/**
 * The pages from `first` on. `next(page)` starts reading the page after `page`, or gives
 * undefined when `page` was the last; it is called as soon as `page` arrives, before the
 * caller gets it.
 */
export async function* pagesAhead<Item>(
  first: Promise<Item[]>,
  next: (page: Item[]) => Promise<Item[]> | undefined,
): AsyncGenerator<Item[], void, undefined> {
  let coming: Promise<Item[]> | undefined = settled(first);
  while (coming) {
    const page: Item[] = await coming;
    const after = next(page);
    coming = after && settled(after);
    yield page;
  }
}

/**
 * The items of the pages from `first` on (see pagesAhead), each passed through `map`
 * only when the caller reaches it. Only turning a page awaits; an item of the page in
 * hand comes at once.
 */
export function readAhead<Item, Out>(
  first: Promise<Item[]>,
  next: (page: Item[]) => Promise<Item[]> | undefined,
  map: (item: Item) => Out,
): AsyncIterableIterator<Out> {
  const pages = pagesAhead(first, next);
  let page: Item[] = [];
  let index = 0;

  async function turnPage(): Promise<IteratorResult<Out>> {
    while (index >= page.length) {
      const turned = await pages.next();
      if (turned.done) return { value: undefined, done: true };
      page = turned.value;
      index = 0;
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
      page = [];
      await pages.return();
      return { value: undefined, done: true };
    },
  };
}

/** A page read ahead may fail before anyone awaits it; it still fails whoever awaits it later. */
function settled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}
