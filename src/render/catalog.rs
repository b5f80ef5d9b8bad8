//! `/catalog.json`: the whole service catalog for other tools, versioned.
//! The format is documented in the README; version 1 only ever gains fields.

use crate::content::Link;
use crate::site::{paths, Site};
use serde::Serialize;

pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Catalog<'a> {
    version: u32,
    title: &'a str,
    organisation: &'a str,
    base_url: &'a str,
    services: Vec<ServiceEntry<'a>>,
}

#[derive(Serialize)]
struct Cost<'a> {
    amount: f64,
    currency: &'a str,
    per: &'a str,
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct Sla<'a> {
    availability: Option<&'a str>,
    support_hours: Option<&'a str>,
    response_time: Option<&'a str>,
}

#[derive(Serialize)]
struct Feeds {
    rss: String,
    json: String,
    calendar: String,
}

#[derive(Serialize)]
struct ServiceEntry<'a> {
    id: &'a str,
    title: &'a str,
    summary: String,
    url: String,
    category: &'a str,
    lifecycle: &'static str,
    delivery: &'static str,
    owner: Option<&'a str>,
    contact: Option<&'a str>,
    request_url: Option<&'a str>,
    cost: Option<Cost<'a>>,
    sla: Option<Sla<'a>>,
    /// Both directions, whichever file declared them.
    replaces: Vec<&'a str>,
    replaced_by: Vec<&'a str>,
    audience: &'a [String],
    tags: &'a [String],
    weight: i64,
    links: &'a [Link],
    feeds: Feeds,
    extra: Option<&'a serde_json::Value>,
}

pub fn write(site: &Site) -> Vec<u8> {
    let c = &site.config;
    let services = site
        .services
        .iter()
        .zip(&site.related)
        .map(|(s, r)| {
            let f = &s.front;
            let base = paths::service(&s.id);
            ServiceEntry {
                id: &s.id,
                title: &f.title,
                summary: f.summary.clone().unwrap_or_else(|| s.body.summary.clone()),
                url: c.permalink(&base),
                category: &f.category,
                lifecycle: f.lifecycle.as_str(),
                delivery: f.delivery.as_str(),
                owner: f.owner.as_deref(),
                contact: s.contact_url.as_deref(),
                request_url: f.request_url.as_deref(),
                cost: f.cost.as_ref().map(|k| Cost {
                    amount: k.amount,
                    currency: &k.currency,
                    per: &k.per,
                    note: k.note.as_deref(),
                }),
                sla: f.sla.as_ref().map(|k| Sla {
                    availability: k.availability.as_deref(),
                    support_hours: k.support_hours.as_deref(),
                    response_time: k.response_time.as_deref(),
                }),
                replaces: r
                    .replaces
                    .iter()
                    .map(|&j| site.services[j].id.as_str())
                    .collect(),
                replaced_by: r
                    .replaced_by
                    .iter()
                    .map(|&j| site.services[j].id.as_str())
                    .collect(),
                audience: &f.audience,
                tags: &f.tags,
                weight: f.weight,
                links: &f.links,
                feeds: Feeds {
                    rss: c.permalink(&format!("{base}feed.xml")),
                    json: c.permalink(&format!("{base}feed.json")),
                    calendar: c.permalink(&format!("{base}{}", super::calendar::FILE)),
                },
                extra: f.extra.as_ref(),
            }
        })
        .collect();
    let catalog = Catalog {
        version: VERSION,
        title: &c.file.title,
        organisation: &c.file.organisation,
        base_url: &c.base_url,
        services,
    };
    let mut out = serde_json::to_vec_pretty(&catalog).unwrap_or_default();
    out.push(b'\n');
    out
}
