//! Templates specialised to one language of one site: each `{{ tr.KEY }}`
//! and `{{ site.KEY }}` whose value is text is written into the template as
//! that text (escaped as tera would), so rendering a page no longer looks
//! the two names up, fetches the key and escapes the value every time. A
//! page's frame holds some sixty of them.
//!
//! The output stays byte for byte the same. What is folded:
//! - only a whole expression `{{ tr.KEY }}` or `{{ site.KEY }}` (no filter,
//!   no whitespace control), in a template tera escapes (`.html`, `.xml`);
//! - not inside a component's definition (there `tr` and `site` are its
//!   arguments) nor inside a component call's body, nor in `{% raw %}`;
//! - only values that cannot change the template around them: text with no
//!   `{`, no line break (errors keep their lines), not empty and not
//!   starting or ending with white space (whitespace control trims the text
//!   around an expression, never the expression's value);
//! - nothing at all when some template binds `tr` or `site` itself (`set`,
//!   `set_global`, a `for` loop's name), or when a template tera does not
//!   escape includes or extends another (which is then rendered unescaped);
//! - never `site.now`, the moment of the build, which changes with every
//!   build unless fixed (it would make a new set of templates each time).
//!
//! A loop over one of the site's lists of text tables (`{% for item in
//! site.nav %}`) is written out too, one copy of its body per item, when
//! its body is simple enough to be sure of the result (see `unroll`).

use std::collections::HashMap;

/// One piece of a template's source.
#[derive(Debug, PartialEq)]
enum Piece<'a> {
    /// Text, comments and `{% raw %}` blocks: copied as they are.
    Verbatim(&'a str),
    /// `{{ ... }}`: the whole, and what is between the delimiters.
    Expr(&'a str, &'a str),
    /// `{% ... %}`: the whole, and what is between the delimiters.
    Tag(&'a str, &'a str),
}

/// Cuts a template's source into text, comments, expressions and tags.
/// Quoted strings inside an expression or tag are skipped over, so a `}}`
/// in one does not end it.
fn pieces(src: &str) -> Vec<Piece<'_>> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut text = 0;
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] != b'{' || !matches!(b[i + 1], b'{' | b'%' | b'#') {
            i += 1;
            continue;
        }
        if text < i {
            out.push(Piece::Verbatim(&src[text..i]));
        }
        match b[i + 1] {
            b'#' => {
                let end = src[i + 2..].find("#}").map_or(b.len(), |j| i + 2 + j + 2);
                out.push(Piece::Verbatim(&src[i..end]));
                i = end;
            }
            b'{' => {
                let end = close(src, i + 2, "}}");
                out.push(Piece::Expr(&src[i..end], inner(src, i, end)));
                i = end;
            }
            _ => {
                let end = close(src, i + 2, "%}");
                let tag = inner(src, i, end);
                if words(tag).first() == Some(&"raw") {
                    // Through the `{% endraw %}` tag.
                    let mut at = end;
                    let mut stop = b.len();
                    while let Some(j) = src[at..].find("{%") {
                        let open = at + j;
                        let close_at = close(src, open + 2, "%}");
                        if words(inner(src, open, close_at)).first() == Some(&"endraw") {
                            stop = close_at;
                            break;
                        }
                        at = close_at;
                    }
                    out.push(Piece::Verbatim(&src[i..stop]));
                    i = stop;
                } else {
                    out.push(Piece::Tag(&src[i..end], tag));
                    i = end;
                }
            }
        }
        text = i;
    }
    if text < b.len() {
        out.push(Piece::Verbatim(&src[text..]));
    }
    out
}

/// Where the expression or tag whose inside starts at `from` ends (just
/// past `delim`), or the end of the source.
fn close(src: &str, from: usize, delim: &str) -> usize {
    let b = src.as_bytes();
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'"' | b'\'' | b'`' => i = past_string(src, i),
            _ if src[i..].starts_with(delim) => return i + delim.len(),
            _ => i += 1,
        }
    }
    b.len()
}

/// Just past the end of the quoted string that starts at `at` (tera's
/// strings end at the next quote of their kind), or the end of the source.
fn past_string(src: &str, at: usize) -> usize {
    let q = src.as_bytes()[at] as char;
    src[at + 1..].find(q).map_or(src.len(), |j| at + 1 + j + 1)
}

/// Between the two-byte delimiters of the piece from `start` to `end`.
fn inner(src: &str, start: usize, end: usize) -> &str {
    let stop = end.saturating_sub(2).max(start + 2);
    src.get(start + 2..stop).unwrap_or("")
}

