// A small evaluator of GitHub Actions expressions (`${{ … }}` and `if:`), enough for the tests to
// decide what a workflow does in a given context: literals, context paths (`inputs.x`,
// `needs.j.outputs.k`, `env.X`, `github.event_name`, `matrix.environment`, index access), `!`,
// `==`/`!=` (strings case-insensitively, other types compared as numbers, as GitHub does),
// `&&`/`||` (returning an operand, as GitHub does), parentheses and the functions contains,
// startsWith, endsWith, fromJSON, toJSON, format, join, always, success, failure, cancelled.

export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };
export interface Context {
  [name: string]: Value | undefined;
  /** Status functions: `cancelled()` true when the run was cancelled, `failure()` after a failure. */
  status?: { cancelled?: boolean; failed?: boolean };
}

type Token =
  | { kind: 'str'; value: string }
  | { kind: 'num'; value: number }
  | { kind: 'id'; value: string }
  | { kind: 'op'; value: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i]!;
    if (/\s/.test(char)) {
      i++;
    } else if (char === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= source.length) throw new Error(`unterminated string in ${source}`);
        if (source[i] === "'" && source[i + 1] === "'") {
          value += "'";
          i += 2;
        } else if (source[i] === "'") {
          i++;
          break;
        } else value += source[i++];
      }
      tokens.push({ kind: 'str', value });
    } else if (/[0-9]/.test(char)) {
      const match = /^[0-9]+(\.[0-9]+)?/.exec(source.slice(i))![0];
      tokens.push({ kind: 'num', value: Number(match) });
      i += match.length;
    } else if (/[A-Za-z_]/.test(char)) {
      const match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(source.slice(i))![0];
      tokens.push({ kind: 'id', value: match });
      i += match.length;
    } else {
      const two = source.slice(i, i + 2);
      if (['==', '!=', '&&', '||', '<=', '>='].includes(two)) {
        tokens.push({ kind: 'op', value: two });
        i += 2;
      } else if ('!()[].,<>*'.includes(char)) {
        tokens.push({ kind: 'op', value: char });
        i++;
      } else throw new Error(`unexpected "${char}" in ${source}`);
    }
  }
  return tokens;
}

export function truthy(value: Value | undefined): boolean {
  return !(value === false || value === 0 || value === '' || value === null || value === undefined);
}

function equal(a: Value | undefined, b: Value | undefined): boolean {
  const left = a ?? null;
  const right = b ?? null;
  if (typeof left === 'string' && typeof right === 'string')
    return left.toLowerCase() === right.toLowerCase();
  if (typeof left === typeof right && (typeof left !== 'object' || left === null))
    return left === right;
  const number = (v: Value): number =>
    v === null
      ? 0
      : typeof v === 'boolean'
        ? Number(v)
        : typeof v === 'string'
          ? v.trim() === ''
            ? 0
            : Number(v)
          : NaN;
  return number(left) === number(right);
}

