//! Times a full build and then cached rebuilds after a one-line edit.
use portico::cli::{SiteArgs, Verbosity};
use portico::commands::{build_cached, BuildCache};
fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("DIR"));
    let cache = BuildCache::default();
    let args = SiteArgs::default();
    for n in 0..4 {
        let file = dir.join("content/announcements/a00000.md");
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, format!("{text}\nEdit {n}.\n")).unwrap();
        let t = std::time::Instant::now();
        let built = build_cached(&dir, &args, Verbosity::Verbose, Some(&cache)).unwrap();
        eprintln!(
            "build {n}: {:?} ({} outputs, {} rendered)",
            t.elapsed(),
            built.outputs.len(),
            cache.render.rendered()
        );
    }
}
