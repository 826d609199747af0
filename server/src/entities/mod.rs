//! sea-orm entities, one per table (schema in the `migrations` crate).

pub mod app_user;
pub mod author;
pub mod category;
pub mod clinic;
pub mod clinic_host;
pub mod location;
pub mod membership;
pub mod post;
pub mod post_location;
pub mod post_tag;
pub mod session;
pub mod tag;

pub use post::PostStatus;
