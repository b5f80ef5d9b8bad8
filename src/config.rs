//! `portico.toml`: the site configuration, with unknown keys rejected.

use crate::content::front_matter::parse_toml_file;
use crate::date::{DateText, When};
use crate::diagnostic::{ContentErrors, Diagnostic};
use anyhow::Context;
use jiff::tz::TimeZone;
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const CONFIG_FILE: &str = "portico.toml";

/// The configuration as written in `portico.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub organisation: String,
    #[serde(default = "default_base_url")]
    pub base_url: String,
    #[serde(default = "default_language")]
    pub language: String,
    /// Every language of the portal, the default one included.
    #[serde(default)]
    pub languages: Vec<LanguageEntry>,
    /// Show items without a translation, in the default language, on the
    /// other languages' pages and feeds.
    #[serde(default)]
    pub show_untranslated: bool,
    #[serde(default = "default_theme")]
    pub theme: String,
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    #[serde(default = "default_paginate")]
    pub paginate: usize,
    pub now: Option<DateText>,
    #[serde(default)]
    pub featured: Vec<String>,
    #[serde(default)]
    pub feedback: FeedbackConfig,
    #[serde(default)]
    pub feeds: FeedsConfig,
    #[serde(default)]
    pub digest: DigestConfig,
    #[serde(default)]
    pub extra: Option<serde_json::Value>,
}

/// `[digest]`: who the email digest comes from and goes to. Mail server
/// settings and credentials are never read from here.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DigestConfig {
    /// `IT department <it@example.com>`; by default the portal's title at
    /// `noreply@` the portal's host.
    pub from: Option<String>,
    /// Where the `.eml` is addressed (a list address); by default `from`.
    #[serde(default)]
    pub to: Vec<String>,
    /// Who `portico digest --send` mails, per audience: `all = [...]` get
    /// what is for everyone, `engineering = [...]` that and what is for
    /// engineering.
    #[serde(default)]
    pub recipients: std::collections::BTreeMap<String, Vec<String>>,
    /// A file of recipients, relative to the portal: one address a line,
    /// `[group]` lines start an audience's addresses.
    pub recipients_file: Option<PathBuf>,
    /// Messages sent over one connection [default: 50].
    pub batch_size: Option<u32>,
    /// Seconds to wait between batches [default: 0].
    pub batch_pause: Option<f64>,
    // Mail server settings have names here only to be refused with a
    // pointer to the environment variables that hold them.
    #[serde(default, rename = "host", deserialize_with = "from_environment")]
    _host: (),
    #[serde(default, rename = "port", deserialize_with = "from_environment")]
    _port: (),
    #[serde(default, rename = "tls", deserialize_with = "from_environment")]
    _tls: (),
    #[serde(default, rename = "user", deserialize_with = "from_environment")]
    _user: (),
    #[serde(default, rename = "username", deserialize_with = "from_environment")]
    _username: (),
    #[serde(default, rename = "password", deserialize_with = "from_environment")]
    _password: (),
    #[serde(default, rename = "smtp", deserialize_with = "from_environment")]
    _smtp: (),
}

/// Refuses a mail server setting in `portico.toml`: credentials do not
/// belong in a file that is committed with the content.
fn from_environment<'de, D: serde::Deserializer<'de>>(_: D) -> Result<(), D::Error> {
    Err(serde::de::Error::custom(FROM_ENVIRONMENT))
}

const FROM_ENVIRONMENT: &str = "mail server settings and credentials are read from \
    environment variables (PORTICO_SMTP_HOST, PORTICO_SMTP_PORT, PORTICO_SMTP_TLS, \
    PORTICO_SMTP_USER, PORTICO_SMTP_PASSWORD), never from portico.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackConfig {
    /// Where forms post: the receiver's `/api` on the same host by default.
    #[serde(default = "default_endpoint")]
    pub endpoint: String,
    /// Origins (`https://intranet.example.com`) besides the receiver's own
    /// whose pages may post answers.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// Posts per minute one client may make; 0 turns the limit off.
    #[serde(default = "default_rate_limit")]
    pub rate_limit: u32,
    /// The largest request body the receiver reads, in bytes.
    #[serde(default = "default_max_body")]
    pub max_body: u64,
}

