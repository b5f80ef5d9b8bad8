//! Markdown to HTML with pulldown-cmark: heading ids, table of contents,
//! summary, `##` sections (FAQ questions) and internal links `@/path.md`.

use crate::diagnostic::Diagnostic;
use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::collections::HashSet;
use std::path::Path;

/// Where each content file (by its path under `content/`) is published.
pub type LinkTargets = rustc_hash::FxHashMap<std::sync::Arc<str>, LinkTarget>;

#[derive(Debug, Clone)]
pub struct LinkTarget {
    /// The site path (with base path) the file is published at.
    pub url: String,
    /// False for drafts and scheduled content left out of this build.
    pub published: bool,
}

/// What rendering needs besides the Markdown itself.
pub struct RenderContext<'a> {
    pub targets: &'a LinkTargets,
    /// The file, for error positions.
    pub path: &'a Path,
    pub file: &'a str,
    /// Where the Markdown starts in `file`.
    pub offset: usize,
    /// Split the output at `##` headings (FAQ questions).
    pub sections: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// One `##` section: its heading and the HTML up to the next `##`.
#[derive(Debug, Clone, Default)]
pub struct Section {
    pub heading: Heading,
    pub html: String,
    pub text: String,
}

/// An `@/...` link found in the Markdown, for the anchor check.
#[derive(Debug, Clone)]
pub struct InternalLink {
    pub target: String,
    pub anchor: Option<String>,
    /// Byte offset in the file.
    pub offset: usize,
    pub width: usize,
}

/// Rendered HTML, held as the template value that pages show it with: made
/// once, when the Markdown is rendered, in an allocation of its own length,
/// and handed to every template that shows it without a copy.
#[derive(Clone)]
pub struct Html(tera::Value);

impl Html {
    pub fn new(html: &str) -> Html {
        Html(tera::Value::safe_string(html))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str().unwrap_or_default()
    }

    /// The template value (safe: tera writes it as it is).
    pub fn value(&self) -> tera::Value {
        self.0.clone()
    }
}

impl Default for Html {
    fn default() -> Html {
        Html::new("")
    }
}

