//! A behaviour's parameters: one typed struct per behaviour that carries its
//! defaults, its accepted ranges and its documentation in one declaration
//! ([`behaviour_params!`]), so the scenario's `params` table, the validation
//! and the field reference cannot disagree.
//!
//! A scenario gives a group's parameters as a TOML table. [`ParamSet::from_table`]
//! refuses a name the behaviour does not declare, a value of the wrong type
//! and a value out of its range, each with the field's name and what is
//! accepted (the scenario layer adds file, line and column), then fills in
//! the defaults.

use crate::scenario::{Duration, Invalid, InvalidKind, ValueType, with_guess};

/// What values a parameter accepts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bound {
    /// A finite real number in [lo, hi].
    Real(f64, f64),
    /// A whole number in [lo, hi].
    Int(i64, i64),
    /// A duration above zero.
    PositiveDuration,
    /// `true` or `false`.
    Flag,
    /// One of these words, in quotes (a behaviour's mode).
    OneOf(&'static [&'static str]),
}

impl Bound {
    /// How a scenario writes the values this bound is for.
    pub const fn value_type(self) -> ValueType {
        match self {
            Bound::Real(..) => ValueType::Number,
            Bound::Int(..) => ValueType::Integer,
            Bound::PositiveDuration => ValueType::Duration,
            Bound::Flag => ValueType::Boolean,
            Bound::OneOf(_) => ValueType::Choice,
        }
    }

    /// Whether this bound is for values written as `t`: what
    /// [`behaviour_params!`](crate::behaviour_params) asserts of each field
    /// at compile time (`t` its type's [`ParamValue::TYPE`]).
    pub const fn takes(self, t: ValueType) -> bool {
        self.value_type() as u8 == t as u8
    }

    /// The range as reals, where the bound is one: what a change of the
    /// parameter (scripted or live) stops at.
    pub fn as_range(self) -> Option<(f64, f64)> {
        match self {
            Bound::Real(lo, hi) => Some((lo, hi)),
            Bound::Int(lo, hi) => Some((lo as f64, hi as f64)),
            Bound::PositiveDuration | Bound::Flag | Bound::OneOf(_) => None,
        }
    }
}

/// One parameter as its behaviour declares it: the reference entry of the
/// docs and the rule validation applies.
#[derive(Clone, Copy, Debug)]
pub struct ParamDoc {
    /// The key in the scenario's `params` table.
    pub name: &'static str,
    /// What it means, with its unit.
    pub doc: &'static str,
    /// The values accepted, in words (shown in errors).
    pub accepted: &'static str,
    /// The values accepted, as validation checks them.
    pub bound: Bound,
}

impl Bound {
    /// `value` brought within the bound, as a live parameter's change is
    /// before its behaviour sees it: a real number clamped, a whole number
    /// rounded and clamped. A duration, a flag or a choice has no numeric
    /// range (and cannot be a live parameter): unchanged.
    pub fn clamp(self, value: f64) -> f64 {
        match self {
            Bound::Real(lo, hi) => value.clamp(lo, hi),
            Bound::Int(lo, hi) => value.round().clamp(lo as f64, hi as f64),
            Bound::PositiveDuration | Bound::Flag | Bound::OneOf(_) => value,
        }
    }
}

/// Whether every name in `live` is a parameter in `docs` with a numeric
/// bound: what a behaviour's `LIVE_PARAMS` must be, checked when a
/// registry's `register` is compiled for it.
pub(super) const fn live_params_declared(live: &[&str], docs: &[ParamDoc]) -> bool {
    let mut i = 0;
    while i < live.len() {
        let mut j = 0;
        let mut found = false;
        while j < docs.len() {
            if crate::const_str::eq(live[i], docs[j].name) && matches!(docs[j].bound, Bound::Real(..) | Bound::Int(..))
            {
                found = true;
            }
            j += 1;
        }
        if !found {
            return false;
        }
        i += 1;
    }
    true
}

/// A value a parameter may hold: checks itself against its [`Bound`].
pub trait ParamValue {
    /// How a scenario writes a value of this type: what its [`Bound`] must
    /// be for ([`Bound::value_type`]); [`behaviour_params!`](crate::behaviour_params)
    /// refuses to compile a field whose bound is for another.
    const TYPE: ValueType;

