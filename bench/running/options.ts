// The command line of `npm run bench`.

export interface Options {
  /** Workload ids; W7 also selects W7p. */
  only: string[] | undefined;
  /** Kinds (memory, sqlite, postgres) or store names (sqlite-full, floor-pg, ...). */
  stores: string[];
  runs: number;
  scale: number;
  json: boolean;
  vs: 'emmett' | undefined;
  /** Write a CPU profile of every measurement to bench/results/profiles. */
  prof: boolean;
}

export const USAGE = `usage: npm run bench -- [options]
  --vs emmett          also run Emmett's stores and the raw-driver floors, with ratios
  --only W1,S1         run only these workloads (W1..W8, S1, P1, P2, L1, L2, WF1; W2 includes W2-WARM, W7 W7p, W8 its 1, 4, 16, 32 writers and 4x8, S1 all its sizes and variants, WF1 WF1-2p, E1 E1-W1, E1-W4 and E1-FORGET, R1, C1)
  --stores sqlite,...  kinds (memory, sqlite, postgres) or store names (sqlite-full, floor-pg, ...)
  --runs N             runs per workload and store (default 3)
  --scale F            multiply every size by F (0.01 for a smoke run)
  --json               one JSON object per line instead of the table
  --prof               write a CPU profile per measurement to bench/results/profiles (for Chrome DevTools)`;

export function parseOptions(argv: readonly string[]): Options {
  const options: Options = { only: undefined, stores: ['memory', 'sqlite', 'postgres'], runs: 3, scale: 1, json: false, vs: undefined, prof: false };
  const args = argv.flatMap((arg) => (arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg]));
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    const list = () => value().split(',').map((s) => s.trim()).filter(Boolean);
    switch (flag) {
      case '--only':
        options.only = list().map((s) => s.toUpperCase().replace(/P$/, 'p').replace(/(\d)X(\d)/, '$1x$2'));
        break;
      case '--stores':
        options.stores = list();
        break;
      case '--runs':
        options.runs = positive(flag, value(), true);
        break;
      case '--scale':
        options.scale = positive(flag, value(), false);
        break;
      case '--json':
        options.json = true;
        break;
      case '--prof':
        options.prof = true;
        break;
      case '--vs': {
        const peer = value();
        if (peer !== 'emmett') throw new Error(`--vs knows only emmett, got ${JSON.stringify(peer)}`);
        options.vs = peer;
        break;
      }
      case '--help':
      case '-h':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${JSON.stringify(flag)}\n${USAGE}`);
    }
  }
  return options;
}

export function positive(flag: string, raw: string, whole: boolean): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (whole && !Number.isInteger(n))) {
    throw new Error(`${flag} must be a ${whole ? 'whole ' : ''}number above 0, got ${JSON.stringify(raw)}`);
  }
  return n;
}
