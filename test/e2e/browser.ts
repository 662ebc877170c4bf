// What the e2e tests share: headless Chromium (with the CJK glyphs for the screenshots from the
// npm font package, so no system CJK fonts are needed; shoppers' phones bring their own), where
// the screenshots go, and axe against WCAG 2.0–2.2 A/AA.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Screenshots (test/artifacts/, git-ignored). */
export const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
export const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];
const CJK_FONTS = fileURLToPath(new URL('../../node_modules/@expo-google-fonts/noto-sans-sc/', import.meta.url));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/**
 * Launches headless Chromium (Playwright gives every launch a fresh temporary user-data dir: no
 * state from earlier runs). With `workDir`, a fontconfig file there adds the CJK fonts (its cache
 * there too); without, Chromium has the system's fonts only.
 */
export async function launchChromium(workDir?: string, args: string[] = []): Promise<Browser> {
  let env: NodeJS.ProcessEnv | undefined;
  if (workDir !== undefined) {
    const fontsConf = join(workDir, 'fonts.conf');
    await writeFile(
      fontsConf,
      `<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include><dir>${CJK_FONTS}400Regular</dir><dir>${CJK_FONTS}700Bold</dir><cachedir>${join(workDir, 'font-cache')}</cachedir></fontconfig>`,
    );
    env = { ...process.env, FONTCONFIG_FILE: fontsConf };
  }
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, ...args], ...(env ? { env } : {}) });
}

/** What axe finds on the page (WCAG A/AA), a line each: id (impact): help — the elements. */
export async function axeViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
