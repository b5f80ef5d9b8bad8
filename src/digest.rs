//! `portico digest`: what is new on the portal as an email, built from the
//! same content and words as the site. The HTML part is tables with inline
//! styles (what mail clients, Outlook included, render), the text part says
//! the same, and the `.eml` holds both as multipart/alternative, ready to be
//! opened in a mail client or sent as it is.

use crate::cli::{DigestArgs, Verbosity};
use crate::content::announcement::{Kind, Status};
use crate::content::service::Lifecycle;
use crate::content::survey::SurveyState;
use crate::date::{DateText, When};
use crate::i18n::Strings;
use crate::render::views::{Badge, DateView, SiteView};
use crate::site::{paths, Site};
use crate::theme::{error_chain, Theme};
use crate::UsageError;
use anyhow::{bail, Context, Result};
use serde::Serialize;
use std::path::Path;

/// One upcoming maintenance window.
#[derive(Debug, Serialize)]
pub struct MaintenanceItem {
    pub title: String,
    pub url: String,
    pub when: String,
    pub impact: String,
    pub services: String,
    pub status: String,
    /// The calendar with this window: its service's, else the portal's.
    pub calendar_url: String,
}

/// A service that was launched, changed or retired in the period.
#[derive(Debug, Serialize)]
pub struct ServiceItem {
    pub title: String,
    pub url: String,
    pub lifecycle: String,
    pub summary: String,
    /// What happened to it, as the announcement's kind says.
    pub change: String,
    pub successor: Option<Link>,
}

#[derive(Debug, Serialize)]
pub struct Link {
    pub title: String,
    pub url: String,
}

#[derive(Debug, Serialize)]
pub struct AnnouncementItem {
    pub title: String,
    pub url: String,
    pub kind: String,
    pub date: String,
    pub summary: String,
}

#[derive(Debug, Serialize)]
pub struct SurveyItem {
    pub title: String,
    pub url: String,
    pub summary: String,
    pub closes: Option<String>,
}

/// What a digest holds; empty sections are left out by the templates.
#[derive(Debug, Serialize)]
pub struct Digest {
    pub subject: String,
    pub since: String,
    pub audience: Option<String>,
    pub maintenance: Vec<MaintenanceItem>,
    pub services: Vec<ServiceItem>,
    pub announcements: Vec<AnnouncementItem>,
    pub surveys: Vec<SurveyItem>,
    pub portal_url: String,
    pub subscribe_url: String,
    pub calendar_url: String,
}

impl Digest {
    pub fn is_empty(&self) -> bool {
        self.maintenance.is_empty()
            && self.services.is_empty()
            && self.announcements.is_empty()
            && self.surveys.is_empty()
    }
}

fn for_audience(named: &[String], audience: Option<&str>) -> bool {
    match audience {
        None => true,
        Some(want) => {
            named.is_empty()
                || named
                    .iter()
                    .any(|a| a == "all" || a.eq_ignore_ascii_case(want))
        }
    }
}

