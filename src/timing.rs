//! Phase timings for profiling: with `PORTICO_TIMINGS=1` in the
//! environment, every `phase` prints how long it took to standard error.
//! Costs one atomic load per phase otherwise.

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("PORTICO_TIMINGS").is_some_and(|v| v != "0"))
}

/// Prints its name and the time since it was made when dropped.
pub struct Phase {
    name: std::borrow::Cow<'static, str>,
    start: Instant,
}

/// Starts timing `name`, when timings are on.
pub fn phase(name: &'static str) -> Option<Phase> {
    enabled().then(|| Phase {
        name: name.into(),
        start: Instant::now(),
    })
}

/// `phase` with a name made only when timings are on.
pub fn phase_with(name: impl FnOnce() -> String) -> Option<Phase> {
    enabled().then(|| Phase {
        name: name().into(),
        start: Instant::now(),
    })
}

impl Drop for Phase {
    fn drop(&mut self) {
        eprintln!(
            "  {:>8.1} ms  {}",
            self.start.elapsed().as_secs_f64() * 1000.0,
            self.name
        );
    }
}
