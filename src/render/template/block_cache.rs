//! Rendered `{{#each questions}}` blocks kept and reused: a class with a variant per student prints the same
//! questions again and again in other orders, and a question's block depends only on what it reads.
//!
//! At load, each `{{#each …questions}}` block of a template is read for what it can print: the question's
//! fields it names, the `@root` values it names, and whether it prints `number` only as `{{number}}`. A block
//! that does anything this cannot account for (partials, decorators, block params, `../`, `@index` of the
//! questions' loop, helpers other than the built-in pure ones) is left to handlebars' own `each`. A block
//! that passes is rendered by [`CachedEach`]: per question, the key is the values of exactly the fields and
//! `@root` paths it reads; the block is rendered once per key — with a marker in place of the question's
//! number, which is put back at each use — and the same text written for every later question with that
//! key, whatever its number.

use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use handlebars::template::{HelperTemplate, Parameter, Template, TemplateElement};
use handlebars::{
    BlockContext, Context, Handlebars, Helper, HelperDef, HelperResult, Output, Path, PathSeg,
    RenderContext, RenderError, Renderable,
};
use serde_json::Value;

use crate::util::keymap::{KeyHasher, KeyMap};

/// Printed where the question's number goes while a block is rendered for the cache; a Unicode
/// noncharacter, never in bank text (a key holding it is rendered without the marker all the same).
const MARK: char = '\u{FDD0}';

/// Helpers whose output depends on their parameters alone: a block may call them.
const PURE_HELPERS: &[&str] = &[
    "lookup", "eq", "ne", "gt", "gte", "lt", "lte", "and", "or", "not", "len",
];

/// Every helper handlebars registers: a name-only `{{x}}` with one of these names calls it.
const BUILTIN_HELPERS: &[&str] = &[
    "if", "unless", "each", "with", "lookup", "raw", "log", "eq", "ne", "gt", "gte", "lt", "lte",
    "and", "or", "not", "len",
];

/// How many bytes of keys and rendered text the cache holds before it starts again (a bank of thousands of
/// questions must not grow it without bound; a class's papers stay far below).
const CACHE_BYTES: usize = 64 << 20;

/// What a question block reads, found in its template.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct Reads {
    /// The question's fields it reads at the question's own level, sorted.
    fields: Vec<String>,
    /// It reads the question as a whole (`{{this}}`, `{{lookup this …}}`): the key is all of it.
    whole: bool,
    /// The `@root` paths it reads.
    roots: Vec<Vec<String>>,
    /// `number` is printed only as `{{number}}`: the block is cached with a marker in its place.
    splice: bool,
}

/// Walks a block's template, collecting what it reads; `ok` false as soon as it does something the cache
/// cannot account for.
#[derive(Default)]
struct Walk {
    fields: BTreeSet<String>,
    whole: bool,
    roots: BTreeSet<Vec<String>>,
    /// `number` read other than as a plain `{{number}}`.
    number_other: bool,
    ok: bool,
}

impl Walk {
    /// `depth`: blocks that changed the context (each, with) since the question's level; `loops`: nested
    /// `each` blocks, which give `@index` and the like their own values.
    fn template(&mut self, t: &Template, depth: usize, loops: usize) {
        for e in &t.elements {
            self.element(e, depth, loops);
        }
    }

    fn element(&mut self, e: &TemplateElement, depth: usize, loops: usize) {
        match e {
            TemplateElement::RawString(_) | TemplateElement::Comment(_) => {}
            TemplateElement::Expression(ht) | TemplateElement::HtmlExpression(ht) => {
                self.expression(ht, depth, loops, true)
            }
            TemplateElement::HelperBlock(ht) => self.block(ht, depth, loops),
            _ => self.ok = false,
        }
    }

