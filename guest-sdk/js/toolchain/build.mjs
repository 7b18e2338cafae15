// Builds one JS plugin into a WebAssembly component with componentize-js.
//
// usage: node build.mjs --source <plugin.js> --world <pkg:name/world> --out <file.wasm>
//                       --sdk <guest-sdk/js> --wit <package dir> [--wit <dependency dir>]...
//                       [--types <dir>]
//
// The plugin's source is first bundled with rolldown into one ES module: its
// relative imports and `airlock-guest` (the SDK at --sdk) are inlined, and the
// component's own imports (`airlock:*`, `wasi:*`) stay imports.
// The first --wit folder is the world's own package; the others are the
// packages it uses (airlock:plugin, ...). componentize-js wants one folder with
// a deps/ subfolder and absolute paths, so this lays them out in a temporary
// folder first. With --types, `jco types` also writes TypeScript declarations
// for a guest of the world there. The ahead-of-time (weval) path is never used: it
// downloads a binary.
import { mkdtempSync, mkdirSync, cpSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { join, resolve, basename, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const opts = { wit: [] };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${key} needs a value`);
    switch (key) {
      case '--source': opts.source = resolve(value); break;
      case '--world': opts.world = value; break;
      case '--out': opts.out = resolve(value); break;
      case '--wit': opts.wit.push(resolve(value)); break;
      case '--types': opts.types = resolve(value); break;
      case '--sdk': opts.sdk = resolve(value); break;
      default: throw new Error(`unknown option ${key}`);
    }
  }
  for (const need of ['world', 'out']) {
    if (!opts[need]) throw new Error(`--${need} is required`);
  }
  if (!opts.source && !opts.types) throw new Error('--source or --types is required');
  if (opts.wit.length === 0) throw new Error('at least one --wit folder is required');
  return opts;
}

/** Copies the WIT folders into one tree: the first at the top, the rest under deps/. */
function layOutWit(folders) {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-js-wit-'));
  const [main, ...deps] = folders;
  cpSync(main, dir, { recursive: true });
  deps.forEach((dep, i) => {
    cpSync(dep, join(dir, 'deps', `${i}-${basename(dep)}`), { recursive: true });
  });
  return dir;
}

/** Bundles `source` and what it imports into one ES module at `out`. */
async function bundle(source, sdk, out) {
  const { rolldown } = await import('rolldown');
  const build = await rolldown({
    input: source,
    external: [/^airlock:/, /^wasi:/],
    resolve: { alias: { 'airlock-guest': join(sdk, 'src', 'index.js') } },
    logLevel: 'warn',
  });
  await build.write({ file: out, format: 'esm' });
  await build.close();
}

/**
 * Writes TypeScript declarations for a guest of `world` into `outDir`, as
 * `jco guest-types` would. The CLI cannot be used: jco 1.35.0's WASI shim
 * (preview2-shim 0.26) starts with no preopened folder, so it reads no WIT;
 * here the shim instance jco-transpile uses is given the root first.
 */
async function guestTypes(wit, world, outDir) {
  const transpile = join(here, 'node_modules', '@bytecodealliance', 'jco-transpile');
  const shim = join(transpile, 'node_modules', '@bytecodealliance', 'preview2-shim');
  const fs = await import(pathToFileURL(join(shim, 'dist', 'nodejs', 'filesystem.js')));
  fs._setPreopens({ '/': '/' });
  const { generateGuestTypes, writeFiles } = await import(
    pathToFileURL(join(transpile, 'dist', 'index.js'))
  );
  const files = await generateGuestTypes(wit, { worldName: world, outDir });
  await writeFiles(files);
  console.error(`wrote ${Object.keys(files).length} declaration files to ${outDir}`);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const wit = layOutWit(opts.wit);
  try {
    if (opts.types) await guestTypes(wit, opts.world, opts.types);
    if (!opts.source) return;
    if (!opts.sdk) throw new Error('--sdk is required with --source');
    const started = Date.now();
    // Named after the source, so that stack traces name the plugin's file.
    const bundled = join(`${wit}.bundle`, basename(opts.source));
    await bundle(opts.source, opts.sdk, bundled);
    const { componentize } = await import('@bytecodealliance/componentize-js');
    const { component } = await componentize({
      sourcePath: bundled,
      witPath: wit,
      worldName: opts.world,
      enableAot: false,
      // Fetch and HTTP are not in any Airlock world; leaving them out keeps
      // the component's imports to what the runner links.
      disableFeatures: ['http', 'fetch-event'],
    });
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, component);
    const mib = statSync(opts.out).size / (1024 * 1024);
    const secs = (Date.now() - started) / 1000;
    console.error(`componentized ${opts.source} in ${secs.toFixed(1)} s: ${mib.toFixed(1)} MiB`);
  } finally {
    rmSync(wit, { recursive: true, force: true });
    rmSync(`${wit}.bundle`, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`error: ${err.message ?? err}`);
  process.exit(1);
});
