//! The machinery of the field table ([`super::fields`]): one macro that turns the table into
//! the catalogue's field lists, the typed per-kind structs, the reading of a submission's
//! fields ([`crate::draft`]) and the building of each struct from them by the rules the table
//! names ([`crate::check`](mod@crate::check)).

/// Declares groups of entry fields. A group is
///
/// ```text
/// /// Docs (of the list and of the struct).
/// LIST: struct Name(base: Base) {
///     field: Type = Shape(limits), required | optional | many, "description" => rule(args);
/// } => cross_field_rule(field, field);
/// ```
///
/// `LIST` becomes a `&[Field]` of the catalogue. With `: struct Name`, the group also becomes
/// a struct (the optional `base` flattened first, then the fields in table order) and its
/// [`crate::check::FromDraft`] implementation: each field is taken from the draft as
/// `<Type as Drafted>::Raw` and handed to the rule `Rules::rule(&field, raw, &args…)`, in table
/// order; then the cross-field rule runs on the results. `required` fields are `Type`,
/// `optional` ones `Option<Type>` (left out of JSON when absent), `many` ones a list `Type`
/// (left out when empty). Without `struct`, the group is only listed and read; its rules are
/// code in [`crate::check`](mod@crate::check).
macro_rules! field_table {
    // One group with a struct.
    (@group [$($doc:tt)*] [$sname:ident ($($bname:ident: $base:ty)?)] {
        $($fname:ident: $ty:ty = $shape:ident $(($($sarg:tt)*))?, $need:ident, $desc:literal
            $(=> $rule:ident $(($($rarg:ident),*))?)?;)*
    } [$($after:ident($($aarg:ident),*))?]) => {
        field_table!(@struct [$($doc)*] $sname
            [$(#[doc = "Common institution fields."] #[serde(flatten)] pub $bname: $base,)?]
            $($fname: $ty, $need, $desc;)*);

        impl $crate::check::FromDraft for $sname {
            fn from_draft(rules: &mut $crate::check::Rules, d: &mut $crate::draft::Draft) -> Option<Self> {
                $(let $bname = <$base as $crate::check::FromDraft>::from_draft(rules, d);)?
                $(let $fname = field_table!(@rule rules, d, $fname, $ty,
                    &Field {
                        name: stringify!($fname),
                        shape: Shape::$shape $(($($sarg)*))?,
                        required: field_table!(@required $need),
                        description: $desc,
                    },
                    $($rule $(($($rarg),*))?)?);)*
                $(rules.$after($(&$aarg),*);)?
                Some($sname {
                    $($bname: $bname?,)?
                    $($fname: field_table!(@value $need $fname),)*
                })
            }
        }
    };
    // One group without a struct.
    (@group [$($doc:tt)*] [] $fields:tt $after:tt) => {};

    // The struct, one field at a time (a struct body cannot hold macro calls).
    (@struct [$($doc:tt)*] $sname:ident [$($done:tt)*]) => {
        $($doc)*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub struct $sname {
            $($done)*
        }
    };
    (@struct $doc:tt $sname:ident [$($done:tt)*] $fname:ident: $ty:ty, required, $desc:literal; $($rest:tt)*) => {
        field_table!(@struct $doc $sname [$($done)*
            #[doc = $desc]
            pub $fname: $ty,
        ] $($rest)*);
    };
    (@struct $doc:tt $sname:ident [$($done:tt)*] $fname:ident: $ty:ty, optional, $desc:literal; $($rest:tt)*) => {
        field_table!(@struct $doc $sname [$($done)*
            #[doc = $desc]
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub $fname: Option<$ty>,
        ] $($rest)*);
    };
    (@struct $doc:tt $sname:ident [$($done:tt)*] $fname:ident: $ty:ty, many, $desc:literal; $($rest:tt)*) => {
        field_table!(@struct $doc $sname [$($done)*
            #[doc = $desc]
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub $fname: $ty,
        ] $($rest)*);
    };

    (@required required) => { true };
    (@required optional) => { false };
    (@required many) => { false };

    // A required field's absence or error leaves the struct unbuilt; the problem is reported.
    (@value required $fname:ident) => { $fname? };
    (@value optional $fname:ident) => { $fname };
    (@value many $fname:ident) => { $fname };

    (@rule $rules:ident, $d:ident, $fname:ident, $ty:ty, $field:expr, $rule:ident $(($($rarg:ident),*))?) => {
        $rules.$rule($field, $d.take::< <$ty as $crate::draft::Drafted>::Raw >(stringify!($fname)) $($(, &$rarg)*)?)
    };
    (@rule $rules:ident, $d:ident, $fname:ident, $ty:ty, $field:expr,) => {
        compile_error!(concat!("the field `", stringify!($fname), "` of a struct needs a rule: `=> rule`"))
    };

    // The table.
    ($(
        $(#[$doc:meta])*
        $list:ident $(: struct $sname:ident $(($bname:ident: $base:ty))?)? {
            $($fname:ident: $ty:ty = $shape:ident $(($($sarg:tt)*))?, $need:ident, $desc:literal
                $(=> $rule:ident $(($($rarg:ident),*))?)?;)*
        } $(=> $after:ident($($aarg:ident),*);)?
    )*) => {
        $(
            $(#[$doc])*
            pub const $list: &[Field] = &[$(Field {
                name: stringify!($fname),
                shape: Shape::$shape $(($($sarg)*))?,
                required: field_table!(@required $need),
                description: $desc,
            },)*];

            field_table!(@group [$(#[$doc])*] [$($sname ($($bname: $base)?))?] {
                $($fname: $ty = $shape $(($($sarg)*))?, $need, $desc $(=> $rule $(($($rarg),*))?)?;)*
            } [$($after($($aarg),*))?]);
        )*

        /// Every group of the table, in table order.
        pub const GROUPS: &[&[Field]] = &[$($list),*];

        /// Reads the field `name` of a submission as the table types it: `Err` gives the
        /// value back when no group has the field.
        pub(crate) fn read(
            name: &str,
            value: serde_json::Value,
            problems: &mut $crate::problem::Problems,
        ) -> Result<Option<Box<dyn std::any::Any>>, serde_json::Value> {
            $($(if name == stringify!($fname) {
                return Ok($crate::draft::read::< <$ty as $crate::draft::Drafted>::Raw >(name, value, problems));
            })*)*
            Err(value)
        }

        /// The type each field is read as, row by row (a field in two groups is read as one).
        #[cfg(test)]
        pub(crate) fn read_types() -> Vec<(&'static str, std::any::TypeId)> {
            vec![$($((stringify!($fname), std::any::TypeId::of::< <$ty as $crate::draft::Drafted>::Raw >()),)*)*]
        }
    };
}
