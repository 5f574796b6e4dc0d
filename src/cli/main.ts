#!/usr/bin/env node
// The eventline executable: runs the command line against this process's streams and
// sets the exit code. Everything else lives in run.ts, where tests can reach it.

import { processIo } from './io.js';
import { run } from './run.js';

process.exitCode = await run(process.argv.slice(2), processIo());