    /// Why the value is outside `bound`, if it is: typed, so that the caller
    /// builds the scenario error ([`Invalid`]) with its field and kind.
    fn check(&self, bound: Bound) -> Result<(), OutOfBound>;
}

/// A parameter's value outside its [`Bound`], with the value as given.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum OutOfBound {
    /// A real number outside its range, or not finite.
    #[error("{0} is out of range")]
    Real(f64),
    /// A whole number outside its range.
    #[error("{0} is out of range")]
    Int(i64),
    /// A duration of zero or less where one above zero is needed.
    #[error("{0} is not positive")]
    NotPositive(Duration),
    /// A word that is not one of its choices (the second field).
    #[error("`{}` is not one of: {}", .0, .1.join(", "))]
    NotAChoice(String, &'static [&'static str]),
}

impl OutOfBound {
    /// The scenario error for parameter `field`, which accepts `accepted`.
    pub fn invalid(self, field: &str, accepted: &str) -> Invalid {
        Invalid {
            field: field.to_string(),
            message: self.to_string(),
            accepted: accepted.to_string(),
            kind: InvalidKind::OutOfRange,
        }
    }
}

impl ParamValue for f64 {
    const TYPE: ValueType = ValueType::Number;

    fn check(&self, bound: Bound) -> Result<(), OutOfBound> {
        match bound {
            Bound::Real(lo, hi) if !(self.is_finite() && *self >= lo && *self <= hi) => Err(OutOfBound::Real(*self)),
            _ => Ok(()),
        }
    }
}

impl ParamValue for i64 {
    const TYPE: ValueType = ValueType::Integer;

    fn check(&self, bound: Bound) -> Result<(), OutOfBound> {
        match bound {
            Bound::Int(lo, hi) if !(lo..=hi).contains(self) => Err(OutOfBound::Int(*self)),
            _ => Ok(()),
        }
    }
}

impl ParamValue for Duration {
    const TYPE: ValueType = ValueType::Duration;

    fn check(&self, bound: Bound) -> Result<(), OutOfBound> {
        match bound {
            Bound::PositiveDuration if self.0 <= 0 => Err(OutOfBound::NotPositive(*self)),
            _ => Ok(()),
        }
    }
}

impl ParamValue for bool {
    const TYPE: ValueType = ValueType::Boolean;

    fn check(&self, _: Bound) -> Result<(), OutOfBound> {
        Ok(())
    }
}

/// A choice among words ([`Bound::OneOf`]), as a behaviour's mode.
impl ParamValue for String {
    const TYPE: ValueType = ValueType::Choice;

    fn check(&self, bound: Bound) -> Result<(), OutOfBound> {
        match bound {
            Bound::OneOf(words) if !words.contains(&self.as_str()) => Err(OutOfBound::NotAChoice(self.clone(), words)),
            _ => Ok(()),
        }
    }
}

impl<T: ParamValue> ParamValue for Option<T> {
    const TYPE: ValueType = T::TYPE;

    fn check(&self, bound: Bound) -> Result<(), OutOfBound> {
        self.as_ref().map_or(Ok(()), |v| v.check(bound))
    }
}

/// A behaviour's typed parameters (written with [`behaviour_params!`](crate::behaviour_params)).
pub trait ParamSet: Sized + Default + serde::de::DeserializeOwned + serde::Serialize {
    /// Every parameter, in the order the docs list them.
    const DOCS: &'static [ParamDoc];

    /// Each field against its own bound; the first failure.
    fn check_fields(&self) -> Result<(), Invalid>;

    /// Every parameter's default, as a scenario would write it.
    fn defaults() -> toml::Table {
        toml::Table::try_from(Self::default()).unwrap_or_default()
    }

    /// Rules between fields (e.g. `max_lots` at least `min_lots`); none by default.
    fn check_together(&self) -> Result<(), Invalid> {
        Ok(())
    }

