//! What values a sweep parameter takes: its `values`, `range` or
//! `distribution` table as written in the sweep file, and the checked
//! [`Domain`] a design draws from or steps through.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::ScenarioError;

/// Most levels a `range` may expand to.
pub const MAX_LEVELS: f64 = 1_000_000.0;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RangeTable {
    from: toml::Value,
    to: toml::Value,
    #[serde(default)]
    step: Option<toml::Value>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum DistKind {
    Uniform,
    #[serde(alias = "log_uniform")]
    Loguniform,
    Normal,
    Lognormal,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DistTable {
    dist: DistKind,
    #[serde(default)]
    min: Option<f64>,
    #[serde(default)]
    max: Option<f64>,
    #[serde(default)]
    mean: Option<f64>,
    #[serde(default)]
    sd: Option<f64>,
    #[serde(default)]
    median: Option<f64>,
    #[serde(default)]
    sigma: Option<f64>,
}

/// What values a parameter takes.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Domain {
    /// A finite list: `values`, or a `range` with a `step`. A grid uses each;
    /// random and Latin-hypercube designs pick one with equal probability.
    Levels(Vec<Value>),
    /// `range` without a step, or `{ dist = "uniform" }`: uniform on [min, max].
    Uniform {
        /// Lower end.
        min: f64,
        /// Upper end (≥ `min`).
        max: f64,
    },
    /// ln x uniform on [ln min, ln max].
    Loguniform {
        /// Lower end (> 0).
        min: f64,
        /// Upper end (≥ `min`).
        max: f64,
    },
    /// Normal with mean `mean` and standard deviation `sd`.
    Normal {
        /// The mean.
        mean: f64,
        /// The standard deviation (≥ 0).
        sd: f64,
    },
    /// ln x ~ N(ln median, sigma²).
    Lognormal {
        /// The median (> 0).
        median: f64,
        /// The standard deviation of ln x (≥ 0).
        sigma: f64,
    },
}

impl Domain {
    /// The levels of a finite domain.
    pub fn levels(&self) -> Option<&[Value]> {
        match self {
            Domain::Levels(v) => Some(v),
            _ => None,
        }
    }
}

pub(super) type Bad<'a> = dyn Fn(&str, String, &str) -> ScenarioError + 'a;

/// A number of the sweep file: integer or float.
fn number(v: &toml::Value) -> Option<(f64, bool)> {
    match v {
        toml::Value::Integer(i) => Some((*i as f64, true)),
        toml::Value::Float(f) if f.is_finite() => Some((*f, false)),
        _ => None,
    }
}

/// A `range` table checked; `grid`: the design steps through levels, so the
/// range needs a `step`.
pub(super) fn range(r: &RangeTable, grid: bool, bad: &Bad<'_>) -> Result<Domain, ScenarioError> {
    let num = |f: &str, v: &toml::Value| number(v).ok_or_else(|| bad(f, format!("{v} is not a number"), "a number"));
    let (from, from_int) = num("from", &r.from)?;
    let (to, to_int) = num("to", &r.to)?;
    if to < from {
        return Err(bad("to", format!("`to` ({to}) is below `from` ({from}): the range is empty"), "to ≥ from"));
    }
    let Some(step) = &r.step else {
        if grid {
            return Err(bad(
                "",
                "a range without a step has no grid levels".into(),
                "range = { from = a, to = b, step = s } in a grid; without a step, design = \"random\" or \"latin_hypercube\" draws uniformly from [from, to]",
            ));
        }
        return Ok(Domain::Uniform { min: from, max: to });
    };
    let (step, step_int) = num("step", step)?;
    if step <= 0.0 {
        return Err(bad("step", format!("{step} is not above 0"), "a step above 0"));
    }
    let count = ((to - from) / step * (1.0 + 1e-12) + 1e-9).floor() + 1.0;
    if count > MAX_LEVELS {
        let count = super::validate::shown(count);
        return Err(bad("step", format!("the range has {count} levels"), "at most 1000000 levels: a larger step"));
    }
    let levels = (0..count as usize)
        .map(|k| {
            if from_int && to_int && step_int {
                Value::from(from as i64 + k as i64 * step as i64)
            } else {
                Value::from(round_sig(from + k as f64 * step))
            }
        })
        .collect();
    Ok(Domain::Levels(levels))
}

pub(super) fn distribution(d: &DistTable, bad: &Bad<'_>) -> Result<Domain, ScenarioError> {
    let given =
        [("min", d.min), ("max", d.max), ("mean", d.mean), ("sd", d.sd), ("median", d.median), ("sigma", d.sigma)];
    let (needs, accepted): (&[&str], &str) = match d.dist {
        DistKind::Uniform => (&["min", "max"], "{ dist = \"uniform\", min = a, max = b } with b ≥ a"),
        DistKind::Loguniform => (&["min", "max"], "{ dist = \"loguniform\", min = a, max = b } with 0 < a ≤ b"),
        DistKind::Normal => (&["mean", "sd"], "{ dist = \"normal\", mean = m, sd = s } with s ≥ 0"),
        DistKind::Lognormal => {
            (&["median", "sigma"], "{ dist = \"lognormal\", median = m, sigma = s } with m > 0, s ≥ 0")
        }
    };
    for (name, v) in given {
        match (needs.contains(&name), v) {
            (true, None) => return Err(bad("", format!("`{name}` is missing"), accepted)),
            (false, Some(_)) => {
                return Err(bad(name, format!("`{name}` is not a field of this distribution"), accepted));
            }
            (_, Some(x)) if !x.is_finite() => return Err(bad(name, format!("{x} is not a finite number"), accepted)),
            _ => {}
        }
    }
    let g = |v: Option<f64>| v.unwrap_or(0.0);
    let domain = match d.dist {
        DistKind::Uniform | DistKind::Loguniform => {
            let (min, max) = (g(d.min), g(d.max));
            if max < min {
                return Err(bad("max", format!("max ({max}) is below min ({min})"), accepted));
            }
            if d.dist == DistKind::Loguniform {
                if min <= 0.0 {
                    return Err(bad("min", format!("{min} is not above 0"), accepted));
                }
                Domain::Loguniform { min, max }
            } else {
                Domain::Uniform { min, max }
            }
        }
        DistKind::Normal => {
            if g(d.sd) < 0.0 {
                return Err(bad("sd", format!("{} is below 0", g(d.sd)), accepted));
            }
            Domain::Normal { mean: g(d.mean), sd: g(d.sd) }
        }
        DistKind::Lognormal => {
            if g(d.median) <= 0.0 {
                return Err(bad("median", format!("{} is not above 0", g(d.median)), accepted));
            }
            if g(d.sigma) < 0.0 {
                return Err(bad("sigma", format!("{} is below 0", g(d.sigma)), accepted));
            }
            Domain::Lognormal { median: g(d.median), sigma: g(d.sigma) }
        }
    };
    within_reach(&domain, accepted, bad)?;
    Ok(domain)
}

/// Most standard deviations from the centre a design's draw can fall. The
/// designs draw a probability no nearer 0 or 1 than 2⁻⁵⁴ over the most runs
/// a sweep may have (`batch::design`), about 5e-24, where Φ⁻¹ is about
/// −10; 12 leaves a margin.
const FARTHEST_Z: f64 = 12.0;

/// Whether every value the distribution can draw is a finite number: a
/// lognormal with `sigma = 1e300` would draw infinity, which no field takes.
fn within_reach(domain: &Domain, accepted: &str, bad: &Bad<'_>) -> Result<(), ScenarioError> {
    let shown = super::validate::shown;
    match *domain {
        Domain::Uniform { min, max } if !(max - min).is_finite() => {
            let message = format!("max − min ({} − {}) is past the largest number", shown(max), shown(min));
            Err(bad("max", message, accepted))
        }
        Domain::Normal { mean, sd } if !(mean.abs() + FARTHEST_Z * sd).is_finite() => {
            let message = format!("sd {} lets a draw, mean ± {FARTHEST_Z} sd, pass the largest number", shown(sd));
            Err(bad(
                "sd",
                message,
                &format!("{accepted}, and sd at most {}", shown((f64::MAX - mean.abs()) / FARTHEST_Z)),
            ))
        }
        Domain::Lognormal { median, sigma } if median.ln() + FARTHEST_Z * sigma >= f64::MAX.ln() => {
            let most = (f64::MAX.ln() - median.ln()) / FARTHEST_Z;
            let message =
                format!("sigma {} lets a draw, median × e^({FARTHEST_Z} sigma), pass the largest number", shown(sigma));
            Err(bad("sigma", message, &format!("{accepted}, and sigma below {most:.3} for median {}", shown(median))))
        }
        _ => Ok(()),
    }
}

/// `x` rounded to 12 significant digits, so levels read as written
/// (0.1 + 2 × 0.1 is 0.3) and drawn values do not depend on the last bit of
/// a platform's `ln`/`exp`.
pub fn round_sig(x: f64) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    format!("{x:.11e}").parse().unwrap_or(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(d: &str) -> Option<String> {
        let table: DistTable = toml::from_str(d).ok()?;
        let bad = |f: &str, m: String, a: &str| {
            ScenarioError::whole_file(std::path::Path::new("s"), format!("{f}: {m}")).accepting(a)
        };
        distribution(&table, &bad).err().map(|e| e.detail().message.clone())
    }

    #[test]
    fn a_distribution_that_would_draw_infinity_is_refused() {
        let sigma = refusal("dist = \"lognormal\"\nmedian = 1.0\nsigma = 1e300").unwrap();
        assert!(sigma.starts_with("sigma: sigma 1e300 lets a draw"), "{sigma}");
        assert_eq!(refusal("dist = \"lognormal\"\nmedian = 1.0\nsigma = 50.0"), None);
        assert!(refusal("dist = \"normal\"\nmean = 0.0\nsd = 1e308").unwrap().starts_with("sd: sd 1e308"));
        assert_eq!(refusal("dist = \"normal\"\nmean = 0.0\nsd = 1e300"), None);
        assert!(refusal("dist = \"uniform\"\nmin = -1e308\nmax = 1e308").unwrap().starts_with("max: max − min"));
        assert_eq!(refusal("dist = \"loguniform\"\nmin = 1e-300\nmax = 1e308"), None);
    }

    #[test]
    fn twelve_significant_digits() {
        assert_eq!(round_sig(0.1 + 0.2), 0.3);
        assert_eq!(round_sig(0.02 + 3.0 * 0.01), 0.05);
        assert_eq!(round_sig(123456.0), 123456.0);
        assert_eq!(round_sig(-1.0e-7 * 3.0), -3.0e-7);
    }
}
