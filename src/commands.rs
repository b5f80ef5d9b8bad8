//! The commands: each loads what it needs, runs the pipeline and reports.

use crate::cli::{BuildArgs, Cli, Command, InitArgs, NewArgs, NewKind, SiteArgs, Verbosity};
use crate::config::{Config, Overrides, CONFIG_FILE};
use crate::diagnostic::ContentErrors;
use crate::render::Output;
use crate::site::Site;
use crate::theme::Theme;
use crate::UsageError;
use anyhow::{bail, Context, Result};
use include_dir::{include_dir, Dir};
use std::path::{Path, PathBuf};
use std::time::Instant;

static STARTER: Dir = include_dir!("$CARGO_MANIFEST_DIR/src/starter");

pub fn run(cli: Cli) -> Result<()> {
    let v = cli.verbosity();
    match &cli.command {
        Command::Build(args) => build(&cli.root, args, v),
        Command::Check(args) => check(&cli.root, args, v),
        Command::Init(args) => init(args, v),
        Command::New(args) => new(&cli.root, args, v),
        Command::Serve(args) => {
            require_project(&cli.root)?;
            crate::serve::serve(crate::serve::ServeOptions {
                root: cli.root.clone(),
                bind: args.bind,
                port: args.port,
                drafts: args.drafts,
                open: args.open,
                verbosity: v,
                db: if args.db.is_relative() {
                    cli.root.join(&args.db)
                } else {
                    args.db.clone()
                },
            })
        }
        Command::Collect(args) => collect(&cli.root, args, v),
        Command::Results(args) => crate::feedback::report::results(args, v),
        Command::Digest(args) => crate::digest::digest(&cli.root, args, v),
    }
}

fn collect(root: &Path, args: &crate::cli::CollectArgs, v: Verbosity) -> Result<()> {
    let site = args.site.clone().unwrap_or_else(|| root.join("public"));
    crate::feedback::collect::collect(crate::feedback::collect::CollectOptions {
        db: args.db.clone(),
        bind: args.bind,
        port: args.port,
        serve_site: args.site.is_some(),
        site,
        overrides: crate::feedback::receiver::Overrides {
            allowed_origins: args.allowed_origins.clone(),
            rate_limit: args.rate_limit,
            max_body: args.max_body,
            now: args.now,
        },
        threads: args.threads as usize,
        verbosity: v,
    })
}

/// Everything a build produces, in memory.
pub struct Built {
    /// One per language, the default language first.
    pub sites: Vec<Site>,
    pub outputs: Vec<Output>,
}

fn say(v: Verbosity, at_least: Verbosity, message: impl FnOnce() -> String) {
    if v >= at_least {
        eprintln!("{}", message());
    }
}

fn require_project(root: &Path) -> Result<()> {
    if root.join(CONFIG_FILE).is_file() {
        Ok(())
    } else {
        Err(UsageError(format!(
            "{} has no {CONFIG_FILE}: not a Portico project (run `portico init` to make one, or pass --root)",
            root.display()
        ))
        .into())
    }
}

pub fn load_config(root: &Path, args: &SiteArgs) -> Result<Config> {
    require_project(root)?;
    Config::load(
        root,
        &Overrides {
            base_url: args.base_url.clone(),
            drafts: args.drafts,
        },
    )
}

/// Loads, checks and renders the site at `root`; writes nothing.
pub fn build_in_memory(root: &Path, args: &SiteArgs, v: Verbosity) -> Result<Built> {
    build_cached(root, args, v, None)
}

/// What the preview server keeps between rebuilds: parsed files, rendered
/// Markdown and rendered pages, each reused while its inputs are unchanged.
/// Valid for one theme and configuration.
#[derive(Default)]
pub struct BuildCache {
    pub load: crate::site::LoadCache,
    pub render: crate::render::RenderCache,
    /// The theme, loaded once.
    theme: std::sync::Mutex<Option<std::sync::Arc<Theme>>>,
}

/// `build_in_memory`, reusing what `cache` holds from earlier builds.
pub fn build_cached(
    root: &Path,
    args: &SiteArgs,
    v: Verbosity,
    cache: Option<&BuildCache>,
) -> Result<Built> {
    build_with(root, args, v, cache, None)
}

