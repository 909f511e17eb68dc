// holefill web: the editor in a browser, served on 127.0.0.1 with the same typed API as the desktop app.
import { launchWebHost } from '../web/launch';
import { ENGINE_OPTIONS, ENGINE_USAGE, engineFrom, EXIT, parse, UsageError, type Subcommand } from './common';

const usage = `Usage: holefill web [--port N] [--user-data DIR] [--build] [engine options]

Serves the built editor (out/renderer, built first if missing) and its API on http://127.0.0.1 only, and
prints the URL to open. The URL carries a random token for this run: every request needs it, so only the
person who started the host (and their browser) can use it. In the browser, file dialogs are path fields:
typed paths are granted there, unlike the desktop app.

  --port N           the port (default: any free one)
  --user-data DIR    settings, recent photos and the recovery file (default: ~/.config/holefill-web)
  --build            rebuild the renderer first
${ENGINE_USAGE}`;

const OPTIONS = { port: { type: 'string' }, 'user-data': { type: 'string' }, build: { type: 'boolean' }, ...ENGINE_OPTIONS } as const;

export const webSubcommand: Subcommand = {
  name: 'web',
  summary: 'serve the editor in a browser on 127.0.0.1 (development, UI tests)',
  usage,
  async run(args) {
    const { values } = parse(args, OPTIONS);
    if (values.help) return (console.log(usage), EXIT.ok);
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number (got "${values.port}").`);
    // Remove Object in the page takes the texture from the page's Settings, which persist.
    if (values.texture !== undefined) throw new UsageError('--texture is chosen in the page here: Settings > Texture.');
    const log = (m: string) => process.stderr.write(`[holefill web] ${m}\n`);
    const host = await launchWebHost({
      port,
      engine: engineFrom(values, log),
      build: values.build ? 'always' : 'if-missing',
      // Settings chosen in the page persist; --provider, --threads or --precision choose for this run instead.
      savedSettings: values.provider === undefined && values.threads === undefined && values.precision === undefined,
      log,
      ...(typeof values['user-data'] === 'string' ? { userData: values['user-data'] } : {}),
    });
    console.log(`Holefill is at ${host.url}`);
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await host.close();
    return signal === 'SIGINT' ? EXIT.interrupted : EXIT.ok;
  },
};

