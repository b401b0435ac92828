//! Matcher throughput: events per second for 1, 100, 1,000 and 10,000 rules of mixed
//! operators over realistic events, and per operator against the `quamina` crate.
//!
//! Run: `cargo bench -p tocsin-pattern --bench matcher`. Results: `docs/benchmarks.md`.
//!
//! Each iteration matches all four sample events (CloudWatch alarm, EC2 state change,
//! Security Hub findings, GuardDuty finding), so events/s = 4 / time per iteration.

#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tocsin_pattern::{Matcher, Pattern};

/// The events: (name, JSON text).
fn events() -> Vec<(&'static str, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/events");
    [
        "cloudwatch-alarm-state-change-single-metric.json",
        "ec2-instance-state-change.json",
        "securityhub-findings-imported.json",
        "guardduty-finding.json",
    ]
    .into_iter()
    .map(|name| {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        // compact, as events arrive on the wire
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        (name, v.to_string())
    })
    .collect()
}

/// Per event type: its `source`, a string field (path, value), a numeric field (path,
/// value) and, for GuardDuty, an IP field.
struct Shape {
    source: &'static str,
    string: (&'static [&'static str], &'static str),
    number: (&'static [&'static str], f64),
    ip: Option<(&'static [&'static str], &'static str)>,
}

const SHAPES: [Shape; 4] = [
    Shape {
        source: "aws.cloudwatch",
        string: (&["detail", "alarmName"], "ServerCpuTooHigh"),
        number: (
            &["detail", "configuration", "metrics", "metricStat", "period"],
            300.0,
        ),
        ip: None,
    },
    Shape {
        source: "aws.ec2",
        string: (&["detail", "instance-id"], "i-1234567890abcdef0"),
        number: (
            &["detail", "configuration", "metrics", "metricStat", "period"],
            300.0,
        ),
        ip: None,
    },
    Shape {
        source: "aws.securityhub",
        string: (
            &["detail", "findings", "Title"],
            "CloudTrail.2 CloudTrail should have encryption at-rest enabled",
        ),
        number: (&["detail", "findings", "Severity", "Normalized"], 40.0),
        ip: None,
    },
    Shape {
        source: "aws.guardduty",
        string: (&["detail", "type"], "UnauthorizedAccess:EC2/SSHBruteForce"),
        number: (&["detail", "severity"], 2.0),
        ip: Some((
            &[
                "detail",
                "service",
                "action",
                "networkConnectionAction",
                "remoteIpDetails",
                "ipAddressV4",
            ],
            "203.0.113.25",
        )),
    },
];

const OPERATORS: [&str; 9] = [
    "exact",
    "prefix",
    "suffix",
    "equals-ignore-case",
    "wildcard",
    "anything-but",
    "numeric",
    "exists",
    "cidr",
];

/// `{"a": {"b": <leaf>}}` for path `["a", "b"]`.
fn nest(path: &[&str], leaf: serde_json::Value) -> serde_json::Value {
    path.iter()
        .rev()
        .fold(leaf, |inner, key| serde_json::json!({ *key: inner }))
}

fn merge(a: &mut serde_json::Value, b: serde_json::Value) {
    match (a, b) {
        (serde_json::Value::Object(a), serde_json::Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (a, b) => *a = b,
    }
}

/// Rule `i` using `op`: one operator condition on a field of event type `i % 4`, with an
/// operand varied by `i` so that only rules 0, 10, ..., 90 match. With `with_source`, the
/// rule also requires the event type's `source`, as real rules do.
fn rule(op: &str, i: usize, with_source: bool) -> String {
    use serde_json::json;
    let shape = &SHAPES[i % 4];
    // the same 10 rules match whatever the rule count (from 100 rules on)
    let hit = i < 100 && i.is_multiple_of(10);
    let (path, value) = shape.string;
    let n = value.len();
    let cond = match op {
        "exact" => nest(
            path,
            json!([if hit {
                value.to_owned()
            } else {
                format!("{value}-{i}")
            }]),
        ),
        "prefix" => nest(
            path,
            json!([{"prefix": if hit { value[..6].to_owned() } else { format!("{}-{i}", &value[..6]) }}]),
        ),
        "suffix" => nest(
            path,
            json!([{"suffix": if hit { value[n - 6..].to_owned() } else { format!("{i}-{}", &value[n - 6..]) }}]),
        ),
        "equals-ignore-case" => nest(
            path,
            json!([{"equals-ignore-case": if hit { value.to_uppercase() } else { format!("{}-{i}", value.to_uppercase()) }}]),
        ),
        "wildcard" => nest(
            path,
            json!([{"wildcard": if hit { format!("{}*{}", &value[..3], &value[n - 3..]) } else { format!("{}*{i}*{}", &value[..3], &value[n - 3..]) }}]),
        ),
        "anything-but" => nest(
            path,
            json!([{"anything-but": if hit { vec![format!("{value}-{i}")] } else { vec![value.to_owned(), format!("{value}-{i}")] }}]),
        ),
        "numeric" => {
            let (npath, v) = shape.number;
            let lo = if hit { v - 1.0 } else { v + 1.0 + i as f64 };
            nest(npath, json!([{"numeric": [">=", lo, "<", lo + 10.0]}]))
        }
        "exists" => {
            if hit {
                nest(path, json!([{"exists": true}]))
            } else {
                nest(
                    &["detail", &format!("field{}", i % 64)],
                    json!([{"exists": true}]),
                )
            }
        }
        "cidr" => {
            let (ipath, ip) = SHAPES[3].ip.unwrap_or((path, value));
            let block = if hit {
                format!("{}.0/24", ip.rsplit_once('.').map_or(ip, |x| x.0))
            } else {
                format!("10.{}.{}.0/24", (i / 256) % 256, i % 256)
            };
            nest(ipath, json!([{"cidr": block}]))
        }
        other => panic!("unknown operator {other}"),
    };
    let mut pattern = cond;
    if with_source {
        let source = if op == "cidr" {
            SHAPES[3].source
        } else {
            shape.source
        };
        merge(&mut pattern, json!({"source": [source]}));
    }
    pattern.to_string()
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(700))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
}

