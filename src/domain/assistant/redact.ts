// Secrets removed from text before it leaves for a model: Slack tokens and webhook URLs, bearer and
// basic credentials, AWS keys, private keys, passwords in URLs, well-known API tokens (GitHub,
// OpenAI, JWTs) and `password=…`-style assignments. Each is replaced by `[redacted <kind>]`, so the
// model still sees that something was there. Pure.

export type SecretKind = "private key" | "Slack token" | "Slack webhook" | "AWS key" | "bearer token" | "basic credentials" | "URL password" | "API token" | "JWT" | "secret";

interface Rule {
  readonly kind: SecretKind;
  readonly pattern: RegExp;
  /** What replaces a match (the kind's marker by default); `$1`… keep what is not secret. */
  readonly keep?: string;
}

const mark = (kind: SecretKind) => `[redacted ${kind}]`;

// order matters: the widest spans first (a private key may contain anything)
const RULES: readonly Rule[] = [
  { kind: "private key", pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|$)/g },
  { kind: "Slack webhook", pattern: /https:\/\/hooks\.slack\.com\/(services|workflows|triggers)\/[A-Za-z0-9/_-]+/g },
  { kind: "Slack token", pattern: /\bxox[abposre]-[A-Za-z0-9-]{8,}/g },
  { kind: "Slack token", pattern: /\bxapp-\d-[A-Za-z0-9-]{8,}/g },
  { kind: "AWS key", pattern: /\b(AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g },
  { kind: "AWS key", pattern: /\b(aws_secret_access_key|aws_session_token|secret_access_key|SecretAccessKey)(["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{16,}/gi, keep: "$1$2[redacted AWS key]" },
  { kind: "bearer token", pattern: /\b(Bearer|Token)(\s+)[A-Za-z0-9._~+/=-]{8,}/g, keep: "$1$2[redacted bearer token]" },
  { kind: "basic credentials", pattern: /\b(Basic)(\s+)[A-Za-z0-9+/=]{8,}/g, keep: "$1$2[redacted basic credentials]" },
  { kind: "URL password", pattern: /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/:@<>|]*):([^\s/@<>|]+)@/gi, keep: "$1$2:[redacted URL password]@" },
  { kind: "API token", pattern: /\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}|sk-(proj-|ant-)?[A-Za-z0-9_-]{20,}|AIza[A-Za-z0-9_-]{35}|npm_[A-Za-z0-9]{36}|whsec_[A-Za-z0-9+/=]{16,})/g },
  { kind: "JWT", pattern: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  {
    kind: "secret",
    pattern: /\b(password|passwd|pwd|passphrase|secret|client_secret|api[_-]?key|apikey|access[_-]?token|auth[_-]?token|private[_-]?key)(["']?\s*[:=]\s*["']?)(?!\[redacted)[^\s"',;<>]{4,}/gi,
    keep: "$1$2[redacted secret]",
  },
];

export interface Redacted {
  readonly text: string;
  /** How many secrets were taken out. */
  readonly count: number;
}

/** The text with every secret it holds replaced by a marker. */
export function redactSecrets(text: string): Redacted {
  let count = 0;
  let out = text;
  for (const rule of RULES) {
    out = out.replace(rule.pattern, (...args: unknown[]) => {
      count++;
      if (!rule.keep) return mark(rule.kind);
      // $n from the match's groups
      return rule.keep.replace(/\$(\d)/g, (_m, n: string) => {
        const group = args[Number(n)];
        return typeof group === "string" ? group : "";
      });
    });
  }
  return { text: out, count };
}
