// A small evaluator for the subset of HCL expressions our variable validations use, so tests can
// run a `validation { condition = … }` against sample values instead of matching its text.
// Supported: number/string/bool/null literals, lists, var.<name>, ! - * / % + - < <= > >= == !=
// && ||, ?:, parentheses, and the functions can, regex, contains, length, floor, cidrhost,
// alltrue, anytrue, distinct, lower, startswith; strings may interpolate ${var.<name>}. Anything
// else throws UnsupportedExpression, so a validation rewritten beyond this subset fails loudly
// instead of passing silently.

export class UnsupportedExpression extends Error {}

/** An error Terraform itself would raise while evaluating (caught by can()). */
class EvaluationError extends Error {}

type Value = number | string | boolean | null | Value[];

type Token =
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'template'; value: string }
  | { kind: 'ident'; value: string }
  | { kind: 'op'; value: string };

function unescapeHclString(body: string): string {
  return body.replace(/\\(["\\nrt])/g, (_match, ch: string) => {
    switch (ch) {
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      default:
        return ch;
    }
  });
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < source.length) {
    const rest = source.slice(index);
    const space = /^\s+/.exec(rest);
    if (space) {
      index += space[0].length;
      continue;
    }
    const number = /^\d+(\.\d+)?/.exec(rest);
    if (number) {
      tokens.push({ kind: 'number', value: Number(number[0]) });
      index += number[0].length;
      continue;
    }
    if (rest.startsWith('"')) {
      let end = 1;
      while (end < rest.length && rest[end] !== '"') end += rest[end] === '\\' ? 2 : 1;
      if (end >= rest.length) throw new UnsupportedExpression(`unterminated string in: ${source}`);
      const body = rest.slice(1, end);
      if (/\$\{(?!var\.[A-Za-z_][A-Za-z0-9_-]*\})/.test(body)) {
        throw new UnsupportedExpression(
          `only \${var.<name>} interpolations are supported: "${body}"`,
        );
      }
      tokens.push({
        kind: body.includes('${') ? 'template' : 'string',
        value: unescapeHclString(body),
      });
      index += end + 1;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(rest);
    if (ident) {
      tokens.push({ kind: 'ident', value: ident[0] });
      index += ident[0].length;
      continue;
    }
    const op = /^(&&|\|\||==|!=|<=|>=|[-+*/%<>!?:(),.[\]])/.exec(rest);
    if (op) {
      tokens.push({ kind: 'op', value: op[0] });
      index += op[0].length;
      continue;
    }
    throw new UnsupportedExpression(`unexpected character "${rest[0]}" in: ${source}`);
  }
  return tokens;
}

type Node =
  | { type: 'literal'; value: Value }
  | { type: 'template'; text: string }
  | { type: 'var'; name: string }
  | { type: 'list'; items: Node[] }
  | { type: 'unary'; op: string; operand: Node }
  | { type: 'binary'; op: string; left: Node; right: Node }
  | { type: 'conditional'; test: Node; then: Node; otherwise: Node }
  | { type: 'call'; name: string; args: Node[] };

const BINARY_PRECEDENCE: Record<string, number> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 4,
  '<=': 4,
  '>': 4,
  '>=': 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
  '%': 6,
};

