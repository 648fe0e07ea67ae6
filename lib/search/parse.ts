// The filter grammar of MLflow's search (spec §5.6) plus OR, NOT and parentheses: a tokenizer and a
// recursive-descent parser producing an AST. Syntax only; which fields exist and which comparators they
// allow is checked by the compiler against fields.ts. Every error names the 1-based column it refers to.
//
//   filter     := or EOF
//   or         := and (OR and)*
//   and        := unary (AND unary)*
//   unary      := NOT unary | '(' or ')' | comparison
//   comparison := identifier comparator value
//   identifier := part ('.' part)*            part := word | `quoted` | "quoted"
//   comparator := = | == | != | <> | < | <= | > | >= | [NOT] LIKE | ILIKE | RLIKE | [NOT] IN | IS [NOT] NULL
//   value      := 'string' | "string" | number | TRUE | FALSE | '(' value (',' value)* ')'
import { invalidParameter } from "../errors";
import { canonicalPrefix, type Comparator, type Prefix } from "./fields";

export const MAX_FILTER_LENGTH = 20_000;
// Bounds that keep one filter from costing the parser's stack or the database minutes (issue #14): MLflow's
// own grammar has no parentheses and a flat AND list, so these are far above what its clients send.
/** parentheses and NOT nested in each other */
export const MAX_FILTER_DEPTH = 50;
/** comparisons in one filter */
export const MAX_FILTER_TERMS = 200;
/** values in one IN (…) list */
export const MAX_IN_LIST = 1000;

export type Scalar = { kind: "string"; value: string } | { kind: "number"; value: string };
export type FilterValue = Scalar | { kind: "list"; items: Scalar[] } | { kind: "none" };

export interface FieldRef {
  prefix: Prefix;
  /** the key after the prefix, quotes removed, parts joined with "."; "" for `prompt` */
  key: string;
  /** the identifier as written */
  text: string;
  /** 1-based column of the identifier */
  column: number;
}

export type FilterAst =
  | { kind: "and"; items: FilterAst[] }
  | { kind: "or"; items: FilterAst[] }
  | { kind: "not"; item: FilterAst }
  | { kind: "compare"; field: FieldRef; op: Comparator; value: FilterValue; column: number; valueColumn: number };

export interface OrderByItem {
  field: FieldRef;
  descending: boolean;
}

type TokenType = "word" | "backtick" | "dstring" | "sstring" | "number" | "op" | "lparen" | "rparen" | "comma" | "dot" | "eof";
interface Token {
  type: TokenType;
  /** the text as written */
  raw: string;
  /** unquoted content for quoted tokens, the text otherwise */
  value: string;
  offset: number;
}

const isWordChar = (c: string) => /[\p{L}\p{N}_$]/u.test(c);
const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";

class Lexer {
  readonly tokens: Token[] = [];
  constructor(private readonly src: string) {
    this.run();
  }

