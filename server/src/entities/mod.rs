//! sea-orm entities, one per table (schema in the `migrations` crate).

pub mod app_user;
pub mod audit_log;
pub mod author;
pub mod category;
pub mod clinic;
pub mod clinic_host;
pub mod form_token_use;
pub mod lead;
pub mod lead_event;
pub mod lead_settings;
pub mod location;
pub mod login_attempt;
pub mod media;
pub mod membership;
pub mod outbox;
pub mod password_reset;
pub mod post;
pub mod post_location;
pub mod post_redirect;
pub mod post_revision;
pub mod post_tag;
pub mod preview_link;
pub mod search_change;
pub mod search_miss;
pub mod session;
pub mod tag;
pub mod term_redirect;
pub mod wordpress_post;

pub use post::PostStatus;
