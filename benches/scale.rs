//! Scale of the core, natively: the functions behind `validateCart`, the
//! order-discount split, `taxRequest`, `applyTax` and `cartKey`, and all of
//! them on one cart, at 10, 100, 1,000 and 10,000 lines.
//!
//!   cargo bench --bench scale
//!
//! Each step starts where its JS export starts once the cart is JSON text
//! (the export's own `JSON.stringify` / `JSON.parse` are not native work).
//! Carts past the 1,000-line cap are validated with
//! `check_with_max_lines`: the same checks with the cap moved.
//!
//! The typed steps do the same work on values already read (no JSON text
//! in or out): what a Rust caller of the rlib pays.
//!
//! After criterion's own report, prints a table of medians, each step's
//! growth ratio (time per line at 10,000 lines over time per line at 100;
//! 1.0 is linear) and the 5 ms goal for a 10,000-line cart.
//!
//! Native only: criterion is not built for wasm32 (where clippy also
//! checks every target), so there this is an empty program.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput};
use edgetax::estimate::apply_tax;
use edgetax::key::cart_key;
use edgetax::model::{parse_body, TaxResponse};
use edgetax::request::{tax_request, RequestOptions};
use edgetax::split::line_discounts;
use edgetax::validate::{check_with_max_lines, ValidCart};
use edgetax::Cart;
use serde_json::json;

const SIZES: [usize; 4] = [10, 100, 1_000, 10_000];
const GROUP: &str = "scale";
/// The goal of issue #9 for a 10,000-line cart, all steps, in ms.
const GOAL_MS: f64 = 5.0;

/// The steps, as named in the table (and in criterion's ids).
const STEPS: [&str; 11] = [
    "validateCart",
    "split proportional",
    "split even",
    "taxRequest",
    "applyTax",
    "cartKey",
    "pipeline",
    "validate typed",
    "taxRequest typed",
    "applyTax typed",
    "pipeline typed",
];

/// A checkout-like cart of `n` lines: full addresses, shipping, an order
/// discount, some clothing lines, some line discounts, descriptions. Ids
/// are unique and out of order, so the sorts by id do real work.
fn cart_text(n: usize, split: &str) -> String {
    let lines: Vec<_> = (0..n)
        .map(|i| {
            let mut line = json!({
                "id": format!("sku-{:05}", (i * 7919) % n),
                "quantity": i % 3 + 1,
                "unit_price": format!("{}.99", 4 + i % 50),
                "description": format!("Item {i}"),
            });
            if i % 4 == 0 {
                line["product_tax_code"] = json!("20010");
            }
            if i % 5 == 0 {
                line["discount"] = json!(1.25);
            }
            line
        })
        .collect();
    json!({
        "from_country": "US", "from_zip": "92093", "from_state": "CA",
        "from_city": "La Jolla", "from_street": "9500 Gilman Drive",
        "to_country": "US", "to_zip": "90002", "to_state": "CA",
        "to_city": "Los Angeles", "to_street": "1335 E 103rd St",
        "shipping": 7.99,
        "order_discount": n as f64 * 0.5,
        "discount_split": split,
        "line_items": lines,
    })
    .to_string()
}

fn valid(text: &str) -> ValidCart {
    let cart = Cart::from_json(text).expect("cart JSON");
    check_with_max_lines(&cart, usize::MAX).expect("a valid cart")
}