/// A tag's words, whitespace control left out.
fn words(tag: &str) -> Vec<&str> {
    tag.trim_matches('-')
        .split(|c: char| c.is_whitespace() || c == '=' || c == ',')
        .filter(|w| !w.is_empty())
        .collect()
}

/// `(name, key)` when an expression is exactly ` tr.KEY ` or ` site.KEY `.
fn constant(expr: &str) -> Option<(&str, &str)> {
    // Whitespace control (`{{-`, `-}}`) trims text next to the expression:
    // left alone.
    if !expr.starts_with(char::is_whitespace) || !expr.ends_with(char::is_whitespace) {
        return None;
    }
    let (name, key) = expr.trim().split_once('.')?;
    (matches!(name, "tr" | "site") && ident(key)).then_some((name, key))
}

/// The escaped text an expression `{{ tr.KEY }}` or `{{ site.KEY }}` is
/// folded into, when it has one that fits (see `fits`).
fn constant_text(expr: &str, values: &HashMap<(&str, &str), &str>) -> Option<String> {
    let value = values.get(&constant(expr)?)?;
    Some(super::escape_html(value)).filter(|v| fits(v))
}

/// Whether a template binds `tr` or `site` (so the names do not always
/// mean the context's values), or, not being escaped, includes another.
fn forbids_folding(src: &str, escaped: bool) -> bool {
    pieces(src).iter().any(|p| {
        let Piece::Tag(_, tag) = p else { return false };
        let w = words(tag);
        match w.first().copied() {
            Some("set" | "set_global") => matches!(w.get(1).copied(), Some("tr" | "site")),
            Some("for") => w[1..]
                .iter()
                .take_while(|x| **x != "in")
                .any(|x| matches!(*x, "tr" | "site")),
            // The other template would be rendered unescaped there.
            Some("include" | "extends") => !escaped,
            _ => false,
        }
    })
}

/// Whether tera escapes what a template of this name prints.
pub fn escaped(name: &str) -> bool {
    name.ends_with(".html") || name.ends_with(".xml")
}

/// Whether the templates may be folded at all (see the module's notes).
pub fn foldable<'a>(templates: impl IntoIterator<Item = (&'a str, &'a str)>) -> bool {
    !templates
        .into_iter()
        .any(|(name, src)| forbids_folding(src, escaped(name)))
}

/// Text that may stand in for an expression: see the module's notes. (The
/// text before it cannot end with `{`: that `{` would have begun the
/// expression, as it does for tera.)
fn fits(value: &str) -> bool {
    !value.is_empty()
        && !value.contains(['{', '\n', '\r'])
        && !value.starts_with(char::is_whitespace)
        && !value.ends_with(char::is_whitespace)
}

/// `src` (a template tera escapes) with its constants written in, escaped
/// for HTML; `values` holds the text of `tr.KEY` under `("tr", KEY)` and
/// the same for `site`. Also says how many were folded.
pub fn fold(src: &str, values: &HashMap<(&str, &str), &str>, lists: &Lists) -> (String, usize) {
    let mut out = String::with_capacity(src.len());
    let mut folded = 0;
    // Inside a component's definition, or a component call's body.
    let mut definition = 0usize;
    let mut body = 0usize;
    let pieces = pieces(src);
    let mut i = 0;
    while i < pieces.len() {
        match pieces[i] {
            Piece::Verbatim(s) => out.push_str(s),
            Piece::Tag(whole, tag) => {
                let t = tag.trim_matches('-').trim();
                match words(t).first().copied() {
                    Some("component") => definition += 1,
                    Some("endcomponent") => definition = definition.saturating_sub(1),
                    Some("for") if definition == 0 && body == 0 => {
                        if let Some((text, end)) = unroll(&pieces, i, values, lists) {
                            out.push_str(&text);
                            folded += 1;
                            i = end;
                            continue;
                        }
                    }
                    _ if t.starts_with("</") => body = body.saturating_sub(1),
                    _ if t.starts_with('<') && !t.ends_with("/>") => body += 1,
                    _ => {}
                }
                out.push_str(whole);
            }
            Piece::Expr(whole, expr) => {
                let value = (definition == 0 && body == 0)
                    .then(|| constant_text(expr, values))
                    .flatten();
                match value {
                    Some(v) => {
                        out.push_str(&v);
                        folded += 1;
                    }
                    None => out.push_str(whole),
                }
            }
        }
        i += 1;
    }
    (out, folded)
}

