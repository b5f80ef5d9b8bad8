//! Full-build benchmark: generates seeded portals (the `gen_portal`
//! example), builds each several times from scratch into a fresh folder and
//! prints a table of medians: wall time, CPU time (user + system) and peak
//! memory of `portico build`, beside the floor (reading every input file,
//! and rendering every file's Markdown with pulldown-cmark on all cores) and,
//! when `hugo` or `zola` is on the PATH, Hugo and Zola building the same
//! announcements with equivalent pages (one page per announcement, lists of
//! 10, tag pages, one RSS feed), their runs taking turns with portico's. A second floor is the
//! time to write portico's output files again from memory: the part of a
//! build no generator can skip once it has decided what to write. `portico
//! check` (every page rendered, none written) is timed on the same portals.
//!
//! `cargo bench --bench build -- [--sizes 1000,10000,50000] [--runs 5] [--dir DIR] [--without-hugo] [--without-zola]`

#[path = "../examples/gen_portal.rs"]
#[allow(dead_code)]
mod gen_portal;

use rayon::prelude::*;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

const USAGE: &str = "cargo bench --bench build -- [--sizes 1000,10000,50000] [--runs 5] [--dir DIR] [--without-hugo] [--without-zola]";

/// One run of a command.
#[derive(Debug, Clone, Copy)]
struct Run {
    wall: f64,
    cpu: f64,
    peak_mb: f64,
}

/// A command to measure: its program, its arguments, and the file its
/// error output goes to (the benchmark's own when none).
struct Cmd {
    program: OsString,
    args: Vec<OsString>,
    log: Option<PathBuf>,
}

impl Cmd {
    fn new(program: impl Into<OsString>) -> Cmd {
        Cmd {
            program: program.into(),
            args: Vec::new(),
            log: None,
        }
    }

    fn arg(mut self, a: impl Into<OsString>) -> Cmd {
        self.args.push(a.into());
        self
    }

    fn args<A: Into<OsString>>(self, all: impl IntoIterator<Item = A>) -> Cmd {
        all.into_iter().fold(self, Cmd::arg)
    }
}

/// What the benchmark is started with to measure one command for it.
const MEASURE_CHILD: &str = "--measure-child";

/// Runs `cmd` to its end; its wall time, CPU time and peak resident memory.
///
/// Through a fresh copy of this program (`MEASURE_CHILD`), which starts the
/// command and measures it: Linux counts the peak memory of the process a
/// program is started from as that program's own (a spawned child shares
/// its parent's memory until it starts the program, and the kernel keeps
/// that memory's peak), and this process holds whole corpora and outputs
/// for the floors. The fresh copy holds almost nothing.
fn measure(cmd: &Cmd) -> Run {
    let me = std::env::current_exe().expect("the benchmark's own path");
    let mut helper = Command::new(me);
    helper.arg(MEASURE_CHILD);
    if let Some(log) = &cmd.log {
        helper.arg("--log").arg(log);
    }
    helper.arg("--").arg(&cmd.program).args(&cmd.args);
    let out = helper
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("cannot start the measuring copy of the benchmark: {e}"));
    let what = || {
        std::iter::once(&cmd.program)
            .chain(&cmd.args)
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(out.status.success(), "{} failed", what());
    let text = String::from_utf8_lossy(&out.stdout);
    let numbers: Vec<f64> = text
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    let [wall, cpu, peak_kb] = numbers[..] else {
        panic!("no measures for {}: {text:?}", what());
    };
    Run {
        wall,
        cpu,
        peak_mb: peak_kb / 1024.0,
    }
}