fn bench_scaling(c: &mut Criterion) {
    let events = events();
    let parsed: Vec<serde_json::Value> = events
        .iter()
        .map(|(_, t)| serde_json::from_str(t).unwrap())
        .collect();
    let mut group = c.benchmark_group("mixed");
    group.throughput(Throughput::Elements(events.len() as u64));
    for count in [1usize, 100, 1_000, 10_000] {
        let rules: Vec<(usize, Pattern)> = (0..count)
            .map(|i| {
                let op = OPERATORS[(i / 4) % OPERATORS.len()];
                (i, Pattern::parse(&rule(op, i, true)).unwrap())
            })
            .collect();
        let matcher = Matcher::new(rules);
        let hits: usize = parsed.iter().map(|e| matcher.matching_rules(e).len()).sum();
        eprintln!("mixed/{count}: {hits} matches over {} events", events.len());
        group.bench_function(format!("value/{count}"), |b| {
            b.iter(|| {
                for e in &parsed {
                    black_box(matcher.matching_rules(black_box(e)));
                }
            })
        });
        group.bench_function(format!("text/{count}"), |b| {
            b.iter(|| {
                for (_, t) in &events {
                    black_box(matcher.matching_rules_str(black_box(t)).unwrap());
                }
            })
        });
    }
    group.finish();
}

fn bench_vs_quamina(c: &mut Criterion) {
    let events = events();
    let mut group = c.benchmark_group("operator");
    group.throughput(Throughput::Elements(events.len() as u64));
    for op in OPERATORS {
        let texts: Vec<String> = (0..100).map(|i| rule(op, i, false)).collect();
        let matcher = Matcher::new(
            texts
                .iter()
                .enumerate()
                .map(|(i, t)| (i, Pattern::parse(t).unwrap())),
        );
        // quamina compiles `cidr` into a byte automaton; 100 blocks need more than its
        // default 10 MB arena.
        let mut q = quamina::QuaminaBuilder::<usize>::new()
            .with_arena_byte_budget(1 << 30)
            .build()
            .unwrap();
        let mut supported = true;
        for (i, t) in texts.iter().enumerate() {
            if let Err(e) = q.add_pattern(i, t) {
                eprintln!("quamina rejects {op} pattern {t}: {e:?}");
                supported = false;
                break;
            }
        }
        for (name, t) in &events {
            let mut ours = matcher.matching_rules_str(t).unwrap();
            ours.sort_unstable();
            if supported {
                let mut theirs = q.matches_for_event(t.as_bytes()).unwrap();
                theirs.sort_unstable();
                if ours != theirs {
                    eprintln!("{op}/{name}: tocsin {ours:?} != quamina {theirs:?}");
                }
            }
        }
        group.bench_function(format!("{op}/tocsin"), |b| {
            b.iter(|| {
                for (_, t) in &events {
                    black_box(matcher.matching_rules_str(black_box(t)).unwrap());
                }
            })
        });
        if supported {
            group.bench_function(format!("{op}/quamina"), |b| {
                b.iter(|| {
                    for (_, t) in &events {
                        black_box(q.matches_for_event(black_box(t.as_bytes())).unwrap());
                    }
                })
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_scaling, bench_vs_quamina
}
criterion_main!(benches);