  private run() {
    const s = this.src;
    let i = 0;
    while (i < s.length) {
      const c = s[i];
      if (/\s/.test(c)) {
        i++;
        continue;
      }
      const start = i;
      const prev = this.tokens[this.tokens.length - 1];
      if (c === "'" || c === '"' || c === "`") {
        let out = "";
        i++;
        for (;;) {
          if (i >= s.length) throw syntaxError(s, start, c === "`" ? "Unterminated quoted key" : "Unterminated string");
          const d = s[i];
          if (d === "\\" && s[i + 1] === c) {
            out += c;
            i += 2;
          } else if (d === c && s[i + 1] === c) {
            out += c;
            i += 2;
          } else if (d === c) {
            i++;
            break;
          } else {
            out += d;
            i++;
          }
        }
        this.push(c === "`" ? "backtick" : c === '"' ? "dstring" : "sstring", s.slice(start, i), out, start);
      } else if ((isDigit(c) || ((c === "-" || c === "+") && (isDigit(s[i + 1]) || (s[i + 1] === "." && isDigit(s[i + 2]))))) && prev?.type !== "dot") {
        const m = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?/.exec(s.slice(i))!;
        i += m[0].length;
        if (i < s.length && isWordChar(s[i])) throw syntaxError(s, start, `Invalid number '${s.slice(start, i + 1)}'`);
        this.push("number", m[0], m[0], start);
      } else if (isWordChar(c)) {
        while (i < s.length && isWordChar(s[i])) i++;
        this.push("word", s.slice(start, i), s.slice(start, i), start);
      } else if (c === "(" || c === ")" || c === "," || c === ".") {
        i++;
        this.push(c === "(" ? "lparen" : c === ")" ? "rparen" : c === "," ? "comma" : "dot", c, c, start);
      } else if ("=!<>".includes(c)) {
        const two = s.slice(i, i + 2);
        const op = ["==", "!=", "<>", "<=", ">="].includes(two) ? two : c;
        if (op === "!") throw syntaxError(s, start, "Unexpected character '!'");
        i += op.length;
        this.push("op", op, op === "==" ? "=" : op === "<>" ? "!=" : op, start);
      } else {
        const ch = String.fromCodePoint(s.codePointAt(i)!);
        const hint = prev?.type === "word" && (ch === "-" || ch === "/" || ch === ":") ? ` (put keys containing '${ch}' in backticks: \`my${ch}key\`)` : "";
        throw syntaxError(s, start, `Unexpected character '${ch}'${hint}`);
      }
    }
    this.push("eof", "", "", s.length);
  }

  private push(type: TokenType, raw: string, value: string, offset: number) {
    this.tokens.push({ type, raw, value, offset });
  }
}

/** 1-based column (in code points, so a CJK or Arabic character counts once) of a UTF-16 offset. */
export function columnOf(src: string, offset: number): number {
  return [...src.slice(0, offset)].length + 1;
}

function syntaxError(src: string, offset: number, what: string) {
  return invalidParameter(`${what} at column ${columnOf(src, offset)}`);
}

const describe = (t: Token) => (t.type === "eof" ? "end of filter" : `'${t.raw}'`);
const isKeyword = (t: Token, kw: string) => t.type === "word" && t.value.toUpperCase() === kw;

class Parser {
  private pos = 0;
  private depth = 0;
  private terms = 0;
  private readonly tokens: Token[];
  constructor(private readonly src: string) {
    this.tokens = new Lexer(src).tokens;
  }

  private peek(n = 0): Token {
    return this.tokens[Math.min(this.pos + n, this.tokens.length - 1)];
  }
  private next(): Token {
    const t = this.peek();
    if (t.type !== "eof") this.pos++;
    return t;
  }
  private col(t: Token) {
    return columnOf(this.src, t.offset);
  }
  private fail(t: Token, what: string): never {
    throw syntaxError(this.src, t.offset, what);
  }

  parseFilter(): FilterAst {
    if (this.peek().type === "eof") return { kind: "and", items: [] };
    const ast = this.parseOr();
    const t = this.peek();
    if (t.type !== "eof") {
      if (t.type === "rparen") this.fail(t, "Unbalanced ')'");
      this.fail(t, `Expected AND, OR or the end of the filter, found ${describe(t)}`);
    }
    return ast;
  }

  parseOrderByItem(): OrderByItem {
    if (this.peek().type === "eof") this.fail(this.peek(), "Empty order_by clause");
    const field = this.parseIdentifier();
    let descending = false;
    const t = this.peek();
    if (isKeyword(t, "DESC") || isKeyword(t, "ASC")) {
      descending = isKeyword(t, "DESC");
      this.next();
    } else if (t.type !== "eof") {
      this.fail(t, `Invalid order_by clause: expected ASC or DESC after the field, found ${describe(t)}`);
    }
    const end = this.peek();
    if (end.type !== "eof") this.fail(end, `Invalid order_by clause: unexpected ${describe(end)}`);
    return { field, descending };
  }

