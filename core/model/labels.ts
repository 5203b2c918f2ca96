import { isQualifiedName, isValidLabelValue } from './names.ts';

/**
 * Label selectors as Kubernetes has them (k8s.io/apimachinery/pkg/labels and metav1.LabelSelector):
 * the structured form (matchLabels + matchExpressions) and the string form
 * `a=b,c!=d,e in (x,y),f notin (z),g,!h` (also `==`, and `>`/`<` on integers), parsed with the same
 * lexer rules and the same error wording (`unable to parse requirement: ...`).
 */
export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Equals' | 'DoubleEquals' | 'NotEquals' | 'Gt' | 'Lt';

export interface Requirement {
  key: string;
  operator: SelectorOperator;
  /** Sorted, no duplicates; empty for Exists and DoesNotExist. */
  values: string[];
}

/** A parsed selector: requirements sorted by key, all of which must hold. An empty list matches everything. */
export interface Selector {
  requirements: Requirement[];
  /** `labels.Nothing()`: a nil metav1.LabelSelector selects nothing. */
  matchesNothing?: boolean;
}

/** metav1.LabelSelector. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export class SelectorParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorParseError';
  }
}

export function isSelectorParseError(error: unknown): error is SelectorParseError {
  return error instanceof SelectorParseError;
}

export const everything: Selector = Object.freeze({ requirements: [] }) as Selector;
export const nothing: Selector = Object.freeze({ requirements: [], matchesNothing: true }) as Selector;

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const goStrings = (values: readonly string[]) => `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;

/** Go's ErrorList.ToAggregate().Error(): one message alone, several in brackets. */
function aggregate(messages: string[]): string {
  return messages.length === 1 ? messages[0]! : `[${messages.join(', ')}]`;
}

/**
 * Builds a requirement, checking key and values the way `labels.NewRequirement` does, with its
 * field-path wording (`key: Invalid value: ...`, `values[0][app]: Invalid value: ...`).
 */
export function newRequirement(key: string, operator: SelectorOperator, values: readonly string[]): Requirement {
  const errors: string[] = [];
  const keyErrors = isQualifiedName(key);
  if (keyErrors.length) errors.push(`key: Invalid value: ${JSON.stringify(key)}: ${keyErrors.join('; ')}`);
  switch (operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errors.push(`values: Invalid value: ${goStrings(values)}: for 'in', 'notin' operators, values set can't be empty`);
      break;
    case 'Equals':
    case 'DoubleEquals':
    case 'NotEquals':
      if (values.length !== 1) errors.push(`values: Invalid value: ${goStrings(values)}: exact-match compatibility requires one single value`);
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length !== 0) errors.push(`values: Invalid value: ${goStrings(values)}: values set must be empty for exists and does not exist`);
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) errors.push(`values: Invalid value: ${goStrings(values)}: for 'Gt', 'Lt' operators, exactly one value is required`);
      values.forEach((value, i) => {
        if (!/^[+-]?\d+$/.test(value)) errors.push(`values[${i}]: Invalid value: ${JSON.stringify(value)}: for 'Gt', 'Lt' operators, the value must be an integer`);
      });
      break;
    default:
      errors.push(`operator: Unsupported value: ${JSON.stringify(operator)}: supported values: "in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"`);
  }
  values.forEach((value, i) => {
    const valueErrors = isValidLabelValue(value);
    if (valueErrors.length) errors.push(`values[${i}][${key}]: Invalid value: ${JSON.stringify(value)}: ${valueErrors.join('; ')}`);
  });
  if (errors.length) throw new SelectorParseError(aggregate(errors));
  return { key, operator, values: [...new Set(values)].sort(compareStrings) };
}

function selectorOf(requirements: Requirement[]): Selector {
  return { requirements: [...requirements].sort((a, b) => compareStrings(a.key, b.key)) };
}

export function requirementMatches(requirement: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, requirement.key);
  const value = has ? labels[requirement.key]! : undefined;
  switch (requirement.operator) {
    case 'In':
    case 'Equals':
    case 'DoubleEquals':
      return has && requirement.values.includes(value!);
    case 'NotIn':
    case 'NotEquals':
      return !has || !requirement.values.includes(value!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || !/^[+-]?\d+$/.test(value!)) return false;
      const actual = BigInt(value!);
      const bound = BigInt(requirement.values[0]!);
      return requirement.operator === 'Gt' ? actual > bound : actual < bound;
    }
  }
}

/** Whether the labels satisfy every requirement of the selector. */
export function matches(selector: Selector, labels: Readonly<Record<string, string>> | undefined): boolean {
  if (selector.matchesNothing) return false;
  const set = labels ?? {};
  return selector.requirements.every((r) => requirementMatches(r, set));
}

/** `labels.SelectorFromSet`: every key equal to its value. */
export function selectorFromSet(set: Readonly<Record<string, string>> | undefined): Selector {
  return selectorOf(Object.entries(set ?? {}).map(([k, v]) => newRequirement(k, 'Equals', [v])));
}

