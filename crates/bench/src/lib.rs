//! What the benchmark binaries share: the HTTP load driver, and the calibration that measures,
//! in the same run and on the same machine, the limits each figure is judged against.

// A benchmark library: a failed setup should abort loudly rather than be reported as a
// measurement.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod calibrate;
pub mod support_sim;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Reads a benchmark's `--flag value` arguments, giving each to `on_flag` (which refuses a flag
/// it does not know); `Ok(false)` when `--help` or `-h` asks for the usage instead.
pub fn read_flags(
    mut it: impl Iterator<Item = String>,
    mut on_flag: impl FnMut(&str, String) -> Result<(), String>,
) -> Result<bool, String> {
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            return Ok(false);
        }
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        on_flag(&flag, value)?;
    }
    Ok(true)
}

/// A flag's value as a whole number.
pub fn number(flag: &str, value: &str) -> Result<usize, String> {
    value
        .parse()
        .map_err(|_| format!("{flag}: not a number: {value}"))
}

/// Latencies and counts of one HTTP phase.
pub struct HttpPhase {
    /// Requests answered with the expected status.
    pub ok: usize,
    /// Requests answered otherwise or not answered at all.
    pub failed: usize,
    /// Wall time of the whole phase.
    pub elapsed: Duration,
    /// Per-request durations of the successful requests, sorted.
    pub latencies: Vec<Duration>,
    /// Up to a few example failures, for the report.
    pub failures: Vec<String>,
    /// Whether the phase stopped on its time limit before reaching its count.
    pub timed_out: bool,
}

impl HttpPhase {
    /// Report notes on failed requests and on a phase cut short by its time limit.
    pub fn notes(&self, what: &str, max_secs: u64) -> Vec<String> {
        let mut notes = Vec::new();
        if self.failed > 0 {
            notes.push(format!(
                "{} {what} failed, e.g. {:?}",
                self.failed, self.failures
            ));
        }
        if self.timed_out {
            notes.push(format!("{what} phase stopped at the {max_secs} s limit"));
        }
        notes
    }

    pub fn rate(&self) -> f64 {
        per_sec(self.ok, self.elapsed)
    }

    /// Nearest-rank percentile in milliseconds (`p` in 0..=100).
    pub fn percentile_ms(&self, p: f64) -> f64 {
        percentile(&self.latencies, p).as_secs_f64() * 1_000.0
    }
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let n = sorted.len();
    // Nearest rank: the smallest value with at least p% of values at or below it.
    let rank = ((p / 100.0) * n as f64).ceil() as usize;
    sorted[rank.clamp(1, n) - 1]
}

pub fn per_sec(n: usize, d: Duration) -> f64 {
    let s = d.as_secs_f64();
    if s > 0.0 { n as f64 / s } else { 0.0 }
}

/// Runs `count` requests with `concurrency` worker tasks pulling indices from a shared counter;
/// `send(i)` performs request `i` and returns `Ok(())` on the expected answer. Stops early at
/// `limit`.
pub async fn run_http<F, Fut>(
    count: usize,
    concurrency: usize,
    limit: Duration,
    send: F,
) -> HttpPhase
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), String>> + Send + 'static,
{
    let send = Arc::new(send);
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let deadline = start + limit;
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency.min(count) {
        let send = send.clone();
        let next = next.clone();
        workers.spawn(async move {
            let mut lat = Vec::with_capacity(count / concurrency + 1);
            let mut failed = 0usize;
            let mut failures = Vec::new();
            let mut timed_out = false;
            loop {
                if Instant::now() >= deadline {
                    timed_out = true;
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    break;
                }
                let t0 = Instant::now();
                // A single request may not outlive the phase's time limit either.
                let left = deadline.saturating_duration_since(t0);
                match tokio::time::timeout(left, send(i)).await {
                    Ok(Ok(())) => lat.push(t0.elapsed()),
                    Ok(Err(e)) => {
                        failed += 1;
                        if failures.len() < 3 {
                            failures.push(e);
                        }
                    }
                    Err(_) => {
                        failed += 1;
                        timed_out = true;
                        break;
                    }
                }
            }
            (lat, failed, failures, timed_out)
        });
    }
    let mut phase = HttpPhase {
        ok: 0,
        failed: 0,
        elapsed: Duration::ZERO,
        latencies: Vec::with_capacity(count),
        failures: Vec::new(),
        timed_out: false,
    };
    while let Some(r) = workers.join_next().await {
        let (lat, failed, failures, timed_out) = r.expect("worker task panicked");
        phase.latencies.extend(lat);
        phase.failed += failed;
        phase.timed_out |= timed_out;
        for f in failures {
            if phase.failures.len() < 5 {
                phase.failures.push(f);
            }
        }
    }
    phase.elapsed = start.elapsed();
    phase.ok = phase.latencies.len();
    phase.latencies.sort_unstable();
    phase
}
