//! Times a full build and then cached rebuilds after a one-line edit:
//! `rebuild_profile DIR [REBUILDS] [edit|later|new]` (3 rebuilds, `edit` by
//! default). `later` waits for the next minute before each edit (as an
//! author's next save mostly comes, on a portal whose clock is not fixed
//! in portico.toml); `new` adds a new announcement before each rebuild
//! instead, as an author publishing one does (and removes them at the end).
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
    let (new, later) = match std::env::args().nth(3).as_deref() {
        None | Some("edit") => (false, false),
        Some("later") => (false, true),
        Some("new") => (true, false),
        Some(other) => panic!("unknown mode `{other}`: edit, later or new"),
    };
    let mut added = Vec::new();
    for n in 0..=rebuilds {
        if later && n > 0 {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap();
            let into = now.as_millis() % 60_000;
            std::thread::sleep(std::time::Duration::from_millis(
                (60_000 - into + 50) as u64,
            ));
        }
        let rel = if new && n > 0 {
            let rel = format!("content/announcements/zz-new-{n}.md");
            let text = format!(
                "+++\ntitle = \"New announcement {n}\"\ndate = 2023-06-01\nkind = \"change\"\n+++\n\nA new announcement, number {n}.\n"
            );
            std::fs::write(dir.join(&rel), text).unwrap();
            added.push(dir.join(&rel));
            rel
        } else {
            let rel = "content/announcements/a00000.md".to_owned();
            let file = dir.join(&rel);
            let text = std::fs::read_to_string(&file).unwrap();
            std::fs::write(&file, format!("{text}\nEdit {n}.\n")).unwrap();
            rel
        };
        // As the preview's watcher would: name the file that changed.
        cache.load.files.changed(&[std::path::PathBuf::from(&rel)]);
        let t = std::time::Instant::now();
        let built = build_cached(&dir, &args, Verbosity::Verbose, Some(&cache)).unwrap();
        eprintln!(
            "build {n}: {:?} ({} outputs, {} rendered)",
            t.elapsed(),
            built.outputs.len(),
            cache.render.rendered()
        );
    }
    for file in added {
        std::fs::remove_file(file).unwrap();
    }
}
