/**
 * The CI examples shipped in examples/ci/ are valid YAML of their engine's shape, and the wsksim
 * commands in them run as written: each shard's fuzz command (the matrix value or the completion
 * index put in, a shipped scenario for the user's, fewer runs), then the merge, green.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'wsksim.js');
const dir = mkdtempSync(join(tmpdir(), 'wsksim-ci-examples-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function example(name: string): string {
  return readFileSync(join(ROOT, 'examples', 'ci', name), 'utf8');
}

/** A shell command line of an example, run as the shell would with `vars` set: its exit code. */
function sh(line: string, cwd: string, vars: Record<string, string> = {}): number {
  const local = line
    .replaceAll('npx wsksim', `node ${BIN}`)
    .replaceAll('scenarios/my-driver.ts', 'inspect-abort-race-fixed')
    .replace(/--runs \d+/, '--runs 12');
  const child = spawnSync('/bin/sh', ['-c', local], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...vars },
  });
  if (child.status !== 0) throw new Error(`${local}\n${child.stdout}${child.stderr}`);
  return child.status;
}

describe('examples/ci', () => {
  it('the GitHub Actions matrix: four shards, then the merge, as the workflow runs them', () => {
    const workflow = parse(example('github-actions.yml')) as {
      jobs: Record<string, { strategy?: { matrix: { shard: number[] } }; steps: { run?: string }[] }>;
    };
    expect(Object.keys(workflow.jobs)).toEqual(['scenarios', 'fuzz', 'merge']);
    const shards = workflow.jobs['fuzz']?.strategy?.matrix.shard ?? [];
    expect(shards).toEqual([1, 2, 3, 4]);
    const fuzz = workflow.jobs['fuzz']?.steps.find((s) => s.run?.includes('wsksim fuzz'))?.run ?? '';
    const merge = workflow.jobs['merge']?.steps.find((s) => s.run?.includes('wsksim merge'))?.run ?? '';
    const work = join(dir, 'gha');
    for (const shard of shards) {
      const machine = join(work, 'shards', `wsksim-shard-${shard}`);
      mkdirSync(machine, { recursive: true });
      expect(sh(fuzz.replaceAll('${{ matrix.shard }}', String(shard)), machine)).toBe(0);
    }
    expect(sh(merge, work)).toBe(0);
  });

  it('the Kubernetes Indexed Job: each completion index a shard, then the merge Job', () => {
    const [job, mergeJob] = parseAllDocuments(example('k8s-indexed-job.yaml')).map((d) => d.toJS()) as {
      kind: string;
      spec: { completions?: number; completionMode?: string; template: { spec: { containers: { args: string[] }[] } } };
    }[];
    expect([job?.kind, job?.spec.completionMode, mergeJob?.kind]).toEqual(['Job', 'Indexed', 'Job']);
    const count = job?.spec.completions ?? 0;
    const shard = job?.spec.template.spec.containers[0]?.args[0] ?? '';
    const merge = mergeJob?.spec.template.spec.containers[0]?.args[0] ?? '';
    const results = join(dir, 'k8s');
    mkdirSync(results, { recursive: true });
    const local = (line: string) => line.replaceAll('/results', results);
    for (let index = 0; index < count; index++)
      expect(sh(local(shard), ROOT, { JOB_COMPLETION_INDEX: String(index) })).toBe(0);
    expect(sh(local(merge), ROOT)).toBe(0);
  });
});
