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

pub mod recipients;
pub mod send;

use lettre::message::Mailbox;
use recipients::Recipients;

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
    /// "2 maintenance windows, 1 service, 5 announcements, 1 survey".
    pub fn sizes(&self) -> String {
        format!(
            "{}, {}, {}, {}",
            count(self.maintenance.len(), "maintenance window"),
            count(self.services.len(), "service"),
            count(self.announcements.len(), "announcement"),
            count(self.surveys.len(), "survey")
        )
    }

    pub fn is_empty(&self) -> bool {
        self.maintenance.is_empty()
            && self.services.is_empty()
            && self.announcements.is_empty()
            && self.surveys.is_empty()
    }
}

/// Whether something for the audiences `named` goes into a digest for
/// `groups`: everything when no groups are given, else what is for everyone
/// (no audience, or `all`) and for any of the groups.
fn for_audience(named: &[String], groups: Option<&[String]>) -> bool {
    match groups {
        None => true,
        Some(groups) => {
            named.is_empty()
                || named.iter().any(|a| {
                    a.eq_ignore_ascii_case("all")
                        || groups.iter().any(|g| a.eq_ignore_ascii_case(g))
                })
        }
    }
}

/// Collects what is new in `site` since `since`: everything when `audience`
/// is `None`, else what is for everyone and for any of these groups.
pub fn collect(site: &Site, tr: &Strings, since: When, audience: Option<&[String]>) -> Digest {
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
        audience: audience
            .map(|groups| {
                let named: Vec<&str> = groups
                    .iter()
                    .map(String::as_str)
                    .filter(|g| !g.eq_ignore_ascii_case("all"))
                    .collect();
                named.join(", ")
            })
            .filter(|named| !named.is_empty()),
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

/// Who digests come from: `[digest] from`, else the portal's title at
/// `noreply@` the portal's host.
pub fn sender(site: &Site) -> Result<lettre::message::Mailbox> {
    let c = &site.config;
    match &c.file.digest.from {
        Some(from) => from
            .parse()
            .with_context(|| format!("portico.toml: `[digest] from` is not an address: `{from}`")),
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
            )
        }
    }
}

/// The whole message: headers, and both parts as multipart/alternative,
/// addressed to `to`, or when that is empty to `[digest] to` (else the
/// sender).
pub fn message(
    site: &Site,
    digest: &Digest,
    html: String,
    text: String,
    to: &[&lettre::message::Mailbox],
) -> Result<Vec<u8>> {
    use lettre::message::{Mailbox, MultiPart};
    let c = &site.config;
    let from = sender(site)?;
    let mut builder = lettre::Message::builder()
        .from(from.clone())
        .subject(digest.subject.clone())
        .message_id(None);
    if to.is_empty() {
        if c.file.digest.to.is_empty() {
            builder = builder.to(from);
        }
        for to in &c.file.digest.to {
            let to: Mailbox = to.parse().with_context(|| {
                format!("portico.toml: `[digest] to` has a bad address: `{to}`")
            })?;
            builder = builder.to(to);
        }
    }
    for &to in to {
        builder = builder.to(to.clone());
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
    if args.send {
        return send_digests(root, args, site, &theme, since, v);
    }
    let groups = args.audience.as_ref().map(std::slice::from_ref);
    let digest = collect(site, tr, since, groups);
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
    let eml = message(site, &digest, html.clone(), text.clone(), &[])?;
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
            "Digest since {}{whom}: {} -> {}",
            digest.since,
            digest.sizes(),
            out.join("digest.eml").display()
        );
    }
    Ok(())
}

/// "1 message", "2 messages", "3 batches".
fn count(n: usize, noun: &str) -> String {
    match (n, noun.ends_with(['s', 'h'])) {
        (1, _) => format!("1 {noun}"),
        (_, true) => format!("{n} {noun}es"),
        (_, false) => format!("{n} {noun}s"),
    }
}

/// One digest to mail and who gets it.
struct Mailing {
    /// What the recipients get: `None` for everything (a test run with
    /// `--to`), else what is for everyone and for these groups.
    groups: Option<Vec<String>>,
    to: Vec<Mailbox>,
    digest: Digest,
    html: String,
    text: String,
}

impl Mailing {
    fn whom(&self) -> String {
        match (&self.groups, &self.digest.audience) {
            (None, _) => "everything".to_owned(),
            (Some(_), Some(named)) => named.clone(),
            (Some(_), None) => "everyone".to_owned(),
        }
    }
}

/// Recipients who get the same digest: everything (`None`), or what is for
/// everyone and these groups.
type Audience = (Option<Vec<String>>, Vec<Mailbox>);