/// Loads, checks and renders; with a cache, reusing it; with a sink, every
/// output goes there as soon as it is made and `Built.outputs` keeps only
/// their paths.
fn build_with(
    root: &Path,
    args: &SiteArgs,
    v: Verbosity,
    cache: Option<&BuildCache>,
    sink: Option<crate::render::Sink>,
) -> Result<Built> {
    let start = Instant::now();
    let config = load_config(root, args)?;

    // Theme errors and content errors are reported together.
    let cached_theme = cache.and_then(|c| c.theme.lock().ok().and_then(|t| t.clone()));
    // The theme's templates are compiled on one core while the content is
    // read on the other.
    let (theme, sites) = rayon::join(
        || match cached_theme {
            Some(t) => Ok(t),
            None => Theme::load(&config).map(std::sync::Arc::new),
        },
        || crate::site::load_sites_cached(&config, cache.map(|c| &c.load)),
    );
    if let (Some(c), Ok(t)) = (cache, &theme) {
        if let Ok(mut slot) = c.theme.lock() {
            *slot = Some(t.clone());
        }
    }
    let (theme, mut sites) = match (theme, sites) {
        (Ok(t), Ok(s)) => (t, s),
        (t, s) => {
            let mut errors = t.err().unwrap_or_default();
            errors.extend(s.err().map(|e| e.0).unwrap_or_default());
            return Err(ContentErrors(errors).into());
        }
    };
    say(v, Verbosity::Verbose, || {
        format!(
            "loaded {} in {}",
            summary(&sites),
            crate::timing::took(start.elapsed())
        )
    });
    let t = Instant::now();
    if sink.is_some() {
        // Written as it is rendered: nothing needs the files' texts now.
        for site in &mut sites {
            site.forget_texts();
        }
    }
    let reuse = match (cache, sink) {
        (Some(c), _) => crate::render::Reuse::Cache(&c.render),
        (None, Some(s)) => crate::render::Reuse::Sink(s),
        (None, None) => crate::render::Reuse::None,
    };
    let outputs = crate::render::render_sites_into(&sites, &theme, reuse).map_err(ContentErrors)?;
    say(v, Verbosity::Verbose, || {
        format!(
            "rendered {} files in {}",
            outputs.len(),
            crate::timing::took(t.elapsed())
        )
    });
    Ok(Built { sites, outputs })
}

fn build(root: &Path, args: &BuildArgs, v: Verbosity) -> Result<()> {
    let start = Instant::now();
    let out_dir = match &args.output {
        Some(o) => o.clone(),
        None => root.join("public"),
    };
    crate::output::check_target(&out_dir, root).map_err(|e| UsageError(format!("{e:#}")))?;
    say(v, Verbosity::Normal, || {
        format!("Building {} ...", root.display())
    });
    // Pages are written as they are rendered, into a folder that replaces
    // the output only once the whole site is there.
    let staging = crate::output::Staging::new(&out_dir)?;
    // A failed write (a full disk, a quota) is not the content's fault: it
    // is reported once, and nothing more is written after it.
    let failed: std::sync::Mutex<Option<String>> = Default::default();
    let first_failure = || failed.lock().unwrap_or_else(|e| e.into_inner());
    let write = |o: &Output| {
        if first_failure().is_none() {
            if let Err(e) = staging.write(o) {
                first_failure().get_or_insert_with(|| {
                    format!(
                        "cannot write {}: {}",
                        out_dir.join(&*o.path).display(),
                        e.root_cause()
                    )
                });
            }
        }
        Ok(())
    };
    let built = build_with(root, &args.site, v, None, Some(&write));
    if let Some(message) = failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
        drop(staging);
        bail!(
            "{message}\nnothing was replaced: {} still holds the previous site",
            out_dir.display()
        );
    }
    let built = built?;
    let t = Instant::now();
    staging.finish()?;
    say(v, Verbosity::Verbose, || {
        format!(
            "put {} in place in {}",
            out_dir.display(),
            crate::timing::took(t.elapsed())
        )
    });
    let pages = built
        .outputs
        .iter()
        .filter(|o| o.path.ends_with(".html"))
        .count();
    say(v, Verbosity::Normal, || {
        format!(
            "Built {pages} pages ({} files) into {} in {}{}",
            built.outputs.len(),
            out_dir.display(),
            crate::timing::took(start.elapsed()),
            if args.site.drafts {
                ", drafts and scheduled content included"
            } else {
                ""
            }
        )
    });
    say(v, Verbosity::Normal, || {
        format!(
            "Serve that folder with any web server at {}, e.g. `python3 -m http.server -d {} 8000`",
            built.sites[0].config.base_url,
            out_dir.display()
        )
    });
    // The process ends right after this: freeing every parsed page one by
    // one would only delay that (about 40 ms at 10,000 announcements).
    std::mem::forget(built);
    Ok(())
}