impl Default for FeedbackConfig {
    fn default() -> Self {
        FeedbackConfig {
            endpoint: default_endpoint(),
            allowed_origins: Vec::new(),
            rate_limit: default_rate_limit(),
            max_body: default_max_body(),
        }
    }
}

fn default_rate_limit() -> u32 {
    30
}

fn default_max_body() -> u64 {
    64 * 1024
}

/// A language: `"nl"`, or `{ code = "nl", name = "Nederlands" }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum LanguageEntry {
    Code(String),
    Named { code: String, name: String },
}

impl LanguageEntry {
    pub fn code(&self) -> &str {
        match self {
            LanguageEntry::Code(c) | LanguageEntry::Named { code: c, .. } => c,
        }
    }
    pub fn name(&self) -> Option<&str> {
        match self {
            LanguageEntry::Code(_) => None,
            LanguageEntry::Named { name, .. } => Some(name),
        }
    }
}

/// One language of the portal as a build sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lang {
    pub code: String,
    /// Its own name for itself ("Nederlands"); from the config or the theme.
    pub name: Option<String>,
    pub is_default: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedsConfig {
    /// Most items in one RSS or JSON feed.
    #[serde(default = "default_feed_limit")]
    pub limit: usize,
}

impl Default for FeedsConfig {
    fn default() -> Self {
        FeedsConfig {
            limit: default_feed_limit(),
        }
    }
}

fn default_feed_limit() -> usize {
    50
}

fn default_base_url() -> String {
    "http://localhost:8000/".into()
}
fn default_language() -> String {
    "en".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_time_zone() -> String {
    "UTC".into()
}
fn default_paginate() -> usize {
    10
}
fn default_endpoint() -> String {
    "/api".into()
}

/// The configuration resolved for one run: overrides applied, time zone and
/// clock known, URLs normalised.
#[derive(Debug, Clone)]
pub struct Config {
    pub file: ConfigFile,
    pub root: PathBuf,
    /// Absolute base URL ending in `/`.
    pub base_url: String,
    /// The path part of `base_url` ending in `/`, prefixed to every link.
    pub base_path: String,
    /// The site's root URL and path: `base_url`/`base_path` without the
    /// language prefix (the same for the default language).
    pub root_url: String,
    pub root_path: String,
    /// The language this config builds, default first in `languages`.
    pub lang: Lang,
    pub languages: Vec<Lang>,
    pub tz: TimeZone,
    pub now: When,
    pub drafts: bool,
}

/// Command-line settings that override the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub base_url: Option<String>,
    pub drafts: bool,
}