/// TaxJar's answer for `cart` with a breakdown per line (as TaxJar sends
/// for line-item requests), its total one cent above the sum of the lines,
/// so reconciling has a cent to move.
fn answer_text(cart: &ValidCart) -> String {
    let body = serde_json::to_value(tax_request(cart, &RequestOptions::default())).unwrap();
    let rate = 0.095;
    let mut lines = Vec::new();
    let mut taxable_sum = 0.0;
    let mut tax_sum = 0.0;
    for line in body["line_items"].as_array().unwrap() {
        let price = line["unit_price"].as_f64().unwrap();
        let quantity = line["quantity"].as_f64().unwrap();
        let taxable = price * quantity - line["discount"].as_f64().unwrap();
        let tax = (taxable * rate * 100.0).round() / 100.0;
        taxable_sum += taxable;
        tax_sum += tax;
        lines.push(json!({
            "id": line["id"], "taxable_amount": taxable, "tax_collectable": tax,
            "combined_tax_rate": rate,
            "state_taxable_amount": taxable, "state_sales_tax_rate": 0.0625,
            "state_amount": (taxable * 0.0625 * 100.0).round() / 100.0,
            "county_taxable_amount": taxable, "county_tax_rate": 0.01,
            "county_amount": (taxable * 0.01 * 100.0).round() / 100.0,
            "city_taxable_amount": 0, "city_tax_rate": 0, "city_amount": 0,
            "special_district_taxable_amount": taxable, "special_tax_rate": 0.0225,
            "special_district_amount": (taxable * 0.0225 * 100.0).round() / 100.0,
        }));
    }
    let total = ((tax_sum + 0.01) * 100.0).round() / 100.0;
    json!({"tax": {
        "order_total_amount": taxable_sum + 7.99, "shipping": 7.99,
        "taxable_amount": taxable_sum, "amount_to_collect": total, "rate": rate,
        "has_nexus": true, "freight_taxable": false, "tax_source": "destination",
        "jurisdictions": {"country": "US", "state": "CA", "county": "LOS ANGELES", "city": "LOS ANGELES"},
        "breakdown": {"taxable_amount": taxable_sum, "tax_collectable": total,
            "combined_tax_rate": rate, "line_items": lines},
    }})
    .to_string()
}

/// The work behind `applyTax` given the answer's text.
fn apply(cart: &ValidCart, answer: &str) -> String {
    let response: TaxResponse = parse_body(200, answer).expect("answer parses");
    serde_json::to_string(&apply_tax(cart, &response)).unwrap()
}

fn request_text(cart: &ValidCart) -> String {
    let options = RequestOptions {
        plugin: Some("edgetax".into()),
    };
    serde_json::to_string(&tax_request(cart, &options)).unwrap()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group(GROUP);
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    for n in SIZES {
        let text = cart_text(n, "proportional");
        let even_text = cart_text(n, "even");
        // Never used by a step itself: each step times a copy of these, as
        // they come from validation (see `fresh` below).
        let cart = valid(&text);
        let even_cart = valid(&even_text);
        let answer = answer_text(&valid(&text));
        group.throughput(Throughput::Elements(n as u64));
        let id = |step: &str| BenchmarkId::new(step, n);
        group.bench_function(id(STEPS[0]), |b| {
            b.iter(|| {
                let cart = Cart::from_json(black_box(&text)).unwrap();
                check_with_max_lines(&cart, usize::MAX).is_ok()
            })
        });
        // A valid cart keeps its line order, discounts and key once derived
        // (`ValidCart::lines_by_id`), so every step gets a cart fresh from
        // validation, never one an earlier iteration warmed (the copy is
        // made outside the timing).
        let fresh = |c: &ValidCart| {
            let c = c.clone();
            move || c.clone()
        };
        let batch = BatchSize::LargeInput;
        group.bench_function(id(STEPS[1]), |b| {
            b.iter_batched(fresh(&cart), |c| line_discounts(&c), batch)
        });
        group.bench_function(id(STEPS[2]), |b| {
            b.iter_batched(fresh(&even_cart), |c| line_discounts(&c), batch)
        });
        group.bench_function(id(STEPS[3]), |b| {
            b.iter_batched(fresh(&cart), |c| request_text(&c), batch)
        });
        group.bench_function(id(STEPS[4]), |b| {
            b.iter_batched(fresh(&cart), |c| apply(&c, black_box(&answer)), batch)
        });
        group.bench_function(id(STEPS[5]), |b| {
            b.iter_batched(fresh(&cart), |c| cart_key(&c), batch)
        });
        // One cart end to end: read and validate, split, the request body,
        // the key, and TaxJar's answer applied.
        group.bench_function(id(STEPS[6]), |b| {
            b.iter(|| {
                let cart = valid(black_box(&text));
                let discounts = line_discounts(&cart);
                let body = request_text(&cart);
                let key = cart_key(&cart);
                let estimate = apply(&cart, black_box(&answer));
                (discounts.len(), body.len(), key, estimate.len())
            })
        });
        // The same steps on values already read, with no JSON text in or
        // out: what a Rust caller of the rlib pays.
        let parsed = Cart::from_json(&text).unwrap();
        let response: TaxResponse = parse_body(200, &answer).unwrap();
        let plain = RequestOptions::default();
        group.bench_function(id(STEPS[7]), |b| {
            b.iter(|| check_with_max_lines(black_box(&parsed), usize::MAX).is_ok())
        });
        group.bench_function(id(STEPS[8]), |b| {
            b.iter_batched(fresh(&cart), |c| tax_request(&c, &plain), batch)
        });
        group.bench_function(id(STEPS[9]), |b| {
            b.iter_batched(fresh(&cart), |c| apply_tax(&c, black_box(&response)), batch)
        });
        group.bench_function(id(STEPS[10]), |b| {
            b.iter(|| {
                let cart = check_with_max_lines(black_box(&parsed), usize::MAX).unwrap();
                let discounts = line_discounts(&cart);
                let body = tax_request(&cart, &plain);
                let key = cart_key(&cart);
                let estimate = apply_tax(&cart, black_box(&response));
                (discounts.len(), body, key, estimate)
            })
        });
    }
    group.finish();
}

