//! What templates see: small serializable views built from the `Site`, never
//! the model itself. Cards (summaries) are built once and shared by every
//! list that shows them; only an item's own page carries its body. Every
//! word shown comes from the language's `Strings`.

use crate::content::announcement::Status;
use crate::content::survey::{Question, QuestionType, SurveyState};
use crate::content::{Announcement, FaqTopic, Service, Survey};
use crate::date::When;
use crate::diagnostic::Diagnostic;
use crate::i18n::Strings;
use crate::site::{paths, Site};
use serde::Serialize;
use std::sync::OnceLock;

#[derive(Debug, Clone, Serialize)]
pub struct NavItem {
    pub title: String,
    pub url: String,
    pub section: String,
}

/// The same for every page of one language.
#[derive(Debug, Serialize)]
pub struct SiteView {
    pub title: String,
    pub description: String,
    pub organisation: String,
    pub language: String,
    pub base_url: String,
    /// Links to pages of this language start with this.
    pub base_path: String,
    /// The site's root, where the theme's assets are, whatever the language.
    pub root_path: String,
    pub nav: Vec<NavItem>,
    pub feedback_endpoint: String,
    /// The pages' Content-Security-Policy: the portal's own scripts, styles
    /// and images only; forms and feedback go to the site or the endpoint.
    /// Never holds `"`, `<`, `>` or `&`: templates write it as it is.
    pub csp: String,
    pub now: String,
    pub year: i16,
    pub drafts: bool,
    /// When `now` is fixed in portico.toml, that moment (as `now`): pages
    /// show it, and scripts must not bring states up to date. Null
    /// otherwise.
    pub fixed_now: Option<String>,
    pub extra: Option<serde_json::Value>,
}