impl Config {
    pub fn load(root: &Path, overrides: &Overrides) -> anyhow::Result<Config> {
        let path = root.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "cannot read {} (is {} a Portico project? `portico init` makes one)",
                path.display(),
                root.display()
            )
        })?;
        Config::parse(root, Path::new(CONFIG_FILE), &text, overrides)
            .map_err(|d| ContentErrors(d).into())
    }

    /// Parses and checks the configuration; `shown_path` names it in errors.
    pub fn parse(
        root: &Path,
        shown_path: &Path,
        text: &str,
        overrides: &Overrides,
    ) -> Result<Config, Vec<Diagnostic>> {
        let file: ConfigFile = parse_toml_file(shown_path, text).map_err(|mut d| {
            // The line would show the secret: the location is enough.
            if d.message == FROM_ENVIRONMENT {
                d.source_line = None;
            }
            vec![d]
        })?;
        let split = crate::content::front_matter::Split {
            file: text,
            format: crate::content::front_matter::Format::Toml,
            front: text,
            front_offset: 0,
            body: "",
            body_offset: text.len(),
        };
        let mut errors = Vec::new();
        let tz = match TimeZone::get(&file.time_zone) {
            Ok(tz) => tz,
            Err(_) => {
                errors.push(
                    split
                        .error_at(
                            shown_path,
                            &["time_zone"],
                            Some(&file.time_zone),
                            format!("unknown time zone `{}`", file.time_zone),
                        )
                        .help("use an IANA name such as `Europe/Amsterdam` or `UTC`"),
                );
                TimeZone::UTC
            }
        };
        let base_url = overrides.base_url.clone().unwrap_or(file.base_url.clone());
        let base_path = match base_path_of(&base_url) {
            Some(p) => p,
            None => {
                errors.push(
                    split
                        .error_at(
                            shown_path,
                            &["base_url"],
                            Some(&file.base_url),
                            format!("base_url `{base_url}` is not an absolute http(s) URL"),
                        )
                        .help("e.g. `https://intranet.example.com/it/`"),
                );
                "/".into()
            }
        };
        let mut languages = vec![Lang {
            code: file.language.clone(),
            name: None,
            is_default: true,
        }];
        for entry in &file.languages {
            let code = entry.code();
            let valid = (2..=8).contains(&code.len())
                && code.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                && !code.starts_with('-');
            if !valid {
                errors.push(
                    split
                        .error_at(
                            shown_path,
                            &["languages"],
                            Some(code),
                            format!("invalid language code `{code}`"),
                        )
                        .help("use a lowercase code such as `en`, `nl` or `pt-br`"),
                );
            } else if code == file.language {
                languages[0].name = entry.name().map(str::to_owned);
            } else if languages.iter().any(|l| l.code == code) {
                errors.push(split.error_at(
                    shown_path,
                    &["languages"],
                    Some(code),
                    format!("language `{code}` is listed twice"),
                ));
            } else {
                languages.push(Lang {
                    code: code.to_owned(),
                    name: entry.name().map(str::to_owned),
                    is_default: false,
                });
            }
        }
        if file.feeds.limit == 0 {
            errors.push(split.error_at(
                shown_path,
                &["feeds", "limit"],
                None,
                "feeds.limit must be at least 1",
            ));
        }
        if file.paginate == 0 {
            errors.push(split.error_at(
                shown_path,
                &["paginate"],
                None,
                "paginate must be at least 1",
            ));
        }
        if errors.is_empty() {
            let now = match &file.now {
                Some(d) => d.resolve(&tz),
                None => When {
                    ts: jiff::Timestamp::now(),
                    has_time: true,
                },
            };
            let base_url = if base_url.ends_with('/') {
                base_url
            } else {
                format!("{base_url}/")
            };
            Ok(Config {
                file,
                root: root.to_path_buf(),
                root_url: base_url.clone(),
                root_path: base_path.clone(),
                base_url,
                base_path,
                lang: languages[0].clone(),
                languages,
                tz,
                now,
                drafts: overrides.drafts,
            })
        } else {
            Err(errors)
        }
    }

    /// The same configuration for building `lang`: its pages live under
    /// `/CODE/` unless it is the default language.
    pub fn for_language(&self, lang: &Lang) -> Config {
        let mut c = self.clone();
        c.lang = lang.clone();
        c.base_url = self.root_url.clone();
        c.base_path = self.root_path.clone();
        if !lang.is_default {
            c.base_url = format!("{}{}/", self.root_url, lang.code);
            c.base_path = format!("{}{}/", self.root_path, lang.code);
        }
        c
    }

    /// The codes of the languages besides the default one.
    pub fn translation_codes(&self) -> Vec<String> {
        self.languages
            .iter()
            .filter(|l| !l.is_default)
            .map(|l| l.code.clone())
            .collect()
    }

    /// Where the pages of `lang` live, relative to the site root: "" or "nl/".
    pub fn language_prefix(lang: &Lang) -> String {
        if lang.is_default {
            String::new()
        } else {
            format!("{}/", lang.code)
        }
    }

    /// A link to `rel` (a site path without leading `/`) from any page.
    pub fn url(&self, rel: &str) -> String {
        format!("{}{}", self.base_path, rel)
    }

    /// The absolute URL of `rel`, for sitemaps, feeds and link previews.
    pub fn permalink(&self, rel: &str) -> String {
        format!("{}{}", self.base_url, rel)
    }

    /// Makes the site's root-relative links in `html` absolute, for feeds
    /// that are read away from the site.
    pub fn absolutize(&self, html: &str) -> String {
        let mut out = String::with_capacity(html.len() + 64);
        self.absolutize_into(html, &mut out);
        out
    }

    /// `absolutize`, appending to `out`.
    pub fn absolutize_into(&self, html: &str, out: &mut String) {
        static ATTRIBUTE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
            std::sync::LazyLock::new(|| memchr::memmem::Finder::new("=\"/"));
        let origin = self.root_url.trim_end_matches('/');
        let origin = origin
            .strip_suffix(self.root_path.trim_end_matches('/'))
            .unwrap_or(origin);
        let mut rest = html;
        while let Some(i) = ATTRIBUTE.find(rest.as_bytes()) {
            // `="` is ASCII, so i + 2 is a character boundary.
            let (before, after) = rest.split_at(i + 2);
            out.push_str(before);
            // `//host` is protocol-relative: leave it.
            if !after.starts_with("//") {
                out.push_str(origin);
            }
            rest = after;
        }
        out.push_str(rest);
    }
}