    /// `{{x}}` or `{{helper a b}}`; `top`: an element of its own, whose plain `{{number}}` can be spliced.
    fn expression(&mut self, ht: &HelperTemplate, depth: usize, loops: usize, top: bool) {
        if ht.block_param.is_some() {
            self.ok = false;
            return;
        }
        if ht.params.is_empty() && ht.hash.is_empty() {
            match &ht.name {
                Parameter::Path(p) => {
                    if let Path::Relative((_, raw)) = p
                        && BUILTIN_HELPERS.contains(&raw.as_str())
                    {
                        // `{{log}}`: a helper call, not a value.
                        self.ok = false;
                    } else if top && depth == 0 && is_plain(p, "number") {
                        // Spliced: not part of the key.
                    } else {
                        self.path(p, depth, loops);
                    }
                }
                Parameter::Subexpression(s) => self.subexpression(s.as_element(), depth, loops),
                _ => self.ok = false,
            }
            return;
        }
        match &ht.name {
            Parameter::Name(name) if PURE_HELPERS.contains(&name.as_str()) => {
                self.params(ht, depth, loops)
            }
            _ => self.ok = false,
        }
    }

    fn subexpression(&mut self, e: &TemplateElement, depth: usize, loops: usize) {
        match e {
            TemplateElement::Expression(ht) => self.expression(ht, depth, loops, false),
            _ => self.ok = false,
        }
    }

    fn params(&mut self, ht: &HelperTemplate, depth: usize, loops: usize) {
        for p in ht.params.iter().chain(ht.hash.values()) {
            match p {
                Parameter::Path(path) => self.path(path, depth, loops),
                Parameter::Literal(_) => {}
                Parameter::Subexpression(s) => self.subexpression(s.as_element(), depth, loops),
                _ => self.ok = false,
            }
        }
    }

    fn block(&mut self, ht: &HelperTemplate, depth: usize, loops: usize) {
        let Parameter::Name(name) = &ht.name else {
            self.ok = false;
            return;
        };
        if ht.block_param.is_some() || !ht.hash.is_empty() {
            self.ok = false;
            return;
        }
        self.params(ht, depth, loops);
        let (inner_depth, inner_loops) = match name.as_str() {
            "if" | "unless" => (depth, loops),
            "each" => (depth + 1, loops + 1),
            // `with` keeps the enclosing loop's @index.
            "with" => (depth + 1, loops),
            _ => {
                self.ok = false;
                return;
            }
        };
        if let Some(t) = &ht.template {
            self.template(t, inner_depth, inner_loops);
        }
        if let Some(t) = &ht.inverse {
            self.template(t, depth, loops);
        }
    }

    fn path(&mut self, p: &Path, depth: usize, loops: usize) {
        match p {
            // @index and the like of a nested each; the questions' own loop sets none.
            Path::Local((level, _, _)) => {
                if *level > 0 || loops == 0 {
                    self.ok = false;
                }
            }
            Path::Relative((segs, _)) => {
                if let Some(PathSeg::Ruled(_)) = segs.first() {
                    let rest = &segs[1..];
                    let named: Option<Vec<String>> = rest
                        .iter()
                        .map(|s| match s {
                            PathSeg::Named(n) => Some(n.clone()),
                            _ => None,
                        })
                        .collect();
                    match (is_root(&segs[0]), named) {
                        (true, Some(named)) if !named.is_empty() => {
                            self.roots.insert(named);
                        }
                        _ => self.ok = false,
                    }
                    return;
                }
                if segs.iter().any(|s| !matches!(s, PathSeg::Named(_))) {
                    self.ok = false;
                    return;
                }
                if depth > 0 {
                    // Read from a nested block's value, itself read from the question.
                    return;
                }
                match segs.first() {
                    None => self.whole = true,
                    Some(PathSeg::Named(field)) => {
                        if field == "number" {
                            self.number_other = true;
                        }
                        self.fields.insert(field.clone());
                    }
                    Some(_) => self.ok = false,
                }
            }
        }
    }
}

/// Whether `seg` is `@root`.
fn is_root(seg: &PathSeg) -> bool {
    // The rule's name is all the public API shows of it.
    matches!(seg, PathSeg::Ruled(rule) if format!("{rule:?}") == "path_root")
}

