//! What the receiver needs to know about a built site, written by the build
//! as `_portico/receiver.json`: every survey's questions, the pages that ask
//! "was this helpful?", the receiver's settings and its words per language.

use crate::content::survey::QuestionType;
use crate::render::Output;
use crate::site::Site;
use crate::theme::Theme;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Where the manifest lives in the output.
pub const PATH: &str = "_portico/receiver.json";
/// Raised when the manifest's shape changes incompatibly.
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    /// The site's fixed clock (`now` in portico.toml), if it has one.
    pub fixed_now: Option<jiff::Timestamp>,
    pub settings: Settings,
    /// The site's path on its host (`/` or `/it/`), its default language's.
    pub base_path: String,
    pub default_language: String,
    pub surveys: Vec<SurveySchema>,
    /// Every page with a feedback form, as the form names it (its URL path,
    /// with `#anchor` for an FAQ question).
    pub pages: BTreeSet<String>,
    /// The receiver's words, by language code.
    pub messages: BTreeMap<String, Messages>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    pub allowed_origins: Vec<String>,
    pub rate_limit: u32,
    pub max_body: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SurveySchema {
    pub id: String,
    /// In the default language.
    pub title: String,
    pub opens: Option<jiff::Timestamp>,
    pub closes: Option<jiff::Timestamp>,
    pub anonymous: bool,
    pub response_limit: Option<u64>,
    pub questions: Vec<QuestionSchema>,
    /// The survey's pages by language code.
    pub languages: BTreeMap<String, SurveyPages>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QuestionSchema {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// In the default language.
    pub label: String,
    pub required: bool,
    /// The stored values of a choice question's options.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SurveyPages {
    pub form: String,
    pub thanks: String,
    pub title: String,
    /// Question labels in this language, by question id.
    pub labels: BTreeMap<String, String>,
}

/// The receiver's words in one language (from the theme's i18n files).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Messages {
    pub errors_heading: String,
    pub error_required: String,
    pub error_option: String,
    pub error_range: String,
    pub error_number: String,
    pub error_one_answer: String,
    pub error_too_long: String,
    pub error_yes_no: String,
    pub feedback_thanks: String,
}

const MESSAGE_KEYS: [&str; 9] = [
    "errors_heading",
    "error_required",
    "error_option",
    "error_range",
    "error_number",
    "error_one_answer",
    "error_too_long",
    "error_yes_no",
    "feedback_thanks",
];

impl QuestionSchema {
    pub fn kind(&self) -> Option<QuestionType> {
        QuestionType::parse(&self.kind)
    }

    /// The answer scale of rating and NPS questions.
    pub fn range(&self) -> Option<(i64, i64)> {
        match self.kind()? {
            QuestionType::Rating => Some((self.min.unwrap_or(1), self.max.unwrap_or(5))),
            QuestionType::Nps => Some((0, 10)),
            _ => None,
        }
    }
}

impl Manifest {
    pub fn survey(&self, id: &str) -> Option<&SurveySchema> {
        self.surveys.iter().find(|s| s.id == id)
    }

    /// The words for `lang`, or the default language's.
    pub fn messages(&self, lang: Option<&str>) -> Option<&Messages> {
        lang.and_then(|l| self.messages.get(l))
            .or_else(|| self.messages.get(&self.default_language))
    }

    pub fn from_json(bytes: &[u8]) -> Result<Manifest, String> {
        let m: Manifest = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if m.version != VERSION {
            return Err(format!(
                "it is version {}, this Portico reads version {VERSION}: rebuild the site with this Portico",
                m.version
            ));
        }
        Ok(m)
    }
}

