package tldiff

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tgraw/tgraw/gen"
	"github.com/tgraw/tgraw/internal/gotdschema"
)

func load(t *testing.T, name, src string) *gen.Model {
	t.Helper()
	m, err := gen.LoadModel([]byte(src), gen.Config{Package: "p", Filename: name})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestDiffKinds covers every kind of change on small schemas.
func TestDiffKinds(t *testing.T) {
	old := load(t, "old.tl", `
a#1 flags:# x:int y:string z:flags.0?int = A;
b#2 flags:# o:flags.0?int r:int m:flags.1?long v:Vector<int> = B;
c#3 = C;
d1#4 = D;
d2#5 = D;
e#6 p:E2 = E;
e2#7 = E2;
gone#8 = Gone;
---functions---
f#10 a:int = A;
g#11 = Bool;
h#12 = C;
// LAYER 1
`)
	new := load(t, "new.tl", `
a#1 x:long flags:# z:flags.0?int = A;
b#20 flags:# flags2:# o:int r:flags.0?int m:flags.2?long v:vector<int> n:flags2.0?string q:int = B;
c#3 = C;
c2#30 = C;
d1#4 = D;
e#6 p:E2 = E;
e2#7 = E2;
e3#31 = E2;
fresh#32 = Fresh;
d3#33 = D;
---functions---
f#10 a:int = Vector<A>;
h#12 = C;
i#13 = Bool;
// LAYER 2
`)
	r := Diff(old, new)
	want := []Change{
		{Kind: ConstructorRemoved, Name: "d2", Old: "d2#00000005", Effect: Breaking, Go: "struct D2 is removed"},
		{Kind: ConstructorRemoved, Name: "gone", Old: "gone#00000008", Effect: Breaking, Go: "struct Gone is removed"},
		{Kind: FieldAdded, Name: "b", Field: "q", New: "int", Effect: Breaking, Go: "struct B gains the required field Q int: code that does not set it sends its zero value"},
		{Kind: FieldOptional, Name: "b", Field: "r", Old: "int", New: "flags.0?int", Effect: Breaking, Go: "B.R stays int, with HasR, SetR and ClearR; a zero value, which was sent, now means absent: SetR sends it"},
		{Kind: FieldRequired, Name: "b", Field: "o", Old: "flags.0?int", New: "int", Effect: Breaking, Go: "B.O stays int but loses HasO, SetO and ClearO; a zero value, which meant absent, is now sent"},
		{Kind: FieldRemoved, Name: "a", Field: "y", Old: "string", Effect: Breaking, Go: "struct A loses the field Y"},
		{Kind: FieldRetyped, Name: "a", Field: "x", Old: "int", New: "long", Effect: Breaking, Go: "A.X changes from int to int64"},
		{Kind: FieldRetyped, Name: "e", Field: "p", Old: "E2", New: "E2", Effect: Breaking, Go: "E.P changes from E2 to E2Class"},
		{Kind: FunctionRemoved, Name: "g", Old: "g#00000011", Effect: Breaking, Go: "method (*Client).G and struct GRequest are removed"},
		{Kind: ResultChanged, Name: "f", Old: "A", New: "Vector<A>", Effect: Breaking, Go: "(*Client).F returns []A instead of *A"},
		{Kind: ResultChanged, Name: "h", Old: "C", New: "C", Effect: Breaking, Go: "(*Client).H returns CClass instead of *C"},
		{Kind: TypeToInterface, Name: "C", Old: "c", New: "c | c2", Effect: Breaking, Go: "fields and results of type C change from the struct C to the interface CClass"},
		{Kind: TypeToInterface, Name: "E2", Old: "e2", New: "e2 | e3", Effect: Breaking, Go: "fields and results of type E2 change from the struct E2 to the interface E2Class"},
		{Kind: ConstructorAdded, Name: "c2", New: "c2#00000030", Effect: Additive, Go: "new struct C2, one more implementation of CClass"},
		{Kind: ConstructorAdded, Name: "d3", New: "d3#00000033", Effect: Additive, Go: "new struct D3, one more implementation of DClass"},
		{Kind: ConstructorAdded, Name: "e3", New: "e3#00000031", Effect: Additive, Go: "new struct E3, one more implementation of E2Class"},
		{Kind: ConstructorAdded, Name: "fresh", New: "fresh#00000032", Effect: Additive, Go: "new struct Fresh, of the new type Fresh"},
		{Kind: FieldAdded, Name: "b", Field: "flags2", New: "#", Effect: Additive, Go: "struct B gains the field Flags2 bin.Fields"},
		{Kind: FieldAdded, Name: "b", Field: "n", New: "flags2.0?string", Effect: Additive, Go: "struct B gains the field N string, with HasN, SetN and ClearN"},
		{Kind: FunctionAdded, Name: "i", New: "i#00000013", Effect: Additive, Go: "new method (*Client).I and struct IRequest"},
		{Kind: ConstructorChanged, Name: "b", Old: "b#00000002", New: "b#00000020", Effect: None, Go: "BTypeID changes from 0x00000002 to 0x00000020"},
		{Kind: FieldFlagMoved, Name: "b", Field: "m", Old: "flags.1?long", New: "flags.2?long", Effect: None, Go: "B.M stays int64"},
		{Kind: FieldRetyped, Name: "b", Field: "v", Old: "Vector<int>", New: "vector<int>", Effect: None, Go: "B.V stays []int"},
	}
	if diff := cmp.Diff(want, r.Changes, cmpopts.IgnoreUnexported(Change{})); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if !r.Breaking() || r.Count(Breaking) != 13 || r.OldLayer != 1 || r.NewLayer != 2 {
		t.Errorf("breaking %v (%d), layers %d -> %d", r.Breaking(), r.Count(Breaking), r.OldLayer, r.NewLayer)
	}
}

// TestDiffPresence covers what user code observes of optional fields:
// presence methods, and the fields that share a flag bit. A bit that moves
// with the fields that share it changes only the wire.
func TestDiffPresence(t *testing.T) {
	old := load(t, "old.tl", `
peer#1 = Peer;
peerB#3 = Peer;
p#2 flags:# a:flags.0?int b:flags.1?int c:flags.2?int d:flags.3?Bool bot:flags.5?true ver:flags.5?int m:flags.6?int q:Peer z:flags.11?int = P;
`)
	new := load(t, "new.tl", `
peer#1 = Peer;
peerB#3 = Peer;
p#2 flags:# a:flags.7?int b:flags.2?int c:flags.2?int d:flags.3?true bot:flags.8?true ver:flags.8?int m:flags.6?int n:flags.6?int q:flags.9?Peer has_z:flags.10?true z:flags.11?int = P;
`)
	r := Diff(old, new)
	want := []Change{
		{Kind: GoNameChanged, Name: "p", Field: "z", Old: "HasZ, SetZ and ClearZ", New: "HasZ2, SetZ2 and ClearZ2", Effect: Breaking,
			Go: "the presence methods of P.Z are renamed HasZ2, SetZ2 and ClearZ2"},
		{Kind: FieldFlagMoved, Name: "p", Field: "b", Old: "flags.1?int", New: "flags.2?int", Effect: Breaking,
			Go: "P.B now shares its flag with c: setting one sends the other"},
		{Kind: FieldFlagShared, Name: "p", Field: "c", Old: "", New: "b", Effect: Breaking,
			Go: "P.C now shares its flag with b: setting one sends the other"},
		{Kind: FieldFlagShared, Name: "p", Field: "m", Old: "", New: "n", Effect: Breaking,
			Go: "P.M now shares its flag with n: setting one sends the other"},
		{Kind: FieldRetyped, Name: "p", Field: "d", Old: "flags.3?Bool", New: "flags.3?true", Effect: Breaking,
			Go: "P.D stays bool but loses HasD, SetD and ClearD"},
		{Kind: FieldAdded, Name: "p", Field: "n", New: "flags.6?int", Effect: Additive,
			Go: "struct P gains the field N int, with HasN, SetN and ClearN"},
		{Kind: FieldAdded, Name: "p", Field: "has_z", New: "flags.10?true", Effect: Additive,
			Go: "struct P gains the field HasZ bool"},
		{Kind: FieldOptional, Name: "p", Field: "q", Old: "Peer", New: "flags.9?Peer", Effect: Additive,
			Go: "P.Q stays PeerClass; nil, which could not be sent, now means absent"},
		{Kind: FieldFlagMoved, Name: "p", Field: "a", Old: "flags.0?int", New: "flags.7?int", Effect: None,
			Go: "P.A stays int"},
		{Kind: FieldFlagMoved, Name: "p", Field: "bot", Old: "flags.5?true", New: "flags.8?true", Effect: None,
			Go: "P.Bot stays bool"},
		{Kind: FieldFlagMoved, Name: "p", Field: "ver", Old: "flags.5?int", New: "flags.8?int", Effect: None,
			Go: "P.Ver stays int"},
	}
	if diff := cmp.Diff(want, r.Changes, cmpopts.IgnoreUnexported(Change{})); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
}

// TestDiffSame checks that a schema compared with itself has no changes.
func TestDiffSame(t *testing.T) {
	src, err := os.ReadFile("../../schema/api.tl")
	if err != nil {
		t.Fatal(err)
	}
	m := load(t, "api.tl", string(src))
	r := Diff(m, m)
	if len(r.Changes) != 0 || r.Breaking() {
		t.Errorf("api.tl against itself: %d changes", len(r.Changes))
	}
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), fmt.Sprintf("layer %d -> %d: 0 changes: 0 breaking, 0 additive, 0 wire only\n", m.Layer, m.Layer); got != want {
		t.Errorf("text %q, want %q", got, want)
	}
}