    /// The parameters a scenario's table gives, defaults filled in. Errors name
    /// the field relative to the table (`herding`), say what is wrong and what
    /// is accepted.
    fn from_table(family: &str, table: &toml::Table) -> Result<Self, Invalid> {
        for (key, value) in table {
            let Some(doc) = Self::DOCS.iter().find(|d| d.name == key) else {
                let names: Vec<&str> = Self::DOCS.iter().map(|d| d.name).collect();
                return Err(Invalid {
                    field: key.clone(),
                    message: with_guess(
                        format!("`{key}` is not a parameter of the {family} family"),
                        key,
                        names.iter().copied(),
                    ),
                    accepted: format!("for {family}: {}", names.join(", ")),
                    kind: InvalidKind::UnknownField,
                });
            };
            let fits = match doc.bound {
                Bound::Real(..) => matches!(value, toml::Value::Float(_) | toml::Value::Integer(_)),
                Bound::Int(..) => matches!(value, toml::Value::Integer(_)),
                Bound::PositiveDuration | Bound::OneOf(_) => matches!(value, toml::Value::String(_)),
                Bound::Flag => matches!(value, toml::Value::Boolean(_)),
            };
            if !fits {
                let wanted = match doc.bound {
                    Bound::Real(..) => "a number",
                    Bound::Int(..) => "an integer",
                    Bound::PositiveDuration => "a duration in quotes",
                    Bound::Flag => "true or false",
                    Bound::OneOf(_) => "a word in quotes",
                };
                let expected = doc.bound.value_type();
                return Err(Invalid {
                    field: key.clone(),
                    message: format!("invalid type: {}, expected {wanted}", value.type_str()),
                    accepted: doc.accepted.to_string(),
                    kind: InvalidKind::WrongType(expected),
                });
            }
        }
        let params: Self = serde_path_to_error::deserialize(toml::Value::Table(table.clone())).map_err(|e| {
            let field = e.path().to_string();
            let accepted = Self::DOCS.iter().find(|d| d.name == field).map_or("", |d| d.accepted);
            // The names and types were checked above: what is left is a value
            // its type cannot read (a duration such as "5 parsecs").
            Invalid {
                field,
                message: e.inner().message().trim().to_string(),
                accepted: accepted.to_string(),
                kind: InvalidKind::Other,
            }
        })?;
        params.check_fields()?;
        params.check_together()?;
        Ok(params)
    }
}

/// `n` minutes, for parameter defaults.
pub const fn minutes(n: i64) -> Duration {
    Duration(n * 60_000_000_000)
}

/// `max_lots`, when given, is at least `min_lots`.
pub fn lots_in_order(min_lots: i64, max_lots: Option<i64>) -> Result<(), Invalid> {
    match max_lots {
        Some(max) if max < min_lots => Err(Invalid {
            field: "max_lots".into(),
            message: format!("{max} is out of range"),
            accepted: "a whole number of lots from min_lots to 100,000,000".into(),
            kind: InvalidKind::OutOfRange,
        }),
        _ => Ok(()),
    }
}

/// Market and immediate-or-cancel shares leave room for limit orders.
pub fn shares_add_up(market_share: f64, ioc_share: f64) -> Result<(), Invalid> {
    if market_share + ioc_share > 1.0 {
        return Err(Invalid {
            field: "ioc_share".into(),
            message: "market_share + ioc_share exceeds 1".into(),
            accepted: "shares that add up to at most 1".into(),
            kind: InvalidKind::Other,
        });
    }
    Ok(())
}

