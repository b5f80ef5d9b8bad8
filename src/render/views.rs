//! What templates see: small serializable views built from the `Site`, never
//! the model itself. Cards (summaries) are built once and shared by every
//! list that shows them; only an item's own page carries its body.

use crate::content::announcement::Status;
use crate::content::survey::{Question, QuestionType, SurveyState};
use crate::content::{Announcement, FaqTopic, Service, Survey};
use crate::date::When;
use crate::site::{paths, Site};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct NavItem {
    pub title: String,
    pub url: String,
    pub section: String,
}

/// The same for every page.
#[derive(Debug, Serialize)]
pub struct SiteView {
    pub title: String,
    pub description: String,
    pub organisation: String,
    pub language: String,
    pub base_url: String,
    pub base_path: String,
    pub nav: Vec<NavItem>,
    pub feedback_endpoint: String,
    pub now: String,
    pub year: i16,
    pub drafts: bool,
    /// `now` is fixed in portico.toml: pages show that moment, and scripts
    /// must not bring states up to date.
    pub fixed_now: bool,
    pub extra: Option<serde_json::Value>,
}

impl SiteView {
    pub fn new(site: &Site) -> SiteView {
        let c = &site.config;
        let mut nav = vec![
            NavItem {
                title: "Services".into(),
                url: c.url("services/"),
                section: "services".into(),
            },
            NavItem {
                title: "Announcements".into(),
                url: c.url("announcements/"),
                section: "announcements".into(),
            },
            NavItem {
                title: "FAQ".into(),
                url: c.url("faq/"),
                section: "faq".into(),
            },
            NavItem {
                title: "Surveys".into(),
                url: c.url("surveys/"),
                section: "surveys".into(),
            },
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
            language: c.file.language.clone(),
            base_url: c.base_url.clone(),
            base_path: c.base_path.clone(),
            nav,
            feedback_endpoint: c.file.feedback.endpoint.trim_end_matches('/').to_owned(),
            now: c.now.iso(&c.tz),
            year: c.now.zoned(&c.tz).year(),
            drafts: c.drafts,
            fixed_now: c.file.now.is_some(),
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
    pub fn new(site: &Site, when: When) -> DateView {
        DateView {
            human: when.human(&site.config.tz),
            iso: when.iso(&site.config.tz),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Badge {
    pub value: &'static str,
    pub label: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceRef {
    pub id: String,
    pub title: String,
    pub url: String,
    pub lifecycle: Badge,
}

impl ServiceRef {
    pub fn new(site: &Site, s: &Service) -> ServiceRef {
        ServiceRef {
            id: s.id.clone(),
            title: s.front.title.clone(),
            url: site.config.url(&paths::service(&s.id)),
            lifecycle: Badge {
                value: s.front.lifecycle.as_str(),
                label: s.front.lifecycle.label(),
            },
        }
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

/// A window as a short phrase; the day is named once when start and end share it.
pub fn window_range(site: &Site, start: When, end: When) -> String {
    let tz = &site.config.tz;
    if !(start.has_time && end.has_time) {
        return format!("{} – {}", start.human(tz), end.human(tz));
    }
    let (s, e) = (start.zoned(tz), end.zoned(tz));
    if s.date() == e.date() {
        format!(
            "{}, {}–{}",
            s.strftime("%-d %B %Y"),
            s.strftime("%H:%M"),
            e.strftime("%H:%M %Z")
        )
    } else {
        format!("{} – {}", start.human(tz), end.human(tz))
    }
}

/// Cuts `text` at a word boundary to at most `max` characters, with "…".
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', '.', ' ']))
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
}

impl AnnouncementCard {
    pub fn new(site: &Site, a: &Announcement) -> AnnouncementCard {
        let now = site.config.now;
        AnnouncementCard {
            title: a.front.title.clone(),
            url: site.config.url(&paths::announcement(&a.slug)),
            summary: a
                .front
                .summary
                .clone()
                .unwrap_or_else(|| a.body.summary.clone()),
            date: DateView::new(site, a.date),
            kind: Badge {
                value: a.front.kind.as_str(),
                label: a.front.kind.label(),
            },
            pinned: a.front.pinned,
            draft: a.front.draft,
            scheduled: a.is_scheduled(now),
            window: a.window.map(|w| {
                let status = a.status(now).unwrap_or(Status::Scheduled);
                WindowView {
                    range: window_range(site, w.start, w.end),
                    start: DateView::new(site, w.start),
                    end: DateView::new(site, w.end),
                    impact: Badge {
                        value: w.impact.as_str(),
                        label: w.impact.label(),
                    },
                    status: Badge {
                        value: status.as_str(),
                        label: status.label(),
                    },
                }
            }),
            services: a
                .front
                .services
                .iter()
                .filter_map(|id| site.service_index.get(id))
                .map(|&i| ServiceRef::new(site, &site.services[i]))
                .collect(),
        }
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
}

impl ServiceCard {
    pub fn new(site: &Site, s: &Service) -> ServiceCard {
        let f = &s.front;
        ServiceCard {
            id: s.id.clone(),
            title: f.title.clone(),
            url: site.config.url(&paths::service(&s.id)),
            summary: f
                .summary
                .clone()
                .unwrap_or_else(|| shorten(&s.body.summary, 240)),
            category: f.category.clone(),
            category_id: slug::slugify(&f.category),
            lifecycle: Badge {
                value: f.lifecycle.as_str(),
                label: f.lifecycle.label(),
            },
            delivery: Badge {
                value: f.delivery.as_str(),
                label: f.delivery.label(),
            },
            cost: f.cost.as_ref().map(|c| CostView {
                text: c.display(),
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
    pub questions: usize,
    pub draft: bool,
}

fn state_badge(s: SurveyState) -> Badge {
    Badge {
        value: s.as_str(),
        label: s.label(),
    }
}

impl SurveyCard {
    pub fn new(site: &Site, s: &Survey) -> SurveyCard {
        SurveyCard {
            id: s.id.clone(),
            title: s.front.title.clone(),
            url: site.config.url(&paths::survey(&s.id)),
            summary: s
                .front
                .summary
                .clone()
                .unwrap_or_else(|| s.body.summary.clone()),
            state: state_badge(s.state(site.config.now)),
            opens: s.opens.map(|w| DateView::new(site, w)),
            closes: s.closes.map(|w| DateView::new(site, w)),
            questions: s.front.questions.len(),
            draft: s.front.draft,
        }
    }
}

/// One choice of a question: its value, label and input id.
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
    pub fn new(q: &'a Question) -> QuestionView<'a> {
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
                .map(|(n, o)| choice(o.clone(), o.clone(), n))
                .collect(),
            QuestionType::YesNo => vec![
                choice("yes".into(), "Yes".into(), 0),
                choice("no".into(), "No".into(), 1),
            ],
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
        let scale = q
            .range()
            .is_some_and(|(min, max)| ends || q.labels.len() as i64 != max - min + 1);
        let (low, high) = match (ends, q.kind) {
            (true, _) => (Some(q.labels[0].as_str()), Some(q.labels[1].as_str())),
            (false, QuestionType::Nps) => (Some("Not at all likely"), Some("Extremely likely")),
            _ => (None, None),
        };
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