/// Whether `p` is the plain field `name` of the current context (`name` or `this.name`).
fn is_plain(p: &Path, name: &str) -> bool {
    matches!(p, Path::Relative((segs, _)) if matches!(segs.as_slice(), [PathSeg::Named(n)] if n == name))
}

/// What the block of `{{#each …}}` reads, or None when it cannot be cached.
pub(super) fn analyse(block: &Template, splice_allowed: bool) -> Option<Reads> {
    let mut walk = Walk {
        ok: true,
        ..Default::default()
    };
    walk.template(block, 0, 0);
    if !walk.ok {
        return None;
    }
    let splice = splice_allowed && !walk.whole && !walk.number_other;
    if !splice {
        walk.fields.insert("number".into());
    }
    Some(Reads {
        fields: walk.fields.into_iter().collect(),
        whole: walk.whole,
        roots: walk.roots.into_iter().collect(),
        splice,
    })
}

/// Whether anything in `t` makes every block of every template uncacheable: partials (they can render
/// one template inside another, indented) and decorators (inline partials, local helpers).
pub(super) fn uses_partials(t: &Template) -> bool {
    t.elements.iter().any(|e| match e {
        TemplateElement::RawString(_) | TemplateElement::Comment(_) => false,
        TemplateElement::Expression(_) | TemplateElement::HtmlExpression(_) => false,
        TemplateElement::HelperBlock(ht) => {
            ht.template.as_ref().is_some_and(uses_partials)
                || ht.inverse.as_ref().is_some_and(uses_partials)
        }
        _ => true,
    })
}

/// Whether `t` names a block param anywhere (`as |q|`): block params are looked up through every
/// enclosing block, so a block inside one may read what its key does not hold.
fn uses_block_params(t: &Template) -> bool {
    t.elements.iter().any(|e| match e {
        TemplateElement::Expression(ht)
        | TemplateElement::HtmlExpression(ht)
        | TemplateElement::HelperBlock(ht) => {
            ht.block_param.is_some()
                || ht.template.as_ref().is_some_and(uses_block_params)
                || ht.inverse.as_ref().is_some_and(uses_block_params)
        }
        _ => false,
    })
}

/// Rendered blocks by key, shared by every cached block of a set of templates: by the hash of the key, the
/// keys themselves compared on a hit, so two keys with one hash never share a rendering (which is why the
/// keys can be hashed by the run caches' fast [`KeyHasher`] rather than SipHash: a collision costs a
/// comparison, never a wrong block).
#[derive(Default)]
pub(super) struct Cache {
    map: KeyMap<u64, Vec<Entry>>,
    bytes: usize,
}

/// One rendered block and the exact values it was rendered for.
struct Entry {
    block: u32,
    spliced: bool,
    values: Vec<Option<Value>>,
    pieces: Arc<Vec<String>>,
}

impl Cache {
    fn get(&self, hash: u64, key: &Key) -> Option<Arc<Vec<String>>> {
        self.map.get(&hash)?.iter().find_map(|e| {
            (e.block == key.block
                && e.spliced == key.spliced
                && e.values.len() == key.values.len()
                && e.values
                    .iter()
                    .zip(&key.values)
                    .all(|(a, b)| a.as_ref() == *b))
            .then(|| Arc::clone(&e.pieces))
        })
    }

    fn insert(&mut self, hash: u64, key: &Key, pieces: Arc<Vec<String>>) {
        let size = key.text_len + pieces.iter().map(String::len).sum::<usize>();
        if self.bytes + size > CACHE_BYTES {
            self.map.clear();
            self.bytes = 0;
        }
        self.bytes += size;
        self.map.entry(hash).or_default().push(Entry {
            block: key.block,
            spliced: key.spliced,
            values: key.values.iter().map(|v| v.cloned()).collect(),
            pieces,
        });
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.map.values().map(Vec::len).sum()
    }
}

/// What a block is rendered for: the block, the values it reads (None: missing), and whether the number is
/// spliced in afterwards (else it is one of the values).
struct Key<'a> {
    block: u32,
    spliced: bool,
    values: Vec<Option<&'a Value>>,
    /// Bytes of text in the values, for the cache's bound.
    text_len: usize,
}