impl std::ops::Deref for Html {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for Html {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// The whole body, or with `sections` the part before the first `##`.
    pub html: Html,
    /// The first paragraph as plain text.
    pub summary: String,
    pub headings: Vec<Heading>,
    pub sections: Vec<Section>,
    pub links: Vec<InternalLink>,
}

impl Rendered {
    /// Headings worth a table of contents (level 2 and 3, at least three).
    pub fn toc(&self) -> &[Heading] {
        if self.headings.iter().filter(|h| h.level <= 3).count() >= 3 {
            &self.headings
        } else {
            &[]
        }
    }
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders `markdown`; broken internal links come back as diagnostics.
pub fn render(markdown: &str, ctx: &RenderContext) -> (Rendered, Vec<Diagnostic>) {
    let mut errors = Vec::new();
    let mut out = Rendered::default();
    let mut used_ids: HashSet<String> = HashSet::new();
    // Room for the events and the HTML of a typical text, so neither is
    // copied as it grows (HTML is a little longer than its Markdown).
    let mut events: Vec<Event> = Vec::with_capacity(markdown.len() / 16 + 16);
    let mut body = String::with_capacity(markdown.len() + markdown.len() / 4);
    // Index into `events` of each `##` start, for sections.
    let mut h2_starts: Vec<usize> = Vec::new();
    let mut heading: Option<(usize, HeadingLevel, Option<String>, String)> = None;
    let mut paragraph: Option<String> = None;
    let mut depth = 0usize;

    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        match &event {
            Event::Start(tag) => {
                if let Tag::Heading { level, id, .. } = tag {
                    heading = Some((
                        events.len(),
                        *level,
                        id.as_ref().map(|s| s.to_string()),
                        String::new(),
                    ));
                } else if let Tag::Paragraph = tag {
                    if depth == 0 && out.summary.is_empty() {
                        paragraph = Some(String::new());
                    }
                }
                depth += 1;
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, _, text)) = heading.as_mut() {
                    text.push_str(t);
                }
                if let Some(p) = paragraph.as_mut() {
                    p.push_str(t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(p) = paragraph.as_mut() {
                    p.push(' ');
                }
            }
            _ => {}
        }
        let event = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) if dest_url.starts_with("@/") => {
                let (target, anchor) = match dest_url.split_once('#') {
                    Some((t, a)) => (t[2..].to_owned(), Some(a.to_owned())),
                    None => (dest_url[2..].to_owned(), None),
                };
                let offset = ctx.offset + range.start;
                let width = markdown[range.clone()]
                    .lines()
                    .next()
                    .map_or(1, |l| l.chars().count());
                let url = match ctx.targets.get(target.as_str()) {
                    Some(t) if t.published => t.url.clone(),
                    Some(_) => {
                        errors.push(
                            Diagnostic::new(ctx.path, format!("link to `@/{target}`, which is a draft or scheduled and not published"))
                                .at_offset(ctx.file, offset, width)
                                .help("publish the target, remove the link, or build with --drafts"),
                        );
                        String::from("#")
                    }
                    None => {
                        let help = crate::diagnostic::suggest(
                            &target,
                            ctx.targets.keys().map(|k| &**k),
                        )
                        .unwrap_or_else(|| {
                            "internal links name a file under content/, e.g. `@/services/vpn.md`"
                                .into()
                        });
                        errors.push(
                            Diagnostic::new(
                                ctx.path,
                                format!("broken link: no content file `{target}`"),
                            )
                            .at_offset(ctx.file, offset, width)
                            .help(help),
                        );
                        String::from("#")
                    }
                };
                let url = match &anchor {
                    Some(a) => format!("{url}#{a}"),
                    None => url,
                };
                out.links.push(InternalLink {
                    target,
                    anchor,
                    offset,
                    width,
                });
                Event::Start(Tag::Link {
                    link_type,
                    dest_url: CowStr::from(url),
                    title,
                    id,
                })
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((start, level, explicit, text)) = heading.take() {
                    let base = explicit.unwrap_or_else(|| {
                        let s = slug::slugify(&text);
                        if s.is_empty() {
                            "section".into()
                        } else {
                            s
                        }
                    });
                    let mut id = base.clone();
                    let mut n = 1;
                    while !used_ids.insert(id.clone()) {
                        id = format!("{base}-{n}");
                        n += 1;
                    }
                    if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[start] {
                        *slot = Some(CowStr::from(id.clone()));
                    }
                    if level == HeadingLevel::H2 {
                        h2_starts.push(start);
                    }
                    out.headings.push(Heading {
                        level: level as u8,
                        id,
                        title: text.trim().to_owned(),
                    });
                }
                event
            }
            Event::End(TagEnd::Paragraph) => {
                if let Some(p) = paragraph.take() {
                    out.summary = p.trim().to_owned();
                }
                event
            }
            other => other,
        };
        events.push(event);
    }

    if ctx.sections && !h2_starts.is_empty() {
        let h2s: Vec<Heading> = out
            .headings
            .iter()
            .filter(|h| h.level == 2)
            .cloned()
            .collect();
        pulldown_cmark::html::push_html(&mut body, events[..h2_starts[0]].iter().cloned());
        for (i, (start, heading)) in h2_starts.iter().zip(h2s).enumerate() {
            let end = h2_starts.get(i + 1).copied().unwrap_or(events.len());
            // Skip the heading itself: the template shows the question.
            let body_start = events[*start..end]
                .iter()
                .position(|e| matches!(e, Event::End(TagEnd::Heading(_))))
                .map_or(*start, |p| start + p + 1);
            let mut html = String::new();
            pulldown_cmark::html::push_html(&mut html, events[body_start..end].iter().cloned());
            let text = events[body_start..end]
                .iter()
                .filter_map(|e| match e {
                    Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                    Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph) => {
                        Some(" ")
                    }
                    _ => None,
                })
                .collect::<String>();
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            out.sections.push(Section {
                heading,
                html,
                text,
            });
        }
    } else {
        pulldown_cmark::html::push_html(&mut body, events.into_iter());
    }
    // Kept until the pages are rendered: without the slack of growing.
    out.html = Html::new(&body);
    for section in &mut out.sections {
        section.html = crate::compact(std::mem::take(&mut section.html));
    }
    (out, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> LinkTargets {
        let mut t = LinkTargets::default();
        t.insert(
            "services/vpn.md".into(),
            LinkTarget {
                url: "/services/vpn/".into(),
                published: true,
            },
        );
        t.insert(
            "pages/secret.md".into(),
            LinkTarget {
                url: "/secret/".into(),
                published: false,
            },
        );
        t
    }

    fn run(md: &str, sections: bool) -> (Rendered, Vec<Diagnostic>) {
        let t = targets();
        let ctx = RenderContext {
            targets: &t,
            path: Path::new("a.md"),
            file: md,
            offset: 0,
            sections,
        };
        render(md, &ctx)
    }

    #[test]
    fn headings_get_unique_ids_and_summary_is_first_paragraph() {
        let (r, errs) = run(
            "Intro *here*.\n\n## Costs\n\n## Costs\n\n### Set up {#setup}\n",
            false,
        );
        assert!(errs.is_empty());
        assert_eq!(r.summary, "Intro here.");
        let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["costs", "costs-1", "setup"]);
        assert!(r.html.contains("<h2 id=\"costs-1\">"));
        assert_eq!(r.toc().len(), 3);
    }

    #[test]
    fn internal_links_resolve_or_fail_with_position() {
        let (r, errs) = run(
            "See [VPN](@/services/vpn.md#setup).\n\nAnd [x](@/services/vpm.md).",
            false,
        );
        assert!(r.html.contains("href=\"/services/vpn/#setup\""));
        assert_eq!(errs.len(), 1);
        assert_eq!((errs[0].line, errs[0].col), (3, 5));
        assert_eq!(
            errs[0].message,
            "broken link: no content file `services/vpm.md`"
        );
        assert_eq!(
            errs[0].help.as_deref(),
            Some("did you mean `services/vpn.md`?")
        );
        let (_, errs) = run("[s](@/pages/secret.md)", false);
        assert!(errs[0].message.contains("draft"));
    }

    #[test]
    fn sections_split_at_h2() {
        let (r, _) = run("Intro.\n\n## How do I connect?\n\nUse the *client*.\n\n```\n## not a heading\n```\n\n## What does it cost?\n\nNothing.\n", true);
        assert_eq!(r.html.as_str(), "<p>Intro.</p>\n");
        assert_eq!(r.sections.len(), 2);
        assert_eq!(r.sections[0].heading.title, "How do I connect?");
        assert!(r.sections[0].html.contains("## not a heading"));
        assert_eq!(r.sections[1].text, "Nothing.");
    }

    #[test]
    fn smart_punctuation_tables_and_tasks() {
        let (r, _) = run(
            "\"Hi\" -- it's\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n",
            false,
        );
        assert!(r.html.contains("“Hi” – it’s"));
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("checkbox"));
    }
}
