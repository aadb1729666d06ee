//! One-time codes sent by mail: a 6-digit verification code and an 8-character reset code.
//! Only a keyed hash is stored, bound to the account, so a database dump does not reveal them.

use rand::Rng;
use sha2::{Digest, Sha256};

/// Reset codes avoid look-alike characters (0/O, 1/I/L) so they can be typed from a phone.
const RESET_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

pub fn verification_code() -> String {
    format!("{:06}", rand::thread_rng().gen_range(0..1_000_000))
}

pub fn reset_code() -> String {
    let mut rng = rand::thread_rng();
    (0..8)
        .map(|_| RESET_ALPHABET[rng.gen_range(0..RESET_ALPHABET.len())] as char)
        .collect()
}

/// The stored form of a code: sha256 over the server secret, the purpose, the account and the
/// code (as typed, upper-cased and trimmed).
pub fn hash(secret: &str, purpose: &str, user_id: &str, code: &str) -> String {
    let mut h = Sha256::new();
    for part in [
        secret,
        purpose,
        user_id,
        code.trim().to_ascii_uppercase().as_str(),
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}
