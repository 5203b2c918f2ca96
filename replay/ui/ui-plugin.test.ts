import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { uiPlugin } from './ui-plugin.ts';

describe('uiPlugin', () => {
  it('serves the page, one bundled ES module and the stylesheet, all local', async () => {
    const app = Fastify();
    await app.register(uiPlugin);
    for (const url of ['/ui', '/ui/']) {
      const page = await app.inject({ url });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.body).toContain('<script type="module" src="/ui/app.js">');
      // No CDN: every script and stylesheet the page loads comes from this server.
      expect(page.body).not.toMatch(/(src|href)="https?:/);
    }
    const js = await app.inject({ url: '/ui/app.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    // One self-contained module: imports were bundled in, and it talks to the replay API.
    expect(js.body).not.toMatch(/^import /m);
    expect(js.body).toContain('/replay');
    expect(js.body).toContain('/explain/pod/');
    const css = await app.inject({ url: '/ui/app.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.body).toContain('.scrubber');
    await app.close();
  });

  it('registers on servers that ignore trailing slashes (the API server does)', async () => {
    const app = Fastify({ routerOptions: { ignoreTrailingSlash: true } });
    await app.register(uiPlugin);
    expect((await app.inject({ url: '/ui/' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/ui' })).statusCode).toBe(200);
    await app.close();
  });
});