function show(value: Value | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

class Parser {
  private at = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly context: Context,
    private readonly source: string,
  ) {}

  parse(): Value | undefined {
    const value = this.or();
    if (this.at < this.tokens.length)
      throw new Error(`unexpected ${JSON.stringify(this.tokens[this.at])} in ${this.source}`);
    return value;
  }

  private peek(value: string): boolean {
    const token = this.tokens[this.at];
    return token?.kind === 'op' && token.value === value;
  }

  private expect(value: string): void {
    if (!this.peek(value)) throw new Error(`expected "${value}" in ${this.source}`);
    this.at++;
  }

  private or(): Value | undefined {
    let left = this.and();
    while (this.peek('||')) {
      this.at++;
      const right = this.and();
      left = truthy(left) ? left : right;
    }
    return left;
  }

  private and(): Value | undefined {
    let left = this.comparison();
    while (this.peek('&&')) {
      this.at++;
      const right = this.comparison();
      left = truthy(left) ? right : left;
    }
    return left;
  }

  private comparison(): Value | undefined {
    const left = this.unary();
    if (this.peek('==') || this.peek('!=')) {
      const op = (this.tokens[this.at++] as { value: string }).value;
      const right = this.unary();
      return op === '==' ? equal(left, right) : !equal(left, right);
    }
    return left;
  }

  private unary(): Value | undefined {
    if (this.peek('!')) {
      this.at++;
      return !truthy(this.unary());
    }
    return this.postfix(this.primary());
  }

  private postfix(base: Value | undefined): Value | undefined {
    let value = base;
    for (;;) {
      if (this.peek('.')) {
        this.at++;
        const token = this.tokens[this.at++];
        if (token?.kind !== 'id') throw new Error(`expected a property name in ${this.source}`);
        value =
          value !== null && typeof value === 'object' && !Array.isArray(value)
            ? value[token.value]
            : undefined;
      } else if (this.peek('[')) {
        this.at++;
        const key = this.or();
        this.expect(']');
        value =
          value !== null && typeof value === 'object'
            ? (value as Record<string, Value>)[show(key)]
            : undefined;
      } else return value;
    }
  }

  private primary(): Value | undefined {
    const token = this.tokens[this.at++];
    if (!token) throw new Error(`unexpected end of ${this.source}`);
    if (token.kind === 'str' || token.kind === 'num') return token.value;
    if (token.kind === 'op' && token.value === '(') {
      const value = this.or();
      this.expect(')');
      return value;
    }
    if (token.kind !== 'id') throw new Error(`unexpected "${token.value}" in ${this.source}`);
    if (token.value === 'true') return true;
    if (token.value === 'false') return false;
    if (token.value === 'null') return null;
    if (this.peek('(')) {
      this.at++;
      const args: Array<Value | undefined> = [];
      while (!this.peek(')')) {
        args.push(this.or());
        if (this.peek(',')) this.at++;
      }
      this.expect(')');
      return this.call(token.value, args);
    }
    return this.context[token.value];
  }

  private call(name: string, args: Array<Value | undefined>): Value | undefined {
    const status = this.context.status ?? {};
    switch (name) {
      case 'always':
        return true;
      case 'cancelled':
        return status.cancelled === true;
      case 'failure':
        return status.failed === true;
      case 'success':
        return !status.failed && !status.cancelled;
      case 'contains': {
        const [haystack, needle] = args;
        if (Array.isArray(haystack)) return haystack.some((item) => equal(item, needle ?? null));
        return show(haystack).toLowerCase().includes(show(needle).toLowerCase());
      }
      case 'startsWith':
        return show(args[0]).toLowerCase().startsWith(show(args[1]).toLowerCase());
      case 'endsWith':
        return show(args[0]).toLowerCase().endsWith(show(args[1]).toLowerCase());
      case 'fromJSON':
        return JSON.parse(show(args[0])) as Value;
      case 'toJSON':
        return JSON.stringify(args[0] ?? null);
      case 'join':
        return Array.isArray(args[0])
          ? args[0].map(show).join(show(args[1] ?? ','))
          : show(args[0]);
      case 'format':
        return show(args[0]).replace(/\{(\d+)\}/g, (_, index: string) =>
          show(args[Number(index) + 1]),
        );
      default:
        throw new Error(`function ${name}() is not supported by the test evaluator`);
    }
  }
}

/** Evaluates one expression (the text inside `${{ }}`, or an `if:` without it). */
export function evaluate(expression: string, context: Context): Value | undefined {
  const source = expression.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  return new Parser(tokenize(source), context, source).parse();
}

/** A `with:`/`env:` value: `${{ x }}` alone gives x's value; text with `${{ }}` parts gives text. */
export function interpolate(value: unknown, context: Context): Value | undefined {
  if (typeof value !== 'string') return value as Value;
  const whole = /^\$\{\{([\s\S]*)\}\}$/.exec(value.trim());
  if (whole && !whole[1]!.includes('}}')) return evaluate(whole[1]!, context);
  return value.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, inner: string) =>
    show(evaluate(inner, context)),
  );
}

/** An `if:` condition: absent means success(); GitHub accepts it with or without `${{ }}`. */
export function condition(value: unknown, context: Context): boolean {
  if (value === undefined) return !context.status?.failed && !context.status?.cancelled;
  if (typeof value === 'boolean') return value;
  return truthy(evaluate(String(value), context));
}
