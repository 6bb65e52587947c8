// Package mtprototest is a scripted MTProto server for tests: the server
// side of the key exchange and of encrypted messages, driven step by step
// by the test, with every value open to spoiling. It complements gotd/td's
// tgtest server, which is an independent implementation but sends no
// bad_msg_notification, bad_server_salt or container, and cannot be made
// to send a wrong value.
package mtprototest

import (
	"context"
	"crypto/aes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/big"
	"sync"
	"time"

	"github.com/gotd/ige"
	"github.com/gotd/td/bin"
	"github.com/gotd/td/transport"

	"github.com/tgraw/tgraw/mt"
	"github.com/tgraw/tgraw/mtcrypto"
	"github.com/tgraw/tgraw/mtproto"
)

var (
	keyOnce sync.Once
	key     *rsa.PrivateKey
	keyErr  error
)

// PrivateKey returns a 2048-bit RSA key for test servers, made once per
// process.
func PrivateKey() (*rsa.PrivateKey, error) {
	keyOnce.Do(func() { key, keyErr = rsa.GenerateKey(rand.Reader, 2048) })
	return key, keyErr
}

// PQ is the pq the server sends: Telegram's sample, 0x494C553B ×
// 0x53911073.
const PQ = 0x17ED48941A08F981

// Spoil changes what the server sends in the key exchange. Each function,
// when set, sees the value about to go out and may change it.
type Spoil struct {
	ResPQ func(*mt.ResPQ)
	// Inner changes server_DH_inner_data before it is encrypted.
	Inner func(*mt.ServerDHInnerData)
	// Answer changes the encrypted answer (SHA1 ‖ inner ‖ padding,
	// encrypted).
	Answer func([]byte) []byte
	// DHParams replaces server_DH_params_ok: it gets the value and the
	// exchange's new_nonce.
	DHParams func(ok *mt.ServerDHParamsOk, newNonce bin.Int256) mt.Object
	// DHGen replaces dh_gen_ok: it gets the value, the exchange's
	// new_nonce and the key made.
	DHGen func(ok *mt.DhGenOk, newNonce bin.Int256, key mtcrypto.AuthKey) mt.Object
	// Raw changes the bytes of what goes out, after the functions above:
	// the body of each message, what being "resPQ", "server_DH_params" or
	// "dh_gen", and server_DH_inner_data before it is hashed and encrypted
	// ("server_DH_inner_data"). It is how a fuzz test sends any bytes.
	Raw func(what string, body []byte) []byte
}

// Exchange is the server side of one key exchange.
type Exchange struct {
	Key   *rsa.PrivateKey
	DC    int
	Now   func() time.Time // server_time; time.Now if nil
	Spoil Spoil
	// Retries is how many times the server answers dh_gen_retry before
	// dh_gen_ok; each next set_client_DH_params must carry the retry_id
	// of the key before.
	Retries int
}

// Result is what the server side of an exchange made.
type Result struct {
	Key  mtcrypto.AuthKey
	Salt int64
	// RetryIDs are the retry_id values the client sent, in order.
	RetryIDs []int64
}

