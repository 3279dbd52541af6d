import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ fallback: 'index.html' }),
    // Deploy under a sub-path with BASE_PATH=/my/path npm run build.
    paths: { base: process.env.BASE_PATH ?? '', relative: true },
  },
};

export default config;
