// The Lab page: wires the panels together (commands, authors, posts, the selected
// stream, retention, workflows, projections, the timeline). Selecting a post or a stream anywhere
// selects it everywhere; a new event, a command's result or a moved projection
// checkpoint reloads the parts of the read side that could have changed.

import './styles.css';
import type { ProjectionsStatus } from './api.js';
import { createAuthorsPanel } from './authors.js';
import { byId, debounce } from './dom.js';
import { postIdOfStream, streamOfPost } from './format.js';
import { createForms } from './forms.js';
import { createPostDetail } from './post-detail.js';
import { createPostsPanel } from './posts.js';
import { createProjectionsPanel } from './projections.js';
import { createRetentionPanel } from './retention.js';
import { createTimeline } from './timeline.js';
import { createWorkflowsPanel } from './workflows.js';
import { setUpToken } from './token.js';

setUpToken(byId('token'));

const detail = createPostDetail(byId('post-detail'));
const posts = createPostsPanel(byId('posts'), { onSelect: (post) => select(streamOfPost(post.postId)) });
const forms = createForms(byId('commands'), {
  onDone: (_command, result) => {
    select(streamOfPost(result.postId));
    refreshSoon();
  },
});

const authors = createAuthorsPanel(byId('authors'), {
  onAuthors: (list) => forms.setAuthors(list),
  onChange: () => refreshSoon(),
});

// Read models are updated after the events are recorded, so the read side reloads
// whenever a projection's checkpoint moves, not only when an event arrives.
let checkpoints = '';
const projections = createProjectionsPanel(byId('projections'), {
  onStatus: (status: ProjectionsStatus) => {
    const now = status.projections.map((projection) => `${projection.name}@${projection.position}`).join(',');
    if (now === checkpoints) return;
    checkpoints = now;
    void posts.refresh();
    void detail.refresh();
    void authors.refresh();
  },
});

const retention = createRetentionPanel(byId('retention'), { onChange: () => refreshSoon() });

const workflows = createWorkflowsPanel(byId('workflows'), { onSelect: (streamId) => select(streamId) });

const timeline = createTimeline(byId('timeline'), {
  indicator: byId('connection'),
  onEvent: () => refreshSoon(),
  onSelectStream: (streamId) => select(streamId),
});

/** One reload for a burst of events. */
const refreshSoon = debounce(() => {
  void projections.refresh();
  void posts.refresh();
  void detail.refresh();
  void workflows.refresh();
  void authors.refresh();
  void retention.refresh();
}, 100);

function select(streamId: string): void {
  const postId = postIdOfStream(streamId);
  detail.show(streamId);
  posts.setSelected(postId);
  if (postId !== undefined) forms.usePost(postId);
  // A post's review is the instance workflow-review-<postId>; an instance picked shows itself.
  const review = postId === undefined ? undefined : `workflow-review-${postId}`;
  const instance = review ?? (streamId.startsWith('workflow-') ? streamId : undefined);
  if (instance !== undefined) workflows.show(instance);
}

void posts.refresh();
void authors.refresh();
void projections.refresh();
void workflows.refresh();
void retention.refresh();
void timeline.start();
