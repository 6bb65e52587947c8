// Package mtcrypto holds the cryptography of MTProto 2.0, as Telegram's
// documentation defines it (https://core.telegram.org/mtproto/description,
// /mtproto/auth_key and /mtproto/security_guidelines):
//
//   - AuthKey: a 2048-bit authorization key, its auth_key_id and its
//     auxiliary hash;
//   - Seal and Open: the encrypted message of MTProto 2.0 (msg_key from
//     SHA-256, AES-256-IGE keys for each direction, 12..1024 bytes of
//     padding), Open checking every field a client must check before it
//     trusts a message;
//   - RSAPad, Fingerprint and TelegramKeys: the RSA_PAD encryption of the
//     key exchange and Telegram's published server keys;
//   - CheckDHParams and CheckDHValue: the Diffie-Hellman checks of the
//     security guidelines;
//   - Factorize: pq into p and q (Pollard's rho with Brent's cycle
//     detection);
//   - TempAESKeys, EncryptWithHash, DecryptWithHash, NewNonceHash and
//     ServerSalt: the other steps of the key exchange.
//
// Nothing here prints key material: an AuthKey formats as its ID, and
// errors name what was wrong, never the bytes.
package mtcrypto