/// The manifest of a build of `sites` (default language first), whose
/// pages are `pages` (paths under each site's base path, per site).
pub fn build(sites: &[Site], theme: &Theme, pages: &[Vec<String>]) -> Manifest {
    let Some(first) = sites.first() else {
        return Manifest::empty();
    };
    let config = &first.config;
    let feedback = &config.file.feedback;
    let mut surveys: BTreeMap<String, SurveySchema> = BTreeMap::new();
    let mut page_set = BTreeSet::new();
    let mut messages = BTreeMap::new();
    for (site, paths) in sites.iter().zip(pages) {
        let c = &site.config;
        let tr = theme.i18n.get(&c.lang.code);
        let words: BTreeMap<&str, String> = MESSAGE_KEYS
            .iter()
            .map(|k| (*k, tr.t(k).to_owned()))
            .collect();
        let word = |k: &str| words.get(k).cloned().unwrap_or_default();
        messages.insert(
            c.lang.code.clone(),
            Messages {
                errors_heading: word("errors_heading"),
                error_required: word("error_required"),
                error_option: word("error_option"),
                error_range: word("error_range"),
                error_number: word("error_number"),
                error_one_answer: word("error_one_answer"),
                error_too_long: word("error_too_long"),
                error_yes_no: word("error_yes_no"),
                feedback_thanks: word("feedback_thanks"),
            },
        );
        for p in paths {
            page_set.insert(c.url(p));
        }
        for topic in &site.faq_topics {
            let url = c.url(&crate::site::paths::faq_topic(&topic.slug));
            for s in &topic.body.sections {
                page_set.insert(format!("{url}#{}", s.heading.id));
            }
        }
        for s in &site.surveys {
            let base = crate::site::paths::survey(&s.id);
            let entry = surveys.entry(s.id.clone()).or_insert_with(|| SurveySchema {
                id: s.id.clone(),
                title: s.front.title.clone(),
                opens: s.opens.map(|w| w.ts),
                closes: s.closes.map(|w| w.ts),
                anonymous: s.front.anonymous,
                response_limit: s.front.response_limit,
                questions: s
                    .front
                    .questions
                    .iter()
                    .map(|q| QuestionSchema {
                        id: q.id.clone(),
                        kind: q.kind.as_str().to_owned(),
                        label: q.label.clone(),
                        required: q.required,
                        options: s.values.get(&q.id).cloned().unwrap_or_default(),
                        min: q.range().map(|r| r.0),
                        max: q.range().map(|r| r.1),
                    })
                    .collect(),
                languages: BTreeMap::new(),
            });
            entry.languages.insert(
                c.lang.code.clone(),
                SurveyPages {
                    form: c.url(&base),
                    thanks: c.url(&crate::site::paths::survey_thanks(&s.id)),
                    title: s.front.title.clone(),
                    labels: s
                        .front
                        .questions
                        .iter()
                        .map(|q| (q.id.clone(), q.label.clone()))
                        .collect(),
                },
            );
        }
    }
    Manifest {
        version: VERSION,
        fixed_now: config.file.now.as_ref().map(|_| config.now.ts),
        settings: Settings {
            allowed_origins: feedback.allowed_origins.clone(),
            rate_limit: feedback.rate_limit,
            max_body: feedback.max_body,
        },
        base_path: config.root_path.clone(),
        default_language: config.lang.code.clone(),
        surveys: surveys.into_values().collect(),
        pages: page_set,
        messages,
    }
}

impl Manifest {
    /// A manifest without surveys or pages.
    pub fn empty() -> Manifest {
        Manifest {
            version: VERSION,
            fixed_now: None,
            settings: Settings {
                allowed_origins: Vec::new(),
                rate_limit: 0,
                max_body: 0,
            },
            base_path: "/".into(),
            default_language: String::new(),
            surveys: Vec::new(),
            pages: BTreeSet::new(),
            messages: BTreeMap::new(),
        }
    }
}

pub fn output(manifest: &Manifest) -> Output {
    Output {
        path: PATH.into(),
        bytes: Arc::new(serde_json::to_vec(manifest).unwrap_or_default()),
    }
}
