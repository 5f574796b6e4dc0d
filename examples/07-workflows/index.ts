// Workflows: the blog's editorial review, told with a clock moved by hand. A post is
// submitted, approved for later and published when the time comes; another is
// rejected and goes back to draft; a third waits past its deadline and the editors
// are reminded. Run: npx tsx examples/07-workflows/index.ts [store url]

import { loadState, OUTBOX_MESSAGE, openEventStore, startWorkflows, workflowStreamId, type OutboxMessageData, type WorkflowStep } from '../../src/index.js';
import {
  handlePostCommand,
  postDecider,
  postStreamId,
  reviewCommandHandlers,
  reviewPost,
  reviewWorkflow,
  submitPostForReview,
  type PostState,
} from '../blog/index.js';
import { storyteller, tellWhenRun } from '../story.js';

export interface Story {
  lines: string[];
  /** Each post's status at the end. */
  posts: Record<string, string>;
  /** The approved post's status just before its publishing time, and just after. */
  beforeTime: string;
  afterTime: string;
  /** Each instance's status at the end, by post id. */
  instances: Record<string, string>;
  /** The outbox: every OutboxMessage, in log order. */
  messages: { streamId: string; subject: string; payload: unknown }[];
}

const START = Date.parse('2026-05-01T09:00:00Z');
const HOUR = 60 * 60 * 1000;

/** Tells the story on `storeUrl` (an empty store). */
export async function main(storeUrl = 'memory:', print: (line: string) => void = console.log): Promise<Story> {
  const { lines, say } = storyteller(print);
  // The workflows' clock: moved by hand, so two days pass in a line.
  let now = START;
  const clock = { now: () => now };
  const at = () => new Date(now).toISOString().replace('.000Z', 'Z');
  const store = await openEventStore(storeUrl);
  // timers: false — no timer service in the background; idle() fires what the clock has made due.
  const workflows = startWorkflows(store, [reviewWorkflow], { clock, timers: false, commands: reviewCommandHandlers(store), pollIntervalMs: 50 });
  const status = async (postId: string) => (await loadState(store, postStreamId(postId), postDecider)).state.status;
  try {
    say(`The editorial review on ${storeUrl}, at ${at()}`);
    for (const [postId, title] of [['hello', 'Hello, Eventline'], ['rough', 'A rough draft'], ['quiet', 'Nobody reads this']]) {
      await handlePostCommand(store, { type: 'CreatePost', postId: postId!, title: title!, body: '…', authorId: 'ada' });
      await submitPostForReview(store, postId!);
    }
    await workflows.idle();
    say(`Three posts submitted. Each started an instance, which sent StartReview: the posts are ${await status('hello')}.`);

    say();
    const publishAt = new Date(now + 3 * HOUR).toISOString();
    await reviewPost(store, { postId: 'hello', decision: 'approve', publishAt });
    await workflows.idle();
    const beforeTime = await status('hello');
    say(`hello approved for ${publishAt}: the instance set a timer, the post is ${beforeTime}.`);
    now += 3 * HOUR;
    await workflows.idle();
    const afterTime = await status('hello');
    say(`The clock moves three hours to ${at()}: the timer fired, PublishPost ran, the post is ${afterTime}.`);

    say();
    await reviewPost(store, { postId: 'rough', decision: 'reject', reason: 'Needs a source for the figures.' });
    await workflows.idle();
    const returned = (await store.readStream(postStreamId('rough'))).at(-1)!;
    say(`rough rejected: the instance compensated its StartReview with ReturnPostToDraft.`);
    say(`The post is ${await status('rough')} again, and its last event says why: ${returned.type} ${JSON.stringify(returned.data)}`);

    say();
    now += 48 * HOUR;
    await workflows.idle();
    say(`Two days pass (${at()}): quiet's review deadline went by, its reminder timer fired, and a message is in the outbox.`);
    await reviewPost(store, { postId: 'quiet', decision: 'approve' });
    await workflows.idle();
    say(`Reminded, an editor approves quiet with no time: PublishPost at once, the post is ${await status('quiet')}.`);

    say();
    const instances: Record<string, string> = {};
    for (const postId of ['hello', 'rough', 'quiet']) {
      const instance = await workflows.show(workflowStreamId('review', postId));
      instances[postId] = instance.status;
      say(`${instance.streamId}: ${instance.status}${instance.reason ? ` (${instance.reason})` : ''}`);
      for (const step of instance.events) say(`  ${String(step.version).padStart(2)} ${describeStep(step)}`);
    }

    say();
    say('The outbox, for the relay to deliver:');
    const messages: Story['messages'] = [];
    for await (const event of store.readAll({ after: 0, types: [OUTBOX_MESSAGE] })) {
      const { subject, payload } = event.data as OutboxMessageData;
      messages.push({ streamId: event.streamId, subject, payload });
      say(`  #${event.position} ${subject} ${JSON.stringify(payload)}`);
    }

    const posts: Record<string, PostState['status']> = {};
    for (const postId of ['hello', 'rough', 'quiet']) posts[postId] = await status(postId);
    return { lines, posts, beforeTime, afterTime, instances, messages };
  } finally {
    await workflows.stop();
    await store.close();
  }
}

/** One event of an instance's stream, in a line. */
function describeStep({ type, data }: WorkflowStep): string {
  const d = data as StepData;
  switch (type) {
    case 'WorkflowInputReceived':
      return `${type} ${d.input?.type}`;
    case 'WorkflowInputIgnored':
      return `${type} ${d.input?.type} (the instance had ended)`;
    case 'WorkflowCommandSent':
      return `${type} ${d.command?.type}${d.compensates ? ' (compensating)' : ''}`;
    case 'WorkflowCommandDone':
      return `${type} ${d.outcome}${d.reason ? `: ${d.reason}` : ''}`;
    case 'TimerScheduled':
      return `${type} ${d.name}, due ${d.dueAt}`;
    case 'TimerFired':
    case 'TimerCancelled':
      return `${type} ${d.name}`;
    case OUTBOX_MESSAGE:
      return `${type} ${d.subject}`;
    case 'WorkflowCompensating':
      return `${type}: ${d.reason}`;
    default:
      return type;
  }
}

/** The fields of the instance events this story prints. */
interface StepData {
  input?: { type: string };
  command?: { type: string };
  compensates?: string | null;
  outcome?: string;
  reason?: string | null;
  name?: string;
  dueAt?: string;
  subject?: string;
}

await tellWhenRun(import.meta.url, main);
