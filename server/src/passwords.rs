//! Argon2id password hashing (m = 19 MiB, t = 2, p = 1: the argon2 crate's defaults).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use password_hash::rand_core::OsRng;

/// A valid hash of a random password, checked against when an e-mail is
/// unknown so that a failed sign-in takes the same time either way.
pub const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$0EIsBMyo1zmNhB6hWYmCMtB2Z0b7U2Xp0vAdn5ygN5M";

pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail")
        .to_string()
}

pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

#[cfg(test)]
mod tests {
    #[test]
    fn hash_and_verify() {
        let h = super::hash("correct horse battery");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(super::verify("correct horse battery", &h));
        assert!(!super::verify("wrong", &h));
        assert!(!super::verify("x", "not a hash"));
        assert!(argon2::password_hash::PasswordHash::new(super::DUMMY_HASH).is_ok(), "the dummy hash must parse");
        assert!(!super::verify("anything", super::DUMMY_HASH));
    }
}
