import fc from 'fast-check';

/**
 * Bad input from schemas, for the fuzz suite (test/api/fuzz-openapi.test.ts).
 *
 * The operations come from `/openapi.json` (or, for the device protocol, from the zod schemas of
 * protocol/device-api.ts turned into JSON Schema the same way). For each one a *baseline* request is
 * built that fits the published schemas (path ids, query, body, with the ids of a real world where a
 * property is named like one), and then exactly one kind of damage is done to it: a path id written
 * oddly, a query value the schema excludes, a body value of the wrong type or out of range, a required
 * field left out, a field added to a closed object, another company's id in an id field, a wrong or
 * missing content type, an empty, non-JSON, non-UTF-8 or oversized body, or a broken bearer token.
 *
 * Every damaged body is checked against the schema once more (`conforms`, after a JSON round trip, i.e.
 * as the server will see it): a candidate that still fits the published contract is dropped, so each
 * request the suite sends is one the contract says is wrong, and the server must refuse it. `conforms`
 * errs on the side of "fits" where JSON Schema and zod may count differently (string lengths), so a
 * request is never expected to fail for a reason the server cannot know.
 */

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
  format?: string;
}

export interface Param {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  /** `METHOD /template` as in /openapi.json, e.g. `GET /api/v1/projects/{projectId}`. */
  name: string;
  method: string;
  path: string;
  params: Param[];
  body?: { media: string; schema: JsonSchema };
  auth: boolean;
}

interface OpenApiDoc {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Param[];
        requestBody?: { content: Record<string, { schema: JsonSchema }> };
        security?: unknown[];
      }
    >
  >;
}

export function operationsOf(document: unknown): Operation[] {
  const doc = document as OpenApiDoc;
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const content = Object.entries(op.requestBody?.content ?? {})[0];
      out.push({
        name: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        params: op.parameters ?? [],
        ...(content ? { body: { media: content[0], schema: content[1].schema } } : {}),
        auth: Array.isArray(op.security) && op.security.length > 0,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// the contract, as a lenient JSON Schema check

const typesOf = (s: JsonSchema): string[] | undefined =>
  s.type === undefined ? undefined : Array.isArray(s.type) ? s.type : [s.type];
const codePoints = (s: string) => [...s].length;

function matches(pattern: string, v: string): boolean {
  if (new RegExp(pattern).test(v)) return true;
  try {
    return new RegExp(pattern, 'u').test(v);
  } catch {
    return false;
  }
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Does `v` (a JSON value) fit `s`? Where JSON Schema and zod may disagree, says yes. */
export function conforms(s: JsonSchema, v: unknown): boolean {
  if (s.anyOf && !s.anyOf.some((b) => conforms(b, v))) return false;
  if (s.oneOf && !s.oneOf.some((b) => conforms(b, v))) return false;
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) return false;
  if ('const' in s && JSON.stringify(s.const) !== JSON.stringify(v)) return false;
  const types = typesOf(s);
  if (types) {
    const t = jsonType(v);
    if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) return false;
  }
  if (typeof v === 'string') {
    if (s.maxLength !== undefined && codePoints(v) > s.maxLength) return false;
    if (s.minLength !== undefined && v.length < s.minLength) return false;
    if (s.pattern !== undefined && !matches(s.pattern, v)) return false;
  }
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < s.minimum) return false;
    if (s.maximum !== undefined && v > s.maximum) return false;
    if (s.exclusiveMinimum !== undefined && v <= s.exclusiveMinimum) return false;
    if (s.exclusiveMaximum !== undefined && v >= s.exclusiveMaximum) return false;
  }
  if (Array.isArray(v)) {
    if (s.minItems !== undefined && v.length < s.minItems) return false;
    if (s.maxItems !== undefined && v.length > s.maxItems) return false;
    if (s.items && !v.every((x) => conforms(s.items!, x))) return false;
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    for (const r of s.required ?? []) if (!(r in o)) return false;
    for (const [k, x] of Object.entries(o)) {
      const p = s.properties?.[k];
      if (p) {
        if (!conforms(p, x)) return false;
      } else if (s.additionalProperties === false) return false;
      else if (typeof s.additionalProperties === 'object' && !conforms(s.additionalProperties, x))
        return false;
    }
  }
  return true;
}

