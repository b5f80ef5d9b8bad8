//! News, launches, changes, maintenance, outages, retirements and tips:
//! `content/announcements/*.md`.

use super::{content_enum, one_or_many, Source};
use crate::date::{DateText, When};
use crate::diagnostic::Diagnostic;
use crate::markdown::Rendered;
use jiff::tz::TimeZone;
use serde::Deserialize;

content_enum!(
    /// What an announcement is about.
    Kind {
        News = "news" / "News",
        Launch = "launch" / "Launch",
        Change = "change" / "Change",
        Maintenance = "maintenance" / "Maintenance",
        Outage = "outage" / "Outage",
        Retirement = "retirement" / "Retirement",
        Tip = "tip" / "Tip",
    }
);

content_enum!(
    /// How badly a maintenance window or outage affects users.
    Impact {
        None = "none" / "No impact",
        Minor = "minor" / "Minor impact",
        Major = "major" / "Major impact",
        Critical = "critical" / "Critical impact",
    }
);

content_enum!(
    /// Where a maintenance window or outage stands.
    Status {
        Scheduled = "scheduled" / "Scheduled",
        InProgress = "in-progress" / "In progress",
        Completed = "completed" / "Completed",
        Cancelled = "cancelled" / "Cancelled",
    }
);

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnouncementFront {
    pub title: String,
    pub summary: Option<String>,
    pub date: DateText,
    pub updated: Option<DateText>,
    pub author: Option<String>,
    pub kind: Kind,
    #[serde(default, deserialize_with = "one_or_many")]
    pub services: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub audience: Vec<String>,
    #[serde(default)]
    pub pinned: bool,
    pub expires: Option<DateText>,
    pub window: Option<WindowFront>,
    pub status: Option<Status>,
    #[serde(default)]
    pub updates: Vec<UpdateFront>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub tags: Vec<String>,
    #[serde(default)]
    pub draft: bool,
    pub extra: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowFront {
    pub start: DateText,
    pub end: DateText,
    #[serde(default = "default_impact")]
    pub impact: Impact,
}

fn default_impact() -> Impact {
    Impact::Minor
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateFront {
    pub at: DateText,
    pub body: String,
}

/// A maintenance window or outage period, resolved in the site's time zone.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub start: When,
    pub end: When,
    pub impact: Impact,
}

/// A timestamped follow-up; `html` is filled when Markdown is rendered.
#[derive(Debug, Clone)]
pub struct Update {
    pub at: When,
    pub body: String,
    pub html: String,
}

#[derive(Debug, Clone)]
pub struct Announcement {
    pub source: Source,
    pub slug: String,
    /// Shared, so reusing an earlier parse copies none of it.
    pub front: std::sync::Arc<AnnouncementFront>,
    pub date: When,
    pub updated: Option<When>,
    pub expires: Option<When>,
    pub window: Option<Window>,
    /// Newest first.
    pub updates: Vec<Update>,
    /// Shared, so a rebuild that reuses it copies nothing.
    pub body: std::sync::Arc<Rendered>,
}

impl Announcement {
    pub fn parse(
        source: Source,
        tz: &TimeZone,
        base: Option<&serde_json::Value>,
    ) -> Result<Announcement, Vec<Diagnostic>> {
        let split = source.split().map_err(|d| vec![d])?;
        let front: AnnouncementFront = split.parse_over(&source.path, base).map_err(|d| vec![d])?;
        let mut errors = Vec::new();
        let date = front.date.resolve(tz);
        let window = front.window.as_ref().map(|w| Window {
            start: w.start.resolve(tz),
            end: w.end.resolve(tz),
            impact: w.impact,
        });
        if let Some(w) = &window {
            if !matches!(front.kind, Kind::Maintenance | Kind::Outage) {
                errors.push(
                    split
                        .error_at(&source.path, &["window"], None, format!(
                            "a `window` belongs to maintenance and outage announcements, not `{}`",
                            front.kind.as_str()
                        ))
                        .help("set `kind = \"maintenance\"` or `kind = \"outage\"`, or remove the window"),
                );
            }
            if w.end.ts < w.start.ts {
                errors.push(split.error_at(
                    &source.path,
                    &["window", "end"],
                    None,
                    "the window ends before it starts",
                ));
            }
        }
        if front.status.is_some() && window.is_none() {
            errors.push(
                split
                    .error_at(&source.path, &["status"], None, "`status` needs a `window`")
                    .help("add a `window` with `start` and `end`"),
            );
        }
        let mut updates: Vec<Update> = front
            .updates
            .iter()
            .map(|u| Update {
                at: u.at.resolve(tz),
                body: u.body.clone(),
                html: String::new(),
            })
            .collect();
        updates.sort_by_key(|u| std::cmp::Reverse(u.at));
        let slug = super::slug_of(source.stem());
        if slug.is_empty() {
            errors.push(
                Diagnostic::new(&source.path, "the file name gives an empty URL slug")
                    .help("rename the file with letters or digits"),
            );
        }
        if errors.is_empty() {
            Ok(Announcement {
                slug,
                date,
                updated: front.updated.as_ref().map(|d| d.resolve(tz)),
                expires: front.expires.as_ref().map(|d| d.resolve(tz)),
                window,
                updates,
                front: std::sync::Arc::new(front),
                source,
                body: Default::default(),
            })
        } else {
            Err(errors)
        }
    }

    /// The window's state at `now`: set by hand, or derived from the times.
    pub fn status(&self, now: When) -> Option<Status> {
        let w = self.window?;
        Some(match self.front.status {
            Some(s) => s,
            None if now.ts < w.start.ts => Status::Scheduled,
            None if now.ts < w.end.ts => Status::InProgress,
            None => Status::Completed,
        })
    }

    pub fn is_expired(&self, now: When) -> bool {
        self.expires.is_some_and(|e| e.ts <= now.ts)
    }

    pub fn is_scheduled(&self, now: When) -> bool {
        self.date.ts > now.ts
    }

    /// For everyone, when no audience is named or "all" is among them.
    pub fn audiences(&self) -> Vec<String> {
        if self.front.audience.is_empty() {
            vec!["all".into()]
        } else {
            self.front.audience.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Announcement, Vec<Diagnostic>> {
        Announcement::parse(
            Source::new("content/announcements/x.md", "announcements/x.md", text),
            &TimeZone::UTC,
            None,
        )
    }

    #[test]
    fn window_status_follows_the_clock() {
        let a = parse("+++\ntitle = \"Patch\"\ndate = 2026-11-01\nkind = \"maintenance\"\n[window]\nstart = 2026-11-10T20:00:00Z\nend = \"2026-11-10T22:00Z\"\nimpact = \"major\"\n+++\n").unwrap();
        let at = |s: &str| When {
            ts: s.parse().unwrap(),
            has_time: true,
        };
        assert_eq!(
            a.status(at("2026-11-10T19:00:00Z")),
            Some(Status::Scheduled)
        );
        assert_eq!(
            a.status(at("2026-11-10T21:00:00Z")),
            Some(Status::InProgress)
        );
        assert_eq!(
            a.status(at("2026-11-11T00:00:00Z")),
            Some(Status::Completed)
        );
    }

    #[test]
    fn window_on_news_and_reversed_window_are_errors() {
        let errs = parse("---\ntitle: Hi\ndate: 2026-11-01\nkind: news\nwindow:\n  start: 2026-11-10T20:00Z\n  end: 2026-11-10T19:00Z\n---\n").unwrap_err();
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].line, 5);
        assert_eq!(errs[1].line, 7);
    }

    #[test]
    fn a_bad_date_is_located() {
        let errs =
            parse("+++\ntitle = \"x\"\nkind = \"news\"\ndate = \"2026-02-30\"\n+++\n").unwrap_err();
        assert_eq!(errs[0].line, 4);
        assert!(
            errs[0].message.starts_with("invalid date `2026-02-30`"),
            "{}",
            errs[0].message
        );
    }
}
