//! The product spec: types, parsing and checking.

mod model;

pub use model::*;
