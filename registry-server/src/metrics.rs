//! Prometheus metrics at `/metrics`: requests by route, method and status, a latency histogram
//! per route, registrations, and rejections by the change kind that caused them. Kept in
//! process (each replica reports its own; Prometheus sums them).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Latency bucket bounds in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Inner {
    /// Route → (method, status, count): looked up borrowed, so counting allocates nothing once
    /// a series exists.
    requests: BTreeMap<String, Vec<(String, u16, u64)>>,
    latency: BTreeMap<String, Histogram>,
    registrations: u64,
    rejections: BTreeMap<String, u64>,
}

#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

impl Metrics {
    pub fn request(&self, method: &str, route: &str, status: u16, took: Duration) {
        let Ok(mut m) = self.inner.lock() else { return };
        if !m.requests.contains_key(route) {
            m.requests.insert(route.to_string(), Vec::new());
        }
        if let Some(series) = m.requests.get_mut(route) {
            match series
                .iter_mut()
                .find(|(mm, st, _)| mm == method && *st == status)
            {
                Some((_, _, n)) => *n += 1,
                None => series.push((method.to_string(), status, 1)),
            }
        }
        if !m.latency.contains_key(route) {
            m.latency.insert(route.to_string(), Histogram::default());
        }
        let Some(h) = m.latency.get_mut(route) else {
            return;
        };
        let secs = took.as_secs_f64();
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum += secs;
    }

    pub fn registered(&self) {
        if let Ok(mut m) = self.inner.lock() {
            m.registrations += 1;
        }
    }

    /// A registration refused: one count per change kind among its reasons.
    pub fn rejected(&self, kinds: &[&str]) {
        if let Ok(mut m) = self.inner.lock() {
            for k in kinds {
                *m.rejections.entry(k.to_string()).or_default() += 1;
            }
        }
    }

    /// The Prometheus text exposition format.
    pub fn render(&self) -> String {
        let Ok(m) = self.inner.lock() else {
            return String::new();
        };
        let mut out = String::new();
        let esc = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
        out.push_str("# HELP schemagate_http_requests_total HTTP requests by method, route and status.\n# TYPE schemagate_http_requests_total counter\n");
        let mut series: Vec<(&str, &str, u16, u64)> = m
            .requests
            .iter()
            .flat_map(|(route, v)| {
                v.iter()
                    .map(move |(mm, st, n)| (mm.as_str(), route.as_str(), *st, *n))
            })
            .collect();
        series.sort();
        for (method, route, status, n) in series {
            let _ = writeln!(out, "schemagate_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}", esc(method), esc(route));
        }
        out.push_str("# HELP schemagate_http_request_duration_seconds Request latency by route.\n# TYPE schemagate_http_request_duration_seconds histogram\n");
        for (route, h) in &m.latency {
            let r = esc(route);
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(out, "schemagate_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"{b}\"}} {}", h.counts[i]);
            }
            let _ = writeln!(
                out,
                "schemagate_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "schemagate_http_request_duration_seconds_sum{{route=\"{r}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "schemagate_http_request_duration_seconds_count{{route=\"{r}\"}} {}",
                h.count
            );
        }
        out.push_str("# HELP schemagate_registrations_total Schema versions registered.\n# TYPE schemagate_registrations_total counter\n");
        let _ = writeln!(out, "schemagate_registrations_total {}", m.registrations);
        out.push_str("# HELP schemagate_rejections_total Registrations refused, by the change kind that broke compatibility.\n# TYPE schemagate_rejections_total counter\n");
        for (kind, n) in &m.rejections {
            let _ = writeln!(
                out,
                "schemagate_rejections_total{{kind=\"{}\"}} {n}",
                esc(kind)
            );
        }
        out
    }
}