  private parseOr(): FilterAst {
    return this.parseJoined("or", "OR", () => this.parseAnd());
  }

  private parseAnd(): FilterAst {
    return this.parseJoined("and", "AND", () => this.parseUnary());
  }

  /** operand (KEYWORD operand)*: one operand stands alone, more make a node of `kind`. */
  private parseJoined(kind: "and" | "or", keyword: "AND" | "OR", operand: () => FilterAst): FilterAst {
    const items = [operand()];
    while (isKeyword(this.peek(), keyword)) {
      this.next();
      items.push(operand());
    }
    return items.length === 1 ? items[0] : { kind, items };
  }

  private parseUnary(): FilterAst {
    const t = this.peek();
    if ((t.type === "lparen" || isKeyword(t, "NOT")) && this.depth >= MAX_FILTER_DEPTH) {
      this.fail(t, `Filter nests parentheses or NOT more than ${MAX_FILTER_DEPTH} levels deep`);
    }
    this.depth++;
    try {
      return this.parseUnaryInner(t);
    } finally {
      this.depth--;
    }
  }

  private parseUnaryInner(t: Token): FilterAst {
    // `NOT` followed by a comparator is a field named "not", not negation
    if (isKeyword(t, "NOT") && !this.startsComparator(this.peek(1))) {
      this.next();
      return { kind: "not", item: this.parseUnary() };
    }
    if (t.type === "lparen") {
      this.next();
      if (this.peek().type === "rparen") this.fail(this.peek(), "Empty parentheses");
      const inner = this.parseOr();
      const close = this.peek();
      if (close.type !== "rparen") this.fail(close, `Expected ')' to close the '(' at column ${this.col(t)}, found ${describe(close)}`);
      this.next();
      return inner;
    }
    return this.parseComparison();
  }

  private startsComparator(t: Token): boolean {
    return t.type === "op" || ["LIKE", "ILIKE", "RLIKE", "IN", "IS"].some((k) => isKeyword(t, k));
  }

  private parseIdentifier(): FieldRef {
    const first = this.peek();
    if (isKeyword(first, "AND") || isKeyword(first, "OR")) this.fail(first, `Expected a field name, found ${describe(first)}`);
    const parts: { text: string; token: Token }[] = [];
    for (;;) {
      const t = this.peek();
      if (t.type === "word" || t.type === "backtick" || t.type === "dstring") parts.push({ text: t.value, token: this.next() });
      else if (t.type === "number" && parts.length > 0) parts.push({ text: t.value, token: this.next() });
      else if (parts.length === 0) this.fail(t, `Expected a field name, found ${describe(t)}`);
      else this.fail(t, `Expected a key after '.', found ${describe(t)}`);
      if (this.peek().type !== "dot") break;
      this.next();
    }
    const last = parts[parts.length - 1].token;
    const text = this.src.slice(first.offset, last.offset + last.raw.length);
    const column = this.col(first);
    if (parts.length === 1) {
      const only = parts[0];
      if (only.token.type === "word" && only.text.toLowerCase() === "prompt") return { prefix: "prompt", key: "", text, column };
      if (only.text === "") this.fail(only.token, "Empty field name");
      return { prefix: "attribute", key: only.text, text, column };
    }
    const head = parts[0];
    const prefix = head.token.type === "word" ? canonicalPrefix(head.text) : undefined;
    if (!prefix) this.fail(head.token, `Invalid search expression type '${head.text}' (expected attribute, trace, tag, metadata, span, feedback, expectation or prompt)`);
    const key = parts.slice(1).map((p) => p.text).join(".");
    if (parts.slice(1).some((p) => p.text === "")) this.fail(parts[1].token, "Empty key");
    return { prefix, key, text, column };
  }

