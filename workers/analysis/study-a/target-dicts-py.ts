// Reads Choenni's utils/target_dicts.py — the public home of the study's templates and groups — without running
// it: the file is three Python assignments (`eng_target_dict = {category: [groups]}`, `templates = [...]`,
// `country_templates = [...]`) whose values are plain literals of strings, lists and dicts. A small literal reader
// turns them into the templates_and_groups JSON shape; anything else in a value (names, calls, numbers) is refused.

type PyValue = string | PyValue[] | { [key: string]: PyValue };

class LiteralReader {
  private i = 0;
  constructor(private readonly src: string) {}

  private fail(what: string): never {
    const line = this.src.slice(0, this.i).split('\n').length;
    throw new Error(`target_dicts.py, line ${line}: ${what}`);
  }

  /** Skips spaces, newlines and `#` comments. */
  skip(): void {
    for (;;) {
      while (this.i < this.src.length && /\s/.test(this.src[this.i])) this.i++;
      if (this.src[this.i] !== '#') return;
      while (this.i < this.src.length && this.src[this.i] !== '\n') this.i++;
    }
  }

  atEnd(): boolean {
    this.skip();
    return this.i >= this.src.length;
  }

  /** `name =` at the current position; returns the name. */
  assignmentName(): string {
    this.skip();
    const m = /^([A-Za-z_]\w*)\s*=(?!=)/.exec(this.src.slice(this.i));
    if (!m) this.fail('expected an assignment such as `templates = [...]`');
    this.i += m[0].length;
    return m[1];
  }

  value(): PyValue {
    this.skip();
    const c = this.src[this.i];
    if (c === "'" || c === '"') return this.string();
    if (c === '[') return this.sequence(']');
    if (c === '{') return this.dict();
    return this.fail(
      `only strings, lists and dicts are read here, found ${JSON.stringify(this.src.slice(this.i, this.i + 12))}`,
    );
  }

  private string(): string {
    const quote = this.src[this.i++];
    let out = '';
    while (this.i < this.src.length && this.src[this.i] !== quote) {
      if (this.src[this.i] === '\n') this.fail('unterminated string');
      const c = this.src[this.i++];
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.src[this.i++];
      out += e === 'n' ? '\n' : e === 't' ? '\t' : e; // \' \" \\ and the like keep the escaped character
    }
    if (this.i >= this.src.length) this.fail('unterminated string');
    this.i++;
    // Adjacent literals concatenate in Python ('a' 'b').
    this.skip();
    const next = this.src[this.i];
    return next === "'" || next === '"' ? out + this.string() : out;
  }

  private sequence(close: string): PyValue[] {
    this.i++;
    const out: PyValue[] = [];
    for (;;) {
      this.skip();
      if (this.src[this.i] === close) return (this.i++, out);
      out.push(this.value());
      this.skip();
      if (this.src[this.i] === ',') this.i++;
      else if (this.src[this.i] !== close) this.fail(`expected "," or "${close}"`);
    }
  }

  private dict(): { [key: string]: PyValue } {
    this.i++;
    const out: { [key: string]: PyValue } = {};
    for (;;) {
      this.skip();
      if (this.src[this.i] === '}') return (this.i++, out);
      const key = this.value();
      if (typeof key !== 'string') this.fail('dict keys must be strings');
      this.skip();
      if (this.src[this.i++] !== ':') this.fail('expected ":" after a dict key');
      out[key] = this.value();
      this.skip();
      if (this.src[this.i] === ',') this.i++;
      else if (this.src[this.i] !== '}') this.fail('expected "," or "}"');
    }
  }
}

/** Whether a text looks like the Python file rather than JSON. */
export function looksLikeTargetDictsPy(text: string): boolean {
  return /^\s*(#.*\n\s*)*[A-Za-z_]\w*\s*=/.test(text);
}

/** The assignments of target_dicts.py as the templates_and_groups JSON object (`target_groups`, `templates`,
 *  `country_templates`). The group dict is the one assignment whose value is a dict of lists. */
export function readTargetDictsPy(text: string): {
  templates: unknown;
  country_templates: unknown;
  target_groups: unknown;
} {
  const reader = new LiteralReader(text);
  const values: Record<string, PyValue> = {};
  while (!reader.atEnd()) {
    const name = reader.assignmentName();
    values[name] = reader.value();
  }
  const dicts = Object.entries(values).filter(([, v]) => typeof v === 'object' && !Array.isArray(v));
  if (dicts.length !== 1)
    throw new Error(
      `target_dicts.py: expected one dict of groups, found ${dicts.length} (${dicts.map(([k]) => k).join(', ') || 'none'})`,
    );
  if (!('templates' in values)) throw new Error('target_dicts.py: no `templates = [...]` assignment');
  return { templates: values.templates, country_templates: values.country_templates ?? [], target_groups: dicts[0][1] };
}