/// Collects what is new in `site` since `since`, for `audience`.
pub fn collect(site: &Site, tr: &Strings, since: When, audience: Option<&str>) -> Digest {
    let c = &site.config;
    let now = c.now;
    let tz = &c.tz;
    let shown = |a: &crate::content::Announcement| {
        !a.front.draft && !a.is_scheduled(now) && for_audience(&a.front.audience, audience)
    };
    let service_link = |id: &str| {
        site.service_index.get(id).map(|&i| Link {
            title: site.services[i].front.title.clone(),
            url: c.permalink(&paths::service(id)),
        })
    };

    let mut windows: Vec<&crate::content::Announcement> = site
        .announcements
        .iter()
        .filter(|a| shown(a) && !a.is_expired(now))
        .filter(|a| {
            a.window.is_some_and(|w| w.end.ts > now.ts) && a.status(now) != Some(Status::Cancelled)
        })
        .collect();
    windows.sort_by_key(|a| a.window.map(|w| w.start));
    let maintenance = windows
        .iter()
        .filter_map(|a| {
            let w = a.window?;
            let status = a.status(now).unwrap_or(Status::Scheduled);
            let calendar_url = match a.front.services.first() {
                Some(id) if site.service_index.contains_key(id) => {
                    c.permalink(&format!("{}maintenance.ics", paths::service(id)))
                }
                _ => c.permalink("maintenance.ics"),
            };
            Some(MaintenanceItem {
                title: a.front.title.clone(),
                url: c.permalink(&paths::announcement(&a.slug)),
                when: tr.range(w.start, w.end, tz),
                impact: Badge::new(tr, "impact", w.impact.as_str()).label,
                services: a
                    .front
                    .services
                    .iter()
                    .filter_map(|id| service_link(id).map(|l| l.title))
                    .collect::<Vec<_>>()
                    .join(", "),
                status: Badge::new(tr, "status", status.as_str()).label,
                calendar_url,
            })
        })
        .collect();

    let recent: Vec<&crate::content::Announcement> = site
        .announcements
        .iter()
        .filter(|a| shown(a) && a.date.ts >= since.ts && a.date.ts <= now.ts)
        .collect();

    let mut services: Vec<ServiceItem> = Vec::new();
    for a in &recent {
        if !matches!(a.front.kind, Kind::Launch | Kind::Change | Kind::Retirement) {
            continue;
        }
        for id in &a.front.services {
            let Some(&i) = site.service_index.get(id) else {
                continue;
            };
            let s = &site.services[i];
            // A retirement names the successor too: it is not retiring.
            let winding_down = matches!(
                s.front.lifecycle,
                Lifecycle::Legacy | Lifecycle::Retiring | Lifecycle::Retired
            );
            if a.front.kind == Kind::Retirement && !winding_down {
                continue;
            }
            let url = c.permalink(&paths::service(id));
            if services.iter().any(|x| x.url == url) {
                continue;
            }
            let successor = site.related[i]
                .replaced_by
                .first()
                .map(|&j| &site.services[j])
                .map(|n| Link {
                    title: n.front.title.clone(),
                    url: c.permalink(&paths::service(&n.id)),
                });
            services.push(ServiceItem {
                title: s.front.title.clone(),
                url,
                lifecycle: Badge::new(tr, "lifecycle", s.front.lifecycle.as_str()).label,
                summary: s.front.summary.clone().unwrap_or_default(),
                change: Badge::new(tr, "kind", a.front.kind.as_str()).label,
                successor,
            });
        }
    }

    let in_maintenance: Vec<&str> = windows.iter().map(|a| a.slug.as_str()).collect();
    let announcements = recent
        .iter()
        .filter(|a| !in_maintenance.contains(&a.slug.as_str()))
        .map(|a| AnnouncementItem {
            title: a.front.title.clone(),
            url: c.permalink(&paths::announcement(&a.slug)),
            kind: Badge::new(tr, "kind", a.front.kind.as_str()).label,
            date: DateView::new(site, tr, a.date).human,
            summary: a
                .front
                .summary
                .clone()
                .unwrap_or_else(|| a.body.summary.clone()),
        })
        .collect();

    let surveys = site
        .surveys
        .iter()
        .filter(|s| !s.front.draft && s.state(now) == SurveyState::Open)
        .filter(|s| for_audience(&s.front.audience, audience))
        .map(|s| SurveyItem {
            title: s.front.title.clone(),
            url: c.permalink(&paths::survey(&s.id)),
            summary: s.front.summary.clone().unwrap_or_default(),
            closes: s.closes.map(|w| DateView::new(site, tr, w).human),
        })
        .collect();

    Digest {
        subject: tr.f(
            "digest_subject",
            &[("site", &c.file.title), ("date", &tr.date(now, tz))],
        ),
        since: tr.date(since, tz),
        audience: audience.map(str::to_owned),
        maintenance,
        services,
        announcements,
        surveys,
        portal_url: c.permalink(""),
        subscribe_url: c.permalink("subscribe/"),
        calendar_url: c.permalink("maintenance.ics"),
    }
}

/// The HTML and text parts of `digest`, from the theme's `digest.html` and
/// `digest.txt`.
pub fn render(site: &Site, theme: &Theme, digest: &Digest) -> Result<(String, String)> {
    let tr = theme.i18n.get(&site.config.lang.code);
    let mut ctx = tera::Context::new();
    ctx.insert("site", &SiteView::new(site, tr));
    ctx.insert("tr", tr);
    ctx.insert("digest", digest);
    let part = |name: &str| {
        theme
            .tera
            .render(name, &ctx)
            .map_err(|e| anyhow::anyhow!("templates/{name}: {}", error_chain(&e)))
    };
    Ok((part("digest.html")?, part("digest.txt")?))
}

