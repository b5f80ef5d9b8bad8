//! Generates a realistic portal of any size, deterministically (seeded), for
//! benchmarks: `cargo run --release --example gen_portal -- --announcements
//! 1000 --services 40 --faq-topics 20 DIR`. The result passes `portico check`.

use std::fmt::Write as _;
use std::path::PathBuf;

/// A small deterministic generator (splitmix64): the same seed, the same portal.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "the",
    "service",
    "network",
    "users",
    "access",
    "storage",
    "migration",
    "window",
    "data",
    "team",
    "laptop",
    "request",
    "approval",
    "cloud",
    "legacy",
    "platform",
    "update",
    "security",
    "account",
    "support",
    "desk",
    "change",
    "planned",
    "office",
    "warehouse",
    "report",
    "cost",
    "department",
    "capacity",
    "backup",
    "restore",
    "performance",
    "latency",
    "outage",
    "incident",
    "release",
    "version",
    "policy",
    "license",
    "device",
    "mobile",
    "calendar",
    "mailbox",
    "folder",
    "share",
    "sync",
    "client",
    "server",
    "cluster",
    "zone",
    "availability",
    "and",
    "with",
    "for",
    "from",
    "will",
    "after",
    "before",
    "during",
    "every",
    "new",
    "old",
    "faster",
    "simpler",
    "safer",
];
const CATEGORIES: &[&str] = &[
    "Connectivity",
    "Collaboration",
    "Compute",
    "Workplace",
    "Security",
    "Support",
    "Data",
];
const TAGS: &[&str] = &[
    "network",
    "files",
    "email",
    "security",
    "devices",
    "cloud",
    "servers",
    "support",
    "meetings",
    "data",
    "remote work",
    "planning",
    "licences",
    "printing",
    "identity",
];
const KINDS: &[&str] = &[
    "news",
    "launch",
    "change",
    "maintenance",
    "outage",
    "retirement",
    "tip",
];

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        let w = rng.pick(WORDS);
        if i == 0 {
            let mut c = w.chars();
            if let Some(f) = c.next() {
                s.push(f.to_ascii_uppercase());
                s.push_str(c.as_str());
            }
        } else {
            s.push(' ');
            s.push_str(w);
        }
    }
    s.push('.');
    s
}

fn paragraph(rng: &mut Rng) -> String {
    let n = 3 + rng.below(4);
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let words = 8 + rng.below(12);
        out.push(sentence(rng, words));
    }
    out.join(" ")
}

/// A 600–1,200-word body with headings, a list, a table, a code block and links.
fn body(rng: &mut Rng, services: usize, announcements: usize) -> String {
    let mut out = String::new();
    let target_words = 600 + rng.below(600);
    let mut words = 0;
    let mut section = 0;
    while words < target_words {
        let p = paragraph(rng);
        words += p.split_whitespace().count();
        out.push_str(&p);
        out.push_str("\n\n");
        if words > (section + 1) * 200 {
            section += 1;
            let _ = writeln!(out, "## {}\n", sentence(rng, 3).trim_end_matches('.'));
            match section % 4 {
                1 => {
                    for _ in 0..4 {
                        let _ = writeln!(out, "- {}", sentence(rng, 6));
                    }
                    out.push('\n');
                }
                2 => {
                    out.push_str("| Item | Before | After |\n|---|---|---|\n");
                    for _ in 0..3 {
                        let _ = writeln!(
                            out,
                            "| {} | {} | {} |",
                            rng.pick(WORDS),
                            rng.below(100),
                            rng.below(100)
                        );
                    }
                    out.push('\n');
                }
                3 => {
                    let _ = writeln!(
                        out,
                        "```\n{} --{} {}\n```\n",
                        rng.pick(WORDS),
                        rng.pick(WORDS),
                        rng.below(9999)
                    );
                }
                _ => {
                    let _ = writeln!(
                        out,
                        "See [the service](@/services/service-{}.md) and [an earlier note](@/announcements/a{:05}.md).\n",
                        rng.below(services),
                        rng.below(announcements)
                    );
                }
            }
        }
    }
    out
}

fn main() {
    let mut announcements = 1000usize;
    let mut services = 40usize;
    let mut faq_topics = 20usize;
    let mut seed = 42u64;
    let mut dir: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut num = |name: &str| -> usize {
            args.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| {
                eprintln!("{name} takes a number");
                std::process::exit(2)
            })
        };
        match a.as_str() {
            "--announcements" => announcements = num("--announcements"),
            "--services" => services = num("--services").max(1),
            "--faq-topics" => faq_topics = num("--faq-topics"),
            "--seed" => seed = num("--seed") as u64,
            "-h" | "--help" => {
                println!(
                    "gen_portal [--announcements N] [--services M] [--faq-topics K] [--seed S] DIR"
                );
                return;
            }
            other if !other.starts_with('-') => dir = Some(PathBuf::from(other)),
            other => {
                eprintln!("unknown option {other}");
                std::process::exit(2)
            }
        }
    }
    let Some(dir) = dir else {
        eprintln!(
            "usage: gen_portal [--announcements N] [--services M] [--faq-topics K] [--seed S] DIR"
        );
        std::process::exit(2)
    };
    if let Err(e) = new_or_empty(&dir) {
        eprintln!("{e}");
        std::process::exit(2)
    }
    generate(&dir, announcements, services, faq_topics, seed);
    eprintln!(
        "wrote {announcements} announcements, {services} services, {faq_topics} FAQ topics to {}",
        dir.display()
    );
}

