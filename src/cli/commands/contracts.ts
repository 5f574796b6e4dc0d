// `eventline contracts approve | check`: the approved shape of each event type at each
// schema version, kept as JSON fixtures beside the code, and the check that the code
// still honours them (contracts.ts). Only `check --corpus` reads a store.

import { openEventStore } from '../../open/open-store.js';
import { commandAction, requiredString, stringValue } from '../args.js';
import type { Command, OwnStoreTask } from '../command.js';
import { approveContracts, archiveCorpus, checkContracts, checkCorpus, loadContractsModule, problemLine, storeCorpus, type ContractProblem } from '../contracts.js';
import type { Output } from '../output.js';
import { wholeNumber } from '../values.js';

const ACTION_OPTIONS = { approve: ['schemas', 'dir', 'replace'], check: ['schemas', 'dir', 'corpus', 'sample'] } as const;
const DEFAULT_DIR = 'contracts';
const DEFAULT_SAMPLE = 20;
/** What a retention archive's file name ends with (src/retention/archive.ts). */
const ARCHIVE_SUFFIX = '.jsonl.gz';

export const contractsCommand: Command = {
  name: 'contracts',
  summary: 'Approve and check the shapes of event types at each schema version',
  synopsis: 'approve --schemas <module> [--dir <dir>] [--replace] | check --schemas <module> [--dir <dir>] [--corpus <store url | archive>] [--sample <n>]',
  positionals: ['action'],
  options: {
    schemas: { type: 'string' },
    dir: { type: 'string' },
    replace: { type: 'boolean' },
    corpus: { type: 'string' },
    sample: { type: 'string' },
  },
  optionHelp: [
    ['approve', 'Write <dir>/<Type>/v<N>.json for each example event at its type\'s current version,'],
    ['', 'through the module\'s codec; older versions\' fixtures stay as approved'],
    ['  --replace', 'Overwrite a fixture of another shape at the same version (only if no event was stored at it)'],
    ['check', 'Fail when a current shape is not the approved one at its version (a change without a bump),'],
    ['', 'or an approved older fixture no longer upcasts to a valid current event'],
    ['  --corpus <store url | archive>', 'Also read the stored events of the declared types, as stored, from a store or a'],
    ['', 'retention archive (archive-<run>.jsonl.gz), and upcast and validate a sample of each type and version'],
    ['  --sample <n>', 'Stored events checked per type and version. Default 20'],
    ['--schemas <module>', 'An ES module exporting "schemas" (defineEventSchemas), "examples" (one { type, data } per'],
    ['', 'type, at its current version) and optionally "codec"; a .ts module needs tsx (NODE_OPTIONS="--import tsx")'],
    ['--dir <dir>', 'Where the fixtures are. Default contracts'],
  ],
  prints: 'approve: one line per fixture written. check: one line per problem, naming the type and version\n' +
    '(and the position of a stored event), then exit 1; else a line of what was checked.\n' +
    'With --json: one record per fixture or problem {"type","version","position"?,"problem"}.',
  examples: [
    'NODE_OPTIONS="--import tsx" eventline contracts approve --schemas src/events.ts',
    'NODE_OPTIONS="--import tsx" eventline contracts check --schemas src/events.ts --corpus sqlite:data/app.db',
  ],

  async prepare({ values, positionals }): Promise<OwnStoreTask> {
    const action = commandAction(contractsCommand, ACTION_OPTIONS, positionals[0]!, values);
    const module = await loadContractsModule(requiredString(values, 'schemas', `contracts ${action}`));
    const dir = stringValue(values, 'dir') ?? DEFAULT_DIR;
    const corpus = stringValue(values, 'corpus');
    const sampleText = stringValue(values, 'sample');
    const sample = sampleText === undefined ? DEFAULT_SAMPLE : wholeNumber(sampleText, 'sample', 1);
    // A retention archive is read as a file; a store URL is opened only if it exists.
    const archive = corpus !== undefined && corpus.endsWith(ARCHIVE_SUFFIX) ? corpus : undefined;
    const corpusUrl = archive === undefined ? corpus : undefined;
    // The CLI runs every task against a store: the corpus store when one is named (read
    // only), else an empty one in memory that nothing touches.
    const open = () => openEventStore(corpusUrl ?? 'memory:', { create: corpusUrl === undefined });
    if (action === 'approve') {
      const replace = values.replace === true;
      return {
        open,
        run: async ({ out }) => {
          const { written, refused } = await approveContracts(module, dir, replace);
          for (const { type, version } of written) await (out.json ? out.record({ type, version, approved: true }) : out.line(`approved ${type} v${version}`));
          return report(out, refused);
        },
      };
    }
    return {
      open,
      run: async ({ store, out }) => {
        const checked = await checkContracts(module, dir);
        const events = archive !== undefined ? archiveCorpus(module, archive) : corpusUrl !== undefined ? storeCorpus(module, store) : undefined;
        const stored = events === undefined ? undefined : await checkCorpus(module, events, sample);
        const problems = [...checked.problems, ...(stored?.problems ?? [])];
        if (problems.length === 0 && !out.json) {
          const read = stored === undefined ? '' : `, ${stored.sampled} stored events`;
          await out.line(`contracts hold: ${module.examples.length} types, ${checked.fixtures} fixtures${read}`);
        }
        return report(out, problems);
      },
    };
  },
};

/** Prints the problems; 1 when there is one. */
async function report(out: Output, problems: readonly ContractProblem[]): Promise<number | undefined> {
  for (const problem of problems) await (out.json ? out.record(problem) : out.line(problemLine(problem)));
  return problems.length > 0 ? 1 : undefined;
}