/** `metav1.LabelSelectorAsSelector`: nil selects nothing, `{}` selects everything. */
export function labelSelectorAsSelector(selector: LabelSelector | null | undefined): Selector {
  if (selector === null || selector === undefined) return nothing;
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) requirements.push(newRequirement(key, 'Equals', [value]));
  for (const expression of selector.matchExpressions ?? []) {
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(expression.operator)) {
      throw new SelectorParseError(`"${expression.operator}" is not a valid label selector operator`);
    }
    requirements.push(newRequirement(expression.key, expression.operator, expression.values ?? []));
  }
  return selectorOf(requirements);
}

/** Convenience: does a metav1.LabelSelector select these labels? */
export function labelSelectorMatches(selector: LabelSelector | null | undefined, labels: Readonly<Record<string, string>> | undefined): boolean {
  return matches(labelSelectorAsSelector(selector), labels);
}

export function requirementToString(requirement: Requirement): string {
  const { key, values } = requirement;
  switch (requirement.operator) {
    case 'Exists':
      return key;
    case 'DoesNotExist':
      return `!${key}`;
    case 'Equals':
      return `${key}=${values[0]}`;
    case 'DoubleEquals':
      return `${key}==${values[0]}`;
    case 'NotEquals':
      return `${key}!=${values[0]}`;
    case 'Gt':
      return `${key}>${values[0]}`;
    case 'Lt':
      return `${key}<${values[0]}`;
    case 'In':
      return `${key} in (${values.join(',')})`;
    case 'NotIn':
      return `${key} notin (${values.join(',')})`;
  }
}

/** The canonical string form (`selector.String()`): requirements sorted by key, joined by commas. */
export function selectorToString(selector: Selector): string {
  return selector.requirements.map(requirementToString).join(',');
}

/** `metav1.FormatLabelSelector`, as printed in SELECTOR columns: `<none>` when empty. */
export function formatLabelSelector(selector: LabelSelector | null | undefined): string {
  let text: string;
  try {
    text = selectorToString(labelSelectorAsSelector(selector));
  } catch {
    return '<error>';
  }
  return text === '' ? '<none>' : text;
}

/** `labels.FormatLabels`: `a=b,c=d` sorted by key, `<none>` when empty. */
export function formatLabels(labels: Readonly<Record<string, string>> | undefined): string {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => compareStrings(a, b));
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : '<none>';
}

/** `metav1.SetAsLabelSelector`-style equality check used by controllers: do two label sets agree? */
export function labelsEqual(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  const ea = Object.entries(a ?? {});
  const eb = b ?? {};
  return ea.length === Object.keys(eb).length && ea.every(([k, v]) => Object.prototype.hasOwnProperty.call(eb, k) && eb[k] === v);
}

// ---- string form ------------------------------------------------------------------------------

type TokenKind =
  | 'Error'
  | 'EndOfString'
  | 'ClosedPar'
  | 'Comma'
  | 'DoesNotExist'
  | 'DoubleEquals'
  | 'Equals'
  | 'GreaterThan'
  | 'Identifier'
  | 'In'
  | 'LessThan'
  | 'NotEquals'
  | 'NotIn'
  | 'OpenPar';

interface Token {
  kind: TokenKind;
  literal: string;
}

const SYMBOL_TOKENS: Record<string, TokenKind> = {
  ')': 'ClosedPar',
  ',': 'Comma',
  '!': 'DoesNotExist',
  '==': 'DoubleEquals',
  '=': 'Equals',
  '>': 'GreaterThan',
  '<': 'LessThan',
  '!=': 'NotEquals',
  '(': 'OpenPar',
};
const KEYWORD_TOKENS: Record<string, TokenKind> = { in: 'In', notin: 'NotIn' };

const isWhitespace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecialSymbol = (ch: string) => '=!(),><'.includes(ch);

function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (true) {
    while (i < input.length && isWhitespace(input[i]!)) i++;
    if (i >= input.length) {
      tokens.push({ kind: 'EndOfString', literal: '' });
      return tokens;
    }
    const ch = input[i]!;
    if (isSpecialSymbol(ch)) {
      // Longest run of special symbols that is still a known token, as Kubernetes' scanSpecialSymbol.
      let buffer = '';
      let last: Token | undefined;
      while (i < input.length && isSpecialSymbol(input[i]!)) {
        const candidate = buffer + input[i]!;
        if (SYMBOL_TOKENS[candidate] === undefined) break;
        buffer = candidate;
        last = { kind: SYMBOL_TOKENS[candidate]!, literal: candidate };
        i++;
      }
      if (!last) {
        tokens.push({ kind: 'Error', literal: `error expected: keyword found '${input[i]}'` });
        return tokens;
      }
      tokens.push(last);
      continue;
    }
    let word = '';
    while (i < input.length && !isWhitespace(input[i]!) && !isSpecialSymbol(input[i]!)) word += input[i++];
    tokens.push({ kind: KEYWORD_TOKENS[word] ?? 'Identifier', literal: word });
  }
}

/** In value position `in` and `notin` are plain identifiers (`a=in` is valid). */
type ParseContext = 'KeyAndOperator' | 'Values';

class Parser {
  private position = 0;
  constructor(private readonly tokens: Token[]) {}