// Run serves one key exchange on conn.
func (e *Exchange) Run(ctx context.Context, conn transport.Conn) (Result, error) {
	now := e.Now
	if now == nil {
		now = time.Now
	}
	ids := &serverIDs{}
	send := func(what string, v bin.Encoder) error {
		body, err := e.encode(what, v)
		if err != nil {
			return err
		}
		return sendPlain(ctx, conn, ids.next(now(), true), body)
	}

	var req mt.ReqPqMultiRequest
	if err := recvPlain(ctx, conn, &req); err != nil {
		return Result{}, err
	}
	var serverNonce bin.Int128
	_, _ = rand.Read(serverNonce[:])
	res := &mt.ResPQ{
		Nonce:                       req.Nonce,
		ServerNonce:                 serverNonce,
		Pq:                          big.NewInt(PQ).Bytes(),
		ServerPublicKeyFingerprints: []int64{mtcrypto.Fingerprint(&e.Key.PublicKey)},
	}
	if e.Spoil.ResPQ != nil {
		e.Spoil.ResPQ(res)
	}
	if err := send("resPQ", res); err != nil {
		return Result{}, err
	}

	var dh mt.ReqDHParamsRequest
	if err := recvPlain(ctx, conn, &dh); err != nil {
		return Result{}, err
	}
	data, err := DecodeRSAPad(dh.EncryptedData, e.Key)
	if err != nil {
		return Result{}, err
	}
	innerReq, err := mt.DecodePQInnerData(&bin.Buffer{Buf: data})
	if err != nil {
		return Result{}, fmt.Errorf("p_q_inner_data: %w", err)
	}
	pqDC, ok := innerReq.(*mt.PQInnerDataDC)
	if !ok {
		return Result{}, fmt.Errorf("got %s, want p_q_inner_data_dc", innerReq.TypeName())
	}
	if pqDC.DC != e.DC {
		var b bin.Buffer
		b.PutInt32(-mtproto.CodeWrongDC)
		_ = conn.Send(ctx, &b)
		return Result{}, fmt.Errorf("p_q_inner_data_dc for DC %d, this is DC %d", pqDC.DC, e.DC)
	}
	if pqDC.Nonce != req.Nonce || pqDC.ServerNonce != serverNonce || dh.Nonce != req.Nonce {
		return Result{}, errors.New("req_DH_params: nonces differ")
	}
	newNonce := pqDC.NewNonce

	p := mtcrypto.DHPrime
	g := 3
	a, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 2048))
	if err != nil {
		return Result{}, err
	}
	gA := new(big.Int).Exp(big.NewInt(int64(g)), a, p)
	inner := &mt.ServerDHInnerData{
		Nonce: req.Nonce, ServerNonce: serverNonce, G: g,
		DhPrime: p.Bytes(), GA: gA.Bytes(), ServerTime: int(now().Unix()),
	}
	if e.Spoil.Inner != nil {
		e.Spoil.Inner(inner)
	}
	ib, err := e.encode("server_DH_inner_data", inner)
	if err != nil {
		return Result{}, err
	}
	tmpKey, tmpIV := mtcrypto.TempAESKeys(newNonce, serverNonce)
	answer, err := mtcrypto.EncryptWithHash(ib, tmpKey, tmpIV, rand.Reader)
	if err != nil {
		return Result{}, err
	}
	if e.Spoil.Answer != nil {
		answer = e.Spoil.Answer(answer)
	}
	var dhOut mt.Object = &mt.ServerDHParamsOk{Nonce: req.Nonce, ServerNonce: serverNonce, EncryptedAnswer: answer}
	if e.Spoil.DHParams != nil {
		dhOut = e.Spoil.DHParams(dhOut.(*mt.ServerDHParamsOk), newNonce)
	}
	if err := send("server_DH_params", dhOut); err != nil {
		return Result{}, err
	}

	var out Result
	var lastKey mtcrypto.AuthKey
	for attempt := 0; ; attempt++ {
		var set mt.SetClientDHParamsRequest
		if err := recvPlain(ctx, conn, &set); err != nil {
			return out, err
		}
		plain, err := mtcrypto.DecryptWithHash(set.EncryptedData, tmpKey, tmpIV)
		if err != nil {
			return out, fmt.Errorf("set_client_DH_params: %w", err)
		}
		var cd mt.ClientDHInnerData
		if err := cd.Decode(&bin.Buffer{Buf: plain}); err != nil {
			return out, fmt.Errorf("client_DH_inner_data: %w", err)
		}
		out.RetryIDs = append(out.RetryIDs, cd.RetryID)
		if attempt > 0 {
			aux := lastKey.AuxHash()
			if cd.RetryID != int64(leUint64(aux[:])) {
				return out, fmt.Errorf("retry_id is not the last key's auxiliary hash")
			}
		}
		gB := new(big.Int).SetBytes(cd.GB)
		if err := mtcrypto.CheckDHValue("g_b", gB, p); err != nil {
			return out, err
		}
		k, err := mtcrypto.NewAuthKey(new(big.Int).Exp(gB, a, p).FillBytes(make([]byte, 256)))
		if err != nil {
			return out, err
		}
		if attempt < e.Retries {
			lastKey = k
			if err := send("dh_gen", &mt.DhGenRetry{Nonce: req.Nonce, ServerNonce: serverNonce,
				NewNonceHash2: mtcrypto.NewNonceHash(newNonce, 2, k)}); err != nil {
				return out, err
			}
			continue
		}
		okMsg := &mt.DhGenOk{Nonce: req.Nonce, ServerNonce: serverNonce, NewNonceHash1: mtcrypto.NewNonceHash(newNonce, 1, k)}
		var gen mt.Object = okMsg
		if e.Spoil.DHGen != nil {
			gen = e.Spoil.DHGen(okMsg, newNonce, k)
		}
		if err := send("dh_gen", gen); err != nil {
			return out, err
		}
		out.Key = k
		out.Salt = mtcrypto.ServerSalt(newNonce, serverNonce)
		return out, nil
	}
}