/// A portal is written into a folder that holds nothing else, so that it
/// is exactly what the options and seed make (no files left from another).
pub fn new_or_empty(dir: &std::path::Path) -> Result<(), String> {
    if std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(format!(
            "{} is not empty: gen_portal writes a whole portal into a new or empty folder",
            dir.display()
        ));
    }
    Ok(())
}

/// Writes the portal into `dir` (its `content/` and `portico.toml`).
pub fn generate(
    dir: &std::path::Path,
    announcements: usize,
    services: usize,
    faq_topics: usize,
    seed: u64,
) {
    let mut rng = Rng(seed);
    for sub in ["announcements", "services", "faq", "surveys", "pages"] {
        std::fs::create_dir_all(dir.join("content").join(sub)).expect("create folders");
    }
    let write = |rel: String, text: String| std::fs::write(dir.join(rel), text).expect("write");
    write(
        "portico.toml".into(),
        "title = \"Generated IT\"\nbase_url = \"https://it.example.com/\"\ntime_zone = \"Europe/Amsterdam\"\nnow = \"2030-01-01T09:00:00+01:00\"\npaginate = 10\n".into(),
    );
    write(
        "content/_index.md".into(),
        format!(
            "+++\ntitle = \"Generated IT\"\n+++\n\n{}\n",
            paragraph(&mut rng)
        ),
    );
    for i in 0..services {
        let lifecycle = rng.pick(&["live", "live", "live", "beta", "legacy", "retiring"]);
        let replaced = if lifecycle == "legacy" && i > 0 {
            format!("replaced_by = \"service-{}\"\n", rng.below(i))
        } else {
            String::new()
        };
        write(
            format!("content/services/service-{i}.md"),
            format!(
                "+++\ntitle = \"Service {i}\"\nsummary = \"{}\"\ncategory = \"{}\"\nlifecycle = \"{lifecycle}\"\ndelivery = \"{}\"\nowner = \"Team {}\"\ncontact = \"team{}@example.com\"\n{replaced}tags = [\"{}\"]\n\n[cost]\namount = {}.{:02}\ncurrency = \"EUR\"\nper = \"user per month\"\n\n[sla]\navailability = \"99.9%\"\n+++\n\n{}\n",
                sentence(&mut rng, 8),
                rng.pick(CATEGORIES),
                rng.pick(&["cloud", "on-premises", "hybrid", "saas"]),
                rng.below(10),
                rng.below(10),
                rng.pick(TAGS),
                rng.below(20),
                rng.below(100),
                body(&mut rng, services, announcements.max(1)),
            ),
        );
    }
    for i in 0..announcements {
        let kind = rng.pick(KINDS);
        // Spread over the seven years before `now`.
        let day = 2023 * 366 + (i * 7 * 365 / announcements.max(1));
        let (y, doy) = (day / 366, day % 366);
        let date = format!("{y}-{:02}-{:02}", 1 + doy / 31 % 12, 1 + doy % 28);
        let mut front = format!(
            "+++\ntitle = \"{}\"\ndate = {date}\nkind = \"{kind}\"\nservices = [\"service-{}\"]\ntags = [\"{}\", \"{}\"]\n",
            sentence(&mut rng, 6).trim_end_matches('.'),
            rng.below(services),
            rng.pick(TAGS),
            rng.pick(TAGS)
        );
        if kind == "maintenance" || kind == "outage" {
            let _ = write!(
                front,
                "\n[window]\nstart = {date}T20:00:00+01:00\nend = {date}T23:00:00+01:00\nimpact = \"{}\"\n",
                rng.pick(&["none", "minor", "major", "critical"])
            );
        }
        front.push_str("+++\n\n");
        front.push_str(&body(&mut rng, services, announcements));
        write(format!("content/announcements/a{i:05}.md"), front);
    }
    for i in 0..faq_topics {
        let mut text = format!(
            "+++\ntitle = \"Topic {i}\"\nservices = [\"service-{}\"]\n+++\n\n",
            rng.below(services)
        );
        for q in 0..10 {
            let _ = write!(
                text,
                "## Question {q}: {}?\n\n{}\n\n",
                sentence(&mut rng, 5).trim_end_matches('.'),
                paragraph(&mut rng)
            );
        }
        write(format!("content/faq/topic-{i}.md"), text);
    }
    write(
        "content/surveys/feedback.md".into(),
        "+++\ntitle = \"Feedback\"\n\n[[questions]]\nid = \"overall\"\ntype = \"rating\"\nlabel = \"How are we doing?\"\n\n[[questions]]\nid = \"comments\"\ntype = \"longtext\"\nlabel = \"Anything else?\"\n+++\n\nTell us.\n".into(),
    );
    write(
        "content/pages/about.md".into(),
        format!(
            "+++\ntitle = \"About\"\nmenu = 1\n+++\n\n{}\n",
            paragraph(&mut rng)
        ),
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_portal_goes_only_into_a_new_or_empty_folder() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("portal");
        assert_eq!(
            super::new_or_empty(&target),
            Ok(()),
            "a folder not there yet"
        );
        std::fs::create_dir(&target).unwrap();
        assert_eq!(super::new_or_empty(&target), Ok(()), "an empty folder");
        super::generate(&target, 3, 2, 1, 7);
        let err = super::new_or_empty(&target).unwrap_err();
        assert!(
            err.contains(&target.display().to_string()) && err.contains("not empty"),
            "{err}"
        );
    }
}
