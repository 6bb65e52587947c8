package mtcrypto_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/internal/mtprototest"
	"github.com/tgraw/tgraw/mtcrypto"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testKey is the auth key 00 01 02 … ff.
func testKey(t testing.TB) mtcrypto.AuthKey {
	t.Helper()
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	k, err := mtcrypto.NewAuthKey(b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// The expected values below were computed with an independent program
// (Python's hashlib and an AES-IGE built on the cryptography package's
// AES-ECB) from the formulas of https://core.telegram.org/mtproto/description.

func TestAuthKey(t *testing.T) {
	k := testKey(t)
	if got := k.ID(); got != -3972359982579920590 {
		t.Errorf("ID() = %d, want -3972359982579920590", got)
	}
	if aux := k.AuxHash(); hex.EncodeToString(aux[:]) != "4916d6bdb7f78e68" {
		t.Error("AuxHash differs from the reference")
	}
	if !bytes.Equal(k.Bytes(), testKey(t).Bytes()) || !k.Equal(testKey(t)) {
		t.Error("Bytes or Equal do not round-trip the key")
	}
	if _, err := mtcrypto.NewAuthKey(make([]byte, 255)); err == nil {
		t.Error("NewAuthKey accepted 255 bytes")
	}
	var zero mtcrypto.AuthKey
	if !zero.IsZero() || zero.Bytes() != nil || zero.Equal(k) {
		t.Error("the zero AuthKey is not empty")
	}
}

// TestAuthKeyPrintsNoKey checks that no verb prints key bytes, directly or
// inside a struct, exported field or not.
func TestAuthKeyPrintsNoKey(t *testing.T) {
	k := testKey(t)
	holder := struct {
		Key    mtcrypto.AuthKey
		hidden mtcrypto.AuthKey
	}{k, k}
	keyHex := hex.EncodeToString(k.Bytes()[:16])
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%q", "%d"} {
		for _, v := range []any{k, &k, holder, &holder} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(strings.ToLower(out), keyHex) || strings.Contains(out, "0 1 2 3 4 5") ||
				strings.Contains(out, "\x00\x01\x02\x03") || strings.Contains(out, "\x10\x11\x12\x13") {
				t.Errorf("%s of %T shows key bytes", verb, v)
			}
		}
	}
	if got := k.String(); got != "auth key c8df57a46e58d132" {
		t.Errorf("String() = %q", got)
	}
}

func TestMessageKeys(t *testing.T) {
	k := testKey(t)
	plain := make([]byte, 64)
	for i := range plain {
		plain[i] = byte(i * 7)
	}
	for _, tc := range []struct {
		side            mtcrypto.Side
		msgKey, key, iv string
	}{
		{mtcrypto.Client, "b21b162c78b5661c2989f3655a1cba96",
			"2a9fe12946a8f4cd053c41d8daa40ae5e28bb21e292faf164697256aeae8d26c",
			"96a04cf90921ce5c748c74075710fd97de58e01821905941dfe03e00c09411b2"},
		{mtcrypto.Server, "a75eca04a1d39a9e8fa93e956188129c",
			"da83d87cbfa341d7aade21bd8e13d82214df95380fc24bc6e62af1e1dbe48056",
			"ca85021a0f4c75ce53c95380fc4eff216c974f53d9145c4dee7bd60812373904"},
	} {
		mk := mtcrypto.MessageKey(k, tc.side, plain)
		if hex.EncodeToString(mk[:]) != tc.msgKey {
			t.Errorf("side x=%d: msg_key differs from the reference", tc.side)
		}
		key, iv := mtcrypto.MessageKeys(k, tc.side, mk)
		if hex.EncodeToString(key[:]) != tc.key || hex.EncodeToString(iv[:]) != tc.iv {
			t.Errorf("side x=%d: AES key or IV differs from the reference", tc.side)
		}
	}
}

// constReader reads the same byte forever.
type constReader byte

