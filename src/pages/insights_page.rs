//! Insights: how incidents went over the last days, as charts the app draws in SVG.

use gloo_timers::callback::Interval;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use send_wrapper::SendWrapper;
use tocsin_api::impact::Impact;
use tocsin_api::insights::{Durations, Insights};

use crate::charts::{bar_len, percent, stacked_days};
use crate::components::error_note::ErrorNote;
use crate::components::nav_bar::use_kiosk;
use crate::format::{impact_class, metric_duration};
use crate::use_api;

/// How often the page reads the insights again, ms (it also serves as a wall board).
const REFRESH_MS: u32 = 60_000;

/// Periods offered, days.
const PERIODS: [(u32, &str); 4] = [
    (7, "7 days"),
    (14, "14 days"),
    (30, "30 days"),
    (90, "90 days"),
];

/// Plot size of the per-day chart, SVG units.
const PLOT_W: f64 = 900.0;
const PLOT_H: f64 = 220.0;
/// Room for the axis labels.
const AXIS_L: f64 = 40.0;
const AXIS_B: f64 = 24.0;
/// Width of the horizontal bars, SVG units.
const BAR_W: f64 = 320.0;

/// `/insights` (`?days=7|14|30|90`, `?plan=ARN`, `?kiosk=1` for a wall): from
/// `GET /v1/insights`, read again every minute — the totals (opened, deduplicated, the
/// dedupe ratio, time to acknowledge and to resolve: median and p90), incidents opened
/// per day by impact (`svg#chart-per-day`, stacked, critical at the bottom, each impact
/// named in the legend and in every bar's tooltip, the numbers in a table beside it),
/// response times per plan (`#plan-times`), and the noisiest plans (`#noisy-plans`) and
/// triggers (`#noisy-triggers`) as bars of what they fired.
#[component]
pub fn InsightsPage() -> impl IntoView {
    let api = use_api();
    let kiosk = use_kiosk();
    let query = use_query_map();
    let days = RwSignal::new(
        query
            .with_untracked(|q| q.get("days").and_then(|d| d.parse::<u32>().ok()))
            .filter(|d| PERIODS.iter().any(|(p, _)| p == d))
            .unwrap_or(30),
    );
    let plan = RwSignal::new(query.with_untracked(|q| q.get("plan")).unwrap_or_default());
    let tick = RwSignal::new(0u32);
    let refresh = SendWrapper::new(Interval::new(REFRESH_MS, move || {
        tick.try_update(|t| *t += 1);
    }));
    on_cleanup(move || drop(refresh));
    let insights_api = api.clone();
    let insights = LocalResource::new(move || {
        let api = insights_api.clone();
        let (d, p) = (days.get(), plan.get());
        tick.track();
        async move { api.insights(d, Some(&p)).await.map_err(|e| e.to_string()) }
    });
    // The last answer that loaded (kept through a failed reload).
    let shown = Memo::new(
        move |prev: Option<&Option<Insights>>| match insights.get() {
            Some(Ok(i)) => Some(i),
            _ => prev.cloned().flatten(),
        },
    );
    let error = Memo::new(move |_| insights.get().and_then(Result::err));
    let plans_api = api.clone();
    let plans = LocalResource::new(move || {
        let api = plans_api.clone();
        async move { api.all_response_plans().await.unwrap_or_default() }
    });

    view! {
        <section class="page insights-page" class:kiosk-board=move || kiosk.get()>
            <div class="page-head">
                <h1>"Insights"</h1>
                <Show when=move || !kiosk.get()>
                    <label for="insights-days">"Period "</label>
                    <select
                        id="insights-days"
                        prop:value=move || days.get().to_string()
                        on:change=move |ev| {
                            if let Ok(d) = event_target_value(&ev).parse() {
                                days.set(d);
                            }
                        }
                    >
                        {PERIODS
                            .iter()
                            .map(|(d, label)| view! { <option value=d.to_string()>{*label}</option> })
                            .collect_view()}
                    </select>
                    <label for="insights-plan">" Response plan "</label>
                    <select
                        id="insights-plan"
                        prop:value=move || plan.get()
                        on:change=move |ev| plan.set(event_target_value(&ev))
                    >
                        <option value="">"Every plan"</option>
                        {move || {
                            plans
                                .get()
                                .unwrap_or_default()
                                .into_iter()
                                .map(|p| {
                                    let label = p.label().to_owned();
                                    view! { <option value=p.arn>{label}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                </Show>
            </div>
            {move || error.get().map(|m| view! { <ErrorNote id="insights-error" message=m /> })}
            {move || match shown.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(i) => view! { <InsightsView insights=i /> }.into_any(),
            }}
        </section>
    }
}

/// "4m 12s · p90 9m 03s", or "—" without samples.
fn median_p90(d: &Durations) -> String {
    match d.median {
        None => "—".to_owned(),
        Some(m) => format!(
            "{} · p90 {}",
            metric_duration(Some(m)),
            metric_duration(d.p90)
        ),
    }
}

#[component]
fn InsightsView(insights: Insights) -> impl IntoView {
    let (segments, max) = stacked_days(&insights.per_day, PLOT_W, PLOT_H);
    let first_day = insights
        .per_day
        .first()
        .map(|d| d.day.clone())
        .unwrap_or_default();
    let last_day = insights
        .per_day
        .last()
        .map(|d| d.day.clone())
        .unwrap_or_default();
    let view_box = format!("0 0 {} {}", PLOT_W + AXIS_L, PLOT_H + AXIS_B);
    let chart_label = format!(
        "Incidents opened per day by impact, {first_day} to {last_day}: {} in all",
        insights.opened
    );
    let longest_tta = insights
        .plans
        .iter()
        .filter_map(|p| p.time_to_acknowledge.p90)
        .fold(0.0f64, f64::max);
    let longest_ttr = insights
        .plans
        .iter()
        .filter_map(|p| p.time_to_resolve.p90)
        .fold(0.0f64, f64::max);
    let noisiest_plan = insights
        .plans
        .iter()
        .map(|p| p.opened + p.deduplicated)
        .max()
        .unwrap_or(0) as f64;
    let noisiest_trigger = insights
        .triggers
        .iter()
        .map(|t| t.fired())
        .max()
        .unwrap_or(0) as f64;
    view! {
        <dl class="insight-totals" id="insights-totals">
            <div><dt>"Opened"</dt><dd id="insights-opened">{insights.opened}</dd></div>
            <div><dt>"Deduplicated triggers"</dt><dd id="insights-deduplicated">{insights.deduplicated}</dd></div>
            <div><dt>"Dedupe ratio"</dt><dd id="insights-dedupe-ratio">{percent(insights.dedupe_ratio)}</dd></div>
            <div><dt>"Time to acknowledge"</dt><dd id="insights-tta">{median_p90(&insights.time_to_acknowledge)}</dd></div>
            <div><dt>"Time to resolve"</dt><dd id="insights-ttr">{median_p90(&insights.time_to_resolve)}</dd></div>
        </dl>

        <section class="insight-section" aria-labelledby="per-day-title">
            <h2 id="per-day-title">"Opened per day"</h2>
            <ul class="chart-legend" aria-label="Impacts">
                {Impact::ALL
                    .iter()
                    .map(|i| {
                        view! {
                            <li>
                                <svg class="swatch" viewBox="0 0 10 10" aria-hidden="true">
                                    <rect class=impact_class(i.get()) width="10" height="10" />
                                </svg>
                                {i.to_string()}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <svg class="chart" id="chart-per-day" viewBox=view_box role="img" aria-label=chart_label>
                <line class="axis" x1=AXIS_L y1="0" x2=AXIS_L y2=PLOT_H />
                <line class="axis" x1=AXIS_L y1=PLOT_H x2=AXIS_L + PLOT_W y2=PLOT_H />
                <text class="tick" x=AXIS_L - 6.0 y="12" text-anchor="end">{max}</text>
                <text class="tick" x=AXIS_L - 6.0 y=PLOT_H text-anchor="end">"0"</text>
                <text class="tick" x=AXIS_L y=PLOT_H + 18.0>{first_day}</text>
                <text class="tick" x=AXIS_L + PLOT_W y=PLOT_H + 18.0 text-anchor="end">{last_day}</text>
                {segments
                    .into_iter()
                    .map(|s| {
                        let label = format!(
                            "{}: {} {} (impact {})",
                            s.day,
                            s.count,
                            Impact::clamped(s.impact).label(),
                            s.impact
                        );
                        view! {
                            <rect
                                class=format!("bar {}", impact_class(s.impact))
                                x=AXIS_L + s.x
                                y=s.y
                                width=s.w
                                height=s.h
                                data-day=s.day
                                data-impact=s.impact
                                data-count=s.count
                            >
                                <title>{label}</title>
                            </rect>
                        }
                    })
                    .collect_view()}
            </svg>
            <details class="chart-data">
                <summary>"The numbers"</summary>
                <table class="list" id="per-day-table">
                    <thead>
                        <tr>
                            <th>"Day"</th>
                            {Impact::ALL.iter().map(|i| view! { <th>{i.label()}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {insights
                            .per_day
                            .iter()
                            .rev()
                            .filter(|d| d.by_impact.iter().any(|&n| n > 0))
                            .map(|d| {
                                view! {
                                    <tr>
                                        <td>{d.day.clone()}</td>
                                        {d.by_impact.iter().map(|n| view! { <td>{*n}</td> }).collect_view()}
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </details>
        </section>

        <section class="insight-section" aria-labelledby="times-title">
            <h2 id="times-title">"Response times per plan"</h2>
            <p class="hint">"Bars: the median; the mark: the 90th percentile."</p>
            <table class="list" id="plan-times">
                <thead>
                    <tr>
                        <th>"Response plan"</th>
                        <th>"Opened"</th>
                        <th>"Time to acknowledge"</th>
                        <th>"Time to resolve"</th>
                    </tr>
                </thead>
                <tbody>
                    {insights
                        .plans
                        .iter()
                        .map(|p| {
                            view! {
                                <tr data-plan=p.response_plan_arn.clone()>
                                    <td class="plan-name">{p.name.clone()}</td>
                                    <td class="plan-opened">{p.opened}</td>
                                    <td class="plan-tta">
                                        <DurationBar d=p.time_to_acknowledge max=longest_tta />
                                    </td>
                                    <td class="plan-ttr">
                                        <DurationBar d=p.time_to_resolve max=longest_ttr />
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>

        <div class="insight-pair">
            <section class="insight-section" aria-labelledby="noisy-plans-title">
                <h2 id="noisy-plans-title">"Noisiest plans"</h2>
                <ol class="noisy" id="noisy-plans">
                    {insights
                        .plans
                        .iter()
                        .take(10)
                        .map(|p| view! {
                            <NoisyBar
                                name=p.name.clone()
                                opened=p.opened
                                deduplicated=p.deduplicated
                                max=noisiest_plan
                            />
                        })
                        .collect_view()}
                </ol>
            </section>
            <section class="insight-section" aria-labelledby="noisy-triggers-title">
                <h2 id="noisy-triggers-title">"Noisiest rules and sources"</h2>
                <ol class="noisy" id="noisy-triggers">
                    {insights
                        .triggers
                        .iter()
                        .map(|t| view! {
                            <NoisyBar
                                name=crate::format::arn_last_segment(&t.trigger).to_owned()
                                opened=t.opened
                                deduplicated=t.deduplicated
                                max=noisiest_trigger
                            />
                        })
                        .collect_view()}
                </ol>
            </section>
        </div>
    }
}

/// A median bar with a p90 mark, and the two in words.
#[component]
fn DurationBar(d: Durations, max: f64) -> impl IntoView {
    let median = bar_len(d.median.unwrap_or(0.0), max, BAR_W);
    let p90 = bar_len(d.p90.unwrap_or(0.0), max, BAR_W);
    view! {
        <span class="duration">
            <svg class="hbar" viewBox=format!("0 0 {BAR_W} 14") aria-hidden="true">
                <rect class="median" x="0" y="2" width=median height="10" />
                {d.p90.map(|_| view! { <line class="p90" x1=p90 y1="0" x2=p90 y2="14" /> })}
            </svg>
            <span class="duration-text">{median_p90(&d)}</span>
        </span>
    }
}

/// One of the noisiest: its name, a bar of what it fired, and the numbers.
#[component]
fn NoisyBar(name: String, opened: u64, deduplicated: u64, max: f64) -> impl IntoView {
    let fired = opened + deduplicated;
    let opened_w = bar_len(opened as f64, max, BAR_W);
    let dedup_w = bar_len(deduplicated as f64, max, BAR_W);
    view! {
        <li>
            <span class="noisy-name" title=name.clone()>{name.clone()}</span>
            <svg class="hbar" viewBox=format!("0 0 {BAR_W} 14") aria-hidden="true">
                <rect class="opened" x="0" y="2" width=opened_w height="10" />
                <rect class="deduplicated" x=opened_w y="2" width=dedup_w height="10" />
            </svg>
            <span class="noisy-count">
                {format!("{fired} fired: {opened} opened, {deduplicated} deduplicated")}
            </span>
        </li>
    }
}
