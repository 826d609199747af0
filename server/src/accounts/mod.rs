//! Accounts: users, roles, the one authorisation function, signing in,
//! password reset, and sessions.
pub mod authz;
pub mod login;
pub mod members;
pub mod reset;
pub mod sessions;
pub mod users;