/// `https://host/it` → `/it/`; `None` unless absolute http(s).
pub(crate) fn base_path_of(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    if host.is_empty() || host.contains(char::is_whitespace) {
        return None;
    }
    let path = path.trim_end_matches('/');
    Some(if path.is_empty() {
        "/".into()
    } else {
        format!("/{path}/")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
        Config::parse(
            Path::new("."),
            Path::new("portico.toml"),
            text,
            &Overrides::default(),
        )
    }

    #[test]
    fn base_path_comes_from_the_url() {
        assert_eq!(base_path_of("https://intra.example.com").unwrap(), "/");
        assert_eq!(
            base_path_of("https://intra.example.com/it/").unwrap(),
            "/it/"
        );
        assert_eq!(base_path_of("http://h/a/b").unwrap(), "/a/b/");
        assert!(base_path_of("/it/").is_none());
    }

    #[test]
    fn unknown_key_and_time_zone_are_errors() {
        let errs = parse("title = \"x\"\npaginte = 3\n").unwrap_err();
        assert_eq!(errs[0].line, 2);
        assert!(errs[0].help.as_deref().unwrap().contains("`paginate`"));
        let errs = parse("title = \"x\"\ntime_zone = \"Mars/Olympus\"\n").unwrap_err();
        assert_eq!((errs[0].line, errs[0].col), (2, 14));
    }

    #[test]
    fn absolutize_prefixes_root_relative_links_only() {
        let c = Config::parse(
            Path::new("."),
            Path::new("portico.toml"),
            "title = \"x\"\nbase_url = \"https://a.example/it/\"\n",
            &Overrides::default(),
        )
        .unwrap();
        assert_eq!(
            c.absolutize(r#"<a href="/it/x/">x</a><img src="/it/i.png"><a href="//cdn/y">y</a><a href="https://z/">"#),
            r#"<a href="https://a.example/it/x/">x</a><img src="https://a.example/it/i.png"><a href="//cdn/y">y</a><a href="https://z/">"#
        );
    }

    #[test]
    fn base_url_override_wins() {
        let c = Config::parse(
            Path::new("."),
            Path::new("portico.toml"),
            "title = \"x\"\nbase_url = \"https://a.example/\"\n",
            &Overrides {
                base_url: Some("https://b.example/it".into()),
                drafts: false,
            },
        )
        .unwrap();
        assert_eq!(c.base_url, "https://b.example/it/");
        assert_eq!(c.url("services/"), "/it/services/");
    }
}