  lookahead(context: ParseContext): Token {
    const token = this.tokens[this.position]!;
    if (context === 'Values' && (token.kind === 'In' || token.kind === 'NotIn')) return { kind: 'Identifier', literal: token.literal };
    return token;
  }

  consume(context: ParseContext): Token {
    const token = this.lookahead(context);
    if (this.position < this.tokens.length - 1) this.position++;
    return token;
  }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    while (true) {
      const token = this.lookahead('Values');
      switch (token.kind) {
        case 'Identifier':
        case 'DoesNotExist': {
          try {
            requirements.push(this.parseRequirement());
          } catch (error) {
            throw new SelectorParseError(`unable to parse requirement: ${(error as Error).message}`);
          }
          const next = this.consume('Values');
          if (next.kind === 'EndOfString') return requirements;
          if (next.kind === 'Comma') {
            const after = this.lookahead('Values');
            if (after.kind !== 'Identifier' && after.kind !== 'DoesNotExist') throw new SelectorParseError(`found '${after.literal}', expected: identifier after ','`);
            break;
          }
          throw new SelectorParseError(`found '${next.literal}', expected: ',' or 'end of string'`);
        }
        case 'EndOfString':
          return requirements;
        default:
          throw new SelectorParseError(`found '${token.literal}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private parseRequirement(): Requirement {
    let token = this.consume('Values');
    let unary: SelectorOperator | undefined;
    if (token.kind === 'DoesNotExist') {
      unary = 'DoesNotExist';
      token = this.consume('Values');
    }
    if (token.kind !== 'Identifier') throw new Error(`found '${token.literal}', expected: identifier`);
    const key = token.literal;
    const keyErrors = isQualifiedName(key);
    // The parser has no field path, which Go prints as <nil>.
    if (keyErrors.length) throw new Error(`<nil>: Invalid value: ${JSON.stringify(key)}: ${keyErrors.join('; ')}`);
    const next = this.lookahead('Values').kind;
    if (next === 'EndOfString' || next === 'Comma') return newRequirement(key, unary ?? 'Exists', []);
    if (unary) return newRequirement(key, unary, []);
    const operator = this.parseOperator();
    const values = operator === 'In' || operator === 'NotIn' ? this.parseValues() : this.parseExactValue();
    return newRequirement(key, operator, values);
  }

  private parseOperator(): SelectorOperator {
    const token = this.consume('KeyAndOperator');
    const operators: Partial<Record<TokenKind, SelectorOperator>> = {
      In: 'In',
      Equals: 'Equals',
      DoubleEquals: 'DoubleEquals',
      GreaterThan: 'Gt',
      LessThan: 'Lt',
      NotIn: 'NotIn',
      NotEquals: 'NotEquals',
    };
    const operator = operators[token.kind];
    if (!operator) throw new Error(`found '${token.literal}', expected: '=', '!=', '==', 'in', notin'`);
    return operator;
  }

  private parseValues(): string[] {
    const open = this.consume('Values');
    if (open.kind !== 'OpenPar') throw new Error(`found '${open.literal}' expected: '('`);
    const token = this.lookahead('Values');
    switch (token.kind) {
      case 'Identifier':
      case 'Comma': {
        const values = this.parseIdentifiersList();
        const close = this.consume('Values');
        if (close.kind !== 'ClosedPar') throw new Error(`found '${close.literal}', expected: ')'`);
        return values;
      }
      case 'ClosedPar':
        this.consume('Values');
        return [''];
      default:
        throw new Error(`found '${token.literal}', expected: ',', ')' or identifier`);
    }
  }

  private parseIdentifiersList(): string[] {
    const values = new Set<string>();
    while (true) {
      const token = this.consume('Values');
      if (token.kind === 'Identifier') {
        values.add(token.literal);
        const next = this.lookahead('Values');
        if (next.kind === 'Comma') continue;
        if (next.kind === 'ClosedPar') return [...values];
        throw new Error(`found '${next.literal}', expected: ',' or ')'`);
      }
      if (token.kind === 'Comma') {
        if (values.size === 0) values.add('');
        const next = this.lookahead('Values');
        if (next.kind === 'ClosedPar') {
          values.add('');
          return [...values];
        }
        if (next.kind === 'Comma') {
          this.consume('Values');
          values.add('');
        }
        continue;
      }
      throw new Error(`found '${token.literal}', expected: ',', or identifier`);
    }
  }

  private parseExactValue(): string[] {
    const next = this.lookahead('Values');
    if (next.kind === 'EndOfString' || next.kind === 'Comma') return [''];
    const token = this.consume('Values');
    if (token.kind === 'Identifier') return [token.literal];
    throw new Error(`found '${token.literal}', expected: identifier`);
  }
}

/** `labels.Parse`: the string form to a selector. Throws SelectorParseError with Kubernetes' wording. */
export function parseSelector(text: string): Selector {
  const tokens = lex(text);
  const error = tokens.find((t) => t.kind === 'Error');
  const parser = new Parser(error ? tokens.slice(0, tokens.indexOf(error) + 1) : tokens);
  return selectorOf(parser.parse());
}