/// Declares a behaviour's parameter struct: each field with its doc comment
/// (its meaning and unit), its type (`i64`, `f64`, [`Duration`], `bool`,
/// `String` or an `Option` of one), its default, its bound ([`Bound`]'s
/// variants: `Real`, `Int`, `PositiveDuration`, `Flag`, `OneOf`) and the
/// accepted values in words; optionally a `check(p) { ... }` block of rules
/// between fields, which returns `Result<(), Invalid>` with `p` the
/// parameters (the error's `field` is the one the scenario file's location
/// points at). Generates the struct (serde, unknown names refused), its
/// `Default`, and its [`ParamSet`] impl with the docs table. The crate using
/// it needs no `serde` of its own, but must name the dependency `tplus`
/// (the expansion's serde path is `tplus::__private::serde`).
///
/// ```
/// # // The expansion names tplus's serde, never the caller's: a `serde`
/// # // here that is not the crate must not matter.
/// # mod serde {}
/// use tplus::scenario::{Invalid, InvalidKind};
///
/// tplus::behaviour_params! {
///     /// Parameters of a moving-average trader.
///     pub struct MovingAverageParams {
///         /// Wake-ups in the short average.
///         short: i64 = 3, Int(1, 63), "a whole number from 1 to 63, less than long";
///         /// Wake-ups in the long average.
///         long: i64 = 10, Int(2, 64), "a whole number from 2 to 64, more than short";
///         /// Share of orders that are all-or-none: a doc comment may run
///         /// over several lines.
///         aon_share: f64 = 0.0, Real(0.0, 1.0), "a probability from 0 to 1";
///     }
///     check(p) {
///         if p.short >= p.long {
///             return Err(Invalid {
///                 field: "short".into(),
///                 message: format!("short = {} is not less than long = {}", p.short, p.long),
///                 accepted: "a whole number from 1 to 63, less than long".into(),
///                 kind: InvalidKind::OutOfRange,
///             });
///         }
///         Ok(())
///     }
/// }
/// let p = MovingAverageParams::default();
/// assert_eq!((p.short, p.long), (3, 10));
/// # use tplus::agents::ParamSet as _;
/// assert_eq!(MovingAverageParams::DOCS[2].doc, "Share of orders that are all-or-none: a doc comment may run over several lines.");
/// ```
///
/// A field's bound must be for its type (an `f64` takes `Real`, an `i64`
/// `Int`, a `Duration` `PositiveDuration`, a `bool` `Flag`, a `String`
/// `OneOf`, an `Option<T>` what `T` takes),
/// or the range would go unchecked; the macro refuses to compile one that
/// is not:
///
/// ```compile_fail
/// tplus::behaviour_params! {
///     /// Parameters.
///     pub struct Mixed {
///         /// A share, bounded as if it were a whole number.
///         share: f64 = 0.5, Int(0, 1), "a share from 0 to 1";
///     }
/// }
/// ```
#[macro_export]
macro_rules! behaviour_params {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $(
                $( #[doc = $doc:literal] )+
                $field:ident : $ty:ty = $default:expr, $bound:ident $( ( $($b:expr),* ) )?, $accepted:literal;
            )*
        }
        $( check($p:ident) $check:block )?
    ) => {
        $(#[$meta])*
        #[derive(
            Clone,
            Debug,
            PartialEq,
            $crate::__private::serde::Serialize,
            $crate::__private::serde::Deserialize
        )]
        #[serde(crate = "tplus::__private::serde", default, deny_unknown_fields)]
        $vis struct $name {
            $(
                $( #[doc = $doc] )+
                pub $field: $ty,
            )*
        }

        $(
            const _: () = assert!(
                $crate::agents::Bound::$bound $( ( $($b),* ) )?.takes(<$ty as $crate::agents::ParamValue>::TYPE),
                concat!(
                    "behaviour_params!: `", stringify!($field), ": ", stringify!($ty), "` has the bound ",
                    stringify!($bound), "; an f64 takes Real, an i64 Int, a Duration \
                     PositiveDuration, a bool Flag, a String OneOf (an Option<T> as T)"
                )
            );
        )*

        impl Default for $name {
            fn default() -> Self {
                $name { $( $field: $default, )* }
            }
        }

        impl $crate::agents::ParamSet for $name {
            const DOCS: &'static [$crate::agents::ParamDoc] = &[
                $(
                    $crate::agents::ParamDoc {
                        name: stringify!($field),
                        // Each line of a doc comment starts with its own space.
                        doc: concat!($($doc),+).trim_ascii(),
                        accepted: $accepted,
                        bound: $crate::agents::Bound::$bound $( ( $($b),* ) )?,
                    },
                )*
            ];

            fn check_fields(&self) -> Result<(), $crate::scenario::Invalid> {
                // Unused by a family without parameters.
                #[allow(unused_imports)]
                use $crate::agents::ParamValue as _;
                $(
                    if let Err(e) = self.$field.check($crate::agents::Bound::$bound $( ( $($b),* ) )?) {
                        return Err(e.invalid(stringify!($field), $accepted));
                    }
                )*
                Ok(())
            }

            $(
                fn check_together(&self) -> Result<(), $crate::scenario::Invalid> {
                    let $p = self;
                    $check
                }
            )?
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_change_is_brought_within_the_bound() {
        assert_eq!(Bound::Real(0.0, 1.0).clamp(1.7), 1.0);
        assert_eq!(Bound::Real(0.0, 1.0).clamp(-0.2), 0.0);
        assert_eq!(Bound::Real(0.0, 1.0).clamp(0.25), 0.25);
        assert_eq!(Bound::Int(1, 100).clamp(7.4), 7.0);
        assert_eq!(Bound::Int(1, 100).clamp(-3.0), 1.0);
        assert_eq!(Bound::PositiveDuration.clamp(5.0), 5.0);
    }

    #[test]
    fn live_params_must_be_declared_numeric_parameters() {
        let doc = |name, bound| ParamDoc { name, doc: "", accepted: "", bound };
        let docs =
            [doc("rate", Bound::Real(0.0, 1.0)), doc("lots", Bound::Int(1, 9)), doc("ttl", Bound::PositiveDuration)];
        assert!(live_params_declared(&[], &docs));
        assert!(live_params_declared(&["rate", "lots"], &docs));
        assert!(!live_params_declared(&["ttl"], &docs), "a duration has no numeric value to change");
        assert!(!live_params_declared(&["rat"], &docs));
        assert!(!live_params_declared(&["rates"], &docs));
    }

    crate::behaviour_params! {
        /// A behaviour's switches: a flag and a mode.
        pub struct Switches {
            /// Whether it trades at all.
            active: bool = true, Flag, "true or false";
            /// How it reads the market.
            mode: String = "momentum".into(), OneOf(&["momentum", "reversal"]), "\"momentum\" or \"reversal\"";
            /// A mode only when set.
            fallback: Option<String> = None, OneOf(&["reversal"]), "\"reversal\"";
        }
    }

    #[test]
    fn flags_and_choices_are_parameters_too() {
        let p = Switches::from_table("switch", &table("active = false\nmode = \"reversal\"")).unwrap();
        assert_eq!((p.active, p.mode.as_str(), p.fallback), (false, "reversal", None));
        let d = Switches::defaults();
        assert_eq!((d["active"].as_bool(), d["mode"].as_str()), (Some(true), Some("momentum")));
        assert!(!d.contains_key("fallback"));
        let e = Switches::from_table("switch", &table("mode = \"trend\"")).unwrap_err();
        assert_eq!((e.field.as_str(), e.kind), ("mode", InvalidKind::OutOfRange));
        assert_eq!(e.message, "`trend` is not one of: momentum, reversal");
        assert_eq!(e.accepted, "\"momentum\" or \"reversal\"");
        let e = Switches::from_table("switch", &table("fallback = \"momentum\"")).unwrap_err();
        assert_eq!(e.message, "`momentum` is not one of: reversal");
        let e = Switches::from_table("switch", &table("active = 1")).unwrap_err();
        assert_eq!(e.kind, InvalidKind::WrongType(ValueType::Boolean));
        assert_eq!(e.message, "invalid type: integer, expected true or false");
        let e = Switches::from_table("switch", &table("mode = 2")).unwrap_err();
        assert_eq!(e.kind, InvalidKind::WrongType(ValueType::Choice));
        assert_eq!(Bound::Flag.as_range(), None);
        assert_eq!(Bound::OneOf(&["a"]).clamp(2.0), 2.0);
    }

    crate::behaviour_params! {
        /// Test parameters.
        pub struct Demo {
            /// A share.
            share: f64 = 0.25, Real(0.0, 1.0), "a probability from 0 to 1";
            /// A count.
            count: i64 = 3, Int(1, 10), "a whole number from 1 to 10";
            /// An optional size.
            size: Option<i64> = None, Int(1, 5), "a whole number from 1 to 5";
            /// A life time.
            ttl: Duration = minutes(1), PositiveDuration, "a duration above 0, e.g. \"30m\"";
        }
        check(p) {
            lots_in_order(p.count, p.size)
        }
    }

    fn table(text: &str) -> toml::Table {
        text.parse().unwrap()
    }

    #[test]
    fn defaults_fill_what_the_table_leaves_out() {
        let p = Demo::from_table("demo", &table("count = 5")).unwrap();
        assert_eq!(p, Demo { count: 5, ..Demo::default() });
        assert_eq!(Demo::DOCS.len(), 4);
        assert_eq!(Demo::defaults()["share"].as_float(), Some(0.25));
        assert_eq!(Demo::defaults()["ttl"].as_str(), Some("1m"));
        assert!(!Demo::defaults().contains_key("size"));
        assert_eq!(Demo::DOCS[0].doc, "A share.");
    }

    #[test]
    fn an_integer_is_accepted_for_a_real() {
        assert_eq!(Demo::from_table("demo", &table("share = 1")).unwrap().share, 1.0);
    }

    #[test]
    fn errors_name_the_field_and_what_is_accepted() {
        let e = Demo::from_table("demo", &table("shares = 0.5")).unwrap_err();
        assert_eq!(e.field, "shares");
        assert_eq!(e.message, "`shares` is not a parameter of the demo family; did you mean `share`?");
        assert!(e.accepted.contains("share, count"), "{}", e.accepted);
        let e = Demo::from_table("demo", &table("share = 1.5")).unwrap_err();
        assert_eq!((e.field.as_str(), e.message.as_str()), ("share", "1.5 is out of range"));
        let e = Demo::from_table("demo", &table("size = 9")).unwrap_err();
        assert_eq!((e.field.as_str(), e.accepted.as_str()), ("size", "a whole number from 1 to 5"));
        let e = Demo::from_table("demo", &table("count = \"many\"")).unwrap_err();
        assert_eq!(e.field, "count");
        assert!(e.message.contains("expected an integer"), "{}", e.message);
        let e = Demo::from_table("demo", &table("ttl = \"0s\"")).unwrap_err();
        assert_eq!(e.message, "0s is not positive");
    }

    /// Callers act on the kind (where a message points, whether a swept field
    /// takes whole numbers), so each refusal must say which it is.
    #[test]
    fn errors_say_their_kind() {
        let kind = |text: &str| Demo::from_table("demo", &table(text)).unwrap_err().kind;
        assert_eq!(kind("shares = 0.5"), InvalidKind::UnknownField);
        assert_eq!(kind("count = \"many\""), InvalidKind::WrongType(ValueType::Integer));
        assert_eq!(kind("share = \"half\""), InvalidKind::WrongType(ValueType::Number));
        assert_eq!(kind("ttl = 5"), InvalidKind::WrongType(ValueType::Duration));
        assert_eq!(kind("share = 1.5"), InvalidKind::OutOfRange);
        assert_eq!(kind("ttl = \"0s\""), InvalidKind::OutOfRange);
        assert_eq!(kind("count = 4\nsize = 2"), InvalidKind::OutOfRange);
        assert_eq!(shares_add_up(0.75, 0.5).unwrap_err().kind, InvalidKind::Other);
    }

    #[test]
    fn values_outside_their_bound_say_so_typed() {
        assert_eq!(1.5.check(Bound::Real(0.0, 1.0)), Err(OutOfBound::Real(1.5)));
        assert_eq!(f64::NAN.check(Bound::Real(0.0, 1.0)).unwrap_err().to_string(), "NaN is out of range");
        assert_eq!(0_i64.check(Bound::Int(1, 3)), Err(OutOfBound::Int(0)));
        assert_eq!(Some(2_i64).check(Bound::Int(1, 3)), Ok(()));
        assert_eq!(Duration(0).check(Bound::PositiveDuration), Err(OutOfBound::NotPositive(Duration(0))));
        let e = OutOfBound::Int(0).invalid("count", "a whole number from 1 to 3");
        assert_eq!(
            (e.field.as_str(), e.message.as_str(), e.kind),
            ("count", "0 is out of range", InvalidKind::OutOfRange)
        );
    }
}
