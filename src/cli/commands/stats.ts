// `eventline stats`: how much the store holds.

import type { Command } from '../command.js';
import { humanSize } from '../format.js';

export const statsCommand: Command = {
  name: 'stats',
  summary: 'Count the events and streams, and the bytes the store takes',
  synopsis: '',
  positionals: [],
  options: {},
  optionHelp: [],
  prints: 'The kind of store, its number of events and streams, and its size on disk\n' +
    '(for memory:, the bytes of its payloads). With --json: {"events":N,"streams":N,"bytes":N}.',
  examples: ['eventline stats', 'eventline --store postgres://localhost/app stats --json'],

  prepare() {
    return async ({ store, out }) => {
      const { events, streams, bytes } = await store.stats();
      if (out.json) {
        await out.record({ events, streams, bytes });
        return;
      }
      await out.line(`store    ${store.kind}`);
      await out.line(`events   ${events}`);
      await out.line(`streams  ${streams}`);
      await out.line(`size     ${humanSize(bytes)} (${bytes} bytes)`);
    };
  },
};
