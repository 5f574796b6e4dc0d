// The blog's write side as one value: hand it to handleCommand with a store, or test
// it alone by folding events and calling decide.

import type { Decider } from '../../src/index.js';
import type { PostCommand } from './commands.js';
import { decide } from './decide.js';
import type { PostEvent } from './events.js';
import { evolve } from './evolve.js';
import { initialState, type PostState } from './state.js';

export const postDecider: Decider<PostState, PostCommand, PostEvent> = { initialState, evolve, decide };