/// The lists of the site's values whose items are tables of text (the
/// navigation): `site.KEY` → each item's text fields by name.
pub type Lists<'a> = HashMap<&'a str, Vec<HashMap<&'a str, &'a str>>>;

/// A loop over one of the site's lists, `{% for X in site.KEY %}` at
/// `pieces[at]`, written out once per item with the item's text in place
/// of `X.FIELD`, and the index just past its `{% endfor %}`. `None` (the
/// loop is left as it is) unless its body is only text, expressions and
/// `if` tags, it uses `X` only as `X.FIELD` of a text field whose value
/// fits (see `fits`; in a tag, also no quote or backslash), never `loop`,
/// and no tag has whitespace control (which would trim the text of the
/// item before or after, not the loop's tags).
fn unroll(
    pieces: &[Piece<'_>],
    at: usize,
    values: &HashMap<(&str, &str), &str>,
    lists: &Lists,
) -> Option<(String, usize)> {
    let Piece::Tag(_, tag) = pieces[at] else {
        return None;
    };
    let plain = |t: &str| !t.starts_with('-') && !t.ends_with('-');
    let w = words(tag);
    let [_, name, "in", list] = w[..] else {
        return None;
    };
    let items = lists.get(list.strip_prefix("site.")?)?;
    if !plain(tag) || !ident(name) || name == "loop" {
        return None;
    }
    // The body, through the `{% endfor %}` (no loop inside).
    let mut end = at + 1;
    let mut depth = 0usize;
    loop {
        match pieces.get(end)? {
            Piece::Verbatim(_) => {}
            Piece::Expr(_, expr) => {
                if !plain(expr) {
                    return None;
                }
            }
            Piece::Tag(_, t) => {
                if !plain(t) {
                    return None;
                }
                match words(t).first().copied() {
                    Some("if") => depth += 1,
                    Some("elif" | "else") if depth > 0 => {}
                    Some("endif") if depth > 0 => depth -= 1,
                    Some("endfor") if depth == 0 => break,
                    _ => return None,
                }
            }
        }
        end += 1;
    }
    let body = &pieces[at + 1..end];
    let mut out = String::new();
    for item in items {
        for p in body {
            match *p {
                Piece::Verbatim(s) => out.push_str(s),
                Piece::Expr(whole, expr) => {
                    let field = expr
                        .trim()
                        .strip_prefix(name)
                        .and_then(|f| f.strip_prefix('.'));
                    match field {
                        Some(f) if ident(f) => {
                            let v = super::escape_html(item.get(f)?);
                            if !fits(&v) {
                                return None;
                            }
                            out.push_str(&v);
                        }
                        _ if uses(expr, name) || uses(expr, "loop") => return None,
                        _ => match constant_text(expr, values) {
                            Some(v) => out.push_str(&v),
                            None => out.push_str(whole),
                        },
                    }
                }
                Piece::Tag(_, t) => {
                    if uses(t, "loop") {
                        return None;
                    }
                    out.push_str("{%");
                    out.push_str(&substitute(t, name, item)?);
                    out.push_str("%}");
                }
            }
        }
    }
    Some((out, end + 1))
}

/// Whether `s` is a name tera would take for a variable.
fn ident(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// Each name in `src` outside quoted strings, with where it starts and
/// whether a `.` comes just before it (an attribute, not a variable).
fn names(src: &str) -> Vec<(usize, &str, bool)> {
    let b = src.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' | b'\'' | b'`' => i = past_string(src, i),
            c if word(c) => {
                let start = i;
                while i < b.len() && word(b[i]) {
                    i += 1;
                }
                let attribute = src[..start].trim_end().ends_with('.');
                out.push((start, &src[start..i], attribute));
            }
            _ => i += 1,
        }
    }
    out
}

/// Whether `src` names the variable `name`.
fn uses(src: &str, name: &str) -> bool {
    names(src).iter().any(|&(_, n, attr)| n == name && !attr)
}