func (r constReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

var testHeader = mtcrypto.Header{Salt: 0x1122334455667788, SessionID: 0x0102030405060708, MsgID: 0x5e0b800000000004, SeqNo: 3}

func TestSealVector(t *testing.T) {
	k := testKey(t)
	got, err := mtcrypto.Seal(k, mtcrypto.Client, testHeader, []byte("abcdefgh"), constReader(0xaa))
	if err != nil {
		t.Fatal(err)
	}
	want := "32d1586ea457dfc88a59e1af18ad8a1566ba85417ef175d7030a75f382c7244824e8adab1f950ffddd932f87079040a5" +
		"c056ef66d300738a6f4aa8a4a3c2fb027145c3eb0577f39a20ed72cc193f1079e7bfa444b4a98f23"
	if hex.EncodeToString(got) != want {
		t.Error("sealed message differs from the reference")
	}
	h, body, err := mtcrypto.Open(k, mtcrypto.Client, got)
	if err != nil || h != testHeader || string(body) != "abcdefgh" {
		t.Errorf("Open: %+v %q %v", h, body, err)
	}
}

func TestPaddingLen(t *testing.T) {
	for n := 32; n < 200; n += 4 {
		p := mtcrypto.PaddingLen(n)
		if p < 12 || p > 27 || (n+p)%16 != 0 {
			t.Errorf("PaddingLen(%d) = %d", n, p)
		}
	}
}

// sealRaw seals a server message whose plaintext the test wrote whole,
// with a correct msg_key: what a server could send.
func sealRaw(_ *testing.T, k mtcrypto.AuthKey, plain []byte) []byte {
	return mtprototest.NewSession(nil, k, nil).SealPlain(plain)
}

// plaintext is testHeader, message_data_length dataLen, data zero bytes
// of data and pad of padding.
func plaintext(dataLen int32, data, pad int) []byte {
	return mtprototest.Plain(testHeader, dataLen, make([]byte, data), pad)
}

// TestOpenRefuses feeds Open each wrong value a server (or the network)
// could send and checks the refusal and its reason.
func TestOpenRefuses(t *testing.T) {
	k := testKey(t)
	good, err := mtcrypto.Seal(k, mtcrypto.Server, testHeader, make([]byte, 16), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := mtcrypto.Open(k, mtcrypto.Server, good); err != nil {
		t.Fatalf("a good message: %v", err)
	}
	flip := func(i int) []byte { b := bytes.Clone(good); b[i] ^= 1; return b }
	other := make([]byte, 256)
	other[0] = 1
	otherKey, _ := mtcrypto.NewAuthKey(other)
	otherMsg, _ := mtcrypto.Seal(otherKey, mtcrypto.Server, testHeader, make([]byte, 16), rand.Reader)

	for _, tc := range []struct {
		name string
		msg  []byte
		side mtcrypto.Side
		want error
	}{
		{"wrong auth_key_id", flip(0), mtcrypto.Server, mtcrypto.ErrAuthKeyID},
		{"another key's message", otherMsg, mtcrypto.Server, mtcrypto.ErrAuthKeyID},
		{"shorter than auth_key_id", good[:7], mtcrypto.Server, mtcrypto.ErrAuthKeyID},
		{"wrong msg_key", flip(8), mtcrypto.Server, mtcrypto.ErrMsgKey},
		{"a changed ciphertext byte", flip(len(good) - 1), mtcrypto.Server, mtcrypto.ErrMsgKey},
		{"the client's direction", good, mtcrypto.Client, mtcrypto.ErrMsgKey},
		{"truncated to no plaintext", good[:24], mtcrypto.Server, mtcrypto.ErrMsgKey},
		{"not whole blocks", good[:len(good)-4], mtcrypto.Server, mtcrypto.ErrMsgKey},
		{"a block short", good[:len(good)-16], mtcrypto.Server, mtcrypto.ErrMsgKey},
		{"negative message_data_length", sealRaw(t, k, plaintext(-4, 16, 16)), mtcrypto.Server, mtcrypto.ErrDataLength},
		{"message_data_length not divisible by 4", sealRaw(t, k, plaintext(6, 8, 24)), mtcrypto.Server, mtcrypto.ErrDataLength},
		{"message_data_length beyond the plaintext", sealRaw(t, k, plaintext(64, 16, 16)), mtcrypto.Server, mtcrypto.ErrDataLength},
		{"huge message_data_length", sealRaw(t, k, plaintext(0x7ffffffc, 16, 16)), mtcrypto.Server, mtcrypto.ErrDataLength},
		{"padding of 8 bytes", sealRaw(t, k, plaintext(24, 24, 8)), mtcrypto.Server, mtcrypto.ErrPadding},
		{"padding of 0 bytes", sealRaw(t, k, plaintext(32, 32, 0)), mtcrypto.Server, mtcrypto.ErrPadding},
		{"padding of 1040 bytes", sealRaw(t, k, plaintext(0, 0, 1040)), mtcrypto.Server, mtcrypto.ErrPadding},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := mtcrypto.Open(k, tc.side, tc.msg)
			if !errors.Is(err, tc.want) {
				t.Errorf("Open: %v, want %v", err, tc.want)
			}
		})
	}
	// The bounds themselves are accepted.
	for _, pad := range []int{12, 1024} {
		data := 16 - (mtcrypto.HeaderSize+pad)%16
		if data == 16 {
			data = 0
		}
		if _, _, err := mtcrypto.Open(k, mtcrypto.Server, sealRaw(t, k, plaintext(int32(data), data, pad))); err != nil {
			t.Errorf("padding of %d bytes: %v", pad, err)
		}
	}
}