/// Who `portico digest --send` mails, and which digest each gets.
fn plan(root: &Path, args: &DigestArgs, site: &Site) -> Result<Vec<Audience>> {
    let c = &site.config;
    if !args.to.is_empty() {
        let mut to = Vec::new();
        for a in &args.to {
            let mailbox: Mailbox = a
                .parse()
                .map_err(|e| UsageError(format!("--to `{a}` is not an email address ({e})")))?;
            to.push(mailbox);
        }
        return Ok(vec![(args.audience.clone().map(|a| vec![a]), to)]);
    }
    let mut recipients = Recipients::default();
    let file = match &args.recipients {
        Some(file) => Some(file.clone()),
        None => {
            if !c.file.digest.recipients.is_empty() {
                let path = root.join("portico.toml");
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                recipients::from_config(&c.file.digest.recipients, &text, &mut recipients)?;
            }
            c.file.digest.recipients_file.as_ref().map(|f| root.join(f))
        }
    };
    if let Some(path) = &file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the recipients file {}", path.display()))?;
        let shown = path.strip_prefix(root).unwrap_or(path);
        recipients::from_file(shown, &text, &mut recipients)?;
    }
    if recipients.is_empty() {
        return Err(UsageError(match &file {
            Some(path) => format!("{} lists no addresses", path.display()),
            None => "nobody to send the digest to: list addresses per audience under \
                     `[digest.recipients]` or in a file (`[digest] recipients_file`, or \
                     `--recipients FILE`), or give `--to ADDRESS`"
                .to_owned(),
        })
        .into());
    }
    // A group no content is for is most likely a misspelt audience.
    let named: std::collections::BTreeSet<String> = site
        .announcements
        .iter()
        .flat_map(|a| &a.front.audience)
        .chain(site.services.iter().flat_map(|s| &s.front.audience))
        .chain(site.surveys.iter().flat_map(|s| &s.front.audience))
        .map(|a| a.to_lowercase())
        .collect();
    for group in recipients.groups() {
        if !named.contains(group) {
            eprintln!(
                "warning: no content is for the recipients' group `{group}`: its members get what is for everyone"
            );
        }
    }
    if let Some(group) = &args.audience {
        let n = recipients.len();
        recipients = recipients.only(group);
        if recipients.is_empty() {
            return Err(UsageError(format!(
                "none of the {n} recipients is in the group `{group}`"
            ))
            .into());
        }
    }
    Ok(recipients
        .by_groups()
        .into_iter()
        .map(|(groups, to)| {
            let groups = if groups.is_empty() {
                vec![recipients::ALL.to_owned()]
            } else {
                groups
            };
            (Some(groups), to)
        })
        .collect())
}