/// The measuring copy: `MEASURE_CHILD [--log FILE] -- PROGRAM ARGS...`
/// runs the program (its output discarded, its error output to FILE) and
/// prints its wall seconds, CPU seconds (user + system) and peak resident
/// kilobytes, from `wait4` for that child alone. Exits with 1 when the
/// program fails.
// `wait4` reaps the child, so `Child::wait` is not called.
#[allow(clippy::zombie_processes)]
fn measure_child(mut args: impl Iterator<Item = OsString>) -> ! {
    let mut log = None;
    loop {
        match args.next() {
            Some(a) if a == "--log" => log = args.next().map(PathBuf::from),
            Some(a) if a == "--" => break,
            other => panic!("{MEASURE_CHILD}: unexpected {other:?}"),
        }
    }
    let program = args.next().expect("a program to measure");
    let mut cmd = Command::new(&program);
    cmd.args(args).stdout(Stdio::null());
    if let Some(log) = &log {
        cmd.stderr(std::fs::File::create(log).expect("the program's log"));
    }
    let start = Instant::now();
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {program:?}: {e}"));
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed().as_secs_f64();
    assert_eq!(waited, pid, "wait4 failed for {program:?}");
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        eprintln!("{program:?} failed (status {status})");
        std::process::exit(1);
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    // ru_maxrss is in kilobytes on Linux.
    println!(
        "{wall} {} {}",
        secs(usage.ru_utime) + secs(usage.ru_stime),
        usage.ru_maxrss
    );
    std::process::exit(0);
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// A command to measure and the folder it writes.
type Builder = (PathBuf, Cmd);

/// Each measure of `runs` of every builder, removing its output folder
/// before each run so every build starts from nothing. The builders take
/// turns (A, B, A, B, ...), so a slow moment of a shared machine falls on
/// both rather than on one.
fn bench(runs: usize, builders: &[Builder]) -> Vec<Vec<Run>> {
    let mut all: Vec<Vec<Run>> = vec![Vec::new(); builders.len()];
    for _ in 0..runs {
        for ((out, cmd), runs) in builders.iter().zip(&mut all) {
            let _ = std::fs::remove_dir_all(out);
            runs.push(measure(cmd));
            // A generator may report a failure and still exit with 0.
            assert!(
                out.join("index.html").is_file(),
                "the build into {} wrote no index.html (a generator's log, if it keeps one, is beside that folder)",
                out.display()
            );
        }
    }
    all
}

/// The median of each measure.
fn medians(all: &[Run]) -> Run {
    Run {
        wall: median(all.iter().map(|r| r.wall).collect()),
        cpu: median(all.iter().map(|r| r.cpu).collect()),
        peak_mb: median(all.iter().map(|r| r.peak_mb).collect()),
    }
}

/// Ratios of wall times, run by run: their median, lowest and highest.
struct Paired {
    median: f64,
    low: f64,
    high: f64,
}

/// `theirs`'s wall time over `ours`'s, run by run: each pair ran one after
/// the other, so it saw the machine at about the same speed.
fn paired_ratio(theirs: &[Run], ours: &[Run]) -> Paired {
    let ratios: Vec<f64> = theirs
        .iter()
        .zip(ours)
        .map(|(t, o)| t.wall / o.wall)
        .collect();
    let low = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let high = ratios.iter().copied().fold(0.0, f64::max);
    Paired {
        median: median(ratios),
        low,
        high,
    }
}

/// Seconds to write the files of `site` (a built site, read into memory
/// first) into a new folder `scratch`, on all cores, making each folder as
/// it is first needed: what any generator must spend to write that output.
fn write_floor(site: &Path, scratch: &Path, runs: usize) -> f64 {
    let files: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(site)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(site)
                .expect("under the site")
                .to_path_buf();
            let bytes = std::fs::read(e.path()).expect("read the built site");
            (rel, bytes)
        })
        .collect();
    let mut times = Vec::new();
    for _ in 0..runs {
        let _ = std::fs::remove_dir_all(scratch);
        let made = std::sync::Mutex::new(std::collections::HashSet::new());
        let t = Instant::now();
        files.par_iter().for_each(|(rel, bytes)| {
            let path = scratch.join(rel);
            if let Some(dir) = path.parent() {
                if !made.lock().expect("lock").contains(dir) {
                    std::fs::create_dir_all(dir).expect("make a folder");
                    made.lock().expect("lock").insert(dir.to_path_buf());
                }
            }
            std::fs::write(&path, bytes).expect("write a file");
        });
        times.push(t.elapsed().as_secs_f64());
    }
    let _ = std::fs::remove_dir_all(scratch);
    median(times)
}

fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir.join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect()
}

