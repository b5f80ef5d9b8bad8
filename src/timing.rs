//! Phase timings for profiling: with `PORTICO_TIMINGS=1` in the
//! environment, every `phase` prints how long it took to standard error;
//! with `PORTICO_TIMINGS=2`, every `job` too (one line per page, which
//! itself slows a large build). Costs one atomic load per phase otherwise.

use std::sync::OnceLock;
use std::time::Instant;

/// The level asked for: 0 (off), 1 (phases) or 2 (phases and jobs).
fn level() -> u8 {
    static LEVEL: OnceLock<u8> = OnceLock::new();
    *LEVEL.get_or_init(|| match std::env::var("PORTICO_TIMINGS").as_deref() {
        Err(_) | Ok("" | "0") => 0,
        Ok("2") => 2,
        Ok(_) => 1,
    })
}

fn enabled() -> bool {
    level() > 0
}

/// Prints its name, the time since it was made and the CPU time the
/// process used meanwhile (all threads) when dropped.
pub struct Phase {
    name: std::borrow::Cow<'static, str>,
    start: Instant,
    cpu: f64,
}

/// Seconds of CPU time this process has used, on every thread.
fn cpu_seconds() -> f64 {
    #[cfg(target_os = "linux")]
    {
        let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
        t.tv_sec as f64 + t.tv_nsec as f64 / 1e9
    }
    #[cfg(not(target_os = "linux"))]
    {
        0.0
    }
}

/// Starts timing `name`, when timings are on.
pub fn phase(name: &'static str) -> Option<Phase> {
    enabled().then(|| Phase {
        name: name.into(),
        start: Instant::now(),
        cpu: cpu_seconds(),
    })
}

/// A job's timing, with a name made only when jobs are timed.
pub fn job(name: impl FnOnce() -> String) -> Option<Phase> {
    (level() > 1).then(|| Phase {
        name: name().into(),
        start: Instant::now(),
        cpu: cpu_seconds(),
    })
}

impl Drop for Phase {
    fn drop(&mut self) {
        eprintln!(
            "  {:>8.1} ms {:>8.1} ms CPU  {}",
            self.start.elapsed().as_secs_f64() * 1000.0,
            (cpu_seconds() - self.cpu) * 1000.0,
            self.name
        );
    }
}

/// A duration as people read it in a progress line: "840 ms", "1.52 s",
/// "2 min 05 s".
pub fn took(d: std::time::Duration) -> String {
    let s = d.as_secs_f64();
    if s < 1.0 {
        format!("{} ms", d.as_millis())
    } else if s < 60.0 {
        format!("{s:.2} s")
    } else {
        let whole = d.as_secs();
        format!("{} min {:02} s", whole / 60, whole % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::took;
    use std::time::Duration;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(took(Duration::from_micros(840_400)), "840 ms");
        assert_eq!(took(Duration::from_millis(3)), "3 ms");
        assert_eq!(took(Duration::from_millis(1_518)), "1.52 s");
        assert_eq!(took(Duration::from_secs(125)), "2 min 05 s");
    }
}
