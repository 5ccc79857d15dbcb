#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod access;
pub mod bulk;
pub mod catalogue;
pub mod change;
pub mod check;
mod context;
pub mod cursor;
pub mod draft;
pub mod duplicates;
pub mod error;
pub mod export;
pub mod features;
pub mod linked;
pub mod model;
pub mod normalize;
pub mod oai;
pub mod problem;
pub mod query;
pub mod reconcile;
pub mod regions;
mod regions_table;
pub mod register;
pub mod roles;
pub mod search;
pub mod store;
pub mod synthetic;
pub mod testing;
pub mod vocab;
pub mod voen;

pub use change::{Revision, Saved, Write};
pub use check::{check, Checked};
pub use error::RegisterError;
pub use model::{Entry, EntryRef, Record};
pub use problem::{Code, Problem, Severity};
pub use query::{Filter, HistoryPage, Listing};
pub use register::{Register, Replication};
pub use roles::Action;
pub use vocab::{Kind, Operation, Role, Status};