/// Where criterion writes its results (given to it, so the summary reads
/// the same folder).
fn criterion_dir() -> PathBuf {
    std::env::var_os("CRITERION_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("CARGO_TARGET_DIR").map(|t| Path::new(&t).join("criterion")))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/criterion"))
}

/// The median of one benchmark in ns, if it ran in this process.
fn median_ns(dir: &Path, step: &str, n: usize, since: SystemTime) -> Option<f64> {
    // The step names hold no character criterion would replace in a path.
    let file = dir
        .join(GROUP)
        .join(step)
        .join(n.to_string())
        .join("new/estimates.json");
    let modified = std::fs::metadata(&file).ok()?.modified().ok()?;
    if modified < since {
        return None;
    }
    let estimates: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).ok()?).ok()?;
    estimates["median"]["point_estimate"].as_f64()
}

fn time(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.1} µs", ns / 1e3)
    }
}

fn summary(dir: &Path, since: SystemTime) {
    println!("\nscale summary (medians; growth = time per line at 10,000 / at 100, 1.00 = linear)");
    println!(
        "| step | {} | ns/line at 10,000 | growth |",
        SIZES.map(|n| format!("{n} lines")).join(" | ")
    );
    println!("| --- |{}", " --- |".repeat(SIZES.len() + 2));
    for step in STEPS {
        let medians = SIZES.map(|n| median_ns(dir, step, n, since));
        if medians.iter().all(Option::is_none) {
            continue;
        }
        let cells = medians.map(|m| m.map_or("—".into(), time)).join(" | ");
        let per_line = medians[3].map_or("—".into(), |m| format!("{:.0}", m / 10_000.0));
        let growth = match (medians[1], medians[3]) {
            (Some(a), Some(b)) => format!("{:.2}", (b / 10_000.0) / (a / 100.0)),
            _ => "—".into(),
        };
        println!("| {step} | {cells} | {per_line} | {growth} |");
    }
    for (step, what) in [
        ("pipeline", "from JSON text"),
        ("pipeline typed", "on values already read"),
    ] {
        if let Some(ns) = median_ns(dir, step, 10_000, since) {
            let ms = ns / 1e6;
            let verdict = if ms <= GOAL_MS { "met" } else { "MISSED" };
            println!("10,000-line cart, full pipeline {what}: {ms:.2} ms (goal ≤ {GOAL_MS} ms: {verdict})");
        }
    }
}

fn main() {
    let since = SystemTime::now();
    let dir = criterion_dir();
    let mut criterion = Criterion::default()
        .output_directory(&dir)
        .configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
    summary(&dir, since);
}