/** What the server parses from `JSON.stringify(v)` (undefined properties gone, NaN → null, …). */
export const roundTrip = (v: unknown): unknown => {
  const text = JSON.stringify(v);
  return text === undefined ? undefined : JSON.parse(text);
};

// ---------------------------------------------------------------------------------------------
// hostile values

/** Strings no careful parser should trip over: lone surrogates, ligatures, bidi controls, NUL, lookalike digits, … */
export const NASTY_STRINGS: readonly string[] = [
  '\uD800',
  'a\uDC00b',
  '\uDBFF\uDBFF',
  '\uFB00',
  '00-90-33-01-02-\uFB00',
  '\u202Eevil\u202C',
  '\u200F\u0627\u0644',
  '\u0000',
  'a\u0000b',
  '\uFEFF',
  '\u0130\u0131',
  '\u01C5',
  '\u{1D7D8}',
  '\u0662',
  '\uFF12',
  '\u{1F4A9}',
  'e\u0301',
  '\r\n\t',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '%00',
  '../../etc/passwd',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a hostile string on purpose
  '${x}{{x}}',
  '\\',
  '"',
  '{}',
  '[]',
  'null',
  'NaN',
  'Infinity',
  '-1',
  '0x2',
  '1e3',
  ' 2',
];

/** Odd ways to write an id, and ids that name nothing (0, -1, 2^53, 2^31, …). */
export const ODD_IDS: readonly string[] = [
  '0',
  '-1',
  '-0',
  '00',
  '02',
  '+2',
  ' 2',
  '2 ',
  '\t2',
  '2\n',
  '0x2',
  '0b10',
  '0o2',
  '2e0',
  '1e3',
  '2.0',
  '2.',
  '.2',
  '1_0',
  '1,2',
  '9007199254740992',
  '9007199254740993',
  '2147483648',
  '4294967297',
  '99999999999',
  '1'.repeat(400),
  'NaN',
  'Infinity',
  'null',
  'undefined',
  'true',
  '[1]',
  '\u0662',
  '\uFF12',
  '\u{1D7D0}',
  '2\u0000',
  '\uD800',
  'x',
];

const hugeString = fc.constantFrom(
  'A'.repeat(100_000),
  '\u{1F4A9}'.repeat(30_000),
  '\uD800'.repeat(20_000),
  'ß'.repeat(70_000),
);

const anyString = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS, ...ODD_IDS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: hugeString },
);

/** A JSON value of any type; the caller keeps what the schema excludes. */
const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    0,
    -1,
    1.5,
    -0.5,
    2 ** 31,
    2 ** 53,
    -(2 ** 53),
    Number.MAX_VALUE,
    1e-300,
    [],
    [null],
    {},
    { '': 1 },
    { __proto__: 1 },
  ),
  anyString,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.array(fc.oneof(fc.integer(), fc.constantFrom(...NASTY_STRINGS)), { maxLength: 5 }),
  fc.dictionary(fc.constantFrom(...NASTY_STRINGS, 'constructor', '__proto__', 'x'), fc.integer(), {
    maxKeys: 3,
  }),
);

