//! The machinery of the field table ([`super::fields`]). The table is a macro that hands its
//! rows to a callback; [`normalize`] parses the table's grammar once and passes each group in
//! one uniform form to the module that derives something from it: the typed per-kind structs
//! here ([`entry_structs`]), the catalogue's field lists, the reading of a submission's fields
//! (the draft) and the building of each struct by the rules the table names (check). Each of
//! those modules depends on this one, and this one on none of them.
//!
//! A group of the table is
//!
//! ```text
//! /// Docs (of the list and of the struct).
//! LIST: struct Name(base: Base) {
//!     field: Type = Shape(limits), required | optional | many, "description" => rule(args);
//! } => cross_field_rule(field, field);
//! ```
//!
//! `LIST` becomes a `&[Field]` of the catalogue. With `: struct Name`, the group also becomes
//! a struct (the optional `base` flattened first, then the fields in table order) and its
//! implementation of check's `FromDraft`: each field is taken from the draft as
//! `<Type as Drafted>::Raw` and handed to the rule `Rules::rule(&field, raw, &args…)`, in table
//! order; then the cross-field rule runs on the results. `required` fields are `Type`,
//! `optional` ones `Option<Type>` (left out of JSON when absent), `many` ones a list `Type`
//! (left out when empty). Without `struct`, the group is only listed and read; its rules are
//! code in check. Names in the rows (types, shapes' limits, vocabularies) resolve where the
//! callback expands, so each deriving module imports what its derivation uses.
//!
//! The uniform form of a group handed to a callback is
//!
//! ```text
//! { [#[doc]…] LIST [Name (base: Base)] [ (field, Type, [Shape(limits)], need, "description", [rule(args)]) … ] [cross(field, …)] }
//! ```

/// Parses the table (`$callback; rows…`) and calls `$callback!` with every group in the
/// uniform form.
macro_rules! normalize {
    ($callback:ident; $(
        $(#[$doc:meta])*
        $list:ident $(: struct $sname:ident $(($bname:ident: $base:ty))?)? {
            $($fname:ident: $ty:ty = $shape:ident $(($($sarg:tt)*))?, $need:ident, $desc:literal
                $(=> $rule:ident $(($($rarg:ident),*))?)?;)*
        } $(=> $after:ident($($aarg:ident),*);)?
    )*) => {
        $callback! {$(
            { [$(#[$doc])*] $list [$($sname ($($bname: $base)?))?] [$(
                ($fname, $ty, [$shape $(($($sarg)*))?], $need, $desc, [$($rule $(($($rarg),*))?)?])
            )*] [$($after($($aarg),*))?] }
        )*}
    };
}
pub(crate) use normalize;

/// Declares the struct of every group that has one (a callback of the field table).
macro_rules! entry_structs {
    ($({ $docs:tt $list:ident [$($sname:ident ($($bname:ident: $base:ty)?))?] $fields:tt $after:tt })*) => {
        $($(
            $crate::model::table::entry_structs!(@struct $docs $sname
                [$(#[doc = "Common institution fields."] #[serde(flatten)] pub $bname: $base,)?]
                $fields);
        )?)*
    };

    // The struct, one field at a time (a struct body cannot hold macro calls).
    (@struct [$($doc:tt)*] $sname:ident [$($done:tt)*] []) => {
        $($doc)*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub struct $sname {
            $($done)*
        }
    };
    (@struct $doc:tt $sname:ident [$($done:tt)*] [($fname:ident, $ty:ty, $shape:tt, required, $desc:literal, $rule:tt) $($rest:tt)*]) => {
        $crate::model::table::entry_structs!(@struct $doc $sname [$($done)*
            #[doc = $desc]
            pub $fname: $ty,
        ] [$($rest)*]);
    };
    (@struct $doc:tt $sname:ident [$($done:tt)*] [($fname:ident, $ty:ty, $shape:tt, optional, $desc:literal, $rule:tt) $($rest:tt)*]) => {
        $crate::model::table::entry_structs!(@struct $doc $sname [$($done)*
            #[doc = $desc]
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub $fname: Option<$ty>,
        ] [$($rest)*]);
    };
    (@struct $doc:tt $sname:ident [$($done:tt)*] [($fname:ident, $ty:ty, $shape:tt, many, $desc:literal, $rule:tt) $($rest:tt)*]) => {
        $crate::model::table::entry_structs!(@struct $doc $sname [$($done)*
            #[doc = $desc]
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub $fname: $ty,
        ] [$($rest)*]);
    };
}
pub(crate) use entry_structs;

/// Whether a field of this need must be present.
macro_rules! required {
    (required) => {
        true
    };
    (optional) => {
        false
    };
    (many) => {
        false
    };
}
pub(crate) use required;
