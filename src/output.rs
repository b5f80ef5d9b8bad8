//! Where outputs go: a folder, replaced atomically. The new site is written
//! into a sibling temporary folder and swapped in, so a failed or killed
//! build leaves the previous output as it was.

use crate::render::Output;
use anyhow::{bail, Context, Result};
use std::path::{Component, Path, PathBuf};

/// Refuses output folders whose replacement would destroy something else.
pub fn check_target(out_dir: &Path, root: &Path) -> Result<()> {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (out_abs, root_abs) = (abs(out_dir), abs(root));
    if root_abs.starts_with(&out_abs) {
        bail!(
            "refusing to write the site to {}: it contains the project itself",
            out_dir.display()
        );
    }
    for protected in ["content", "templates", "static", "themes"] {
        if out_abs.starts_with(root_abs.join(protected)) {
            bail!("refusing to write the site into the project's {protected}/ folder");
        }
    }
    if out_dir.exists() {
        if !out_dir.is_dir() {
            bail!("output {} exists and is not a folder", out_dir.display());
        }
        let mut entries = std::fs::read_dir(out_dir)
            .with_context(|| format!("cannot read {}", out_dir.display()))?;
        if entries.next().is_some() && !out_dir.join("sitemap.xml").exists() {
            bail!(
                "refusing to replace {}: it is not empty and does not look like a Portico output (no sitemap.xml); choose another --output or empty it",
                out_dir.display()
            );
        }
    }
    Ok(())
}

fn safe_relative(path: &str) -> Option<PathBuf> {
    let p = Path::new(path);
    let ok = !path.is_empty() && p.components().all(|c| matches!(c, Component::Normal(_)));
    ok.then(|| p.to_path_buf())
}

/// How the temporary folders of builds begin; the builder's process id follows.
const STAGING: &str = ".portico-build-";

/// Removes the temporary folders that builds killed before they finished
/// left beside the output folder: those whose process is gone. Where
/// processes cannot be looked up, nothing is removed.
fn remove_abandoned(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(STAGING)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid != std::process::id() && process_is_gone(pid) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn process_is_gone(pid: u32) -> bool {
    let proc = Path::new("/proc");
    proc.join("self").exists() && !proc.join(pid.to_string()).exists()
}

/// The new site being written, in a temporary folder beside the output
/// folder: files are written as they come (from any thread), and the folder
/// replaces the output folder whole at `finish`. Dropped unfinished, it is
/// removed and the output folder is as it was.
pub struct Staging {
    out_dir: PathBuf,
    tmp: Option<tempfile::TempDir>,
    /// Folders made so far, by their paths' bytes (hashed whole, not
    /// component by component as a `Path` is).
    made: std::sync::Mutex<rustc_hash::FxHashSet<Vec<u8>>>,
}

impl Staging {
    pub fn new(out_dir: &Path) -> Result<Staging> {
        let parent = match out_dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        remove_abandoned(&parent);
        let tmp = tempfile::Builder::new()
            .prefix(&format!("{STAGING}{}-", std::process::id()))
            .tempdir_in(&parent)
            .with_context(|| format!("cannot create a temporary folder in {}", parent.display()))?;
        Ok(Staging {
            out_dir: out_dir.to_path_buf(),
            tmp: Some(tmp),
            made: Default::default(),
        })
    }

    /// Writes one file of the new site.
    pub fn write(&self, o: &Output) -> Result<()> {
        let rel = safe_relative(&o.path)
            .with_context(|| format!("output path `{}` leaves the output folder", o.path))?;
        let Some(tmp) = &self.tmp else {
            bail!("the new site is already in place");
        };
        let path = tmp.path().join(rel);
        if let Some(dir) = path.parent() {
            let key = dir.as_os_str().as_encoded_bytes();
            let known = self
                .made
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains(key);
            if !known {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
                self.made
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(key.to_vec());
            }
        }
        std::fs::write(&path, o.bytes.as_slice())
            .with_context(|| format!("cannot write {}", path.display()))
    }

    /// Puts the new site in place of the output folder.
    pub fn finish(mut self) -> Result<()> {
        let Some(tmp) = self.tmp.take() else {
            return Ok(());
        };
        let tmp_path = tmp.keep();
        swap_in(&tmp_path, &self.out_dir).inspect_err(|_| {
            let _ = std::fs::remove_dir_all(&tmp_path);
        })
    }
}

/// Puts `new` at `target`, removing what was there.
fn swap_in(new: &Path, target: &Path) -> Result<()> {
    if !target.exists() {
        return std::fs::rename(new, target)
            .with_context(|| format!("cannot move the new site to {}", target.display()));
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{renameat_with, RenameFlags, CWD};
        if renameat_with(CWD, new, CWD, target, RenameFlags::EXCHANGE).is_ok() {
            // `new` now holds the previous site.
            return std::fs::remove_dir_all(new)
                .with_context(|| format!("cannot remove the previous site at {}", new.display()));
        }
    }
    let old = target.with_file_name(format!(
        ".portico-old-{}-{}",
        std::process::id(),
        target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    std::fs::rename(target, &old)
        .with_context(|| format!("cannot move {} aside", target.display()))?;
    if let Err(e) = std::fs::rename(new, target) {
        let _ = std::fs::rename(&old, target);
        return Err(e).with_context(|| format!("cannot move the new site to {}", target.display()));
    }
    std::fs::remove_dir_all(&old)
        .with_context(|| format!("cannot remove the previous site at {}", old.display()))
}

/// Writes one file whole or not at all: a temporary sibling, synced, then
/// renamed over `path`.
pub fn write_file_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    #[test]
    fn relative_paths_only() {
        assert!(safe_relative("services/vpn/index.html").is_some());
        assert!(safe_relative("../x").is_none());
        assert!(safe_relative("/etc/passwd").is_none());
        assert!(safe_relative("a/../../b").is_none());
        assert!(safe_relative("").is_none());
    }

    /// Writes `outputs` as the new content of `out_dir`.
    fn write_folder(out_dir: &Path, outputs: &[Output]) -> Result<()> {
        let staging = Staging::new(out_dir)?;
        outputs.par_iter().try_for_each(|o| staging.write(o))?;
        staging.finish()
    }

    #[test]
    fn replaces_the_folder_whole() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let page = |p: &str, b: &str| Output {
            path: p.into(),
            bytes: std::sync::Arc::new(b.as_bytes().to_vec()),
        };
        write_folder(
            &out,
            &[page("index.html", "one"), page("old/index.html", "x")],
        )
        .unwrap();
        write_folder(&out, &[page("index.html", "two")]).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "two"
        );
        assert!(!out.join("old").exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, ["public"]);
    }
}