func leUint64(b []byte) uint64 {
	var v uint64
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

// DecodeRSAPad is the server's side of RSA_PAD: it returns the 192 bytes
// of data_with_padding.
func DecodeRSAPad(enc []byte, priv *rsa.PrivateKey) ([]byte, error) {
	if len(enc) != 256 {
		return nil, fmt.Errorf("RSA_PAD: %d bytes", len(enc))
	}
	m := new(big.Int).Exp(new(big.Int).SetBytes(enc), priv.D, priv.N)
	keyAES := m.FillBytes(make([]byte, 256))
	sum := sha256.Sum256(keyAES[32:])
	var tempKey [32]byte
	for i := range tempKey {
		tempKey[i] = keyAES[i] ^ sum[i]
	}
	block, err := aes.NewCipher(tempKey[:])
	if err != nil {
		return nil, err
	}
	withHash := make([]byte, 224)
	ige.DecryptBlocks(block, make([]byte, 32), withHash, keyAES[32:])
	withPadding := make([]byte, 192)
	for i := range withPadding {
		withPadding[i] = withHash[191-i]
	}
	h := sha256.New()
	h.Write(tempKey[:])
	h.Write(withPadding)
	if string(h.Sum(nil)) != string(withHash[192:]) {
		return nil, errors.New("RSA_PAD: hash mismatch")
	}
	return withPadding, nil
}

// serverIDs makes a server's message IDs: odd, 1 mod 4 for responses and
// 3 mod 4 for other messages, increasing.
type serverIDs struct {
	mu   sync.Mutex
	last int64
}

func (s *serverIDs) next(now time.Time, response bool) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	base := mtproto.MsgIDAt(now) &^ 3
	if base <= s.last {
		base = s.last + 4
	}
	s.last = base
	if response {
		return base | 1
	}
	return base | 3
}

// encode encodes v, what the exchange sends as what, and lets Spoil.Raw
// change the bytes.
func (e *Exchange) encode(what string, v bin.Encoder) ([]byte, error) {
	var b bin.Buffer
	if err := v.Encode(&b); err != nil {
		return nil, err
	}
	if e.Spoil.Raw != nil {
		return e.Spoil.Raw(what, b.Buf), nil
	}
	return b.Buf, nil
}

func sendPlain(ctx context.Context, conn transport.Conn, msgID int64, body []byte) error {
	var b bin.Buffer
	b.PutLong(0)
	b.PutLong(msgID)
	b.PutInt(len(body))
	b.Put(body)
	return conn.Send(ctx, &b)
}

func recvPlain(ctx context.Context, conn transport.Conn, v bin.Decoder) error {
	var b bin.Buffer
	if err := conn.Recv(ctx, &b); err != nil {
		return err
	}
	if b.Len() < 20 {
		return io.ErrUnexpectedEOF
	}
	b.Skip(20)
	return v.Decode(&b)
}