/// The floor: seconds to read every input file, and to render every file's
/// Markdown (after its front matter) with pulldown-cmark on all cores.
fn floor(dir: &Path, runs: usize) -> (f64, f64, usize) {
    let files = markdown_files(dir);
    let mut read = Vec::new();
    let mut render = Vec::new();
    let mut bytes = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let texts: Vec<String> = files
            .par_iter()
            .map(|p| std::fs::read_to_string(p).expect("read"))
            .collect();
        read.push(t.elapsed().as_secs_f64());
        bytes = texts.iter().map(String::len).sum();
        let t = Instant::now();
        let html: usize = texts
            .par_iter()
            .map(|text| {
                let body = text
                    .strip_prefix("+++")
                    .and_then(|rest| rest.find("\n+++").map(|end| &rest[end + 4..]))
                    .unwrap_or(text);
                let mut options = pulldown_cmark::Options::empty();
                options.insert(pulldown_cmark::Options::ENABLE_TABLES);
                options.insert(pulldown_cmark::Options::ENABLE_FOOTNOTES);
                options.insert(pulldown_cmark::Options::ENABLE_STRIKETHROUGH);
                options.insert(pulldown_cmark::Options::ENABLE_TASKLISTS);
                options.insert(pulldown_cmark::Options::ENABLE_SMART_PUNCTUATION);
                options.insert(pulldown_cmark::Options::ENABLE_HEADING_ATTRIBUTES);
                let mut out = String::with_capacity(body.len() * 3 / 2);
                pulldown_cmark::html::push_html(
                    &mut out,
                    pulldown_cmark::Parser::new_ext(body, options),
                );
                out.len()
            })
            .sum();
        assert!(html > 0);
        render.push(t.elapsed().as_secs_f64());
    }
    (median(read), median(render), bytes)
}

/// A Hugo site with the same announcements and equivalent pages.
fn hugo_site(portal: &Path, site: &Path) {
    let _ = std::fs::remove_dir_all(site);
    let posts = site.join("content/posts");
    std::fs::create_dir_all(&posts).expect("hugo content folder");
    for file in markdown_files(portal) {
        if file.parent().is_some_and(|p| p.ends_with("announcements")) {
            if let Some(name) = file.file_name() {
                std::fs::copy(&file, posts.join(name)).expect("copy an announcement");
            }
        }
    }
    let files = [
        (
            "hugo.toml",
            "baseURL = \"https://it.example.com/\"\ntitle = \"Portal\"\npaginate = 10\n\
             disableKinds = [\"sitemap\", \"robotsTXT\", \"404\"]\n\
             [taxonomies]\ntag = \"tags\"\n\
             [outputs]\nhome = [\"HTML\", \"RSS\"]\nsection = [\"HTML\"]\n\
             taxonomy = [\"HTML\"]\nterm = [\"HTML\"]\n\
             [services.rss]\nlimit = 50\n",
        ),
        (
            "layouts/_default/single.html",
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head><body>\
             <nav><a href=\"{{ \"\" | relURL }}\">Home</a> <a href=\"{{ \"tags/\" | relURL }}\">Tags</a></nav>\
             <main><h1>{{ .Title }}</h1><time>{{ .Date.Format \"2 January 2006\" }}</time>\
             <ul>{{ range .Params.tags }}<li><a href=\"{{ (printf \"tags/%s/\" (. | urlize)) | relURL }}\">{{ . }}</a></li>{{ end }}</ul>\
             {{ .Content }}</main></body></html>\n",
        ),
        (
            "layouts/_default/list.html",
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head><body>\
             <nav><a href=\"{{ \"\" | relURL }}\">Home</a> <a href=\"{{ \"tags/\" | relURL }}\">Tags</a></nav>\
             <main><h1>{{ .Title }}</h1>\
             {{ $pages := .Pages }}{{ if .IsHome }}{{ $pages = .Site.RegularPages }}{{ end }}\
             {{ range (.Paginate $pages).Pages }}<article><h2><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></h2>\
             <time>{{ .Date.Format \"2 January 2006\" }}</time><p>{{ .Summary }}</p></article>{{ end }}\
             {{ template \"_internal/pagination.html\" . }}</main></body></html>\n",
        ),
        (
            "layouts/_default/terms.html",
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head><body><main><ul>\
             {{ range .Data.Terms.Alphabetical }}<li><a href=\"{{ .Page.RelPermalink }}\">{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}\
             </ul></main></body></html>\n",
        ),
    ];
    for (path, text) in files {
        let path = site.join(path);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("hugo folders");
        std::fs::write(path, text).expect("write the hugo site");
    }
}

/// The front matter and body of a generated Markdown file.
fn split_front_matter(text: &str) -> (toml::Table, &str) {
    let rest = text.strip_prefix("+++").expect("TOML front matter");
    let end = rest.find("\n+++").expect("end of the front matter");
    let table = rest[..end].parse().expect("generated front matter parses");
    (table, &rest[end + 4..])
}

