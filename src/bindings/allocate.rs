//! The `allocate` export: money split by weights to the cent.
//!
//! The core does the split (`crate::split::allocate_cents`); this file
//! reads the arguments and writes the shares. A list of 1,000 weights is
//! common (a discount over a big order), and there the general paths cost
//! more than the split: `JSON.stringify` and a float formatted again per
//! weight on the way in, `JSON.parse` on the way out. So a list of plain
//! numbers crosses as one `Float64Array`, and the shares as one string.

use js_sys::Float64Array;
use rust_decimal::Decimal;
use wasm_bindgen::prelude::*;

use super::convert::read_js;
use crate::cart::read::{decimal_input, decimal_inputs};
use crate::error::{Code, Error};
use crate::money::{cents_bytes, decimal_from_f64, DecimalInput, Money, MAX_DECIMALS};
use crate::split;

#[wasm_bindgen(module = "/src/bindings/helpers.js")]
extern "C" {
    /// The list as a `Float64Array` when every item is a finite number.
    #[wasm_bindgen(js_name = finiteNumbers)]
    fn finite_numbers(list: &JsValue) -> Option<Float64Array>;
    /// `"a,b"` → `["a", "b"]`; `""` → `[]`.
    #[wasm_bindgen(js_name = splitList)]
    fn split_list(text: &str) -> JsValue;
}

/// Splits `total` by `weights` to the cent (largest remainder).
#[wasm_bindgen(unchecked_return_type = "string[]")]
pub fn allocate(
    #[wasm_bindgen(unchecked_param_type = "MoneyInput")] total: JsValue,
    #[wasm_bindgen(unchecked_param_type = "MoneyInput[]")] weights: JsValue,
) -> Result<JsValue, JsValue> {
    let total = decimal_arg(read_js(&total, "total", decimal_input)?, || "total".into())?;
    let weights = match finite_numbers(&weights) {
        Some(numbers) => numbers
            .to_vec()
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                decimal_arg(DecimalInput(decimal_from_f64(v, MAX_DECIMALS)), || {
                    format!("weights[{i}]")
                })
            })
            .collect::<Result<Vec<_>, _>>()?,
        None => read_js(&weights, "weights", decimal_inputs)?
            .into_iter()
            .enumerate()
            .map(|(i, w)| decimal_arg(w, || format!("weights[{i}]")))
            .collect::<Result<Vec<_>, _>>()?,
    };
    let cents = split::allocate_cents(Money::new(total), &weights)?;
    Ok(split_list(&shares_text(&cents)))
}

/// The value, or an `invalid_value` error naming `field` (built only then:
/// a `format!` per weight was a fifth of a 1,000-weight split).
fn decimal_arg(input: DecimalInput, field: impl FnOnce() -> String) -> Result<Decimal, Error> {
    input
        .0
        .map_err(|why| Error::field(Code::InvalidValue, field(), why))
}

/// Shares in cents as two-place decimals (as `Money` prints them,
/// `-3.34`), comma-separated: formatting each through `Money` cost more
/// than the split.
fn shares_text(cents: &[i64]) -> String {
    let mut out = Vec::with_capacity(cents.len() * 10);
    let mut buf = [0u8; 24];
    for (k, &c) in cents.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        out.extend_from_slice(cents_bytes(&mut buf, c < 0, c.unsigned_abs()));
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_print_as_money_does() {
        let cents = [
            0,
            1,
            -1,
            10,
            99,
            -100,
            123_456,
            -987_654_321,
            i64::MAX,
            i64::MIN,
        ];
        let money: Vec<String> = cents
            .into_iter()
            .map(|c| Money::from_cents(c).to_string())
            .collect();
        assert_eq!(shares_text(&cents), money.join(","));
        assert_eq!(shares_text(&[]), "");
    }
}