func TestSealRefuses(t *testing.T) {
	k := testKey(t)
	if _, err := mtcrypto.Seal(k, mtcrypto.Client, testHeader, make([]byte, 5), rand.Reader); err == nil {
		t.Error("Seal accepted a body of 5 bytes")
	}
	if _, err := mtcrypto.Seal(mtcrypto.AuthKey{}, mtcrypto.Client, testHeader, nil, rand.Reader); err == nil {
		t.Error("Seal accepted the zero key")
	}
}

func TestFingerprints(t *testing.T) {
	keys := mtcrypto.TelegramKeys()
	want := []uint64{0xd09d1d85de64fd85, 0xb25898df208d2603}
	if len(keys) != len(want) {
		t.Fatalf("%d keys, want %d", len(keys), len(want))
	}
	for i, k := range keys {
		if got := uint64(mtcrypto.Fingerprint(k)); got != want[i] {
			t.Errorf("key %d: fingerprint %#x, want %#x", i, got, want[i])
		}
	}
	if _, err := mtcrypto.ParsePublicKeys([]byte("not a key")); err == nil {
		t.Error("ParsePublicKeys accepted text with no key")
	}
}

// TestRSAPad decrypts RSAPad's output with the private key and undoes each
// step of the scheme.
func TestRSAPad(t *testing.T) {
	priv, err := mtprototest.PrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("p_q_inner_data_dc, at most 144 bytes")
	enc, err := mtcrypto.RSAPad(data, &priv.PublicKey, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if len(enc) != 256 {
		t.Fatalf("%d bytes, want 256", len(enc))
	}
	got, err := mtprototest.DecodeRSAPad(enc, priv)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got[:len(data)], data) {
		t.Errorf("decrypted data differs")
	}
	if _, err := mtcrypto.RSAPad(make([]byte, 145), &priv.PublicKey, rand.Reader); err == nil {
		t.Error("RSAPad accepted 145 bytes")
	}
	small := &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 1023), E: 65537}
	if _, err := mtcrypto.RSAPad(data, small, rand.Reader); err == nil {
		t.Error("RSAPad accepted a 1024-bit key")
	}
}

func TestTempAESKeys(t *testing.T) {
	// https://core.telegram.org/mtproto/samples-auth_key (the version of
	// the page with this new_nonce; the values are Telegram's).
	var newNonce bin.Int256
	var serverNonce bin.Int128
	copy(newNonce[:], unhex(t, "311C85DB234AA2640AFC4A76A735CF5B1F0FD68BD17FA181E1229AD867CC024D"))
	copy(serverNonce[:], unhex(t, "A5CF4D33F4A11EA877BA4AA573907330"))
	key, iv := mtcrypto.TempAESKeys(newNonce, serverNonce)
	if !bytes.Equal(key[:], unhex(t, "F011280887C7BB01DF0FC4E17830E0B91FBB8BE4B2267CB985AE25F33B527253")) {
		t.Error("tmp_aes_key differs from the published one")
	}
	if !bytes.Equal(iv[:], unhex(t, "3212D579EE35452ED23E0D0C92841AA7D31B2E9BDEF2151E80D15860311C85DB")) {
		t.Error("tmp_aes_iv differs from the published one")
	}
}

// TestTempAESKeysLeadingZero checks that a nonce starting with zero bytes
// is hashed at its full width: the keys change with the nonce's first
// byte, and zero is no exception.
func TestTempAESKeysLeadingZero(t *testing.T) {
	var n1, n2 bin.Int256
	var s bin.Int128
	copy(n1[1:], bytes.Repeat([]byte{7}, 31))
	n2 = n1
	n2[0] = 0 // same value as a big integer with one byte fewer
	n1[0] = 0
	k1, _ := mtcrypto.TempAESKeys(n1, s)
	trimmed := [32]byte{}
	copy(trimmed[:], n1[1:]) // what dropping the leading zero would hash
	var n3 bin.Int256
	copy(n3[:], trimmed[:])
	k3, _ := mtcrypto.TempAESKeys(n3, s)
	if k1 == k3 {
		t.Error("a leading zero byte of new_nonce makes no difference")
	}
	k2, _ := mtcrypto.TempAESKeys(n2, s)
	if k1 != k2 {
		t.Error("the same nonce gives different keys")
	}
}