/** Values `s` excludes (checked with `conforms`); `valid` generates a fitting element when one helps (arrays). */
export function invalidFor(
  s: JsonSchema,
  valid: (s: JsonSchema) => fc.Arbitrary<unknown>,
): fc.Arbitrary<unknown> {
  const parts: fc.Arbitrary<unknown>[] = [anyJson];
  const types = typesOf(s) ?? [];
  if (types.includes('string') || s.enum) {
    const strs: fc.Arbitrary<unknown>[] = [anyString];
    if (s.maxLength !== undefined)
      strs.push(
        fc.constantFrom(
          'a'.repeat(s.maxLength + 1),
          '\u00E9'.repeat(s.maxLength + 1),
          '\u{1F4A9}'.repeat(s.maxLength + 1),
        ),
      );
    if ((s.minLength ?? 0) > 0) strs.push(fc.constant(''));
    if (s.enum)
      strs.push(
        fc.constantFrom(
          ...s.enum.flatMap((e) =>
            typeof e === 'string'
              ? [e.toUpperCase(), ` ${e}`, `${e}\u0000`, `${e}\u200B`, e.replace(/e/g, '\u0435')]
              : [],
          ),
        ),
      );
    if (s.pattern) strs.push(fc.constantFrom('', ' ', '0', ...ODD_IDS));
    parts.push(fc.oneof(...strs));
  }
  if (types.includes('integer') || types.includes('number')) {
    const nums: number[] = [0.5, -1, 0, 2 ** 53, -(2 ** 53), 2 ** 31, 1e21, Number.MAX_SAFE_INTEGER + 2];
    if (s.minimum !== undefined) nums.push(s.minimum - 1, s.minimum - 0.5);
    if (s.exclusiveMinimum !== undefined) nums.push(s.exclusiveMinimum, s.exclusiveMinimum - 1);
    if (s.maximum !== undefined) nums.push(s.maximum + 1, s.maximum + 0.5);
    parts.push(fc.constantFrom(...nums), fc.constantFrom('1', '0x2', '1e3', ' 2', '2', 'NaN'));
  }
  if (types.includes('array') && s.items) {
    const item = s.items;
    const arrs: fc.Arbitrary<unknown>[] = [
      fc.tuple(valid(item), invalidFor(item, valid)).map(([a, b]) => [a, b]),
    ];
    if ((s.minItems ?? 0) > 0) arrs.push(fc.constant([]));
    if (s.maxItems !== undefined && s.maxItems < 20_000)
      arrs.push(valid(item).map((x) => Array.from({ length: s.maxItems! + 1 }, () => x)));
    parts.push(fc.oneof(...arrs));
  }
  if (types.includes('object'))
    parts.push(fc.constantFrom<unknown>({}, { unknown: 1 }, { constructor: { prototype: 1 } }));
  return fc.oneof(...parts).filter((v) => !conforms(s, roundTrip(v)));
}

// ---------------------------------------------------------------------------------------------
// fitting values

/**
 * Ids of the world, by what a property or parameter name refers to: the attacker's (A) for baselines,
 * the other company's (B) for "another tenant's id" damage.
 */
export interface WorldIds {
  projectId: number[];
  deviceId: number[];
  companyId: number[];
  userId: number[];
  keyId: number[];
  /** API token ids (DELETE /account/tokens/{id}). */
  id: string[];
  documentId: string[];
  hardwareId: string[];
}

/** The world id kind a property or parameter name refers to, if any. */
export function idKind(name: string): keyof WorldIds | undefined {
  if (/^(projectId|intoProjectId|drawFrom|fromProjectIds)$/.test(name)) return 'projectId';
  if (/^(deviceId|deviceIds|targetDeviceId)$/.test(name)) return 'deviceId';
  if (name === 'companyId') return 'companyId';
  if (name === 'userId') return 'userId';
  if (name === 'keyId') return 'keyId';
  if (name === 'id') return 'id';
  if (name === 'documentId') return 'documentId';
  return undefined;
}

function regexOf(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern);
  } catch {
    return undefined;
  }
}