/// A Zola site with the same announcements and equivalent pages: one page
/// per announcement, paginated lists of 10 (home and the announcements
/// section), tag pages, one RSS feed of 50. The services are pages too, so
/// the announcements' internal links (`@/services/...`) resolve, as Zola
/// checks them. With `paginate_tags` off, tag pages list all their
/// announcements on one page: Zola's fastest equivalent.
fn zola_site(portal: &Path, site: &Path, paginate_tags: bool) {
    let _ = std::fs::remove_dir_all(site);
    for section in ["announcements", "services"] {
        let dir = site.join("content").join(section);
        std::fs::create_dir_all(&dir).expect("zola content folder");
        let front = if section == "announcements" {
            "+++\ntitle = \"Announcements\"\nsort_by = \"date\"\npaginate_by = 10\ntransparent = true\n+++\n"
        } else {
            "+++\ntitle = \"Services\"\npaginate_by = 10\n+++\n"
        };
        std::fs::write(dir.join("_index.md"), front).expect("write a section");
    }
    let files: Vec<PathBuf> = markdown_files(portal)
        .into_iter()
        .filter(|f| {
            f.parent()
                .is_some_and(|p| p.ends_with("announcements") || p.ends_with("services"))
                && !f.ends_with("_index.md")
        })
        .collect();
    files.par_iter().for_each(|file| {
        let text = std::fs::read_to_string(file).expect("read a generated file");
        let (front, body) = split_front_matter(&text);
        let mut zola = toml::Table::new();
        for key in ["title", "date"] {
            if let Some(v) = front.get(key) {
                zola.insert(key.into(), v.clone());
            }
        }
        if let Some(tags) = front.get("tags") {
            let mut taxonomies = toml::Table::new();
            taxonomies.insert("tags".into(), tags.clone());
            zola.insert("taxonomies".into(), taxonomies.into());
        }
        let section = file.parent().and_then(Path::file_name).expect("a section");
        let out = site
            .join("content")
            .join(section)
            .join(file.file_name().expect("a file name"));
        std::fs::write(out, format!("+++\n{zola}+++\n{body}")).expect("write the zola site");
    });
    let head = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">";
    let nav = "<nav><a href=\"{{ get_url(path='/') }}\">Home</a> <a href=\"{{ get_url(path='/tags/') }}\">Tags</a></nav>";
    let item = "<article><h2><a href=\"{{ p.permalink }}\">{{ p.title }}</a></h2>\
                {% if p.date %}<time>{{ p.date | date(format='%-d %B %Y') }}</time>{% endif %}\
                {% if p.summary %}<p>{{ p.summary | safe }}</p>{% endif %}</article>";
    let pager =
        "{% if paginator.previous %}<a href=\"{{ paginator.previous }}\">Newer</a>{% endif %} \
                 {% if paginator.next %}<a href=\"{{ paginator.next }}\">Older</a>{% endif %}";
    let list = format!(
        "{head}<title>{{{{ section.title }}}}</title></head><body>{nav}<main><h1>{{{{ section.title }}}}</h1>\
         {{% for p in paginator.pages %}}{item}{{% endfor %}}{pager}</main></body></html>\n"
    );
    let term = if paginate_tags {
        format!(
            "{head}<title>{{{{ term.name }}}}</title></head><body>{nav}<main><h1>{{{{ term.name }}}}</h1>\
             {{% for p in paginator.pages %}}{item}{{% endfor %}}{pager}</main></body></html>\n"
        )
    } else {
        format!(
            "{head}<title>{{{{ term.name }}}}</title></head><body>{nav}<main><h1>{{{{ term.name }}}}</h1>\
             {{% for p in term.pages %}}{item}{{% endfor %}}</main></body></html>\n"
        )
    };
    let files = [
        (
            "config.toml".to_string(),
            format!(
                "base_url = \"https://it.example.com\"\ntitle = \"Portal\"\n\
                 generate_feeds = true\nfeed_filenames = [\"rss.xml\"]\nfeed_limit = 50\n\
                 taxonomies = [{{ name = \"tags\"{} }}]\n",
                if paginate_tags { ", paginate_by = 10" } else { "" }
            ),
        ),
        (
            "content/_index.md".into(),
            "+++\ntitle = \"Portal\"\nsort_by = \"date\"\npaginate_by = 10\n+++\n".into(),
        ),
        ("templates/index.html".into(), list.clone()),
        ("templates/section.html".into(), list),
        (
            "templates/page.html".into(),
            format!(
                "{head}<title>{{{{ page.title }}}}</title></head><body>{nav}<main><h1>{{{{ page.title }}}}</h1>\
                 {{% if page.date %}}<time>{{{{ page.date | date(format='%-d %B %Y') }}}}</time>{{% endif %}}\
                 <ul>{{% if page.taxonomies.tags %}}{{% for t in page.taxonomies.tags %}}\
                 <li><a href=\"{{{{ get_taxonomy_url(kind='tags', name=t) }}}}\">{{{{ t }}}}</a></li>{{% endfor %}}{{% endif %}}</ul>\
                 {{{{ page.content | safe }}}}</main></body></html>\n"
            ),
        ),
        (
            "templates/taxonomy_list.html".into(),
            format!(
                "{head}<title>Tags</title></head><body><main><ul>\
                 {{% for t in terms %}}<li><a href=\"{{{{ t.permalink }}}}\">{{{{ t.name }}}}</a> {{{{ t.pages | length }}}}</li>{{% endfor %}}\
                 </ul></main></body></html>\n"
            ),
        ),
        ("templates/taxonomy_single.html".into(), term),
    ];
    for (path, text) in files {
        let path = site.join(path);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("zola folders");
        std::fs::write(path, text).expect("write the zola site");
    }
}