func TestEncryptWithHash(t *testing.T) {
	var key, iv [32]byte
	key[0], iv[0] = 1, 2
	for n := 0; n < 40; n++ {
		data := bytes.Repeat([]byte{byte(n)}, n)
		enc, err := mtcrypto.EncryptWithHash(data, key, iv, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		got, err := mtcrypto.DecryptWithHash(enc, key, iv)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%d bytes: %v", n, err)
		}
		enc[len(enc)-20] ^= 1
		if _, err := mtcrypto.DecryptWithHash(enc, key, iv); !errors.Is(err, mtcrypto.ErrAnswerHash) {
			t.Fatalf("%d bytes, a byte changed: %v, want ErrAnswerHash", n, err)
		}
	}
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := mtcrypto.DecryptWithHash(make([]byte, n), key, iv); err == nil {
			t.Errorf("DecryptWithHash accepted %d bytes", n)
		}
	}
}

func TestNonceHashAndSalt(t *testing.T) {
	k := testKey(t)
	var nn bin.Int256
	var sn bin.Int128
	for i := range nn {
		nn[i] = byte(i)
	}
	for i := range sn {
		sn[i] = byte(100 + i)
	}
	for n, want := range map[byte]string{
		1: "c2ced2b33e593a55d27f4a5dabee7c67",
		2: "f4318e85bd2ff3be84d9fefce3dce39f",
		3: "4bf9d7b37db413ee431d28517631cb3d",
	} {
		if h := mtcrypto.NewNonceHash(nn, n, k); hex.EncodeToString(h[:]) != want {
			t.Errorf("new_nonce_hash%d differs from the reference", n)
		}
	}
	if got := mtcrypto.ServerSalt(nn, sn); got != 7812738666377536612 {
		t.Error("ServerSalt differs from the reference")
	}
}

func TestFactorize(t *testing.T) {
	for _, tc := range []struct{ pq, p, q uint64 }{
		{0x17ED48941A08F981, 0x494C553B, 0x53911073},  // Telegram's sample exchange
		{1470626929934143021, 1206429347, 1218991343}, // grammers' tests
		{2363612107535801713, 1518968219, 1556064227}, // grammers' tests
		{15, 3, 5}, // the smallest
		{(1<<32 - 5) * (1<<32 - 17), 1<<32 - 17, 1<<32 - 5}, // near 2^64
		{3 * 6148914691236517199, 3, 6148914691236517199},   // near 2^64, tiny p
	} {
		p, q, err := mtcrypto.Factorize(tc.pq)
		if err != nil || p != tc.p || q != tc.q {
			t.Errorf("Factorize(%d) = %d, %d, %v; want %d, %d", tc.pq, p, q, err, tc.p, tc.q)
		}
	}
	for _, pq := range []uint64{0, 1, 4, 9, 17, 49, 1<<61 - 1, 3 * 5 * 7, 1206429347 * 1206429347, 1 << 40} {
		if p, q, err := mtcrypto.Factorize(pq); err == nil {
			t.Errorf("Factorize(%d) = %d, %d; want an error", pq, p, q)
		}
	}
	p, q, err := mtcrypto.FactorizeBytes(unhex(t, "17ED48941A08F981"))
	if err != nil || !bytes.Equal(p, unhex(t, "494C553B")) || !bytes.Equal(q, unhex(t, "53911073")) {
		t.Errorf("FactorizeBytes: %x %x %v", p, q, err)
	}
	for _, pq := range [][]byte{nil, make([]byte, 9)} {
		if _, _, err := mtcrypto.FactorizeBytes(pq); err == nil {
			t.Errorf("FactorizeBytes(%x) accepted", pq)
		}
	}
}