/// The whole message: headers, and both parts as multipart/alternative.
pub fn message(site: &Site, digest: &Digest, html: String, text: String) -> Result<Vec<u8>> {
    use lettre::message::{Mailbox, MultiPart};
    let c = &site.config;
    let from: Mailbox = match &c.file.digest.from {
        Some(from) => from.parse().with_context(|| {
            format!("portico.toml: `[digest] from` is not an address: `{from}`")
        })?,
        None => {
            let host = c
                .base_url
                .split("://")
                .nth(1)
                .and_then(|r| r.split(['/', ':']).next())
                .filter(|h| !h.is_empty())
                .unwrap_or("localhost");
            format!(
                "{} <noreply@{host}>",
                c.file.title.replace(['<', '>', '"'], "")
            )
            .parse()
            .context(
                "the portal's title and host do not make a sender address; set `[digest] from`",
            )?
        }
    };
    let mut builder = lettre::Message::builder()
        .from(from.clone())
        .subject(digest.subject.clone())
        .message_id(None);
    if c.file.digest.to.is_empty() {
        builder = builder.to(from);
    }
    for to in &c.file.digest.to {
        let to: Mailbox = to
            .parse()
            .with_context(|| format!("portico.toml: `[digest] to` has a bad address: `{to}`"))?;
        builder = builder.to(to);
    }
    let message = builder
        .multipart(MultiPart::alternative_plain_html(text, html))
        .context("cannot make the message")?;
    Ok(message.formatted())
}

/// `portico digest`.
pub fn digest(root: &Path, args: &DigestArgs, v: Verbosity) -> Result<()> {
    let config = crate::commands::load_config(root, &args.site)?;
    let theme = Theme::load(&config).map_err(crate::diagnostic::ContentErrors)?;
    let sites = crate::site::load_sites(&config)?;
    let site = match &args.lang {
        None => &sites[..1],
        Some(lang) => {
            let found = sites.iter().position(|s| &s.config.lang.code == lang);
            match found {
                Some(i) => &sites[i..=i],
                None => {
                    let known: Vec<&str> =
                        sites.iter().map(|s| s.config.lang.code.as_str()).collect();
                    return Err(UsageError(format!(
                        "the portal has no language `{lang}` (it has {})",
                        known.join(", ")
                    ))
                    .into());
                }
            }
        }
    };
    let Some(site) = site.first() else {
        bail!("the portal has no languages");
    };
    let c = &site.config;
    let since = match (&args.since, args.days) {
        (Some(text), _) => DateText(text.clone())
            .resolve_checked(&c.tz)
            .map_err(UsageError)?,
        (None, days) => {
            let days = i64::from(days.unwrap_or(7));
            let ts = c
                .now
                .ts
                .checked_sub(jiff::SignedDuration::from_hours(24 * days))
                .map_err(|e| UsageError(format!("--days {days}: {e}")))?;
            When { ts, has_time: true }
        }
    };
    let tr = theme.i18n.get(&c.lang.code);
    let digest = collect(site, tr, since, args.audience.as_deref());
    let whom = args
        .audience
        .as_deref()
        .map(|a| format!(" for {a}"))
        .unwrap_or_default();
    if digest.is_empty() && !args.allow_empty {
        if v >= Verbosity::Normal {
            println!(
                "Nothing new since {}{whom}: no digest written (--allow-empty writes one anyway).",
                digest.since
            );
        }
        return Ok(());
    }
    let (html, text) = render(site, &theme, &digest)?;
    let eml = message(site, &digest, html.clone(), text.clone())?;
    let out = if args.output.is_relative() {
        root.join(&args.output)
    } else {
        args.output.clone()
    };
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    for (name, bytes) in [
        ("digest.html", html.as_bytes()),
        ("digest.txt", text.as_bytes()),
        ("digest.eml", eml.as_slice()),
    ] {
        let path = out.join(name);
        crate::output::write_file_atomic(&path, bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if v >= Verbosity::Normal {
        println!(
            "Digest since {}{whom}: {} maintenance windows, {} services, {} announcements, {} surveys -> {}",
            digest.since,
            digest.maintenance.len(),
            digest.services.len(),
            digest.announcements.len(),
            digest.surveys.len(),
            out.join("digest.eml").display()
        );
    }
    Ok(())
}