/// Feeds `value` to `h`; `text` counts its bytes of text and `marked` notes the number marker in any string.
fn hash_value(value: &Value, h: &mut impl Hasher, text: &mut usize, marked: &mut bool) {
    match value {
        Value::Null => h.write_u8(0),
        Value::Bool(b) => {
            h.write_u8(1);
            h.write_u8(*b as u8)
        }
        Value::Number(n) => {
            h.write_u8(2);
            n.hash(h)
        }
        Value::String(s) => {
            h.write_u8(3);
            h.write(s.as_bytes());
            h.write_u8(0xff);
            *text += s.len();
            *marked |= s.contains(MARK);
        }
        Value::Array(items) => {
            h.write_u8(4);
            h.write_usize(items.len());
            for v in items {
                hash_value(v, h, text, marked);
            }
        }
        Value::Object(fields) => {
            h.write_u8(5);
            h.write_usize(fields.len());
            for (k, v) in fields {
                h.write(k.as_bytes());
                h.write_u8(0xff);
                *text += k.len();
                *marked |= k.contains(MARK);
                hash_value(v, h, text, marked);
            }
        }
    }
}

/// The helper a cacheable `{{#each …questions}}` block is renamed to.
pub(super) struct CachedEach {
    id: u32,
    reads: Reads,
    cache: Arc<Mutex<Cache>>,
}

/// Rewrites every cacheable `{{#each …questions}}` block of `t` to call a [`CachedEach`] registered under a
/// name no template can spell; returns the helpers to register. `template_text`: the source, which must
/// not hold the number marker for splicing.
pub(super) fn rewrite(
    t: &mut Template,
    template_text: &str,
    next_id: &mut u32,
    cache: &Arc<Mutex<Cache>>,
) -> Vec<(String, CachedEach)> {
    let mut helpers = Vec::new();
    if uses_block_params(t) {
        return helpers;
    }
    let splice_allowed = !template_text.contains(MARK);
    rewrite_in(t, splice_allowed, next_id, cache, &mut helpers);
    helpers
}

fn rewrite_in(
    t: &mut Template,
    splice_allowed: bool,
    next_id: &mut u32,
    cache: &Arc<Mutex<Cache>>,
    helpers: &mut Vec<(String, CachedEach)>,
) {
    for e in &mut t.elements {
        let TemplateElement::HelperBlock(ht) = e else {
            continue;
        };
        let is_questions_each = matches!(&ht.name, Parameter::Name(n) if n == "each")
            && ht.hash.is_empty()
            && ht.inverse.is_none()
            && ht.block_param.is_none()
            && matches!(ht.params.as_slice(), [Parameter::Path(Path::Relative((segs, _)))]
                if matches!(segs.last(), Some(PathSeg::Named(n)) if n == "questions"));
        if is_questions_each
            && let Some(reads) = ht
                .template
                .as_ref()
                .and_then(|block| analyse(block, splice_allowed))
        {
            let id = *next_id;
            *next_id += 1;
            // A space: no template can call it by name.
            let name = format!("examgen cached each {id}");
            ht.name = Parameter::Name(name.clone());
            helpers.push((
                name,
                CachedEach {
                    id,
                    reads,
                    cache: Arc::clone(cache),
                },
            ));
            continue;
        }
        if let Some(inner) = ht.template.as_mut() {
            rewrite_in(inner, splice_allowed, next_id, cache, helpers);
        }
        if let Some(inner) = ht.inverse.as_mut() {
            rewrite_in(inner, splice_allowed, next_id, cache, helpers);
        }
    }
}