func TestCheckDHParams(t *testing.T) {
	p := mtcrypto.DHPrime
	if err := mtcrypto.CheckDHParams(p, 3); err != nil {
		t.Errorf("the published prime with g = 3: %v", err)
	}
	// The published prime mod 8 is 3: g = 2 does not generate the subgroup.
	if err := mtcrypto.CheckDHParams(p, 2); err == nil {
		t.Error("the published prime with g = 2 accepted")
	}
	for _, g := range []int{0, 1, 8, -3} {
		if err := mtcrypto.CheckDHParams(p, g); err == nil {
			t.Errorf("g = %d accepted", g)
		}
	}
	notPrime := new(big.Int).Add(p, big.NewInt(24)) // same residues mod 24, not prime
	if err := mtcrypto.CheckDHParams(notPrime, 3); err == nil || !strings.Contains(err.Error(), "prime") {
		t.Errorf("p+24: %v, want a primality error", err)
	}
	short := new(big.Int).Rsh(p, 1)
	if err := mtcrypto.CheckDHParams(short, 3); err == nil {
		t.Error("a 2047-bit prime accepted")
	}
	// A 2048-bit prime that is not safe: (p-1)/2 even.
	if err := mtcrypto.CheckDHParams(unsafePrime(t), 4); err == nil || !strings.Contains(err.Error(), "safe") {
		t.Errorf("a prime that is not safe: %v", err)
	}
}

// unsafePrime is a 2048-bit prime p ≡ 5 mod 8, so that (p-1)/2 is even:
// prime, but not safe.
func unsafePrime(t *testing.T) *big.Int {
	t.Helper()
	p, ok := new(big.Int).SetString("a2f1e32dcba045a824a367602f2ab129572c62c6b7ff4962ed598ec47cda31bf"+
		"90e977e57a743115b1e05d9e7c89eaa165489a993302b8654eb0c8df48812f044f485912efcc2cc838f4d20f0946205f"+
		"f49b3289a75f86e84d1fbc7e6dad13dcfeaf1b2eceed060eb1ddb7c1e21ab14d793cde92265aa923e21c7cbb10f03c1a9"+
		"6df29c654c44b6c7a741478f431e2b991a6fcf88c069788a1460308ddf34f342f59180b2f27a913af21a3c2177472e2db"+
		"49cb78ebba557abf53cf485258a575404d41c9e13513a3cba487f6eb68f6fce004ae8ff126a728827a75edd1f051365cc"+
		"b77e2b9e19476bdc09d05bba69b37be3ed0d5db568770ef2af7dadab78f05", 16)
	if !ok || p.BitLen() != 2048 || !p.ProbablyPrime(20) {
		t.Fatal("the test prime is not a 2048-bit prime")
	}
	return p
}

// TestCheckGenerator checks each g against a residue that passes and one
// that fails (small primes stand in for dh_prime; the rule is on residues).
func TestCheckGenerator(t *testing.T) {
	for _, tc := range []struct {
		g         int
		good, bad int64
	}{
		{2, 23, 11}, // p mod 8 = 7
		{3, 47, 13}, // p mod 3 = 2
		{4, 13, -1}, // always
		{5, 11, 13}, // p mod 5 in {1, 4}
		{6, 43, 41}, // p mod 24 in {19, 23}
		{7, 17, 29}, // p mod 7 in {3, 5, 6}
	} {
		if err := mtcrypto.CheckGenerator(big.NewInt(tc.good), tc.g); err != nil {
			t.Errorf("g = %d, p = %d: %v", tc.g, tc.good, err)
		}
		if tc.bad > 0 {
			if err := mtcrypto.CheckGenerator(big.NewInt(tc.bad), tc.g); err == nil {
				t.Errorf("g = %d, p = %d accepted", tc.g, tc.bad)
			}
		}
	}
}

func TestCheckDHValue(t *testing.T) {
	p := mtcrypto.DHPrime
	margin := new(big.Int).Lsh(big.NewInt(1), 1984)
	pm1 := new(big.Int).Sub(p, big.NewInt(1))
	for _, tc := range []struct {
		name string
		v    *big.Int
		ok   bool
	}{
		{"0", big.NewInt(0), false},
		{"1", big.NewInt(1), false},
		{"2", big.NewInt(2), false},
		{"2^1984", margin, false},
		{"2^1984+1", new(big.Int).Add(margin, big.NewInt(1)), true},
		{"p/2", new(big.Int).Rsh(p, 1), true},
		{"p-2^1984-1", new(big.Int).Sub(new(big.Int).Sub(p, margin), big.NewInt(1)), true},
		{"p-2^1984", new(big.Int).Sub(p, margin), false},
		{"p-1", pm1, false},
		{"p", p, false},
		{"p+1", new(big.Int).Add(p, big.NewInt(1)), false},
	} {
		err := mtcrypto.CheckDHValue("g_a", tc.v, p)
		if (err == nil) != tc.ok {
			t.Errorf("g_a = %s: %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}