/** Values that fit `s`; `name` (the property) picks the world's ids, license and device types, MACs. */
export function validFor(s: JsonSchema, ids: WorldIds, name = ''): fc.Arbitrary<unknown> {
  const fitting = (a: fc.Arbitrary<unknown>) => a.filter((v) => conforms(s, roundTrip(v)));
  if (s.anyOf?.length) return fc.oneof(...s.anyOf.map((b) => validFor(b, ids, name)));
  if (s.enum?.length) return fc.constantFrom(...s.enum);
  if ('const' in s) return fc.constant(s.const);
  const types = typesOf(s) ?? ['string'];
  const type = types.find((t) => t !== 'null') ?? 'null';
  const kind = idKind(name);
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number': {
      if (kind && typeof ids[kind][0] === 'number')
        return fitting(fc.constantFrom(...(ids[kind] as number[])));
      const lo = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 0);
      const hi = Math.min(s.maximum ?? lo + 10, lo + 10);
      return fitting(fc.integer({ min: lo, max: Math.max(lo, hi) }));
    }
    case 'array': {
      const item = s.items ?? {};
      const itemName = name.replace(/s$/, '');
      const min = s.minItems ?? 0;
      return fitting(
        fc.array(validFor(item, ids, kind ? name : itemName), {
          minLength: min,
          maxLength: Math.min(s.maxItems ?? min + 2, min + 2),
        }),
      );
    }
    case 'object': {
      const props = s.properties ?? {};
      const required = new Set(s.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, p] of Object.entries(props)) record[k] = validFor(p, ids, k);
      return fitting(fc.record(record, { requiredKeys: [...required].filter((k) => k in props) }));
    }
    default: {
      if (kind && typeof ids[kind][0] === 'string')
        return fitting(fc.constantFrom(...(ids[kind] as string[])));
      if (kind && typeof ids[kind][0] === 'number')
        return fitting(fc.constantFrom(...(ids[kind] as number[]).map(String)));
      if (/^(device|from|to|hardwareId|hardwareIds)$/.test(name))
        return fitting(fc.constantFrom(...ids.hardwareId));
      if (name === 'type') return fitting(fc.constantFrom('PBX-Port13', 'GW-Channel', 'IP811'));
      const re = s.pattern ? regexOf(s.pattern) : undefined;
      if (re) return fitting(fc.stringMatching(re, { size: 'xsmall' }));
      const min = s.minLength ?? 0;
      return fitting(
        fc.string({
          unit: 'grapheme-ascii',
          minLength: Math.max(min, 1),
          maxLength: Math.min(s.maxLength ?? 20, 20),
        }),
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// damage to a body

type Path = (string | number)[];

/** Every place in `v` (a value fitting `s`) with the schema that applies there. */
function places(
  s: JsonSchema,
  v: unknown,
  path: Path = [],
): { path: Path; schema: JsonSchema; value: unknown }[] {
  const branch = s.anyOf?.find((b) => conforms(b, v)) ?? s;
  const out: { path: Path; schema: JsonSchema; value: unknown }[] = [{ path, schema: branch, value: v }];
  if (Array.isArray(v) && branch.items)
    for (const [i, x] of v.entries()) out.push(...places(branch.items!, x, [...path, i]));
  else if (v !== null && typeof v === 'object' && branch.properties) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>))
      if (branch.properties[k]) out.push(...places(branch.properties[k]!, x, [...path, k]));
  }
  return out;
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function setAt(root: unknown, path: Path, value: unknown, del = false): unknown {
  if (path.length === 0) return value;
  const copy = clone(root) as Record<string | number, unknown>;
  let at = copy;
  for (const p of path.slice(0, -1)) at = at[p] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (del) delete at[last];
  else at[last] = value;
  return copy;
}

export type BodyDamage = { kind: string; at: string; body: unknown };

/**
 * One kind of damage to a fitting body: a value the schema excludes at one place, a required field
 * left out, an unknown field added where the object is closed. The result never fits the schema.
 */
export function damagedBody(
  schema: JsonSchema,
  baseline: unknown,
  valid: (s: JsonSchema, name?: string) => fc.Arbitrary<unknown>,
): fc.Arbitrary<BodyDamage> {
  const spots = places(schema, baseline);
  const arbs: fc.Arbitrary<BodyDamage>[] = [];
  arbs.push(
    fc.integer({ min: 0, max: spots.length - 1 }).chain((i) =>
      invalidFor(spots[i]!.schema, (s) => valid(s)).map((bad) => ({
        kind: 'bad value',
        at: spots[i]!.path.join('.') || '(body)',
        body: setAt(baseline, spots[i]!.path, bad),
      })),
    ),
  );
  const missing = spots.flatMap((p) =>
    p.value && typeof p.value === 'object' && !Array.isArray(p.value)
      ? (p.schema.required ?? []).filter((r) => r in (p.value as object)).map((r) => [...p.path, r])
      : [],
  );
  if (missing.length)
    arbs.push(
      fc.constantFrom(...missing).map((path) => ({
        kind: 'required field left out',
        at: path.join('.'),
        body: setAt(baseline, path, undefined, true),
      })),
    );
  const closed = spots.filter(
    (p) =>
      p.value &&
      typeof p.value === 'object' &&
      !Array.isArray(p.value) &&
      p.schema.additionalProperties === false,
  );
  if (closed.length) {
    arbs.push(
      fc
        .tuple(
          fc.constantFrom(...closed),
          fc.constantFrom(
            'extra',
            'admin',
            'companyId',
            'units',
            'id',
            '__proto__',
            'constructor',
            '',
            '\uD800',
            'email ',
          ),
          anyJson,
        )
        .map(([p, key, value]) => ({
          kind: 'unknown field added',
          at: [...p.path, key].join('.'),
          body: setAt(baseline, [...p.path, key], value),
        })),
    );
  }
  return fc.oneof(...arbs).filter((d) => !conforms(schema, roundTrip(d.body)));
}