impl CachedEach {
    /// The key of `item` in `ctx` and its hash; the question's number as printed when the block is cached
    /// with the marker in its place, None when the number is part of the key.
    fn key<'a>(&self, item: &'a Value, ctx: &'a Context) -> (Key<'a>, u64, Option<String>) {
        let mut values = Vec::with_capacity(self.reads.fields.len() + self.reads.roots.len() + 1);
        if self.reads.whole {
            values.push(Some(item));
        } else {
            values.extend(self.reads.fields.iter().map(|f| item.get(f)));
        }
        for path in &self.reads.roots {
            let mut value = Some(ctx.data());
            for seg in path {
                value = value.and_then(|v| v.get(seg));
            }
            values.push(value);
        }
        let (mut text, mut marked) = (0, false);
        let mut h = KeyHasher::default();
        for v in &values {
            match v {
                Some(v) => hash_value(v, &mut h, &mut text, &mut marked),
                None => h.write_u8(0xfe),
            }
        }
        let number = match item.get("number").and_then(Value::as_u64) {
            Some(n) if self.reads.splice && !marked => Some(n.to_string()),
            _ => None,
        };
        if number.is_none() && self.reads.splice {
            // Rendered as it is, the number one of the values.
            let n = item.get("number");
            match n {
                Some(v) => hash_value(v, &mut h, &mut text, &mut marked),
                None => h.write_u8(0xfe),
            }
            values.push(n);
        }
        self.id.hash(&mut h);
        number.is_some().hash(&mut h);
        let key = Key {
            block: self.id,
            spliced: number.is_some(),
            values,
            text_len: text,
        };
        (key, h.finish(), number)
    }

    /// `t` rendered for `item` into a string: with the marker in place of its number when `marked`.
    fn render_item<'reg: 'rc, 'rc>(
        &self,
        item: &Value,
        marked: bool,
        t: &'rc Template,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
    ) -> Result<String, RenderError> {
        let mut value = item.clone();
        if marked && let Value::Object(fields) = &mut value {
            fields.insert("number".into(), Value::String(MARK.to_string()));
        }
        let mut block = BlockContext::new();
        block.set_base_value(value);
        let mut text = Collect(String::new());
        rc.push_block(block);
        let rendered = t.render(r, ctx, rc, &mut text);
        rc.pop_block();
        rendered?;
        Ok(text.0)
    }
}

/// Output into a string.
struct Collect(String);

impl Output for Collect {
    fn write(&mut self, seg: &str) -> std::io::Result<()> {
        self.0.push_str(seg);
        Ok(())
    }
}

/// Writes `text` as handlebars writes rendered text (its bookkeeping of what was last written).
fn write_out(text: &str, rc: &mut RenderContext<'_, '_>, out: &mut dyn Output) -> HelperResult {
    if text.is_empty() {
        return Ok(());
    }
    out.write(text)?;
    rc.set_content_produced(true);
    let newline = text.ends_with('\n');
    rc.set_trailing_newline(newline);
    rc.set_indent_before_write(newline);
    Ok(())
}

