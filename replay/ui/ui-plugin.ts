import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

const here = dirname(fileURLToPath(import.meta.url));

/** Bundles the debugger's TypeScript (replay/ui/src) into one ES module, in memory. */
export async function bundleUi(): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(here, 'src', 'main.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    write: false,
    minify: true,
    sourcemap: 'inline',
    sourcesContent: true,
    logLevel: 'silent',
    legalComments: 'none',
  });
  return result.outputFiles[0]!.text;
}

// One bundle and one read of the static files per process, however many servers register the plugin.
let bundle: Promise<string> | undefined;
let files: Promise<[string, string]> | undefined;

function appJs(): Promise<string> {
  return (bundle ??= bundleUi().catch((error: unknown) => {
    bundle = undefined;
    throw error;
  }));
}

function assets(): Promise<[string, string]> {
  return (files ??= Promise.all([readFile(join(here, 'index.html'), 'utf8'), readFile(join(here, 'app.css'), 'utf8')]));
}

/**
 * Serves the time-travel debugger at /ui (index.html, app.js, app.css). It talks to the replay
 * API at /replay, so register it on the same server as `replayRoutes`. The bundle is built when
 * the plugin is registered and kept in memory; a failed build is retried on the next request.
 */
export async function uiPlugin(app: FastifyInstance): Promise<void> {
  appJs().catch(() => undefined);
  const [html, css] = await assets();

  const page = async (_request: unknown, reply: FastifyReply) => reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  app.get('/ui', page);
  // Servers with ignoreTrailingSlash already answer /ui/ with the route above.
  const config = app.initialConfig as { routerOptions?: { ignoreTrailingSlash?: boolean }; ignoreTrailingSlash?: boolean };
  const ignoresSlash = config.routerOptions ? config.routerOptions.ignoreTrailingSlash : config.ignoreTrailingSlash;
  if (!ignoresSlash) app.get('/ui/', page);
  app.get('/ui/app.css', async (_request, reply) => reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'no-cache').send(css));
  app.get('/ui/app.js', async (_request, reply) => reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(await appJs()));
}
