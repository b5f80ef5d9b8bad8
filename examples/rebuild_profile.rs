//! Times a full build and then cached rebuilds after a one-line edit:
//! `rebuild_profile DIR [REBUILDS]` (3 by default).
use portico::cli::{SiteArgs, Verbosity};
use portico::commands::{build_cached, BuildCache};

// The allocator `portico` itself runs with, so the times are serve's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("DIR"));
    let cache = BuildCache::default();
    let args = SiteArgs::default();
    let rebuilds: usize = std::env::args()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(3);
    for n in 0..=rebuilds {
        let file = dir.join("content/announcements/a00000.md");
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, format!("{text}\nEdit {n}.\n")).unwrap();
        // As the preview's watcher would: name the file that changed.
        cache
            .load
            .files
            .changed(&[std::path::PathBuf::from("content/announcements/a00000.md")]);
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
