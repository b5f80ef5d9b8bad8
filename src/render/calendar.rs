//! iCalendar (RFC 5545) feeds of maintenance windows and outages, written
//! with the `icalendar` crate (escaping and line folding): `/maintenance.ics`
//! and one per service.
//!
//! Each event's UID depends only on the announcement's file name. SEQUENCE is
//! derived without keeping state: the minutes from the announcement's `date`
//! to its last change (`updated`, or its newest update), so raising `updated`
//! when a window moves raises SEQUENCE. DTSTAMP and LAST-MODIFIED are that
//! last change too, so a rebuild of the same content is byte-identical.

use crate::content::announcement::Status;
use crate::content::Announcement;
use crate::date::When;
use crate::i18n::Strings;
use crate::site::{paths, Site};
use icalendar::{Calendar, Component, EventLike, EventStatus, Property};

/// Which windows a calendar holds: all of them, or one service's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CalendarKey {
    All,
    Service(usize),
}

pub const FILE: &str = "maintenance.ics";

pub fn path(site: &Site, key: CalendarKey) -> String {
    match key {
        CalendarKey::All => FILE.to_owned(),
        CalendarKey::Service(i) => format!("{}{FILE}", paths::service(&site.services[i].id)),
    }
}

/// The announcements with a window that a calendar shows (drafts and
/// scheduled ones excepted; past windows stay, as in any calendar).
pub fn events(site: &Site, key: CalendarKey) -> Vec<usize> {
    let mut out = members(site, key);
    // Compared in place: a key made per comparison would copy the slug
    // some thirty times per event at 50,000 announcements.
    let key = |i: usize| {
        let a = &site.announcements[i];
        (a.window.map(|w| w.start), a.slug.as_str())
    };
    out.sort_by(|&x, &y| key(x).cmp(&key(y)));
    out
}

/// The announcements in a calendar, in the site's order: what its events
/// are made of (their order follows from them), for fingerprints.
pub fn members(site: &Site, key: CalendarKey) -> Vec<usize> {
    let now = site.config.now;
    let candidates: Vec<usize> = match key {
        CalendarKey::All => (0..site.announcements.len()).collect(),
        CalendarKey::Service(s) => site.related[s].announcements.clone(),
    };
    candidates
        .into_iter()
        .filter(|&i| {
            let a = &site.announcements[i];
            a.window.is_some() && !a.front.draft && !a.is_scheduled(now)
        })
        .collect()
}

fn utc(w: When) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(w.ts.as_second(), 0).unwrap_or_default()
}

/// The last time the announcement changed.
pub fn last_modified(a: &Announcement) -> When {
    [Some(a.date), a.updated, a.updates.first().map(|u| u.at)]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(a.date)
}

pub fn sequence(a: &Announcement) -> u32 {
    let minutes = (last_modified(a).ts.as_second() - a.date.ts.as_second()) / 60;
    u32::try_from(minutes.max(0)).unwrap_or(u32::MAX)
}

/// A UTC date-time value: `20261117T083000Z`.
fn stamp(w: When) -> String {
    super::feeds::update_stamp(w)
}

pub fn uid(a: &Announcement) -> String {
    format!("announcement-{}@portico", a.slug)
}

/// The calendar of `key`; `event(i)` gives announcement `i`'s VEVENT as
/// text (made by `event`, once per announcement for every calendar).
pub fn write<'e>(
    site: &Site,
    key: CalendarKey,
    event: impl Fn(usize) -> Option<&'e str> + Sync,
) -> Vec<u8> {
    use rayon::prelude::*;
    let c = &site.config;
    let name = match key {
        CalendarKey::All => format!("{}: maintenance and outages", c.file.title),
        CalendarKey::Service(i) => format!(
            "{}: {} maintenance",
            c.file.title, site.services[i].front.title
        ),
    };
    let mut cal = Calendar::empty();
    cal.append_property(Property::new("VERSION", "2.0"));
    cal.append_property(Property::new("PRODID", "-//Portico//Portico IT portal//EN"));
    cal.append_property(Property::new("CALSCALE", "GREGORIAN"));
    cal.append_property(Property::new("METHOD", "PUBLISH"));
    cal.name(&name);
    cal.description(&format!(
        "Maintenance windows and outages published on {}",
        c.base_url
    ));
    cal.append_property(
        Property::new("REFRESH-INTERVAL", "PT1H")
            .add_parameter("VALUE", "DURATION")
            .done(),
    );
    cal.append_property(Property::new("X-PUBLISHED-TTL", "PT1H"));
    // The calendar without events ends with its END line; the events go
    // before it, each formatted by the crate on its own (and in parallel),
    // so no tree of every event is held at once.
    let empty = cal.done().to_string();
    let end = empty.rfind("END:VCALENDAR").unwrap_or(empty.len());
    let events: Vec<&str> = events(site, key)
        .par_iter()
        .filter_map(|&i| event(i))
        .collect();
    let mut out =
        String::with_capacity(empty.len() + events.iter().map(|e| e.len()).sum::<usize>());
    out.push_str(&empty[..end]);
    for e in events {
        out.push_str(e);
    }
    out.push_str(&empty[end..]);
    out.into_bytes()
}

/// The VEVENT of announcement `i` (none without a window), with its line
/// ends: the same text in every calendar that shows it.
pub fn event(site: &Site, tr: &Strings, i: usize) -> Option<String> {
    let c = &site.config;
    let a = &site.announcements[i];
    let w = a.window?;
    let url = c.permalink(&paths::announcement(&a.slug));
    let services: Vec<&str> = a
        .front
        .services
        .iter()
        .filter_map(|id| site.service_index.get(id))
        .map(|&s| site.services[s].front.title.as_str())
        .collect();
    let summary = a
        .front
        .summary
        .clone()
        .unwrap_or_else(|| a.body.summary.clone());
    let kind = tr.t(&format!("kind_{}", a.front.kind.as_str())).to_owned();
    let mut description = format!(
        "{summary}\n\n{}: {}",
        tr.t("ics_impact"),
        tr.t(&format!("impact_{}", w.impact.as_str()))
    );
    if !services.is_empty() {
        description.push_str(&format!(
            "\n{}: {}",
            tr.t("ics_services"),
            services.join(", ")
        ));
    }
    description.push_str(&format!("\n\n{}: {url}", tr.t("ics_details")));
    let cancelled = a.status(c.now) == Some(Status::Cancelled);
    let modified = utc(last_modified(a));
    let mut event = icalendar::Event::with_uid(&uid(a));
    event
        .summary(&format!("{kind}: {}", a.front.title))
        .description(&description)
        .url(&url)
        .starts(utc(w.start))
        .ends(utc(w.end))
        .timestamp(modified)
        .status(if cancelled {
            EventStatus::Cancelled
        } else {
            EventStatus::Confirmed
        })
        .class(icalendar::Class::Public)
        .categories(vec![kind.as_str()])
        .sequence(sequence(a))
        .add_property("CREATED", stamp(a.date))
        .add_property("LAST-MODIFIED", stamp(last_modified(a)))
        // A maintenance window should not make anyone look busy.
        .add_property("TRANSP", "TRANSPARENT")
        .add_property("X-MICROSOFT-CDO-BUSYSTATUS", "FREE");
    Some(event.done().to_string())
}
