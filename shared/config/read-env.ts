/**
 * Reads configuration from the environment once, at module load, and fails with one clear
 * message that names every missing or malformed variable.
 */
export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Collects problems while reading variables, then throws them all at once. */
export function envReader(env: Env) {
  const problems: string[] = [];
  const reader = {
    required(name: string, check?: (value: string) => string | undefined): string {
      const value = env[name]?.trim();
      if (!value) {
        problems.push(`${name} is required`);
        return '';
      }
      return reader.checked(name, value, check);
    },
    optional(name: string, fallback: string, check?: (value: string) => string | undefined): string {
      const value = env[name]?.trim();
      return value ? reader.checked(name, value, check) : fallback;
    },
    checked(name: string, value: string, check?: (value: string) => string | undefined): string {
      const problem = check?.(value);
      if (problem) problems.push(`${name} ${problem} (got "${value}")`);
      return value;
    },
    done() {
      if (problems.length > 0) throw new ConfigError(problems);
    },
  };
  return reader;
}

export const checks = {
  url: (value: string) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : 'must be an http(s) URL';
    } catch {
      return 'must be an http(s) URL';
    }
  },
  tableName: (value: string) => (/^[a-zA-Z0-9_.-]{3,255}$/.test(value) ? undefined : 'must be 3-255 characters of a-z, A-Z, 0-9, _ . -'),
};
