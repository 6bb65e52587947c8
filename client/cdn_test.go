package client_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"slices"
	"strings"
	"testing"

	"github.com/gotd/td/tgtest"

	"github.com/tgraw/tgraw/client"
	"github.com/tgraw/tgraw/session"
	"github.com/tgraw/tgraw/tg"
)

// TestCDN: a signed-in bot on DC 2 fetches a file from CDN DC 203, whose
// RSA key is not among the client's: the key comes from
// help.getCdnConfig on DC 2, the auth key is made on DC 203's CDN
// address, and no authorization goes there. The CDN key is saved, so a
// restart makes no new exchange and asks for no CDN configuration. A DC
// with no CDN address is refused with an error that names it.
func TestCDN(t *testing.T) {
	const cdn = 203
	w := newWorld(t, worldOptions{dcs: []int{2, cdn}, cdn: []int{cdn}})
	signInServer(w, 2, nil)
	key := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(w.publicKey(cdn))})
	w.result(2, tg.HelpGetCDNConfigRequestTypeID, &tg.CDNConfig{PublicKeys: []tg.CDNPublicKey{
		{DCID: 4, PublicKey: "not this one"},
		{DCID: cdn, PublicKey: string(key)},
	}})
	w.handle(cdn, tg.UploadGetCDNFileRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		r := decode[tg.UploadGetCDNFileRequest](t, req)
		return srv.SendResult(req, &tg.UploadCDNFile{Bytes: append([]byte{byte(r.Offset)}, r.FileToken...)})
	})

	store := &session.Memory{}
	opts := w.options(store)
	opts.PublicKeys = slices.DeleteFunc(slices.Clone(w.keys), func(k *rsa.PublicKey) bool { return k.Equal(w.publicKey(cdn)) })
	if len(opts.PublicKeys) != len(w.keys)-1 {
		t.Fatal("the CDN's key is still among the client's")
	}
	getCDNFile := func(ctx context.Context, c *client.Client, offset int64) {
		t.Helper()
		f, err := tg.NewClient(c.CDN(cdn)).UploadGetCDNFile(ctx, &tg.UploadGetCDNFileRequest{
			FileToken: []byte("token"), Offset: offset, Limit: 4096,
		})
		if err != nil {
			t.Fatalf("upload.getCdnFile: %v", err)
		}
		if file, ok := f.(*tg.UploadCDNFile); !ok || !bytes.Equal(file.Bytes, []byte{byte(offset), 't', 'o', 'k', 'e', 'n'}) {
			t.Fatalf("upload.getCdnFile returned %+v", f)
		}
	}
	c := client.New(17, "hash", opts)
	w.run(c, func(ctx context.Context) error {
		if _, err := c.SignInBot(ctx, "7001:token"); err != nil {
			return err
		}
		getCDNFile(ctx, c, 0)
		getCDNFile(ctx, c, 1)
		_, err := tg.NewClient(c.CDN(4)).UploadGetCDNFile(ctx, &tg.UploadGetCDNFileRequest{FileToken: []byte("x")})
		if err == nil || !strings.Contains(err.Error(), "CDN DC 4") {
			t.Errorf("a call to a DC with no CDN address: %v", err)
		}
		return nil
	})
	if n := len(w.served("help.getCdnConfig")); n != 1 {
		t.Errorf("%d help.getCdnConfig calls, want 1", n)
	}
	if n := len(w.served("auth.exportAuthorization")); n != 0 {
		t.Errorf("%d authorization exports for a CDN, want 0", n)
	}
	cdnAddr := w.addr(cdn, false)
	if w.connsTo(cdnAddr) != 1 || len(w.keysOf(cdn)) != 1 {
		t.Errorf("%d connections to the CDN, %d keys; want 1, 1", w.connsTo(cdnAddr), len(w.keysOf(cdn)))
	}
	s := mustLoad(t, store)
	k, ok := s.Keys[cdn]
	if !ok || !w.keysOf(cdn)[keyID(k.Key)] || k.UserID != 0 {
		t.Fatalf("the CDN's key in the session: %v (%v), want the key it knows, signed in to no one", k, ok)
	}

	c = client.New(17, "hash", w.options(store))
	w.run(c, func(ctx context.Context) error {
		getCDNFile(ctx, c, 2)
		return nil
	})
	if n := len(w.served("help.getCdnConfig")); n != 1 || len(w.keysOf(cdn)) != 1 || w.connsTo(cdnAddr) != 2 {
		t.Errorf("after a restart: %d help.getCdnConfig calls, %d keys of the CDN, %d connections; want 1, 1, 2",
			n, len(w.keysOf(cdn)), w.connsTo(cdnAddr))
	}
}