/// "17 services, 25 announcements, ..." (per language when there are several).
fn summary(sites: &[Site]) -> String {
    let one = |s: &Site| {
        use crate::counted;
        [
            counted(s.services.len() as u64, "service", "services"),
            counted(
                s.announcements.len() as u64,
                "announcement",
                "announcements",
            ),
            counted(s.faq_topics.len() as u64, "FAQ topic", "FAQ topics"),
            counted(s.surveys.len() as u64, "survey", "surveys"),
            counted(s.pages.len() as u64, "page", "pages"),
        ]
        .join(", ")
    };
    if sites.len() == 1 {
        one(&sites[0])
    } else {
        sites
            .iter()
            .map(|s| format!("{}: {}", s.config.lang.code, one(s)))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn check(root: &Path, args: &SiteArgs, v: Verbosity) -> Result<()> {
    let start = Instant::now();
    // Every file is rendered (a template's error is an error too), but
    // none is kept: the site's output can be several times its Markdown.
    let discard = |_: &Output| Ok(());
    let built = build_with(root, args, v, None, Some(&discard))?;
    say(v, Verbosity::Normal, || {
        format!(
            "No errors: {} ({} files) checked in {}",
            summary(&built.sites),
            built.outputs.len(),
            crate::timing::took(start.elapsed())
        )
    });
    Ok(())
}

/// Fills the starter's date placeholders relative to today.
fn fill_dates(text: &str, today: jiff::civil::Date) -> String {
    let mut out = text.to_owned();
    for (key, days) in [
        ("{{today}}", 0i64),
        ("{{days_ago_3}}", -3),
        ("{{days_ago_10}}", -10),
        ("{{in_days_7}}", 7),
        ("{{in_days_60}}", 60),
    ] {
        let date = today
            .checked_add(jiff::Span::new().days(days))
            .unwrap_or(today);
        out = out.replace(key, &date.to_string());
    }
    out
}

fn init(args: &InitArgs, v: Verbosity) -> Result<()> {
    let dir = &args.dir;
    if dir.join(CONFIG_FILE).exists() {
        return Err(UsageError(format!(
            "{} already holds a portal ({CONFIG_FILE} exists)",
            dir.display()
        ))
        .into());
    }
    if dir.join("content").exists() {
        return Err(UsageError(format!(
            "{} already has a content/ folder; choose an empty folder",
            dir.display()
        ))
        .into());
    }
    let today = jiff::Zoned::now().date();
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    let mut stack = vec![&STARTER];
    while let Some(d) = stack.pop() {
        for f in d.files() {
            let text = String::from_utf8_lossy(f.contents());
            files.push((f.path().to_path_buf(), fill_dates(&text, today)));
        }
        stack.extend(d.dirs());
    }
    files.sort();
    for (rel, text) in &files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    say(v, Verbosity::Normal, || {
        format!(
            "Created a new portal in {} ({} files).\nNext: cd {} && portico build",
            dir.display(),
            files.len(),
            dir.display()
        )
    });
    Ok(())
}

fn new(root: &Path, args: &NewArgs, v: Verbosity) -> Result<()> {
    if !root.join(CONFIG_FILE).is_file() {
        return Err(UsageError(format!(
            "{} has no {CONFIG_FILE}: run this inside a portal or pass --root",
            root.display()
        ))
        .into());
    }
    let slug = slug::slugify(&args.title);
    if slug.is_empty() {
        return Err(UsageError("the title needs at least one letter or digit".into()).into());
    }
    let today = jiff::Zoned::now().date();
    let title = toml_string(&args.title);
    let (folder, text) = match args.kind {
        NewKind::Announcement => (
            "announcements",
            format!("+++\ntitle = {title}\ndate = {today}\nkind = \"news\"\n# services = [\"service-id\"]\ndraft = true\n+++\n\nWhat happens, who it concerns and what they need to do.\n"),
        ),
        NewKind::Service => (
            "services",
            format!("+++\ntitle = {title}\nsummary = \"One line: what it gives people.\"\ncategory = \"Uncategorised\"\nlifecycle = \"planned\"\ndelivery = \"cloud\"\n# owner = \"Team name\"\n# contact = \"team@example.com\"\n# request_url = \"https://...\"\ndraft = true\n\n# [cost]\n# amount = 0\n# currency = \"EUR\"\n# per = \"user per month\"\n+++\n\nWhat the service is, who it is for and how to get it.\n"),
        ),
        NewKind::Faq => (
            "faq",
            format!("+++\ntitle = {title}\n# services = [\"service-id\"]\ndraft = true\n+++\n\n## The first question?\n\nIts answer.\n"),
        ),
        NewKind::Survey => (
            "surveys",
            format!("+++\ntitle = {title}\nopens = {today}\ndraft = true\n\n[[questions]]\nid = \"satisfaction\"\ntype = \"rating\"\nlabel = \"How satisfied are you?\"\nrequired = true\nlabels = [\"Not at all\", \"Very\"]\n\n[[questions]]\nid = \"comments\"\ntype = \"longtext\"\nlabel = \"Anything else?\"\n+++\n\nWhy we ask and what we will do with the answers.\n"),
        ),
        NewKind::Page => ("pages", format!("+++\ntitle = {title}\ndraft = true\n+++\n\nThe page's text.\n")),
    };
    let dir = root.join("content").join(folder);
    let path = dir.join(format!("{slug}.md"));
    if path.exists() {
        return Err(UsageError(format!("{} already exists", path.display())).into());
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    // The new file's path on stdout, so `$EDITOR "$(portico new ...)"` works.
    println!("{}", path.display());
    say(v, Verbosity::Normal, || {
        "Created as a draft: remove `draft = true` to publish it (or build with --drafts to preview).".into()
    });
    Ok(())
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_fill_relative_to_today() {
        let today: jiff::civil::Date = "2026-11-22".parse().unwrap();
        assert_eq!(
            fill_dates("a {{in_days_7}} b {{days_ago_3}}", today),
            "a 2026-11-29 b 2026-11-19"
        );
    }
}
