import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The benchmark's reference: another commit of this repository, checked out in a temporary
 * worktree with its own dependencies (the working tree's `node_modules` when the lock files
 * are the same, else `npm ci --ignore-scripts`: it runs on this Node, with this DynamoDB
 * Local). `remove()` deletes the worktree in every path.
 */
export function defaultReference(root: string): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  const tag = git('describe', '--tags', '--abbrev=0', '--match', 'v*');
  return tag.status === 0 && tag.stdout.trim() ? tag.stdout.trim() : 'HEAD~1';
}

export function checkOutReference(root: string, ref: string, log: (line: string) => void) {
  const sha = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], { cwd: root, encoding: 'utf8' }).trim();
  const dir = mkdtempSync(join(tmpdir(), `bench-ref-${sha.slice(0, 7)}-`));
  execFileSync('git', ['worktree', 'add', '--detach', dir, sha], { cwd: root, stdio: 'ignore' });
  const remove = () => {
    spawnSync('git', ['worktree', 'remove', '--force', dir], { cwd: root, stdio: 'ignore' });
    spawnSync('git', ['worktree', 'prune'], { cwd: root, stdio: 'ignore' });
  };
  try {
    const sameLock = existsSync(join(dir, 'package-lock.json')) && readFileSync(join(dir, 'package-lock.json'), 'utf8') === readFileSync(join(root, 'package-lock.json'), 'utf8');
    if (sameLock) {
      symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    } else {
      log(`Installing the dependencies of ${ref} (${sha.slice(0, 7)})…`);
      const installed = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8' });
      if (installed.status !== 0) throw new Error(`npm ci in the reference failed:\n${installed.stderr.slice(-2000)}`);
    }
    return { ref, sha, dir, remove };
  } catch (error) {
    remove();
    throw error;
  }
}
