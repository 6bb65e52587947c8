//go:build gotdlayer

package oracle_test

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand"
	"reflect"
	"sort"
	"sync"
	"testing"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tdp"
	gotd "github.com/gotd/td/tg"

	"github.com/tgraw/tgraw/gen"
	"github.com/tgraw/tgraw/internal/tlrand"
	"github.com/tgraw/tgraw/schema"
	"github.com/tgraw/tgraw/tg"
)

// seedsPerID is how many random values of each constructor and function
// the differential test encodes with gotd; -seeds and -depth make the
// search longer.
var (
	seedsPerID = flag.Int64("seeds", 8, "random values of each constructor and function")
	maxDepth   = flag.Int("depth", 3, "nesting depth of random values")
)

// exceptions are the definitions whose gotd encoding disagrees with the
// schema, so that tg, which follows the schema, cannot give the same bytes.
// Each was checked against the TL definition, and TestAccessPointRuleWire
// shows tg's bytes for them. The test fails when one of them starts to
// agree, so that the list stays exact.
var exceptions = map[string]string{
	// accessPointRule#4679b65f phone_prefix_rules:string dc_id:int
	// ips:vector<IpPort> = AccessPointRule: a bare vector (no vector ID) of
	// the boxed type IpPort, which has two constructors (ipPort, ipPortSecret),
	// so each element carries its constructor ID. gotd writes each element
	// with EncodeBare, dropping the IDs, and its decoder cannot tell the two
	// constructors apart.
	"accessPointRule": "gotd encodes the elements of ips:vector<IpPort> bare; IpPort is boxed, each element needs its constructor ID",
	// help.configSimple#5a592a6c date:int expires:int
	// rules:vector<AccessPointRule> = help.ConfigSimple: gotd writes the
	// rules themselves right (boxed), but each holds an accessPointRule.
	"help.configSimple": "its rules are accessPointRule values, whose ips gotd encodes bare",
}

// oracle is what the differential test knows: our schema model, and gotd's
// types with the flags of their fields.
type oracle struct {
	byID    map[uint32]*gen.Def
	gotdDef map[reflect.Type]*gen.Def          // gotd struct type -> definition
	names   map[reflect.Type]map[string]string // gotd struct type -> Go field -> TL name
	ctors   map[uint32]func() bin.Object
	ids     []uint32 // gotd's IDs, increasing
	filler  *tlrand.Filler
}

var (
	oracleOnce sync.Once
	theOracle  *oracle
	oracleErr  error
)

func loadOracle(t testing.TB) *oracle {
	t.Helper()
	oracleOnce.Do(func() { theOracle, oracleErr = newOracle() })
	if oracleErr != nil {
		t.Fatal(oracleErr)
	}
	return theOracle
}

func newOracle() (*oracle, error) {
	s, err := gen.Parse(schema.API, "api.tl")
	if err != nil {
		return nil, err
	}
	m, err := gen.BuildModel(s, "tg", nil)
	if err != nil {
		return nil, err
	}
	o := &oracle{
		byID:    map[uint32]*gen.Def{},
		gotdDef: map[reflect.Type]*gen.Def{},
		names:   map[reflect.Type]map[string]string{},
		ctors:   gotd.TypesConstructorMap(),
	}
	for _, d := range m.Defs {
		o.byID[d.ID] = d
	}
	for id := range o.ctors {
		o.ids = append(o.ids, id)
	}
	sort.Slice(o.ids, func(i, j int) bool { return o.ids[i] < o.ids[j] })
	var types []reflect.Type
	for _, id := range o.ids {
		v := o.ctors[id]()
		typ := reflect.TypeOf(v)
		types = append(types, typ)
		d := o.byID[id]
		if d == nil {
			return nil, fmt.Errorf("gotd's %T has ID %#08x, which our schema does not have", v, id)
		}
		o.gotdDef[typ.Elem()] = d
		ti, ok := v.(interface{ TypeInfo() tdp.Type })
		if !ok {
			return nil, fmt.Errorf("gotd's %T has no TypeInfo", v)
		}
		names := map[string]string{}
		for _, f := range ti.TypeInfo().Fields {
			names[f.Name] = f.SchemaName
		}
		o.names[typ.Elem()] = names
	}
	o.filler = tlrand.New(tlrand.Config{Types: types, Flag: o.flag, MaxDepth: *maxDepth})
	return o, nil
}

