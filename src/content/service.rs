//! A service of the catalog: `content/services/ID.md`.

use super::{content_enum, is_valid_id, one_or_many, Link, Source};
use crate::diagnostic::Diagnostic;
use crate::markdown::Rendered;
use serde::Deserialize;

content_enum!(
    /// Where a service is in its life.
    Lifecycle {
        Planned = "planned" / "Planned",
        Beta = "beta" / "Beta",
        Live = "live" / "Live",
        Legacy = "legacy" / "Legacy",
        Retiring = "retiring" / "Retiring",
        Retired = "retired" / "Retired",
    }
);

content_enum!(
    /// How a service is delivered.
    Delivery {
        Cloud = "cloud" / "Cloud",
        OnPremises = "on-premises" / "On-premises",
        Hybrid = "hybrid" / "Hybrid",
        Saas = "saas" / "SaaS",
    }
);

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceFront {
    pub title: String,
    pub summary: Option<String>,
    pub id: Option<String>,
    pub category: String,
    pub lifecycle: Lifecycle,
    pub delivery: Delivery,
    pub owner: Option<String>,
    pub contact: Option<String>,
    pub request_url: Option<String>,
    pub cost: Option<Cost>,
    pub sla: Option<Sla>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub replaces: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub replaced_by: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub audience: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub tags: Vec<String>,
    #[serde(default)]
    pub weight: i64,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub links: Vec<Link>,
    pub extra: Option<serde_json::Value>,
}

/// The chargeback price of a service.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cost {
    pub amount: f64,
    pub currency: String,
    pub per: String,
    pub note: Option<String>,
}

impl Cost {
    /// "€4.50 per user per month", or "Free" for a zero amount.
    pub fn display(&self) -> String {
        if self.amount == 0.0 {
            return "Free".into();
        }
        let amount = format!("{:.2}", self.amount);
        let price = match self.currency.as_str() {
            "EUR" => format!("€{amount}"),
            "USD" => format!("${amount}"),
            "GBP" => format!("£{amount}"),
            other => format!("{amount} {other}"),
        };
        format!("{price} per {}", self.per)
    }
}

/// What the service promises.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sla {
    pub availability: Option<String>,
    pub support_hours: Option<String>,
    pub response_time: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Service {
    pub source: Source,
    pub id: String,
    /// The category as the default language names it: translations group
    /// and sort by it, whatever they call it.
    pub category_key: String,
    pub front: ServiceFront,
    /// `mailto:` or URL to reach the owners.
    pub contact_url: Option<String>,
    /// Shared, so a rebuild that reuses it copies nothing.
    pub body: std::sync::Arc<Rendered>,
}