fn on_path(program: &str, version: &str) -> bool {
    Command::new(program)
        .arg(version)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn main() {
    let mut own = std::env::args_os().skip(1);
    if own.next().is_some_and(|a| a == MEASURE_CHILD) {
        measure_child(own);
    }
    let mut sizes = vec![1_000usize, 10_000, 50_000];
    let mut runs = 5usize;
    let mut dir = std::env::temp_dir().join("portico-bench");
    let mut without_hugo = false;
    let mut without_zola = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--sizes" => {
                sizes = args
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(|n| n.trim().replace('_', "").parse().ok())
                    .collect();
            }
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).unwrap_or(runs),
            "--dir" => dir = args.next().map(PathBuf::from).unwrap_or(dir),
            "--without-hugo" => without_hugo = true,
            "--without-zola" => without_zola = true,
            "--help" | "-h" => {
                println!("{USAGE}");
                return;
            }
            // What cargo passes to every bench.
            "--bench" => {}
            other => {
                eprintln!("unknown option {other} (try --help)");
                std::process::exit(2);
            }
        }
    }
    assert!(!sizes.is_empty() && runs > 0, "nothing to measure");
    let portico = PathBuf::from(env!("CARGO_BIN_EXE_portico"));
    let hugo = !without_hugo && on_path("hugo", "version");
    let zola = !without_zola && on_path("zola", "--version");
    // Results go to a folder made anew for every run of the benchmark.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("benchmark folder");
    let absent = |name: &str, found: bool, left_out: bool| match (found, left_out) {
        (true, _) => String::new(),
        (false, true) => format!(" (without {name})"),
        (false, false) => format!(" ({} not found: no {name} rows)", name.to_lowercase()),
    };
    eprintln!(
        "{} runs each, in {}{}{}",
        runs,
        dir.display(),
        absent("Hugo", hugo, without_hugo),
        absent("Zola", zola, without_zola)
    );

    let mut rows = Vec::new();
    let mut others: Vec<(usize, &str, Run, Run, Paired)> = Vec::new();
    let mut checks: Vec<(usize, Run)> = Vec::new();
    for &n in &sizes {
        let portal = dir.join(format!("portal-{n}"));
        eprintln!("generating {n} announcements ...");
        gen_portal::generate(
            &portal,
            n,
            (n / 100).clamp(40, 200),
            (n / 200).clamp(20, 100),
            42,
        );
        let (read, render, bytes) = floor(&portal, runs);
        let out = dir.join(format!("public-{n}"));
        let mut builders: Vec<Builder> = vec![(
            out.clone(),
            Cmd::new(&portico)
                .arg("--root")
                .arg(&portal)
                .args(["-q", "build", "-o"])
                .arg(&out),
        )];
        let mut names = Vec::new();
        if hugo {
            let site = dir.join(format!("hugo-{n}"));
            hugo_site(&portal, &site);
            let hugo_out = dir.join(format!("hugo-public-{n}"));
            names.push("Hugo");
            builders.push((
                hugo_out.clone(),
                Cmd::new("hugo")
                    .arg("--source")
                    .arg(&site)
                    .arg("--destination")
                    .arg(&hugo_out)
                    // Generated announcements run up to the portal's fixed `now`.
                    .arg("--buildFuture")
                    .arg("--quiet"),
            ));
        }
        if zola {
            for (name, paginate_tags) in [("Zola", true), ("Zola, tag pages on one page", false)] {
                let site = dir.join(format!("zola-{n}-{paginate_tags}"));
                zola_site(&portal, &site, paginate_tags);
                let zola_out = dir.join(format!("zola-public-{n}-{paginate_tags}"));
                // Zola has no quiet flag: its progress lines go to a log.
                let log = dir.join(format!("zola-{n}-{paginate_tags}.log"));
                names.push(name);
                let mut cmd = Cmd::new("zola")
                    .arg("--root")
                    .arg(&site)
                    .arg("build")
                    .arg("--output-dir")
                    .arg(&zola_out);
                cmd.log = Some(log);
                builders.push((zola_out.clone(), cmd));
            }
        }
        eprintln!(
            "building {n} with portico{}{} ...",
            names
                .iter()
                .map(|name| format!(", {name}"))
                .collect::<String>(),
            if names.is_empty() { "" } else { ", in turns" }
        );
        let mut results = bench(runs, &builders).into_iter();
        let our_runs = results.next().expect("portico's runs");
        let ours = medians(&our_runs);
        for (name, theirs) in names.into_iter().zip(results) {
            others.push((
                n,
                name,
                medians(&theirs),
                ours,
                paired_ratio(&theirs, &our_runs),
            ));
        }
        for (out, _) in &builders[1..] {
            let _ = std::fs::remove_dir_all(out);
        }
        eprintln!("writing portico's output again, without building it ...");
        let write = write_floor(&out, &dir.join(format!("write-{n}")), runs);
        let _ = std::fs::remove_dir_all(&out);
        rows.push((n, bytes, read, render, write, ours));
        eprintln!("checking {n} with portico check ...");
        let check: Vec<Run> = (0..runs)
            .map(|_| {
                measure(
                    &Cmd::new(&portico)
                        .arg("--root")
                        .arg(&portal)
                        .args(["-q", "check"]),
                )
            })
            .collect();
        checks.push((n, medians(&check)));
    }

    println!();
    println!(
        "| announcements | Markdown | read all | + pulldown-cmark (floor) | write output | portico wall | CPU | peak memory | wall / floor | wall / (floor + write) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (n, bytes, read, render, write, ours) in rows {
        let floor = read + render;
        println!(
            "| {n} | {:.0} MB | {read:.3} s | {floor:.3} s | {write:.3} s | {:.2} s | {:.2} s | {:.0} MB | {:.1}× | {:.1}× |",
            bytes as f64 / 1e6,
            ours.wall,
            ours.cpu,
            ours.peak_mb,
            ours.wall / floor,
            ours.wall / (floor + write)
        );
    }
    println!();
    println!("| announcements | portico check wall | CPU | peak memory |");
    println!("|---|---|---|---|");
    for (n, check) in checks {
        println!(
            "| {n} | {:.2} s | {:.2} s | {:.0} MB |",
            check.wall, check.cpu, check.peak_mb
        );
    }
    let others_shown = !others.is_empty();
    if others_shown {
        println!();
        println!(
            "| announcements | generator | wall | CPU | peak memory | portico wall | its wall / portico's | run by run |"
        );
        println!("|---|---|---|---|---|---|---|---|");
        for (n, name, theirs, ours, paired) in others {
            println!(
                "| {n} | {name} | {:.2} s | {:.2} s | {:.0} MB | {:.2} s | {:.1}× | {:.1}× ({:.1}–{:.1}×) |",
                theirs.wall,
                theirs.cpu,
                theirs.peak_mb,
                ours.wall,
                theirs.wall / ours.wall,
                paired.median,
                paired.low,
                paired.high
            );
        }
    }
    println!(
        "\nMedians of {runs} runs; every build writes into a folder that does not exist yet.\n\
         write output: the files portico wrote, written again from memory on all cores.\n\
         portico check renders every page as build does and writes none."
    );
    if others_shown {
        println!(
            "run by run: the median of the ratio of each run to portico's run just before it, and (in brackets) the lowest and highest."
        );
    }
}
