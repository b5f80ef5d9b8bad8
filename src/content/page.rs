//! Free pages (`content/pages/*.md`) and the home page intro
//! (`content/_index.md`).

use super::Source;
use crate::diagnostic::Diagnostic;
use crate::markdown::Rendered;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageFront {
    pub title: String,
    pub summary: Option<String>,
    /// Order in the site navigation; pages without it are not in the menu.
    pub menu: Option<i64>,
    #[serde(default)]
    pub draft: bool,
    pub extra: Option<serde_json::Value>,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub source: Source,
    pub slug: String,
    pub front: PageFront,
    /// Shared, so a rebuild that reuses it copies nothing.
    pub body: std::sync::Arc<Rendered>,
}

impl Page {
    pub fn parse(
        source: Source,
        base: Option<&serde_json::Value>,
    ) -> Result<Page, Vec<Diagnostic>> {
        let split = source.split().map_err(|d| vec![d])?;
        let front: PageFront = split.parse_over(&source.path, base).map_err(|d| vec![d])?;
        let slug = super::slug_of(source.stem());
        if slug.is_empty() {
            return Err(vec![Diagnostic::new(
                &source.path,
                "the file name gives an empty URL slug",
            )]);
        }
        Ok(Page {
            slug,
            front,
            source,
            body: Default::default(),
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HomeFront {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub extra: Option<serde_json::Value>,
}

/// The home page's intro text.
#[derive(Debug, Clone)]
pub struct Home {
    pub source: Source,
    pub front: HomeFront,
    /// Shared, so a rebuild that reuses it copies nothing.
    pub body: std::sync::Arc<Rendered>,
}

impl Home {
    pub fn parse(
        source: Source,
        base: Option<&serde_json::Value>,
    ) -> Result<Home, Vec<Diagnostic>> {
        let split = source.split().map_err(|d| vec![d])?;
        let front: HomeFront = split.parse_over(&source.path, base).map_err(|d| vec![d])?;
        Ok(Home {
            front,
            source,
            body: Default::default(),
        })
    }
}