/** Ids of another tenant in every id-named place of a fitting body (each place on its own). */
export function otherTenantBodies(schema: JsonSchema, baseline: unknown, theirs: WorldIds): BodyDamage[] {
  const out: BodyDamage[] = [];
  for (const p of places(schema, baseline)) {
    const name = String(p.path[p.path.length - 1] ?? '');
    const kind = idKind(name);
    if (!kind || p.path.length === 0) continue;
    for (const id of theirs[kind]) {
      const value = Array.isArray(p.value) ? [id] : id;
      const body = setAt(baseline, p.path, value);
      if (conforms(schema, roundTrip(body)))
        out.push({ kind: "another company's id", at: p.path.join('.'), body });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// URLs and bytes

/** Percent-encodes UTF-8, lone surrogates as the bytes a careless encoder writes (CESU-8), so nothing is fixed up on the way. */
export function percentEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const pair =
      c >= 0xd800 &&
      c <= 0xdbff &&
      i + 1 < s.length &&
      s.charCodeAt(i + 1) >= 0xdc00 &&
      s.charCodeAt(i + 1) <= 0xdfff;
    if (pair) {
      out += encodeURIComponent(s.slice(i, i + 2));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += `%${(0xe0 | (c >> 12)).toString(16).toUpperCase()}%${(0x80 | ((c >> 6) & 0x3f)).toString(16).toUpperCase()}%${(0x80 | (c & 0x3f)).toString(16).toUpperCase()}`;
    } else
      out += encodeURIComponent(s[i]!).replace(
        /[!'()*]/g,
        (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
      );
  }
  return out;
}

/** A path value that could be mistaken for a different route, rather than a bad id (`.`/`..` segments, empty). */
export const changesRoute = (v: string) => v === '' || v === '.' || v === '..';

/** Byte strings that are not UTF-8 (overlong, surrogate halves, truncated, stray continuation). */
export const NOT_UTF8: readonly number[][] = [
  [0xff],
  [0xc0, 0x80],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
];

/** Query or path values `s` excludes, whether the server reads them percent-decoded or as sent. */
export function invalidParam(s: JsonSchema): fc.Arbitrary<string> {
  const strs: fc.Arbitrary<string>[] = [
    fc.constantFrom(...NASTY_STRINGS, ...ODD_IDS),
    fc.string({ unit: 'binary', maxLength: 30 }),
  ];
  if (s.maxLength !== undefined)
    strs.push(
      fc.constantFrom(
        'a'.repeat(s.maxLength + 1),
        '\u00E9'.repeat(s.maxLength + 1),
        '9'.repeat(s.maxLength + 1),
      ),
    );
  if ((s.minLength ?? 0) > 0 || s.pattern || s.enum) strs.push(fc.constant(''));
  if (s.enum)
    strs.push(
      fc.constantFrom(
        ...s.enum.flatMap((e) =>
          typeof e === 'string' ? [e.toUpperCase(), ` ${e}`, `${e} `, `${e}\u0000`, `${e},${e}`] : [],
        ),
      ),
    );
  return fc
    .oneof(...strs)
    .filter((v) => !changesRoute(v) && !conforms(s, v) && !conforms(s, percentEncode(v)));
}