impl HelperDef for CachedEach {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let Some(t) = h.template() else {
            return Ok(());
        };
        let param = h
            .param(0)
            .ok_or(handlebars::RenderErrorReason::ParamNotFoundForIndex(
                "each", 0,
            ))?;
        let items: Vec<&Value> = match param.value() {
            Value::Array(items) => items.iter().collect(),
            // As `each` does: an object's values (the block reads no @key).
            Value::Object(fields) => fields.values().collect(),
            _ if r.strict_mode() => return Err(RenderError::strict_error(param.relative_path())),
            _ => return Ok(()),
        };
        for item in items {
            let (key, hash, number) = self.key(item, ctx);
            let kept = self
                .cache
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(hash, &key);
            let pieces = match kept {
                Some(pieces) => pieces,
                None => {
                    let text = self.render_item(item, number.is_some(), t, r, ctx, rc)?;
                    let pieces: Arc<Vec<String>> = Arc::new(match number {
                        Some(_) => text.split(MARK).map(str::to_string).collect(),
                        None => vec![text],
                    });
                    self.cache.lock().unwrap_or_else(|e| e.into_inner()).insert(
                        hash,
                        &key,
                        Arc::clone(&pieces),
                    );
                    pieces
                }
            };
            match &number {
                Some(number) => {
                    for (i, piece) in pieces.iter().enumerate() {
                        if i > 0 {
                            write_out(number, rc, out)?;
                        }
                        write_out(piece, rc, out)?;
                    }
                }
                None => write_out(&pieces[0], rc, out)?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads(text: &str) -> Option<Reads> {
        analyse(&Template::compile(text).unwrap(), true)
    }

    #[test]
    fn a_block_reads_the_fields_and_root_values_it_names_and_splices_a_plainly_printed_number() {
        let r = reads(
            "{{number}}．{{#each stem}}{{text}}{{@index}}{{/each}}{{#if @root.teacher}}{{answer}}{{/if}}",
        )
        .unwrap();
        assert_eq!(r.fields, ["answer", "stem"]);
        assert_eq!(r.roots, [vec!["teacher".to_string()]]);
        assert!(r.splice && !r.whole);
        // Nested blocks read from what the question's field holds, not the question.
        let r =
            reads("{{#each options}}{{label}}{{#with image}}{{src}}{{/with}}{{/each}}").unwrap();
        assert_eq!(r.fields, ["options"]);
    }

    #[test]
    fn a_number_read_otherwise_than_printed_is_part_of_the_key() {
        for text in [
            "{{#if (eq number 1)}}一{{/if}}",
            "{{lookup this \"number\"}}",
            "{{this}}",
            "{{number.x}}",
            "{{len (number)}}",
        ] {
            let r = reads(text).unwrap();
            assert!(!r.splice, "{text}");
            assert!(
                r.whole || r.fields.contains(&"number".to_string()),
                "{text}"
            );
        }
        // Inside a nested block `number` is the nested value's own field.
        let r = reads("{{#each options}}{{number}}{{/each}}{{number}}").unwrap();
        assert!(r.splice);
    }

    #[test]
    fn what_a_key_cannot_hold_leaves_the_block_to_handlebars() {
        for text in [
            "{{@index}}",
            "{{@first}}",
            "{{#with stem}}{{@index}}{{/with}}",
            "{{#each options}}{{@../index}}{{/each}}",
            "{{../title}}",
            "{{#each options}}{{../../title}}{{/each}}",
            "{{log number}}",
            "{{log}}",
            "{{#raw}}{{number}}{{/raw}}",
            "{{#each options as |o|}}{{o.text}}{{/each}}",
            "{{> other}}",
            "{{#*inline \"x\"}}y{{/inline}}",
            "{{upperCase stem}}",
            "{{@root}}",
        ] {
            assert_eq!(reads(text), None, "{text}");
        }
        // @index of a nested loop is that loop's own.
        assert!(reads("{{#each options}}{{@index}}{{/each}}").is_some());
    }

    #[test]
    fn keys_sharing_a_hash_keep_their_own_renderings() {
        let (a, b) = (Value::from("甲"), Value::from("乙"));
        let key = |v: &'static Value, spliced: bool| Key {
            block: 0,
            spliced,
            values: vec![Some(v), None],
            text_len: 3,
        };
        let (a, b): (&'static Value, &'static Value) =
            (Box::leak(Box::new(a)), Box::leak(Box::new(b)));
        let mut cache = Cache::default();
        cache.insert(7, &key(a, true), Arc::new(vec!["A".into()]));
        cache.insert(7, &key(b, true), Arc::new(vec!["B".into()]));
        assert_eq!(cache.get(7, &key(a, true)).unwrap()[0], "A");
        assert_eq!(cache.get(7, &key(b, true)).unwrap()[0], "B");
        assert!(cache.get(7, &key(a, false)).is_none());
        assert!(cache.get(8, &key(a, true)).is_none());
    }

    #[test]
    fn partials_anywhere_are_seen() {
        assert!(uses_partials(
            &Template::compile("{{#each a}}{{#if b}}{{> p}}{{/if}}{{/each}}").unwrap()
        ));
        assert!(!uses_partials(
            &Template::compile("{{#each a}}{{#if b}}c{{else}}{{d}}{{/if}}{{/each}}").unwrap()
        ));
    }

    #[test]
    fn the_number_marker_survives_markup_escaping() {
        let mark = MARK.to_string();
        assert_eq!(super::super::escape_markup(&mark), mark);
    }
}
