jest.setTimeout(60_000);

import fs from 'node:fs';
import path from 'node:path';
import { loadTerraformDir } from './config';
import { DOCS_BEGIN, DOCS_END, renderDocs, withDocs } from './docs';
import { ALL_DIRS, terraformDir, terraformRoot } from './layout';

// `UPDATE_TF_DOCS=1 npx jest --selectProjects terraform --testPathPattern readme` rewrites the
// generated sections after a variable or output changes.
const update = process.env.UPDATE_TF_DOCS === '1';

describe('READMEs', () => {
  it.each(ALL_DIRS)('%s: inputs/outputs tables match variables.tf and outputs.tf', async (dir) => {
    const file = path.join(terraformDir(dir), 'README.md');
    const readme = fs.readFileSync(file, 'utf8');
    const expected = withDocs(readme, await renderDocs(terraformDir(dir)), file);
    if (update && expected !== readme) fs.writeFileSync(file, expected);
    else expect(readme).toBe(expected);
  });

  it.each(ALL_DIRS)(
    '%s: every variable and output has a row, and prose above the tables',
    async (dir) => {
      const readme = fs.readFileSync(path.join(terraformDir(dir), 'README.md'), 'utf8');
      const config = await loadTerraformDir(terraformDir(dir));
      for (const name of config.variables.keys())
        expect(readme).toContain(`<a name="input_${name}"></a>`);
      for (const name of config.outputs.keys())
        expect(readme).toContain(`<a name="output_${name}"></a>`);
      expect(readme.indexOf(DOCS_BEGIN)).toBeGreaterThan(400);
    },
  );

  it('the generated section changes when a variable is added', async () => {
    const dir = terraformDir('modules/ecr');
    const docs = await renderDocs(dir);
    expect(docs).toContain('[services](#input_services)');
    expect(docs.endsWith(DOCS_END)).toBe(true);
    const readme = fs.readFileSync(path.join(dir, 'README.md'), 'utf8');
    const edited = readme.replace(
      '[services](#input_services)',
      '[service_list](#input_service_list)',
    );
    expect(withDocs(edited, docs, 'README.md')).toBe(readme);
    expect(edited).not.toBe(readme);
  });

  it('the overview README names every root and module', () => {
    const readme = fs.readFileSync(path.join(terraformRoot, 'README.md'), 'utf8');
    for (const dir of ALL_DIRS) expect(readme).toContain(`${dir}/`);
    expect(readme).toMatch(/bootstrap\s*→\s*global\s*→\s*environment/);
  });
});
