//! Accounts: users, roles, the one authorisation function, and sessions.
pub mod authz;
pub mod sessions;
pub mod users;