impl SiteView {
    pub fn new(site: &Site, tr: &Strings) -> SiteView {
        let c = &site.config;
        let item = |key: &str, section: &str| NavItem {
            title: tr.t(key).to_owned(),
            url: c.url(&format!("{section}/")),
            section: section.to_owned(),
        };
        let mut nav = vec![
            item("nav_services", "services"),
            item("nav_announcements", "announcements"),
            item("nav_faq", "faq"),
            item("nav_surveys", "surveys"),
        ];
        for p in site.pages.iter().filter(|p| p.front.menu.is_some()) {
            nav.push(NavItem {
                title: p.front.title.clone(),
                url: c.url(&paths::page(&p.slug)),
                section: p.slug.clone(),
            });
        }
        SiteView {
            title: c.file.title.clone(),
            description: c.file.description.clone(),
            organisation: c.file.organisation.clone(),
            language: site.config.lang.code.clone(),
            base_url: c.base_url.clone(),
            base_path: c.base_path.clone(),
            root_path: c.root_path.clone(),
            nav,
            feedback_endpoint: c.file.feedback.endpoint.trim_end_matches('/').to_owned(),
            csp: content_security_policy(&c.file.feedback.endpoint),
            now: c.now.iso(&c.tz),
            year: c.now.zoned(&c.tz).year(),
            drafts: c.drafts,
            fixed_now: c.file.now.as_ref().map(|_| c.now.iso(&c.tz)),
            extra: c.file.extra.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DateView {
    pub human: String,
    pub iso: String,
}

impl DateView {
    pub fn new(site: &Site, tr: &Strings, when: When) -> DateView {
        DateView {
            human: tr.date_time(when, &site.config.tz),
            iso: when.iso(&site.config.tz),
        }
    }
}

/// A value written in front matter and the label readers see for it.
#[derive(Debug, Clone, Serialize)]
pub struct Badge {
    pub value: &'static str,
    pub label: String,
}

impl Badge {
    /// `group` is the translation key's prefix: `lifecycle`, `kind`, ...
    pub fn new(tr: &Strings, group: &str, value: &'static str) -> Badge {
        Badge {
            value,
            label: tr.t(&format!("{group}_{value}")).to_owned(),
        }
    }
}

/// A link to a service, in this language or, where it has no translation,
/// the default language (`lang` says which).
#[derive(Debug, Clone, Serialize)]
pub struct ServiceRef {
    pub id: String,
    pub title: String,
    pub url: String,
    pub lifecycle: Badge,
    pub lang: Option<String>,
}

impl ServiceRef {
    pub fn new(site: &Site, tr: &Strings, s: &Service) -> ServiceRef {
        ServiceRef {
            id: s.id.clone(),
            title: s.front.title.clone(),
            url: site.config.url(&paths::service(&s.id)),
            lifecycle: Badge::new(tr, "lifecycle", s.front.lifecycle.as_str()),
            lang: None,
        }
    }

    /// Refs for service ids, falling back to other languages' pages.
    pub fn list(site: &Site, tr: &Strings, ids: &[String]) -> Vec<ServiceRef> {
        ids.iter()
            .filter_map(|id| match site.service_index.get(id) {
                Some(&i) => Some(ServiceRef::new(site, tr, &site.services[i])),
                None => site.foreign_services.get(id).map(|f| ServiceRef {
                    id: id.clone(),
                    title: f.title.clone(),
                    url: f.url.clone(),
                    lifecycle: Badge::new(tr, "lifecycle", f.lifecycle.as_str()),
                    lang: Some(f.lang.clone()),
                }),
            })
            .collect()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TagRef {
    pub name: String,
    pub url: String,
}

pub fn tag_refs(site: &Site, tags: &[String]) -> Vec<TagRef> {
    tags.iter()
        .filter(|t| !slug::slugify(t).is_empty())
        .map(|t| TagRef {
            name: t.clone(),
            url: site.config.url(&paths::tag(&slug::slugify(t))),
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct WindowView {
    /// "6 December 2026, 06:00–10:00 CET": the window in one short phrase.
    pub range: String,
    pub start: DateView,
    pub end: DateView,
    pub impact: Badge,
    pub status: Badge,
}

/// Cuts `text` at a word boundary to at most `max` characters, with "…".
pub fn shorten(text: &str, max: usize) -> String {
    // Where the character after the first `max` begins: none, and the
    // text fits (no text has more characters than bytes).
    let end = if text.len() <= max {
        None
    } else {
        text.char_indices().nth(max).map(|(i, _)| i)
    };
    let Some(end) = end else {
        return text.to_owned();
    };
    let cut = &text[..end];
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => cut,
    };
    let cut = cut.trim_end_matches([',', ';', ':', '.', ' ']);
    let mut out = String::with_capacity(cut.len() + '…'.len_utf8());
    out.push_str(cut);
    out.push('…');
    out
}

/// An announcement in a list.
#[derive(Debug, Clone, Serialize)]
pub struct AnnouncementCard {
    pub title: String,
    pub url: String,
    pub summary: String,
    pub date: DateView,
    pub kind: Badge,
    pub pinned: bool,
    pub draft: bool,
    pub scheduled: bool,
    pub window: Option<WindowView>,
    pub services: Vec<ServiceRef>,
    /// The language it is written in, when that is not the page's.
    pub lang: Option<String>,
    /// Its document in the search index.
    #[serde(skip)]
    pub search: String,
    /// Its HTML as a template value, made on first use and shared by every
    /// list that shows it, with `CARD_HEADING` where the theme put the
    /// heading's element (see `CardHeading::apply`).
    #[serde(skip)]
    pub html: OnceLock<Result<tera::Value, Diagnostic>>,
}

/// What a card's template receives as `heading` when the card is rendered:
/// two characters no text contains (the first two of Unicode's private use
/// area), replaced by `h2` or `h3` in the page that shows the card. One
/// rendering then serves both levels, and lists hand the same value to
/// every page.
pub const CARD_HEADING: &str = "\u{E000}\u{E001}";

/// The heading level of a card's title.
#[derive(Debug, Clone, Copy)]
pub enum CardHeading {
    H2,
    H3,
}

impl CardHeading {
    pub fn tag(self) -> &'static str {
        match self {
            CardHeading::H2 => "h2",
            CardHeading::H3 => "h3",
        }
    }

    /// A page that shows cards (rendered with `CARD_HEADING`), with their
    /// headings at this level.
    pub fn apply(self, html: Vec<u8>) -> Vec<u8> {
        let mut places = memchr::memmem::find_iter(&html, CARD_HEADING).peekable();
        if places.peek().is_none() {
            return html;
        }
        let mut out = Vec::with_capacity(html.len());
        let mut rest = 0;
        for at in places {
            out.extend_from_slice(&html[rest..at]);
            out.extend_from_slice(self.tag().as_bytes());
            rest = at + CARD_HEADING.len();
        }
        out.extend_from_slice(&html[rest..]);
        out
    }
}

impl AnnouncementCard {
    pub fn new(site: &Site, tr: &Strings, a: &Announcement) -> AnnouncementCard {
        let now = site.config.now;
        let tz = &site.config.tz;
        AnnouncementCard {
            title: a.front.title.clone(),
            url: site.config.url(&paths::announcement(&a.slug)),
            summary: a
                .front
                .summary
                .clone()
                .unwrap_or_else(|| shorten(&a.body.summary, 240)),
            date: DateView::new(site, tr, a.date),
            kind: Badge::new(tr, "kind", a.front.kind.as_str()),
            pinned: a.front.pinned,
            draft: a.front.draft,
            scheduled: a.is_scheduled(now),
            window: a.window.map(|w| {
                let status = a.status(now).unwrap_or(Status::Scheduled);
                WindowView {
                    range: tr.range(w.start, w.end, tz),
                    start: DateView::new(site, tr, w.start),
                    end: DateView::new(site, tr, w.end),
                    impact: Badge::new(tr, "impact", w.impact.as_str()),
                    status: Badge::new(tr, "status", status.as_str()),
                }
            }),
            services: ServiceRef::list(site, tr, &a.front.services),
            lang: site.foreign_lang(&a.source),
            search: String::new(),
            html: Default::default(),
        }
        .with_search_doc(site, a)
    }

    fn with_search_doc(mut self, site: &Site, a: &Announcement) -> AnnouncementCard {
        let services: Vec<&str> = self.services.iter().map(|s| s.title.as_str()).collect();
        let lang = self
            .lang
            .clone()
            .unwrap_or_else(|| site.config.lang.code.clone());
        self.search = super::search::doc(
            super::search::DocKind::Announcement,
            &self.title,
            &self.url,
            &services,
            &self.summary,
            super::search::strip_html(&a.body.html),
            &lang,
        );
        self
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CostView {
    pub text: String,
    pub amount: f64,
    pub currency: String,
    pub per: String,
    pub note: Option<String>,
}

/// A service in the catalog and lists.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceCard {
    pub id: String,
    pub title: String,
    pub url: String,
    pub summary: String,
    pub category: String,
    pub category_id: String,
    pub lifecycle: Badge,
    pub delivery: Badge,
    pub cost: Option<CostView>,
    pub owner: Option<String>,
    pub availability: Option<String>,
    pub support_hours: Option<String>,
    pub response_time: Option<String>,
    pub draft: bool,
    pub lang: Option<String>,
}

impl ServiceCard {
    /// `category` is the category's name in this language.
    pub fn new(site: &Site, tr: &Strings, s: &Service, category: &str) -> ServiceCard {
        let f = &s.front;
        ServiceCard {
            id: s.id.clone(),
            title: f.title.clone(),
            url: site.config.url(&paths::service(&s.id)),
            summary: f
                .summary
                .clone()
                .unwrap_or_else(|| shorten(&s.body.summary, 240)),
            category: category.to_owned(),
            category_id: slug::slugify(&s.category_key),
            lifecycle: Badge::new(tr, "lifecycle", f.lifecycle.as_str()),
            delivery: Badge::new(tr, "delivery", f.delivery.as_str()),
            cost: f.cost.as_ref().map(|c| CostView {
                text: tr.cost(c.amount, &c.currency, &c.per),
                amount: c.amount,
                currency: c.currency.clone(),
                per: c.per.clone(),
                note: c.note.clone(),
            }),
            owner: f.owner.clone(),
            availability: f.sla.as_ref().and_then(|s| s.availability.clone()),
            support_hours: f.sla.as_ref().and_then(|s| s.support_hours.clone()),
            response_time: f.sla.as_ref().and_then(|s| s.response_time.clone()),
            draft: f.draft,
            lang: site.foreign_lang(&s.source),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct QuestionLink {
    pub id: String,
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FaqCard {
    pub title: String,
    pub url: String,
    pub summary: String,
    pub questions: Vec<QuestionLink>,
    pub draft: bool,
    pub lang: Option<String>,
}

impl FaqCard {
    pub fn new(site: &Site, f: &FaqTopic) -> FaqCard {
        let url = site.config.url(&paths::faq_topic(&f.slug));
        FaqCard {
            title: f.front.title.clone(),
            summary: f
                .front
                .summary
                .clone()
                .unwrap_or_else(|| f.body.summary.clone()),
            questions: f
                .body
                .sections
                .iter()
                .map(|s| QuestionLink {
                    id: s.heading.id.clone(),
                    title: s.heading.title.clone(),
                    url: format!("{url}#{}", s.heading.id),
                })
                .collect(),
            url,
            draft: f.front.draft,
            lang: site.foreign_lang(&f.source),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SurveyCard {
    pub id: String,
    pub title: String,
    pub url: String,
    pub summary: String,
    pub state: Badge,
    pub opens: Option<DateView>,
    pub closes: Option<DateView>,
    pub questions: String,
    pub draft: bool,
    pub lang: Option<String>,
}

fn state_badge(tr: &Strings, s: SurveyState) -> Badge {
    let key = match s {
        SurveyState::Upcoming => "survey_upcoming",
        SurveyState::Open => "survey_open",
        SurveyState::Closed => "survey_closed_state",
    };
    Badge {
        value: s.as_str(),
        label: tr.t(key).to_owned(),
    }
}

impl SurveyCard {
    pub fn new(site: &Site, tr: &Strings, s: &Survey) -> SurveyCard {
        let n = s.front.questions.len();
        SurveyCard {
            id: s.id.clone(),
            title: s.front.title.clone(),
            url: site.config.url(&paths::survey(&s.id)),
            summary: s
                .front
                .summary
                .clone()
                .unwrap_or_else(|| s.body.summary.clone()),
            state: state_badge(tr, s.state(site.config.now)),
            opens: s.opens.map(|w| DateView::new(site, tr, w)),
            closes: s.closes.map(|w| DateView::new(site, tr, w)),
            questions: if n == 1 {
                tr.t("question_count_one").to_owned()
            } else {
                tr.f("question_count", &[("n", &n.to_string())])
            },
            draft: s.front.draft,
            lang: site.foreign_lang(&s.source),
        }
    }
}

/// One choice of a question: the value stored, the label shown, the input id.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub input_id: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuestionView<'a> {
    pub id: &'a str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub label: &'a str,
    pub help: Option<&'a str>,
    pub required: bool,
    pub input_id: String,
    pub choices: Vec<Choice>,
    pub low_label: Option<&'a str>,
    pub high_label: Option<&'a str>,
    /// Laid out as a row of numbers (rating and NPS without per-step labels).
    pub scale: bool,
}

impl<'a> QuestionView<'a> {
    /// `q` as shown; `values` are the option values stored (the default
    /// language's options, so answers in every language add up).
    pub fn new(tr: &'a Strings, q: &'a Question, values: Option<&'a [String]>) -> QuestionView<'a> {
        let input_id = format!("q-{}", q.id);
        let choice = |value: String, label: String, n: usize| Choice {
            input_id: format!("{input_id}-{n}"),
            value,
            label,
        };
        let choices = match q.kind {
            QuestionType::Single | QuestionType::Multiple => q
                .options
                .iter()
                .enumerate()
                .map(|(n, o)| {
                    let value = values.and_then(|v| v.get(n)).unwrap_or(o);
                    choice(value.clone(), o.clone(), n)
                })
                .collect(),
            QuestionType::YesNo => {
                vec![
                    choice("yes".into(), tr.t("yes").into(), 0),
                    choice("no".into(), tr.t("no").into(), 1),
                ]
            }
            QuestionType::Rating | QuestionType::Nps => {
                let (min, max) = q.range().unwrap_or((1, 5));
                let per_step = q.labels.len() as i64 == max - min + 1 && q.labels.len() != 2;
                (min..=max)
                    .enumerate()
                    .map(|(n, v)| {
                        let label = if per_step {
                            format!("{v} – {}", q.labels[n])
                        } else {
                            v.to_string()
                        };
                        choice(v.to_string(), label, n)
                    })
                    .collect()
            }
            QuestionType::Text | QuestionType::LongText => Vec::new(),
        };
        let ends = q.labels.len() == 2;
        let (low, high) = match (ends, q.kind) {
            (true, _) => (Some(q.labels[0].as_str()), Some(q.labels[1].as_str())),
            (false, QuestionType::Nps) => (Some(tr.t("nps_low")), Some(tr.t("nps_high"))),
            _ => (None, None),
        };
        let scale = q
            .range()
            .is_some_and(|(min, max)| ends || q.labels.len() as i64 != max - min + 1);
        QuestionView {
            id: &q.id,
            kind: q.kind.as_str(),
            label: &q.label,
            help: q.help.as_deref(),
            required: q.required,
            input_id,
            choices,
            low_label: low,
            high_label: high,
            scale,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PageLink {
    pub number: usize,
    pub url: String,
    pub current: bool,
    /// Pages were left out between the previous link and this one.
    pub gap_before: bool,
}

/// Links between the pages of a paginated list: first, last and the pages
/// near the current one, so a list of any length costs the same per page.
#[derive(Debug, Clone, Serialize)]
pub struct Pagination {
    pub current: usize,
    pub total: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub pages: Vec<PageLink>,
}

impl Pagination {
    pub fn new(site: &Site, base: &str, current: usize, total: usize) -> Pagination {
        let url = |n: usize| site.config.url(&paths::paginated(base, n));
        let mut numbers: Vec<usize> = vec![1, total];
        numbers.extend(current.saturating_sub(2).max(1)..=(current + 2).min(total));
        numbers.sort_unstable();
        numbers.dedup();
        Pagination {
            current,
            total,
            prev: (current > 1).then(|| url(current - 1)),
            next: (current < total).then(|| url(current + 1)),
            pages: numbers
                .iter()
                .enumerate()
                .map(|(i, &n)| PageLink {
                    number: n,
                    url: url(n),
                    current: n == current,
                    gap_before: i > 0 && n > numbers[i - 1] + 1,
                })
                .collect(),
        }
    }
}

/// The Content-Security-Policy of every generated page: nothing but the
/// site's own scripts, styles, images and fonts, no plugins, no framing of
/// other origins' forms; answers may also go to the feedback endpoint's
/// origin when it is on another host.
pub fn content_security_policy(endpoint: &str) -> String {
    let origin = ["https://", "http://"].iter().find_map(|scheme| {
        let rest = endpoint.strip_prefix(scheme)?;
        let host = rest.split(['/', '?', '#']).next()?;
        let clean = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
        clean.then(|| format!(" {scheme}{host}"))
    });
    let to = origin.unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
font-src 'self'; connect-src 'self'{to}; form-action 'self'{to}; object-src 'none'; base-uri 'self'"
    )
}

#[cfg(test)]
mod csp_tests {
    use super::content_security_policy as csp;

    #[test]
    fn answers_may_go_to_the_endpoint_origin_only() {
        assert!(csp("/api").contains("connect-src 'self';"));
        let other = csp("https://feedback.example.com:8443/api/");
        assert!(other.contains("connect-src 'self' https://feedback.example.com:8443;"));
        assert!(other.contains("form-action 'self' https://feedback.example.com:8443;"));
        // Nothing that could end the attribute or add a directive.
        assert!(csp("https://x.example\"; script-src *").contains("connect-src 'self';"));
        assert!(csp("https://a.example;script-src/").contains("connect-src 'self';"));
        // Written into the page unescaped: nothing that HTML would read.
        for endpoint in ["https://x.example\"<>&", "http://<a>/", "/api"] {
            assert!(!csp(endpoint).contains(['"', '<', '>', '&']), "{endpoint}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_gets_its_cards_headings_at_its_level() {
        let card = |n: u32| {
            format!("<article><{CARD_HEADING} class=\"t\">Card {n} é</{CARD_HEADING}></article>")
        };
        let page = format!(
            "<main>{}{}<p>\u{E000} alone stays</p></main>",
            card(1),
            card(2)
        );
        assert_eq!(
            String::from_utf8(CardHeading::H3.apply(page.into_bytes())).unwrap(),
            "<main><article><h3 class=\"t\">Card 1 é</h3></article>\
             <article><h3 class=\"t\">Card 2 é</h3></article><p>\u{E000} alone stays</p></main>"
        );
        let plain = b"<main>no cards</main>".to_vec();
        assert_eq!(CardHeading::H2.apply(plain.clone()), plain);
    }

    #[test]
    fn shorten_cuts_at_a_word_within_the_characters_allowed() {
        assert_eq!(shorten("Short enough", 12), "Short enough");
        assert_eq!(
            shorten("Café ouvert à tous, dès lundi", 20),
            "Café ouvert à tous…"
        );
        assert_eq!(shorten("Unbrokenwordwithoutspaces", 10), "Unbrokenwo…");
    }

    proptest::proptest! {
        /// The same cut as counting the text out character by character.
        #[test]
        fn shorten_is_a_cut_of_whole_characters(
            text in "[a-zé’🙂 ,.;:]{0,80}",
            max in 1usize..60,
        ) {
            let by_characters = if text.chars().count() <= max {
                text.clone()
            } else {
                let cut: String = text.chars().take(max).collect();
                let cut = match cut.rfind(' ') {
                    Some(i) if i > max / 2 => &cut[..i],
                    _ => cut.as_str(),
                };
                format!("{}…", cut.trim_end_matches([',', ';', ':', '.', ' ']))
            };
            proptest::prop_assert_eq!(shorten(&text, max), by_characters);
        }
    }
}