  private parseComparator(): Comparator {
    const t = this.next();
    if (t.type === "op") return t.value as Comparator;
    if (t.type === "word") {
      const w = t.value.toUpperCase();
      if (w === "LIKE" || w === "ILIKE" || w === "RLIKE" || w === "IN") return w;
      if (w === "NOT" && isKeyword(this.peek(), "IN")) {
        this.next();
        return "NOT IN";
      }
      if (w === "IS") {
        const n = this.next();
        if (isKeyword(n, "NULL")) return "IS NULL";
        if (isKeyword(n, "NOT") && isKeyword(this.peek(), "NULL")) {
          this.next();
          return "IS NOT NULL";
        }
        this.fail(n, `Expected NULL or NOT NULL after IS, found ${describe(n)}`);
      }
    }
    if (t.type === "eof") this.fail(t, "Expected a comparator, found end of filter");
    this.fail(t, `Invalid comparator ${describe(t)}`);
  }

  private parseScalar(): Scalar {
    const t = this.next();
    if (t.type === "sstring" || t.type === "dstring") return { kind: "string", value: t.value };
    if (t.type === "number") return { kind: "number", value: t.value };
    if (isKeyword(t, "TRUE") || isKeyword(t, "FALSE")) return { kind: "string", value: t.value.toLowerCase() };
    if (t.type === "eof") this.fail(t, "Expected a value, found end of filter");
    if (t.type === "backtick") this.fail(t, "Expected a value in single or double quotes, found a backtick-quoted key");
    this.fail(t, `Expected a quoted string or a number, found ${describe(t)}`);
  }

  private parseComparison(): FilterAst {
    if (++this.terms > MAX_FILTER_TERMS) this.fail(this.peek(), `Filter has more than ${MAX_FILTER_TERMS} comparisons`);
    const field = this.parseIdentifier();
    const opToken = this.peek();
    const op = this.parseComparator();
    const valueToken = this.peek();
    let value: FilterValue;
    if (op === "IS NULL" || op === "IS NOT NULL") value = { kind: "none" };
    else if (op === "IN" || op === "NOT IN") {
      if (valueToken.type !== "lparen") this.fail(valueToken, `Expected '(' after ${op}, found ${describe(valueToken)}`);
      this.next();
      const items: Scalar[] = [];
      if (this.peek().type === "rparen") this.fail(this.peek(), `Empty list after ${op}`);
      for (;;) {
        if (items.length >= MAX_IN_LIST) this.fail(this.peek(), `More than ${MAX_IN_LIST} values in the list after ${op}`);
        items.push(this.parseScalar());
        const sep = this.next();
        if (sep.type === "rparen") break;
        if (sep.type !== "comma") this.fail(sep, `Expected ',' or ')' in the list, found ${describe(sep)}`);
      }
      value = { kind: "list", items };
    } else {
      if (valueToken.type === "lparen") this.fail(valueToken, `A list of values needs IN or NOT IN, not '${op}'`);
      value = this.parseScalar();
    }
    return { kind: "compare", field, op, value, column: this.col(opToken), valueColumn: this.col(valueToken) };
  }
}

/** Parses a search filter. An empty or blank filter is an empty AND (matches everything). */
export function parseFilter(input: string): FilterAst {
  if (input.length > MAX_FILTER_LENGTH) throw invalidParameter(`Filter is longer than ${MAX_FILTER_LENGTH} characters at column ${MAX_FILTER_LENGTH + 1}`);
  return new Parser(input).parseFilter();
}

/**
 * A string literal of this grammar holding exactly `value`: the quote is escaped as `\'`, and backslashes
 * stay as they are because the lexer reads a backslash as an escape only before the quote (so LIKE
 * patterns keep theirs). A value ending in a backslash has no literal (the backslash would escape the
 * closing quote, as in MLflow's grammar); the result then fails to parse rather than search for
 * something else.
 */
export function quoteFilterValue(value: string): string {
  return `'${value.replace(/'/g, "\\'")}'`;
}

/** Parses one order_by item `"<field> [ASC|DESC]"`. */
export function parseOrderBy(input: string): OrderByItem {
  return new Parser(input).parseOrderByItem();
}