/// A tag's inside with each `X.FIELD` written as a string of the item's
/// field; `None` when `X` is used any other way or a value cannot be
/// written as a plain string.
fn substitute(tag: &str, name: &str, item: &HashMap<&str, &str>) -> Option<String> {
    let mut out = String::with_capacity(tag.len());
    let mut copied = 0;
    for (start, n, attr) in names(tag) {
        if n != name || attr {
            continue;
        }
        let rest = &tag[start + n.len()..];
        let field = rest.strip_prefix('.')?;
        let len = field
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(field.len());
        let after = field[len..].trim_start();
        if !ident(&field[..len]) || after.starts_with(['.', '[', '(']) {
            return None;
        }
        let value = item.get(&field[..len])?;
        if value.contains(['"', '\\', '{', '}', '%', '\n', '\r']) {
            return None;
        }
        out.push_str(&tag[copied..start]);
        out.push('"');
        out.push_str(value);
        out.push('"');
        copied = start + n.len() + 1 + len;
    }
    out.push_str(&tag[copied..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> HashMap<(&'static str, &'static str), &'static str> {
        HashMap::from([
            (("tr", "skip"), "Skip to content"),
            (("tr", "quote"), "Tom's \"best\" <b>&</b>"),
            (("site", "title"), "IT"),
            (("tr", "empty"), ""),
            (("tr", "spaced"), " x"),
            (("tr", "brace"), "a{b"),
            (("tr", "lines"), "a\nb"),
        ])
    }

    fn f(src: &str) -> String {
        fold(src, &values(), &Lists::new()).0
    }

    #[test]
    fn whole_constant_expressions_become_escaped_text() {
        assert_eq!(
            f("<a>{{ tr.skip }}</a><b>{{site.title}}</b>"),
            "<a>Skip to content</a><b>{{site.title}}</b>"
        );
        assert_eq!(f("<p>{{  site.title  }}</p>"), "<p>IT</p>");
        assert_eq!(
            f("{{ tr.quote }}"),
            "Tom&#39;s &quot;best&quot; &lt;b&gt;&amp;&lt;/b&gt;"
        );
        assert_eq!(
            fold("{{ tr.skip }} {{ tr.skip }}", &values(), &Lists::new()).1,
            2
        );
    }

    #[test]
    fn anything_else_is_left_as_it_is() {
        for src in [
            "{{ tr.skip | upper }}",
            "{{- tr.skip }}",
            "{{ tr.skip -}}",
            "{{ tr.missing }}",
            "{{ tr.skip.more }}",
            "{{ page.title }}",
            "{{ tr[\"skip\"] }}",
            "{{ trx.skip }}",
            "{# {{ tr.skip }} #}",
            "{% raw %}{{ tr.skip }}{% endraw %}",
            "{%- raw -%}{{ tr.skip }}{%- endraw -%}",
            "{% set x = \"}}{{ tr.skip }}\" %}",
            "{% component c(tr) %}{{ tr.skip }}{% endcomponent c %}",
            "{% <c tr={tr}> %}{{ tr.skip }}{% </c> %}",
            "{{ tr.empty }}",
            "{{ tr.spaced }}",
            "{{ tr.brace }}",
            // The first brace begins the expression, as for tera.
            "a{{{ tr.skip }}",
            "{{ tr.lines }}",
            "{{ tr.skip",
        ] {
            assert_eq!(f(src), src, "{src}");
        }
        // After a component, or a call with a body, folding goes on.
        assert_eq!(
            f("{% component c(tr) %}{{ tr.skip }}{% endcomponent c %}{{ tr.skip }}"),
            "{% component c(tr) %}{{ tr.skip }}{% endcomponent c %}Skip to content"
        );
        assert_eq!(
            f("{% <c tr={tr}> %}{{ tr.skip }}{% </c> %}{{ <c /> }}{{ tr.skip }}"),
            "{% <c tr={tr}> %}{{ tr.skip }}{% </c> %}{{ <c /> }}Skip to content"
        );
        assert_eq!(
            f("{% raw %}x{% endraw %}{{ tr.skip }}"),
            "{% raw %}x{% endraw %}Skip to content"
        );
    }

    fn nav() -> Lists<'static> {
        let item = |title, url, section| {
            HashMap::from([("title", title), ("url", url), ("section", section)])
        };
        HashMap::from([(
            "nav",
            vec![
                item("Services", "/services/", "services"),
                item("Q&A", "/faq/", "faq"),
            ],
        )])
    }

    fn u(src: &str) -> String {
        fold(src, &values(), &nav()).0
    }

    #[test]
    fn loops_over_the_sites_lists_are_written_out_item_by_item() {
        assert_eq!(
            u("<ul>{% for i in site.nav %}<li><a href=\"{{ i.url }}\"{% if i.section == page.section %} class=\"on\"{% elif i.title %}!{% else %}?{% endif %}>{{ i.title }} {{ tr.skip }}</a></li>{% endfor %}</ul>"),
            "<ul><li><a href=\"/services/\"{% if \"services\" == page.section %} class=\"on\"{% elif \"Services\" %}!{% else %}?{% endif %}>Services Skip to content</a></li>\
             <li><a href=\"/faq/\"{% if \"faq\" == page.section %} class=\"on\"{% elif \"Q&A\" %}!{% else %}?{% endif %}>Q&amp;A Skip to content</a></li></ul>"
        );
        // Names that only look alike stay as they are.
        assert_eq!(
            u("{% for i in site.nav %}{% if page.i == is %}{{ items }}{% endif %}{% endfor %}"),
            "{% if page.i == is %}{{ items }}{% endif %}{% if page.i == is %}{{ items }}{% endif %}"
        );
        assert_eq!(
            u("{% for i in site.nav %}{% endfor %}{{ tr.skip }}"),
            "Skip to content"
        );
        assert_eq!(
            fold("{% for i in site.nav %}{% endfor %}", &values(), &nav()).1,
            1
        );
    }

    #[test]
    fn loops_that_cannot_be_written_out_are_left_as_they_are() {
        for src in [
            "{% for i in site.other %}{{ i.url }}{% endfor %}",
            "{% for i in page.nav %}{{ i.url }}{% endfor %}",
            "{% for i in site.nav | reverse %}{{ i.url }}{% endfor %}",
            "{% for k, i in site.nav %}{{ i.url }}{% endfor %}",
            "{% for i in site.nav %}{{ i.missing }}{% endfor %}",
            "{% for i in site.nav %}{{ i }}{% endfor %}",
            "{% for i in site.nav %}{{ i.url | upper }}{% endfor %}",
            "{% for i in site.nav %}{{ i[\"url\"] }}{% endfor %}",
            "{% for i in site.nav %}{{ loop.index }}{% endfor %}",
            "{% for i in site.nav %}{% if loop.first %}x{% endif %}{% endfor %}",
            "{% for i in site.nav %}{% if i %}x{% endif %}{% endfor %}",
            "{% for i in site.nav %}{% if i.url.x %}x{% endif %}{% endfor %}",
            "{% for i in site.nav %}{% set x = i.url %}{% endfor %}",
            "{% for i in site.nav %}{% for j in page.x %}{% endfor %}{% endfor %}",
            "{% for i in site.nav %}{% break %}{% endfor %}",
            "{%- for i in site.nav %}{{ i.url }}{% endfor %}",
            "{% for i in site.nav %}{{- i.url }}{% endfor %}",
            "{% for i in site.nav %}{% if i.url -%}x{% endif %}{% endfor %}",
            "{% for i in site.nav %}{{ i.url }}{% endfor -%}",
            "{% for i in site.nav %}{{ i.url }}",
            "{% component c(tr) %}{% for i in site.nav %}{{ i.url }}{% endfor %}{% endcomponent c %}",
        ] {
            assert_eq!(u(src), src, "{src}");
        }
        // A loop inside one that stays is written out on its own.
        assert_eq!(
            u("{% for i in page.x %}{% for j in site.nav %}{{ i.a }}{{ j.section }}{% endfor %}{% endfor %}"),
            "{% for i in page.x %}{{ i.a }}services{{ i.a }}faq{% endfor %}"
        );
        // A value that cannot be written into the template.
        let mut odd = nav();
        odd.get_mut("nav").unwrap()[1].insert("section", "a\"b");
        let src = "{% for i in site.nav %}{% if i.section %}x{% endif %}{% endfor %}";
        assert_eq!(fold(src, &values(), &odd).0, src);
        odd.get_mut("nav").unwrap()[1].insert("title", "");
        let src = "{% for i in site.nav %}{{ i.title }}{% endfor %}";
        assert_eq!(fold(src, &values(), &odd).0, src);
    }

    #[test]
    fn templates_that_bind_the_names_are_not_folded() {
        for src in [
            "{% set tr = 1 %}",
            "{%- set_global site = 1 -%}",
            "{% for tr in xs %}{% endfor %}",
            "{% for k, site in m %}{% endfor %}",
        ] {
            assert!(!foldable([("a.html", src)]), "{src}");
        }
        assert!(!foldable([("a.txt", "{% include \"b.html\" %}")]));
        assert!(!foldable([("a.txt", "{% extends \"b.html\" %}")]));
        for src in [
            "{% set trx = 1 %}",
            "{% for t in tr.list %}{% endfor %}",
            "{% include \"b.html\" %}",
            "{% raw %}{% set tr = 1 %}{% endraw %}",
            "{# {% set tr = 1 %} #}",
        ] {
            assert!(foldable([("a.html", src)]), "{src}");
        }
    }
}
