// The review workflow's instances over HTTP: the list (by status), one instance's
// whole story as its stream tells it (state, inputs, outputs, timers, commands, a
// parked error), and the retry of a parked one.

import type { FastifyInstance } from 'fastify';
import type { WorkflowDetail, WorkflowSummary } from '../../src/index.js';
import type { WorkflowDetailJson, WorkflowSummaryJson } from '../api-types.js';
import type { LabContext } from './context.js';
import { cursorSchema, digits, idParams, readInt } from './json.js';

export const WORKFLOW_STATUSES = ['running', 'parked', 'compensating', 'completed', 'failed', 'compensated'] as const;

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: WORKFLOW_STATUSES },
    limit: digits,
    cursor: cursorSchema,
  },
} as const;

const noQuery = { type: 'object', additionalProperties: false, properties: {} } as const;
const noBody = { type: ['object', 'null'], additionalProperties: false, properties: {} } as const;

export function workflowRoutes(app: FastifyInstance, lab: LabContext): void {
  app.get<{ Querystring: { status?: (typeof WORKFLOW_STATUSES)[number]; limit?: string; cursor?: string } }>(
    '/api/workflows',
    { schema: { querystring: listQuery } },
    async (request) => {
      const { status, cursor } = request.query;
      const limit = readInt(request.query.limit, 'limit', { min: 1, max: 100, default: 50 });
      // One more than asked, to know whether there is a next page.
      const rows = await lab.workflows.list({ ...(status !== undefined && { status }), limit: limit + 1, ...(cursor !== undefined && { after: cursor }) });
      const items = rows.slice(0, limit);
      return {
        items: items.map(summaryJson),
        nextCursor: rows.length > limit ? items.at(-1)!.streamId : null,
        counts: await lab.workflows.counts(),
      };
    },
  );

  app.get<{ Params: { id: string } }>('/api/workflows/:id', { schema: { params: idParams, querystring: noQuery } }, async (request) =>
    detailJson(await lab.workflows.show(request.params.id)),
  );

  app.post<{ Params: { id: string } }>('/api/workflows/:id/retry', { schema: { params: idParams, querystring: noQuery, body: noBody } }, async (request) => {
    const streamId = request.params.id;
    await lab.workflows.retry(streamId);
    return { streamId, status: 'retried' };
  });
}

function summaryJson(row: WorkflowSummary): WorkflowSummaryJson {
  return { ...row, startedAt: new Date(row.startedAt).toISOString(), updatedAt: new Date(row.updatedAt).toISOString() };
}

function detailJson(detail: WorkflowDetail): WorkflowDetailJson {
  const step = <Step extends { recordedAt: Date }>(s: Step) => ({ ...s, recordedAt: s.recordedAt.toISOString() });
  return {
    ...detail,
    inputs: detail.inputs.map(step),
    outputs: detail.outputs.map(step),
    events: detail.events.map(step),
  };
}
