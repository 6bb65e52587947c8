package gen

import (
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// codeSchema has a type of several constructors (Peer), one of a single
// constructor (Point), one that holds both (Message), a primitive
// declaration and two functions.
const codeSchema = `int#a8509bda ? = Int;
boolFalse#bc799737 = Bool;
boolTrue#997275b5 = Bool;
peerUser#59511722 user_id:long = Peer;
peerChat#36c6019a chat_id:long = Peer;
point#f0000001 x:int y:int = Point;
message#f0000002 peer:Peer at:Point = Message;
messages.messages#f0000003 messages:Vector<Message> = messages.Messages;
---functions---
messages.get#f0000004 peer:Peer = messages.Messages;
points.get#f0000005 = Vector<Point>;
`

// TestDecideCode checks which definitions keep generated codecs for each
// form of Config.Code.
func TestDecideCode(t *testing.T) {
	all := []string{"boolFalse", "boolTrue", "int", "message", "messages.get", "messages.messages",
		"peerChat", "peerUser", "point", "points.get"}
	for _, tc := range []struct {
		name string
		code []string
		want []string // the definitions with Def.Code set
	}{
		{"no list", nil, all},
		{"empty list", []string{}, all},
		{"a type of several constructors", []string{"Peer"}, []string{"peerChat", "peerUser"}},
		{"a type of one constructor", []string{"Point"}, []string{"point"}},
		{"a namespaced type", []string{"messages.Messages"}, []string{"messages.messages"}},
		{"several types, one element each", []string{"Peer", "Message"}, []string{"message", "peerChat", "peerUser"}},
		{"several types in one element", []string{" Peer ,Message,, "}, []string{"message", "peerChat", "peerUser"}},
		{"a name twice", []string{"Point,Point"}, []string{"point"}},
		{"the type of a primitive declaration", []string{"Int"}, []string{"int"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := LoadModel([]byte(codeSchema), Config{Package: "p", Filename: "t.tl", Code: tc.code})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range m.Defs {
				if d.Code {
					got = append(got, d.TLName)
				}
			}
			sort.Strings(got)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("definitions with generated codecs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDecideCodeErrors checks that a name that is no boxed type of the
// schema is refused, with an error that names it and says what it is.
func TestDecideCodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		code []string
		want string
	}{
		{"unknown type", []string{"Peer,Chat"}, "t.tl: code: the schema has no type Chat"},
		{"a constructor", []string{"peerUser"}, "t.tl: code: peerUser is a constructor, not a type: list its type Peer"},
		{"a function", []string{"messages.get"}, "t.tl: code: messages.get is a function, not a type: functions take their codec from the wire table"},
		{"a type's name in the wrong case", []string{"peer"}, "t.tl: code: the schema has no type peer"},
		{"no names", []string{" , "}, "t.tl: code: no type names"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadModel([]byte(codeSchema), Config{Package: "p", Filename: "t.tl", Code: tc.code})
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if _, ok := err.(*ModelError); !ok || err.Error() != tc.want {
				t.Errorf("error %T:\n got %s\nwant %s", err, err, tc.want)
			}
		})
	}
}

// TestDecideCodeSubset checks that a subset keeps the decision of the full
// schema, made before the subset: a listed type the subset leaves out is
// no error, and the definitions it keeps index its own wire table.
func TestDecideCodeSubset(t *testing.T) {
	m, err := LoadModel([]byte(codeSchema), Config{Package: "p", Filename: "t.tl", Code: []string{"Point,Message"}, Only: []string{"points.get"}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, d := range m.Defs {
		got[d.TLName] = d.Code
		if w := m.Wire.Defs[d.WireDef]; w.Def != d {
			t.Errorf("%s: Wire.Defs[%d] is %s", d.TLName, d.WireDef, w.Def.TLName)
		}
	}
	want := map[string]bool{"point": true, "points.get": false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Def.Code by definition (-want +got):\n%s", diff)
	}
}
