// The architecture's executable form: which folder of src/ may import which (docs/architecture.md
// explains why), no import cycles, no orphan modules. `npm test` runs it (test/architecture/), and
// so can a person: `npm run depcruise`.
//
// LAYERS lists the folders bottom first; ALLOWED lists, per folder, the folders it may import. Every
// folder may also import the files directly in src/ ("(root)": errors.ts, random.ts, bounded.ts, canonical-json.ts),
// and those import no folder. An allowed import always points to a lower layer, so folders cannot
// import each other in a circle; test/architecture/ checks that, and that docs/architecture.md
// shows the same table.

/** Folders of src/, bottom layer first; folders in one layer do not import each other. */
const LAYERS = [
  ['(root)'],
  ['fs', 'metrics', 'protocol', 'regions'],
  ['azure', 'net', 'roles', 'trace', 'live'],
  ['analysis', 'relay', 'tunnel', 'targets', 'record'],
  ['workloads', 'report'],
  ['scenario'],
  ['plan'],
  ['paths', 'deploy'],
  ['run', 'calibrate'],
  ['capacity'],
  ['cli'],
];

/** The folders each folder may import (besides itself and "(root)"). */
const ALLOWED = {
  '(root)': [],
  fs: [],
  metrics: [],
  protocol: [],
  regions: [],
  azure: ['fs'],
  net: ['metrics'],
  roles: [],
  trace: ['fs'],
  live: ['metrics'],
  analysis: ['metrics', 'net'],
  relay: ['azure', 'metrics', 'net'],
  tunnel: ['azure', 'metrics', 'net'],
  targets: ['protocol'],
  record: ['fs', 'trace'],
  workloads: ['analysis', 'metrics', 'net', 'protocol', 'trace'],
  report: ['analysis', 'metrics', 'regions'],
  scenario: ['analysis', 'azure', 'fs', 'regions', 'trace', 'workloads'],
  plan: ['metrics', 'scenario', 'workloads'],
  paths: ['azure', 'metrics', 'net', 'plan', 'roles', 'scenario', 'workloads'],
  deploy: ['azure', 'fs', 'plan', 'scenario'],
  run: ['analysis', 'azure', 'fs', 'metrics', 'net', 'paths', 'plan', 'scenario', 'workloads'],
  calibrate: ['analysis', 'fs', 'metrics', 'net', 'paths', 'roles', 'scenario', 'workloads'],
  capacity: ['azure', 'metrics', 'plan', 'report', 'run', 'scenario'],
  cli: ['analysis', 'azure', 'calibrate', 'capacity', 'deploy', 'fs', 'live', 'metrics', 'net', 'plan', 'record', 'regions', 'relay', 'report', 'roles', 'run', 'scenario', 'targets', 'trace', 'tunnel'],
};

const ROOT_FILE = '^src/[^/]+$';
const folder = (name) => `^src/${name}/`;

/** One rule per folder: it imports nothing in src/ outside itself, the root files and its ALLOWED folders. */
const layerRules = Object.entries(ALLOWED).map(([name, allowed]) =>
  name === '(root)'
    ? {
        name: 'layer-(root)',
        comment: 'the files directly in src/ are the foundation: they import no folder of src/',
        severity: 'error',
        from: { path: ROOT_FILE },
        to: { path: '^src/[^/]+/' },
      }
    : {
        name: `layer-${name}`,
        comment: `src/${name}/ may import only ${allowed.length === 0 ? 'the root files' : `src/{${allowed.join(',')}}/ and the root files`} (docs/architecture.md)`,
        severity: 'error',
        from: { path: folder(name) },
        to: { path: '^src/', pathNot: [folder(name), ROOT_FILE, ...allowed.map(folder)] },
      },
);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no import cycles, also not through type-only imports: a cycle means two modules are one concept split in two, or one is in the wrong place',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-orphans',
      comment: 'a module nothing imports and that imports nothing is dead code (entry points import what they run)',
      severity: 'error',
      from: { orphan: true, path: '^src/', pathNot: '\\.d\\.ts$' },
      to: {},
    },
    {
      name: 'not-to-unresolvable',
      comment: 'every import resolves to a file or an installed package',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'not-to-dev-dep',
      comment: 'src/ ships: it may not import a devDependency (tests and bench may)',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};

// The table itself, for test/architecture/ (non-enumerable: dependency-cruiser rejects unknown keys).
Object.defineProperty(module.exports, 'architecture', { value: { layers: LAYERS, allowed: ALLOWED }, enumerable: false });