class Parser {
  private position = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  parse(): Node {
    const node = this.conditional();
    if (this.position < this.tokens.length) this.fail('unexpected trailing tokens');
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private isOp(value: string): boolean {
    const token = this.peek();
    return token?.kind === 'op' && token.value === value;
  }

  private expectOp(value: string): void {
    if (!this.isOp(value)) this.fail(`expected "${value}"`);
    this.position += 1;
  }

  private fail(message: string): never {
    throw new UnsupportedExpression(`${message} at token ${this.position} in: ${this.source}`);
  }

  private conditional(): Node {
    const test = this.binary(1);
    if (!this.isOp('?')) return test;
    this.position += 1;
    const then = this.conditional();
    this.expectOp(':');
    const otherwise = this.conditional();
    return { type: 'conditional', test, then, otherwise };
  }

  private binary(minPrecedence: number): Node {
    let left = this.unary();
    for (;;) {
      const token = this.peek();
      const op = token?.kind === 'op' ? token.value : undefined;
      const precedence = op === undefined ? undefined : BINARY_PRECEDENCE[op];
      if (op === undefined || precedence === undefined || precedence < minPrecedence) return left;
      this.position += 1;
      const right = this.binary(precedence + 1);
      left = { type: 'binary', op, left, right };
    }
  }

  private unary(): Node {
    if (this.isOp('!') || this.isOp('-')) {
      const op = (this.tokens[this.position++] as { value: string }).value;
      return { type: 'unary', op, operand: this.unary() };
    }
    return this.primary();
  }

  private primary(): Node {
    const token = this.peek();
    if (!token) this.fail('unexpected end');
    this.position += 1;
    if (token.kind === 'number' || token.kind === 'string')
      return { type: 'literal', value: token.value };
    if (token.kind === 'template') return { type: 'template', text: token.value };
    if (token.kind === 'op' && token.value === '(') {
      const inner = this.conditional();
      this.expectOp(')');
      return inner;
    }
    if (token.kind === 'op' && token.value === '[') {
      const items: Node[] = [];
      if (this.peek()?.kind === 'ident' && (this.peek() as { value: string }).value === 'for') {
        this.fail('for expressions are not supported');
      }
      while (!this.isOp(']')) {
        items.push(this.conditional());
        if (this.isOp(',')) this.position += 1;
        else if (!this.isOp(']')) this.fail('expected "," or "]"');
      }
      this.position += 1;
      return { type: 'list', items };
    }
    if (token.kind === 'ident') {
      if (token.value === 'true' || token.value === 'false')
        return { type: 'literal', value: token.value === 'true' };
      if (token.value === 'null') return { type: 'literal', value: null };
      if (token.value === 'var') {
        this.expectOp('.');
        const name = this.peek();
        if (name?.kind !== 'ident') this.fail('expected a variable name after var.');
        this.position += 1;
        if (this.isOp('.') || this.isOp('['))
          this.fail('attribute access on variables is not supported');
        return { type: 'var', name: name.value };
      }
      if (this.isOp('(')) {
        this.position += 1;
        const args: Node[] = [];
        while (!this.isOp(')')) {
          args.push(this.conditional());
          if (this.isOp(',')) this.position += 1;
          else if (!this.isOp(')')) this.fail('expected "," or ")"');
        }
        this.position += 1;
        return { type: 'call', name: token.value, args };
      }
    }
    this.fail(`unsupported token "${String(token.value)}"`);
  }
}

/** Parses an IPv4 CIDR the way Terraform's cidrhost does for our purposes; throws when invalid. */
function ipv4CidrHost(prefix: string, hostnum: number): string {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(prefix);
  if (!match) throw new EvaluationError(`invalid CIDR address: ${prefix}`);
  const octets = match.slice(1, 5).map(Number);
  const bits = Number(match[5]);
  if (octets.some((octet) => octet > 255) || bits > 32)
    throw new EvaluationError(`invalid CIDR address: ${prefix}`);
  const address = octets.reduce((acc, octet) => acc * 256 + octet, 0);
  const size = 2 ** (32 - bits);
  if (hostnum < 0 || hostnum >= size)
    throw new EvaluationError(`host number ${hostnum} does not fit in ${prefix}`);
  const network = address - (address % size);
  const host = network + hostnum;
  return [24, 16, 8, 0].map((shift) => Math.floor(host / 2 ** shift) % 256).join('.');
}

function truthy(value: Value, what: string): boolean {
  if (typeof value !== 'boolean')
    throw new EvaluationError(`${what} must be a bool, got ${JSON.stringify(value)}`);
  return value;
}

function numeric(value: Value, what: string): number {
  if (typeof value !== 'number')
    throw new EvaluationError(`${what} must be a number, got ${JSON.stringify(value)}`);
  return value;
}

function evaluateNode(node: Node, vars: Record<string, Value>): Value {
  switch (node.type) {
    case 'literal':
      return node.value;
    case 'var':
      if (!(node.name in vars))
        throw new UnsupportedExpression(`no value given for var.${node.name}`);
      return vars[node.name]!;
    case 'template':
      return node.text.replace(/\$\{var\.([A-Za-z_][A-Za-z0-9_-]*)\}/g, (_match, name: string) => {
        const value = evaluateNode({ type: 'var', name }, vars);
        if (typeof value !== 'string' && typeof value !== 'number') {
          throw new EvaluationError(`cannot interpolate var.${name}`);
        }
        return String(value);
      });
    case 'list':
      return node.items.map((item) => evaluateNode(item, vars));
    case 'unary': {
      const operand = evaluateNode(node.operand, vars);
      return node.op === '!' ? !truthy(operand, '!') : -numeric(operand, 'unary -');
    }
    case 'conditional':
      return truthy(evaluateNode(node.test, vars), 'condition')
        ? evaluateNode(node.then, vars)
        : evaluateNode(node.otherwise, vars);
    case 'binary': {
      if (node.op === '&&')
        return (
          truthy(evaluateNode(node.left, vars), '&&') &&
          truthy(evaluateNode(node.right, vars), '&&')
        );
      if (node.op === '||')
        return (
          truthy(evaluateNode(node.left, vars), '||') ||
          truthy(evaluateNode(node.right, vars), '||')
        );
      const left = evaluateNode(node.left, vars);
      const right = evaluateNode(node.right, vars);
      if (node.op === '==') return JSON.stringify(left) === JSON.stringify(right);
      if (node.op === '!=') return JSON.stringify(left) !== JSON.stringify(right);
      const a = numeric(left, node.op);
      const b = numeric(right, node.op);
      switch (node.op) {
        case '<':
          return a < b;
        case '<=':
          return a <= b;
        case '>':
          return a > b;
        case '>=':
          return a >= b;
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          return a / b;
        default:
          return a % b;
      }
    }
    case 'call':
      return callFunction(node, vars);
  }
}

function callFunction(node: Extract<Node, { type: 'call' }>, vars: Record<string, Value>): Value {
  if (node.name === 'can') {
    try {
      evaluateNode(node.args[0]!, vars);
      return true;
    } catch (error) {
      if (error instanceof EvaluationError) return false;
      throw error;
    }
  }
  const args = node.args.map((arg) => evaluateNode(arg, vars));
  switch (node.name) {
    case 'regex': {
      const [pattern, text] = args;
      if (typeof pattern !== 'string' || typeof text !== 'string')
        throw new EvaluationError('regex needs two strings');
      const match = new RegExp(pattern).exec(text);
      if (!match) throw new EvaluationError(`pattern did not match: ${pattern}`);
      return match[0];
    }
    case 'contains': {
      const [list, item] = args;
      if (!Array.isArray(list)) throw new EvaluationError('contains needs a list');
      return list.some((entry) => JSON.stringify(entry) === JSON.stringify(item));
    }
    case 'length': {
      const [value] = args;
      if (typeof value === 'string' || Array.isArray(value)) return value.length;
      throw new EvaluationError('length needs a string or a list');
    }
    case 'floor':
      return Math.floor(numeric(args[0]!, 'floor'));
    case 'startswith':
      if (typeof args[0] !== 'string' || typeof args[1] !== 'string')
        throw new EvaluationError('startswith needs two strings');
      return args[0].startsWith(args[1]);
    case 'lower':
      if (typeof args[0] !== 'string') throw new EvaluationError('lower needs a string');
      return args[0].toLowerCase();
    case 'cidrhost':
      if (typeof args[0] !== 'string') throw new EvaluationError('cidrhost needs a string prefix');
      return ipv4CidrHost(args[0], numeric(args[1]!, 'cidrhost hostnum'));
    case 'alltrue':
    case 'anytrue': {
      const [list] = args;
      if (!Array.isArray(list)) throw new EvaluationError(`${node.name} needs a list`);
      const bools = list.map((entry) => truthy(entry, node.name));
      return node.name === 'alltrue' ? bools.every(Boolean) : bools.some(Boolean);
    }
    case 'distinct': {
      const [list] = args;
      if (!Array.isArray(list)) throw new EvaluationError('distinct needs a list');
      const seen = new Set<string>();
      return list.filter((entry) => {
        const key = JSON.stringify(entry);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    }
    default:
      throw new UnsupportedExpression(
        `function ${node.name}() is not supported by the test evaluator`,
      );
  }
}

/** Evaluates an HCL expression (without the surrounding `${ }`) with the given variable values. */
export function evaluate(expression: string, vars: Record<string, Value>): Value {
  return evaluateNode(new Parser(tokenize(expression), expression).parse(), vars);
}

/**
 * Whether Terraform would accept `value` for the variable: every validation condition must be
 * true. A condition that errors counts as rejecting the value, as in Terraform.
 */
export function acceptsValue(
  conditions: string[],
  name: string,
  value: Value,
  otherVariables: Record<string, Value> = {},
): boolean {
  return conditions.every((condition) => {
    try {
      return evaluate(condition, { ...otherVariables, [name]: value }) === true;
    } catch (error) {
      if (error instanceof EvaluationError) return false;
      throw error;
    }
  });
}
