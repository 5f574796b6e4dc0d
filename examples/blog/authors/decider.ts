// The author as a decider: its state folded from its events, and what each command
// decides. A forgotten author's name and email fold as the erased marker, and no command
// but ForgetAuthor (which then decides nothing) is taken any more.

import { DomainError, handleCommand, NotFoundError, type CommandResult, type Decider, type EventStore } from '../../../src/index.js';
import { authorStreamId, parseAuthorCommand, type AuthorCommand } from './commands.js';
import type { AuthorEvent, Personal } from './events.js';

export type AuthorState =
  | { status: 'absent' }
  | { status: 'active' | 'forgotten'; authorId: string; name: Personal<string>; email: Personal<string> };

export const initialAuthorState = (): AuthorState => ({ status: 'absent' });

export function evolveAuthor(state: AuthorState, event: AuthorEvent): AuthorState {
  switch (event.type) {
    case 'AuthorRegistered':
      return { status: 'active', ...event.data };
    case 'AuthorProfileChanged':
      if (state.status === 'absent') return state;
      return { ...state, ...(event.data.name !== undefined && { name: event.data.name }), ...(event.data.email !== undefined && { email: event.data.email }) };
    case 'AuthorForgotten':
      return state.status === 'absent' ? state : { ...state, status: 'forgotten' };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

export function decideAuthor(input: AuthorCommand, state: AuthorState): AuthorEvent[] {
  const command = parseAuthorCommand(input);
  switch (command.type) {
    case 'RegisterAuthor': {
      if (state.status !== 'absent') throw new DomainError('Author already exists');
      const { authorId, name, email } = command;
      return [{ type: 'AuthorRegistered', data: { authorId, name, email } }];
    }
    case 'ChangeAuthorProfile': {
      if (state.status === 'absent') throw new NotFoundError('Author does not exist');
      if (state.status === 'forgotten') throw new DomainError('Author was forgotten');
      const name = command.name !== undefined && command.name !== state.name ? command.name : undefined;
      const email = command.email !== undefined && command.email !== state.email ? command.email : undefined;
      if (name === undefined && email === undefined) throw new DomainError('Change changes nothing');
      return [{ type: 'AuthorProfileChanged', data: { authorId: command.authorId, ...(name !== undefined && { name }), ...(email !== undefined && { email }) } }];
    }
    case 'ForgetAuthor':
      if (state.status === 'absent') throw new NotFoundError('Author does not exist');
      // Forgetting again (after a crash before the keys were destroyed) records nothing new.
      return state.status === 'forgotten' ? [] : [{ type: 'AuthorForgotten', data: { authorId: command.authorId } }];
    default: {
      const _exhaustive: never = command;
      throw new Error(`unhandled command ${JSON.stringify(_exhaustive)}`);
    }
  }
}

export const authorDecider: Decider<AuthorState, AuthorCommand, AuthorEvent> = { initialState: initialAuthorState, evolve: evolveAuthor, decide: decideAuthor };

/**
 * @example
 * await handleAuthorCommand(store, { type: 'RegisterAuthor', authorId: newAuthorId(), name: 'Ada', email: 'ada@example.org' });
 */
export async function handleAuthorCommand(store: EventStore, command: AuthorCommand): Promise<CommandResult<AuthorState>> {
  const { authorId } = parseAuthorCommand(command);
  return handleCommand(store, authorStreamId(authorId), authorDecider, command);
}
