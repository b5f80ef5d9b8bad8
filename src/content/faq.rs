//! FAQ topics: `content/faq/*.md`, one `## Question` heading per entry.

use super::{one_or_many, Source};
use crate::diagnostic::Diagnostic;
use crate::markdown::Rendered;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaqFront {
    pub title: String,
    pub summary: Option<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub services: Vec<String>,
    #[serde(default)]
    pub weight: i64,
    #[serde(default, deserialize_with = "one_or_many")]
    pub tags: Vec<String>,
    #[serde(default)]
    pub draft: bool,
    pub extra: Option<serde_json::Value>,
}

/// The questions are the body's `##` sections, known once it is rendered.
#[derive(Debug, Clone)]
pub struct FaqTopic {
    pub source: Source,
    pub slug: String,
    pub front: FaqFront,
    /// Shared, so a rebuild that reuses it copies nothing.
    pub body: std::sync::Arc<Rendered>,
}

impl FaqTopic {
    pub fn parse(
        source: Source,
        base: Option<&serde_json::Value>,
    ) -> Result<FaqTopic, Vec<Diagnostic>> {
        let split = source.split().map_err(|d| vec![d])?;
        let front: FaqFront = split.parse_over(&source.path, base).map_err(|d| vec![d])?;
        let slug = super::slug_of(source.stem());
        if slug.is_empty() {
            return Err(vec![Diagnostic::new(
                &source.path,
                "the file name gives an empty URL slug",
            )]);
        }
        Ok(FaqTopic {
            slug,
            front,
            source,
            body: Default::default(),
        })
    }
}
