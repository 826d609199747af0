//! Posts: the home page, the blog, archives and single posts.
pub mod api;
pub mod feed_links;
pub mod pages;