impl Service {
    pub fn parse(
        source: Source,
        base: Option<&serde_json::Value>,
    ) -> Result<Service, Vec<Diagnostic>> {
        let split = source.split().map_err(|d| vec![d])?;
        let front: ServiceFront = split.parse_over(&source.path, base).map_err(|d| vec![d])?;
        let mut errors = Vec::new();
        let id = front.id.clone().unwrap_or_else(|| source.stem().to_owned());
        if !is_valid_id(&id) {
            let d = if front.id.is_some() {
                split.error_at(
                    &source.path,
                    &["id"],
                    Some(&id),
                    format!("invalid service id `{id}`"),
                )
            } else {
                Diagnostic::new(
                    &source.path,
                    format!("invalid service id `{id}` (from the file name)"),
                )
                .at(&source.text, 1, 1)
            };
            errors.push(d.help(
                "ids use lowercase letters, digits, `-` and `_`; set `id` or rename the file",
            ));
        }
        if front.category.trim().is_empty() {
            errors.push(split.error_at(&source.path, &["category"], None, "category is empty"));
        }
        if let Some(cost) = &front.cost {
            if !cost.amount.is_finite() || cost.amount < 0.0 {
                errors.push(split.error_at(
                    &source.path,
                    &["cost", "amount"],
                    None,
                    "cost amount must be zero or more",
                ));
            }
            if cost.currency.len() != 3 || !cost.currency.chars().all(|c| c.is_ascii_uppercase()) {
                errors.push(
                    split
                        .error_at(
                            &source.path,
                            &["cost", "currency"],
                            Some(&cost.currency),
                            format!("invalid currency `{}`", cost.currency),
                        )
                        .help("use an ISO 4217 code such as `EUR`, `USD` or `GBP`"),
                );
            }
        }
        let contact_url = match &front.contact {
            None => None,
            Some(c) => match contact_url(c) {
                Some(url) => Some(url),
                None => {
                    errors.push(
                        split
                            .error_at(
                                &source.path,
                                &["contact"],
                                Some(c),
                                format!("invalid contact `{c}`"),
                            )
                            .help("use an e-mail address, a `mailto:` link or an http(s) URL"),
                    );
                    None
                }
            },
        };
        for (field, ids) in [
            ("replaces", &front.replaces),
            ("replaced_by", &front.replaced_by),
        ] {
            if ids.contains(&id) {
                errors.push(split.error_at(
                    &source.path,
                    &[field],
                    Some(&id),
                    format!("service `{id}` cannot name itself in `{field}`"),
                ));
            }
        }
        if errors.is_empty() {
            let category_key = base
                .and_then(|b| b.get("category")?.as_str())
                .unwrap_or(&front.category)
                .to_owned();
            Ok(Service {
                id,
                category_key,
                front,
                contact_url,
                source,
                body: Default::default(),
            })
        } else {
            Err(errors)
        }
    }
}

/// An e-mail address becomes a `mailto:` link; URLs stay as they are.
fn contact_url(contact: &str) -> Option<String> {
    let c = contact.trim();
    if c.starts_with("mailto:") || c.starts_with("https://") || c.starts_with("http://") {
        Some(c.to_owned())
    } else if c.contains('@') && !c.contains(char::is_whitespace) {
        Some(format!("mailto:{c}"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Service, Vec<Diagnostic>> {
        Service::parse(
            Source::new("content/services/vpn.md", "services/vpn.md", text),
            None,
        )
    }

    #[test]
    fn parses_a_service() {
        let s = parse(
            "+++\ntitle = \"VPN\"\ncategory = \"Connectivity\"\nlifecycle = \"live\"\ndelivery = \"on-premises\"\ncontact = \"vpn@example.com\"\nreplaces = \"dialup\"\n[cost]\namount = 4.5\ncurrency = \"EUR\"\nper = \"user per month\"\n+++\nRemote access.\n",
        )
        .unwrap();
        assert_eq!(s.id, "vpn");
        assert_eq!(s.front.lifecycle, Lifecycle::Live);
        assert_eq!(s.contact_url.as_deref(), Some("mailto:vpn@example.com"));
        assert_eq!(s.front.replaces, ["dialup"]);
        assert_eq!(s.front.cost.unwrap().display(), "€4.50 per user per month");
    }

    #[test]
    fn bad_values_are_located() {
        let errs = parse(
            "+++\ntitle = \"VPN\"\ncategory = \"Connectivity\"\nlifecycle = \"lve\"\ndelivery = \"cloud\"\n+++\n",
        )
        .unwrap_err();
        assert_eq!((errs[0].line, errs[0].col), (4, 13));
        assert_eq!(errs[0].message, "unknown value `lve` in `lifecycle`");
        assert_eq!(errs[0].help.as_deref(), Some("did you mean `live`?"));

        let errs = parse(
            "+++\ntitle = \"VPN\"\ncategory = \"C\"\nlifecycle = \"live\"\ndelivery = \"cloud\"\n[cost]\namount = 4\ncurrency = \"euro\"\nper = \"user\"\n+++\n",
        )
        .unwrap_err();
        assert_eq!((errs[0].line, errs[0].col), (8, 13));
    }
}
