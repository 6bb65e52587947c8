package mtcrypto

import (
	"crypto/rsa"
	"sync"
)

// telegramKeys are the RSA keys Telegram publishes for its servers
// (my.telegram.org; Telegram Desktop's mtproto_dc_options.cpp). The first
// is the production servers' key (fingerprint 0xd09d1d85de64fd85), the
// second the test servers' key (0xb25898df208d2603).
const telegramKeys = `-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEA6LszBcC1LGzyr992NzE0ieY+BSaOW622Aa9Bd4ZHLl+TuFQ4lo4g
5nKaMBwK/BIb9xUfg0Q29/2mgIR6Zr9krM7HjuIcCzFvDtr+L0GQjae9H0pRB2OO
62cECs5HKhT5DZ98K33vmWiLowc621dQuwKWSQKjWf50XYFw42h21P2KXUGyp2y/
+aEyZ+uVgLLQbRA1dEjSDZ2iGRy12Mk5gpYc397aYp438fsJoHIgJ2lgMv5h7WY9
t6N/byY9Nw9p21Og3AoXSL2q/2IJ1WRUhebgAdGVMlV1fkuOQoEzR7EdpqtQD9Cs
5+bfo3Nhmcyvk5ftB0WkJ9z6bNZ7yxrP8wIDAQAB
-----END RSA PUBLIC KEY-----
-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEAyMEdY1aR+sCR3ZSJrtztKTKqigvO/vBfqACJLZtS7QMgCGXJ6XIR
yy7mx66W0/sOFa7/1mAZtEoIokDP3ShoqF4fVNb6XeqgQfaUHd8wJpDWHcR2OFwv
plUUI1PLTktZ9uW2WE23b+ixNwJjJGwBDJPQEQFBE+vfmH0JP503wr5INS1poWg/
j25sIWeYPHYeOrFp/eXaqhISP6G+q2IeTaWTXpwZj4LzXq5YOpk4bYEQ6mvRq7D1
aHWfYmlEGepfaYR8Q0YqvvhYtMte3ITnuSJs171+GDqpdKcSwHnd6FudwGO4pcCO
j4WcDuXc2CTHgH8gFTNhp/Y8/SpDOhvn9QIDAQAB
-----END RSA PUBLIC KEY-----
`

var parsedKeys = sync.OnceValue(func() []*rsa.PublicKey {
	keys, err := ParsePublicKeys([]byte(telegramKeys))
	if err != nil {
		panic("mtcrypto: the built-in keys do not parse: " + err.Error())
	}
	return keys
})

// TelegramKeys returns Telegram's published server keys: the production
// key, then the test servers' key. The slice is new on every call.
func TelegramKeys() []*rsa.PublicKey {
	return append([]*rsa.PublicKey(nil), parsedKeys()...)
}
