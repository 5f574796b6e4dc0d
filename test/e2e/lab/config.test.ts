// The Lab's settings: given an environment, then the settings it runs with, or the
// one-line reason it refuses to start.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, readConfig } from '../../../lab/server/config.js';

describe("the Lab's settings", () => {
  test('with nothing set: loopback, port 3000, the default SQLite file, no token, async projections, no NATS, archives in ./archives', () => {
    assert.deepEqual(readConfig({}), {
      host: '127.0.0.1',
      port: 3000,
      storeUrl: 'sqlite:./data/eventline.db',
      token: undefined,
      projections: 'async',
      natsUrl: undefined,
      natsStream: 'EVENTLINE',
      archiveDir: './archives',
    });
  });

  test('each variable is taken as given', () => {
    const env = {
      HOST: '0.0.0.0',
      PORT: '0',
      EVENTLINE_STORE: 'memory:',
      EVENTLINE_TOKEN: 't',
      EVENTLINE_PROJECTIONS: 'inline',
      EVENTLINE_NATS_URL: 'nats://127.0.0.1:4222',
      EVENTLINE_NATS_STREAM: 'BLOG',
      EVENTLINE_ARCHIVE_DIR: '/var/lib/eventline/archives',
    };
    assert.deepEqual(readConfig(env), {
      host: '0.0.0.0',
      port: 0,
      storeUrl: 'memory:',
      token: 't',
      projections: 'inline',
      natsUrl: 'nats://127.0.0.1:4222',
      natsStream: 'BLOG',
      archiveDir: '/var/lib/eventline/archives',
    });
  });

  test('loopback addresses need no token; any other address does', () => {
    for (const HOST of ['127.0.0.1', '::1', 'localhost']) assert.equal(readConfig({ HOST }).host, HOST);
    for (const HOST of ['0.0.0.0', '::', '192.168.1.10', 'example.org']) {
      assert.throws(() => readConfig({ HOST }), (error: unknown) => error instanceof ConfigError && /without EVENTLINE_TOKEN/.test(error.message) && !error.message.includes('\n'));
    }
  });

  test('a port, projection mode or JetStream stream name that cannot work is refused, naming the variable', () => {
    for (const PORT of ['-1', '65536', 'http', '3000.5', ' 80']) assert.throws(() => readConfig({ PORT }), /PORT must be a port number/);
    assert.throws(() => readConfig({ EVENTLINE_PROJECTIONS: 'sync' }), /EVENTLINE_PROJECTIONS must be async or inline/);
    assert.throws(() => readConfig({ EVENTLINE_NATS_STREAM: 'blog.posts' }), (error: unknown) => error instanceof ConfigError && /^EVENTLINE_NATS_STREAM: must not contain/.test(error.message));
    assert.equal(readConfig({ EVENTLINE_NATS_URL: '  ' }).natsUrl, undefined, 'a blank URL runs no relay');
  });
});