// TestDiffLayer228 compares layer 170 (gotd/td v0.93.0's telegram.tl) with
// layer 228 (the bundled schema) and checks known changes exactly.
func TestDiffLayer228(t *testing.T) {
	path170, err := gotdschema.Path("telegram.tl")
	if err != nil {
		t.Fatal(err)
	}
	src170, err := os.ReadFile(path170)
	if err != nil {
		t.Fatal(err)
	}
	src228, err := os.ReadFile("../../schema/api.tl")
	if err != nil {
		t.Fatal(err)
	}
	r := Diff(load(t, "telegram.tl", string(src170)), load(t, "api.tl", string(src228)))
	if r.OldLayer != 170 || r.NewLayer != 228 || !r.Breaking() {
		t.Errorf("layers %d -> %d, breaking %v", r.OldLayer, r.NewLayer, r.Breaking())
	}
	for _, want := range []Change{
		{Kind: ConstructorChanged, Name: "user", Old: "user#215c4438", New: "user#b1b8cc83", Effect: None,
			Go: "UserTypeID changes from 0x215c4438 to 0xb1b8cc83"},
		{Kind: FieldAdded, Name: "user", Field: "linked_community_id", New: "flags2.21?long", Effect: Additive,
			Go: "struct User gains the field LinkedCommunityID int64, with HasLinkedCommunityID, SetLinkedCommunityID and ClearLinkedCommunityID"},
		{Kind: FieldRetyped, Name: "user", Field: "stories_max_id", Old: "flags2.5?int", New: "flags2.5?RecentStory", Effect: Breaking,
			Go: "User.StoriesMaxID changes from int to *RecentStory"},
		{Kind: FieldRetyped, Name: "user", Field: "color", Old: "flags2.8?PeerColor", New: "flags2.8?PeerColor", Effect: Breaking,
			Go: "User.Color changes from *PeerColor to PeerColorClass"},
		{Kind: ConstructorChanged, Name: "message", Old: "message#76bec211", New: "message#7600b9d3", Effect: None,
			Go: "MessageTypeID changes from 0x76bec211 to 0x7600b9d3"},
		{Kind: FieldAdded, Name: "message", Field: "flags2", New: "#", Effect: Additive,
			Go: "struct Message gains the field Flags2 bin.Fields"},
		{Kind: FieldAdded, Name: "message", Field: "factcheck", New: "flags2.3?FactCheck", Effect: Additive,
			Go: "struct Message gains the field Factcheck *FactCheck"},
		{Kind: FunctionRemoved, Name: "channels.getSponsoredMessages", Old: "channels.getSponsoredMessages#ec210fbf", Effect: Breaking,
			Go: "method (*Client).ChannelsGetSponsoredMessages and struct ChannelsGetSponsoredMessagesRequest are removed"},
		{Kind: ConstructorRemoved, Name: "emojiStatusUntil", Old: "emojiStatusUntil#fa30a8c7", Effect: Breaking,
			Go: "struct EmojiStatusUntil is removed"},
		{Kind: TypeToInterface, Name: "PeerColor", Old: "peerColor", New: "peerColor | peerColorCollectible | inputPeerColorCollectible", Effect: Breaking,
			Go: "fields and results of type PeerColor change from the struct PeerColor to the interface PeerColorClass"},
		{Kind: ResultChanged, Name: "messages.report", Old: "Bool", New: "ReportResult", Effect: Breaking,
			Go: "(*Client).MessagesReport returns ReportResultClass instead of bool"},
		// A flag that moves away from the fields it shared: setting
		// currency or amount no longer sends unclaimed.
		{Kind: FieldFlagMoved, Name: "messageActionGiftCode", Field: "unclaimed", Old: "flags.2?true", New: "flags.5?true", Effect: Breaking,
			Go: "MessageActionGiftCode.Unclaimed no longer shares its flag with currency, amount"},
		{Kind: FieldFlagShared, Name: "messageActionGiftCode", Field: "currency", Old: "unclaimed, amount", New: "amount", Effect: Breaking,
			Go: "MessageActionGiftCode.Currency shares its flag with amount instead of unclaimed, amount"},
		{Kind: FieldOptional, Name: "channels.editAdmin", Field: "rank", Old: "string", New: "flags.0?string", Effect: Breaking,
			Go: "ChannelsEditAdminRequest.Rank stays string, with HasRank, SetRank and ClearRank; a zero value, which was sent, now means absent: SetRank sends it"},
	} {
		got := r.Find(want.Kind, want.Name, want.Field)
		if len(got) != 1 {
			t.Errorf("%s %s: %d entries, want 1: %+v", want.Kind, want.Subject(), len(got), got)
			continue
		}
		if diff := cmp.Diff(want, got[0], cmpopts.IgnoreUnexported(Change{})); diff != "" {
			t.Errorf("%s %s (-want +got):\n%s", want.Kind, want.Subject(), diff)
		}
	}
	// The user constructor has no other change than these kinds.
	for _, c := range r.Changes {
		if c.Name == "user" && c.Kind != ConstructorChanged && c.Kind != FieldAdded && c.Kind != FieldRetyped {
			t.Errorf("unexpected change to user: %+v", c)
		}
	}
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(b.String(), "\n")
	if !strings.HasPrefix(first, "layer 170 -> 228: ") {
		t.Errorf("summary line %q", first)
	}
}