// flag tells the bit of a field of a gotd struct, through its TL name.
func (o *oracle) flag(t reflect.Type, name string) (tlrand.Flag, bool) {
	d := o.gotdDef[t]
	if d == nil {
		panic("no definition for gotd's " + t.String())
	}
	tlName, ok := o.names[t][name]
	if !ok {
		panic(fmt.Sprintf("gotd's %s has field %s, which its TypeInfo does not list", t, name))
	}
	for _, f := range d.Fields {
		if f.TLName != tlName {
			continue
		}
		if f.Flag == nil {
			return tlrand.Flag{}, false
		}
		word := f.Flag.Word.GoName
		if _, ok := t.FieldByName(word); !ok {
			panic(fmt.Sprintf("gotd's %s has no flags word %s", t, word))
		}
		return tlrand.Flag{Word: word, Bit: f.Flag.Bit, True: f.Type.Kind == gen.KindTrue}, true
	}
	panic(fmt.Sprintf("%s has no field %s", d.TLName, tlName))
}

// gotdFill returns a gotd value of id, filled at random from seed.
func (o *oracle) gotdFill(id uint32, seed int64) bin.Object {
	v := o.ctors[id]()
	o.filler.Fill(rand.New(rand.NewSource(seed)), v)
	return v
}

// compare encodes v with gotd, decodes that with tg and encodes it again:
// nil if the bytes are the same.
func compare(id uint32, v bin.Object) error {
	var b bin.Buffer
	if err := v.Encode(&b); err != nil {
		return fmt.Errorf("gotd cannot encode it: %w", err)
	}
	data := b.Buf
	ours := tg.New(id)
	in := &bin.Buffer{Buf: bytes.Clone(data)}
	if err := ours.Decode(in); err != nil {
		return fmt.Errorf("tg cannot decode gotd's %x: %w", data, err)
	}
	if in.Len() != 0 {
		return fmt.Errorf("tg left %d bytes of gotd's %x", in.Len(), data)
	}
	var out bin.Buffer
	if err := ours.Encode(&out); err != nil {
		return fmt.Errorf("tg cannot re-encode: %w", err)
	}
	if !bytes.Equal(out.Buf, data) {
		return fmt.Errorf("bytes differ:\ngotd %x\n  tg %x", data, out.Buf)
	}
	return nil
}

// TestDifferential fills every constructor and function of gotd's tg at
// random, encodes it with gotd, decodes and re-encodes it with ours: the
// bytes must be the same for every ID but the listed exceptions, which
// must all disagree.
func TestDifferential(t *testing.T) {
	o := loadOracle(t)

	// The two packages have the same IDs: that of the schema.
	ourIDs := tg.IDs()
	if !equalIDs(ourIDs, o.ids) {
		t.Fatalf("tg has %d IDs and gotd %d: not the same set", len(ourIDs), len(o.ids))
	}
	excepted := map[uint32]string{}
	for name, reason := range exceptions {
		found := false
		for id, d := range o.byID {
			if d.TLName == name {
				excepted[id] = reason
				found = true
			}
		}
		if !found {
			t.Fatalf("exception %s is not in the schema", name)
		}
	}

	covered := 0
	disagree := map[uint32]error{}
	for _, id := range o.ids {
		var firstErr error
		for seed := int64(0); seed < *seedsPerID && firstErr == nil; seed++ {
			if err := compare(id, o.gotdFill(id, seed)); err != nil {
				firstErr = fmt.Errorf("seed %d: %w", seed, err)
			}
		}
		if firstErr != nil {
			disagree[id] = firstErr
			continue
		}
		covered++
	}
	for _, id := range o.ids {
		err, bad := disagree[id]
		reason, isException := excepted[id]
		switch {
		case bad && !isException:
			t.Errorf("%s: %v", tg.Name(id), err)
		case !bad && isException:
			t.Errorf("%s agrees with gotd now: remove it from the exceptions (%s)", tg.Name(id), reason)
		case bad:
			t.Logf("exception %s: %s", tg.Name(id), reason)
		}
	}
	want := len(ourIDs) - len(exceptions)
	t.Logf("covered %d of %d IDs, %d exceptions", covered, len(ourIDs), len(exceptions))
	if covered != want {
		t.Errorf("covered %d IDs, want %d (%d IDs less %d exceptions)", covered, want, len(ourIDs), len(exceptions))
	}
}