/// `portico digest --send`: one digest per set of groups, each recipient a
/// message of their own, in batches.
fn send_digests(
    root: &Path,
    args: &DigestArgs,
    site: &Site,
    theme: &Theme,
    since: When,
    v: Verbosity,
) -> Result<()> {
    let c = &site.config;
    let tr = theme.i18n.get(&c.lang.code);
    let batch_size = args.batch_size.or(c.file.digest.batch_size).unwrap_or(50);
    if batch_size == 0 {
        return Err(UsageError("`[digest] batch_size` must be at least 1".into()).into());
    }
    let pause = args
        .batch_pause
        .or(c.file.digest.batch_pause)
        .unwrap_or(0.0);
    let pause = std::time::Duration::try_from_secs_f64(pause).map_err(|_| {
        UsageError(format!(
            "the pause between batches must be 0 or more seconds, not {pause}"
        ))
    })?;
    let from = sender(site)?;
    let mut mailings = Vec::new();
    for (groups, to) in plan(root, args, site)? {
        let digest = collect(site, tr, since, groups.as_deref());
        let mut mailing = Mailing {
            groups,
            to,
            digest,
            html: String::new(),
            text: String::new(),
        };
        if mailing.digest.is_empty() && !args.allow_empty {
            if v >= Verbosity::Normal {
                println!(
                    "Nothing new since {} for {}: no digest for {} (--allow-empty sends one anyway).",
                    mailing.digest.since,
                    mailing.whom(),
                    count(mailing.to.len(), "recipient")
                );
            }
            continue;
        }
        (mailing.html, mailing.text) = render(site, theme, &mailing.digest)?;
        mailings.push(mailing);
    }
    let server = send::Server::from_env(|k| std::env::var(k).ok()).map_err(UsageError)?;
    let total: usize = mailings.iter().map(|m| m.to.len()).sum();
    let batches = total.div_ceil(batch_size as usize);
    let counts = Digest::sizes;
    if args.dry_run {
        println!("Dry run: nothing is sent.");
        println!("Server: {server}");
        println!("From: {from}");
        let mut n = 0;
        for m in &mailings {
            let size = message(site, &m.digest, m.html.clone(), m.text.clone(), &[&m.to[0]])?.len();
            println!(
                "Digest for {} since {}: \"{}\", {} kB; {}; {}:",
                m.whom(),
                m.digest.since,
                m.digest.subject,
                size.div_ceil(1024),
                counts(&m.digest),
                count(m.to.len(), "recipient")
            );
            for to in &m.to {
                println!("  batch {}: {to}", n / batch_size as usize + 1);
                n += 1;
            }
        }
        println!(
            "Would send {} in {} of up to {batch_size}{}.",
            count(total, "message"),
            count(batches, "batch"),
            if pause.is_zero() {
                String::new()
            } else {
                format!(", {} s apart", pause.as_secs_f64())
            }
        );
        return Ok(());
    }
    if total == 0 {
        return Ok(());
    }
    let connection = server.connect().map_err(|e| {
        let hint = send::hint(&e)
            .map(|h| format!(" ({h})"))
            .unwrap_or_default();
        anyhow::anyhow!(
            "cannot send through {server}: {}; nothing was sent{hint}",
            send::describe(&e)
        )
    })?;
    if v >= Verbosity::Normal {
        eprintln!(
            "Sending {} through {server}, {} of up to {batch_size}",
            count(total, "message"),
            count(batches, "batch")
        );
    }
    let list: Vec<(usize, &Mailbox)> = mailings
        .iter()
        .enumerate()
        .flat_map(|(i, m)| m.to.iter().map(move |to| (i, to)))
        .collect();
    let to: Vec<&Mailbox> = list.iter().map(|&(_, to)| to).collect();
    let outcomes = send::send_all(
        &server,
        connection,
        &from.email,
        &to,
        batch_size as usize,
        pause,
        |i| {
            let (m, to) = list[i];
            let m = &mailings[m];
            message(site, &m.digest, m.html.clone(), m.text.clone(), &[to])
                .map_err(|e| format!("{e:#}"))
        },
        |done, total| {
            if v >= Verbosity::Normal && total > batch_size as usize {
                eprintln!("  {done} of {total} done");
            }
        },
    );
    let mut failed = Recipients::default();
    let mut failures = 0;
    for (&(m, to), outcome) in list.iter().zip(&outcomes) {
        let why = match outcome {
            send::Outcome::Sent => continue,
            send::Outcome::Refused(why) | send::Outcome::NotSent(why) => why,
        };
        failures += 1;
        eprintln!("error: not sent to {}: {why}", to.email);
        for group in mailings[m].groups.iter().flatten() {
            failed.add(group, to.clone());
        }
        if mailings[m].groups.is_none() {
            failed.add(recipients::ALL, to.clone());
        }
    }
    if v >= Verbosity::Normal {
        for (i, m) in mailings.iter().enumerate() {
            let sent = list
                .iter()
                .zip(&outcomes)
                .filter(|((k, _), o)| *k == i && matches!(o, send::Outcome::Sent))
                .count();
            println!(
                "Digest for {} since {} ({}): sent to {sent} of {}",
                m.whom(),
                m.digest.since,
                counts(&m.digest),
                m.to.len()
            );
        }
    }
    if failures == 0 {
        return Ok(());
    }
    // The failed addresses as a recipients file, to try them again.
    let out = if args.output.is_relative() {
        root.join(&args.output)
    } else {
        args.output.clone()
    };
    let retry = out.join("failed-recipients.txt");
    let mut text = String::from("# The digest could not be sent to these addresses.\n");
    for (groups, to) in failed.by_groups() {
        let groups = if groups.is_empty() {
            vec![recipients::ALL.to_owned()]
        } else {
            groups
        };
        for group in groups {
            text.push_str(&format!("[{group}]\n"));
            for to in &to {
                text.push_str(&format!("{to}\n"));
            }
        }
    }
    let kept = std::fs::create_dir_all(&out)
        .and_then(|()| crate::output::write_file_atomic(&retry, text.as_bytes()));
    let again = match kept {
        Ok(()) => format!(
            "; to try them again: portico digest --send --recipients {} (with the same --since)",
            retry.display()
        ),
        Err(e) => format!(" (could not keep their list in {}: {e})", retry.display()),
    };
    bail!("{failures} of {total} messages were not sent{again}")
}
