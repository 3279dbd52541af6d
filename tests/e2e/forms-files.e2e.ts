// End-to-end: the per-field spec form and files the user picks, in headless Chromium on the built app. A form
// edit shows up in the JSON view, an out-of-range value gets the field's own message, a file picked for a data
// source is stored (name, size, sha256) and still there after a reload, and a share link naming a file the
// recipient lacks keeps Run off until the right file is picked (a wrong one is refused) — then the Study A demo
// runs with its lexicon read from that picked file. Study B's MCQ set takes one picked file per language.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { demoSpec, EXPERIMENT_KINDS } from '../../workers/contract/specs/index';
import { shareLink } from '../../workers/contract/specs/share';
import { check, openBrowser, step, type E2eOptions } from './harness';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Polls a condition of the page (e.g. a button becoming enabled once the lab worker reports its runners). */
async function until(cond: () => Promise<boolean>, message: string, timeoutMs = 30_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !(await cond());) {
    if (Date.now() > end) throw new Error(message);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function runE2e({ baseUrl }: E2eOptions): Promise<void> {
  const browser = await openBrowser();
  const { page, errors } = browser;
  const specJson = async () => JSON.parse(await page.locator('#spec-text').inputValue());
  try {
    await step('every experiment kind shows its form, valid for its demo spec', async () => {
      for (const kind of EXPERIMENT_KINDS) {
        await page.goto(`${baseUrl}experiment/${kind}`);
        await page.locator('[data-field="seed"] input').waitFor();
        const controls = await page.locator('.spec-form input, .spec-form select').count();
        check(controls >= 5, `${kind}: only ${controls} form controls`);
        check((await page.locator('.field-issues').count()) === 0, `${kind}: the demo spec shows field messages`);
      }
    });

    await step('open the Study A experiment page and see its form', async () => {
      await page.goto(`${baseUrl}experiment/emotion-profiles`);
      await page.getByLabel('Top-k fills').waitFor();
      await page.getByText('Advanced: the spec as JSON').click();
      // The kind-specific editor (spec-form/extras.ts) is mounted inside the form.
      await page.locator('[data-extra="emotion-profiles"]').waitFor();
    });

    await step('change a number through the form and see the JSON follow', async () => {
      const topK = page.getByLabel('Top-k fills');
      check(
        (await topK.getAttribute('min')) === '1' && (await topK.getAttribute('max')) === '5000',
        'top-k has no min/max from the schema',
      );
      await topK.fill('123');
      check((await specJson()).profile.topK === 123, 'the JSON did not follow the form');
      await page.locator('[data-field="profile.variant"] select').selectOption('choenni');
      check((await specJson()).profile.variant === 'choenni', 'the select did not reach the JSON');
    });

    await step('enter an out-of-range value and see the field say so', async () => {
      const runButton = page.getByRole('button', { name: 'Run', exact: true });
      await until(() => runButton.isEnabled(), 'Run is not enabled for a valid spec');
      await page.getByLabel('Top-k fills').fill('0');
      await page
        .locator('[data-field="profile.topK"] .field-issues')
        .getByText('Expected >=1 but received 0')
        .waitFor();
      check(
        await page.getByRole('button', { name: 'Run', exact: true }).isDisabled(),
        'Run is enabled with an invalid spec',
      );
      await page.getByLabel('Top-k fills').fill('40');
      await page.locator('[data-field="profile.topK"] .field-issues').waitFor({ state: 'detached' });
    });

    const mine = Buffer.from(
      'word\tanger\tanticipation\tdisgust\tfear\tjoy\tnegative\tpositive\tsadness\tsurprise\ttrust\nhappy\t0\t0\t0\t0\t1\t0\t1\t0\t0\t0\n',
    );
    await step('pick a file for the lexicon and see it stored with size and sha256', async () => {
      const lexicon = page.locator('[data-field="lexicon"]');
      await lexicon.getByLabel('Source').selectOption('file');
      await lexicon
        .locator('input[type=file]')
        .setInputFiles({ name: 'my-lexicon.tsv', mimeType: 'text/tab-separated-values', buffer: mine });
      const stored = lexicon.locator('[data-file-name="my-lexicon.tsv"]');
      await stored.getByText(sha256(mine)).waitFor();
      check(
        (await stored.innerText()).includes(`${mine.length} B`),
        `the stored file's size is not shown: ${await stored.innerText()}`,
      );
      const spec = await specJson();
      check(
        spec.lexicon.from === 'file' && spec.lexicon.name === 'my-lexicon.tsv' && spec.lexicon.sha256 === sha256(mine),
        `the spec does not name the picked file: ${JSON.stringify(spec.lexicon)}`,
      );
      check(!JSON.stringify(spec).includes('happy'), 'the file content leaked into the spec');
    });

    await step('reload and find the file still stored', async () => {
      await page.reload();
      const lexicon = page.locator('[data-field="lexicon"]');
      await lexicon.getByLabel('Source').selectOption('file');
      await lexicon.getByLabel('Or use a file stored in this browser').selectOption('my-lexicon.tsv');
      await lexicon.locator('[data-file-name="my-lexicon.tsv"]').getByText(sha256(mine)).waitFor();
      const runButton = page.getByRole('button', { name: 'Run', exact: true });
      await until(() => runButton.isEnabled(), 'Run is not enabled with the stored file chosen');
      await page.getByRole('button', { name: 'Remove my-lexicon.tsv' }).click();
      await lexicon.locator('[data-file-name]').waitFor({ state: 'detached' });
      await page.locator('[data-need="my-lexicon.tsv"][data-status="missing"]').waitFor();
      check(await runButton.isDisabled(), 'Run is enabled although the named file was removed');
    });

    await step('Study B: choose in-sample evaluation, and one MCQ file per language with a picker each', async () => {
      await page.goto(`${baseUrl}experiment/geo-unlearning`);
      await page.getByText('Advanced: the spec as JSON').click();
      await page.locator('[data-field="evalSplit"] select').selectOption('in-sample');
      check((await specJson()).evalSplit === 'in-sample', 'the evaluation split did not reach the JSON');
      const mcq = page.locator('[data-field="mcq"]');
      await mcq.getByLabel('Source').selectOption('file');
      await mcq.getByLabel('One file per language').check();
      const languages: string[] = (await specJson()).languages;
      check(
        (await mcq.locator('[data-language-file]').count()) === languages.length,
        `not one picker per language (${languages.length})`,
      );
      const files: Record<string, Buffer> = {};
      for (const l of languages) {
        files[l] = Buffer.from(
          `identity,attribute,MCQ_Question,Option_1,Option_2,Option_3,Option_4,Correct_Option\nX,y,question in ${l},X,A,B,C,Option_1\n`,
        );
        await mcq
          .locator(`[data-language-file="${l}"] input[type=file]`)
          .setInputFiles({ name: `whatever-${l}.csv`, mimeType: 'text/csv', buffer: files[l] });
        await mcq.locator(`[data-language-file="${l}"] [data-file-name="data_${l}.csv"]`).waitFor();
      }
      const spec = await specJson();
      check(
        spec.mcq.from === 'file' && spec.mcq.name === 'data_{lang}.csv',
        `the MCQ source is not a {lang} file name: ${JSON.stringify(spec.mcq)}`,
      );
      for (const l of languages)
        check(spec.mcq.sha256[l] === sha256(files[l]), `no sha256 pinned for ${l}: ${JSON.stringify(spec.mcq.sha256)}`);
      for (const l of languages) await page.locator(`[data-need="data_${l}.csv"][data-status="ok"]`).waitFor();
      const runButton = page.getByRole('button', { name: 'Run', exact: true });
      await until(() => runButton.isEnabled(), 'Run is not enabled with every language file picked');
      await page.getByRole('button', { name: `Remove data_${languages[1]}.csv` }).click();
      await page.locator(`[data-need="data_${languages[1]}.csv"][data-status="missing"]`).waitFor();
      check(await runButton.isDisabled(), 'Run is enabled with a language file missing');
    });

    // The demo lexicon the build generates, handed over as "the recipient's own file".
    const lexiconBytes = await readFile('build/demo/lexicon.tsv');
    const demo = demoSpec('emotion-profiles');
    const shared = {
      ...demo,
      title: 'e2e lexicon from a picked file',
      profile: { ...demo.profile, topK: 40 },
      lexicon: { from: 'file' as const, name: 'nrc-lexicon.tsv', sha256: sha256(lexiconBytes) },
    };
    await step('open a share link naming a missing file: Run stays off until the right file is picked', async () => {
      await page.goto(shareLink(shared, baseUrl));
      await page.getByRole('heading', { name: 'Shared experiment' }).waitFor();
      const need = page.locator('[data-need="nrc-lexicon.tsv"]');
      await need.waitFor();
      check((await need.getAttribute('data-status')) === 'missing', 'the missing file is not reported as missing');
      await need.getByText(sha256(lexiconBytes)).first().waitFor();
      const run = page.getByRole('button', { name: 'Run this experiment' });
      check(await run.isDisabled(), 'Run is enabled before the file is provided');
      await page.getByText('Run stays off until every file above is provided').waitFor();
      await need
        .locator('input[type=file]')
        .setInputFiles({ name: 'nrc-lexicon.tsv', mimeType: 'text/plain', buffer: mine });
      await need.getByRole('alert').getByText('is not the file this experiment names').waitFor();
      check(await run.isDisabled(), 'Run was enabled by a file with the wrong sha256');
      await need
        .locator('input[type=file]')
        .setInputFiles({ name: 'downloaded-copy.tsv', mimeType: 'text/plain', buffer: lexiconBytes });
      await page.locator('[data-need="nrc-lexicon.tsv"][data-status="ok"]').waitFor();
      await until(() => run.isEnabled(), 'Run stays disabled after the right file was picked');
    });

    await step('run Study A with the lexicon read from the picked file', async () => {
      await page.getByRole('button', { name: 'Run this experiment' }).click();
      await page.waitForURL(/\/runs\/[\w-]+$/);
      await page.locator('[data-status="done"], [data-status="failed"]').first().waitFor({ timeout: 300_000 });
      if (await page.locator('[data-status="failed"]').count())
        throw new Error(`the run failed: ${(await page.locator('main').innerText()).slice(0, 1500)}`);
      check((await page.locator('svg[data-heatmap]').count()) >= 1, 'no profile heatmap after the run');
    });

    check(errors.length === 0, `console or HTTP errors:\n${errors.join('\n')}`);
  } finally {
    await browser.close();
  }
}