func equalIDs(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestAccessPointRuleWire checks the exceptions the other way: tg's
// encoding of accessPointRule, built by hand from the schema, and gotd's,
// which lacks the element IDs.
func TestAccessPointRuleWire(t *testing.T) {
	// ipPort#d433ad73 ipv4:int port:int = IpPort;
	// ipPortSecret#37982646 ipv4:int port:int secret:bytes = IpPort;
	// accessPointRule#4679b65f phone_prefix_rules:string dc_id:int ips:vector<IpPort> = AccessPointRule;
	// help.configSimple#5a592a6c date:int expires:int rules:vector<AccessPointRule> = help.ConfigSimple;
	rule := []byte{
		0x5f, 0xb6, 0x79, 0x46, // accessPointRule
		2, '+', '7', 0, // phone_prefix_rules "+7"
		2, 0, 0, 0, // dc_id 2
		2, 0, 0, 0, // ips: a bare vector of 2, no vector ID
		0x73, 0xad, 0x33, 0xd4, // ipPort
		0x01, 0x02, 0x03, 0x04, // ipv4
		0xbb, 0x01, 0, 0, // port 443
		0x46, 0x26, 0x98, 0x37, // ipPortSecret
		0x05, 0x06, 0x07, 0x08, // ipv4
		0x50, 0, 0, 0, // port 80
		3, 0xaa, 0xbb, 0xcc, // secret
	}
	ours := &tg.AccessPointRule{
		PhonePrefixRules: "+7",
		DCID:             2,
		IPs: []tg.IPPortClass{
			&tg.IPPort{Ipv4: 0x04030201, Port: 443},
			&tg.IPPortSecret{Ipv4: 0x08070605, Port: 80, Secret: []byte{0xaa, 0xbb, 0xcc}},
		},
	}
	var b bin.Buffer
	if err := ours.Encode(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Buf, rule) {
		t.Fatalf("tg encodes accessPointRule as\n%x\nwant\n%x", b.Buf, rule)
	}
	var dec tg.AccessPointRule
	if err := dec.Decode(&bin.Buffer{Buf: rule}); err != nil {
		t.Fatal(err)
	}
	if _, ok := dec.IPs[1].(*tg.IPPortSecret); !ok || len(dec.IPs) != 2 {
		t.Fatalf("decoded ips %#v", dec.IPs)
	}

	config := append([]byte{
		0x6c, 0x2a, 0x59, 0x5a, // help.configSimple
		1, 0, 0, 0, // date
		2, 0, 0, 0, // expires
		1, 0, 0, 0, // rules: a bare vector of 1
	}, rule...)
	b.Reset()
	if err := (&tg.HelpConfigSimple{Date: 1, Expires: 2, Rules: []tg.AccessPointRule{*ours}}).Encode(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Buf, config) {
		t.Fatalf("tg encodes help.configSimple as\n%x\nwant\n%x", b.Buf, config)
	}

	// gotd's bytes are the same less the two element IDs.
	g := &gotd.AccessPointRule{
		PhonePrefixRules: "+7",
		DCID:             2,
		IPs: []gotd.IPPortClass{
			&gotd.IPPort{Ipv4: 0x04030201, Port: 443},
			&gotd.IPPortSecret{Ipv4: 0x08070605, Port: 80, Secret: []byte{0xaa, 0xbb, 0xcc}},
		},
	}
	b.Reset()
	if err := g.Encode(&b); err != nil {
		t.Fatal(err)
	}
	var wantGotd []byte
	wantGotd = append(wantGotd, rule[:16]...)
	wantGotd = append(wantGotd, rule[20:28]...)
	wantGotd = append(wantGotd, rule[32:]...)
	if !bytes.Equal(b.Buf, wantGotd) {
		t.Errorf("gotd encodes accessPointRule as\n%x\nexpected\n%x", b.Buf, wantGotd)
	}
}
