//! Search: the header box, the `/search` page and its server functions.
pub mod api;
pub mod model;
pub mod pages;
