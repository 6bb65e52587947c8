package gen

import "testing"

// TestMinSize checks the smallest encodings the model computes: fixed
// fields add up, optional ones count nothing, a class takes its smallest
// constructor, types that contain themselves through vectors settle, and a
// type that requires itself has no encoding; and which types can hold
// strings or bytes, through any depth of other types.
func TestMinSize(t *testing.T) {
	const src = `
pair#1 a:int b:long c:double d:int128 e:int256 = Pair;
opt#2 flags:# a:flags.0?int b:flags.1?true s:string = Opt;
textEmpty#3 = Text;
textConcat#4 texts:Vector<Text> = Text;
textPlain#5 s:string inner:Text = Text;
bare#6 p:%Pair v:vector<int> o:Opt = Holder;
loop#7 next:Loop = Loop;
boolHolder#8 b:Bool = BoolHolder;
boolFalse#bc799737 = Bool;
boolTrue#997275b5 = Bool;
`
	s, err := Parse([]byte(src), "t.tl")
	if err != nil {
		t.Fatal(err)
	}
	m, err := BuildModel(s, "t", nil)
	if err != nil {
		t.Fatal(err)
	}
	defs := map[string]*Def{}
	for _, d := range m.Defs {
		defs[d.TLName] = d
	}
	classes := map[string]*Class{}
	for _, c := range m.Classes {
		classes[c.TLName] = c
	}
	for _, tc := range []struct {
		name string
		got  int
		want int
	}{
		{"pair", defs["pair"].MinSize, 4 + 8 + 8 + 16 + 32},
		{"opt: flags and an empty string", defs["opt"].MinSize, 8},
		{"textConcat: an empty vector", defs["textConcat"].MinSize, 8},
		{"Text: textEmpty's ID", classes["Text"].MinSize, 4},
		{"textPlain: a string and a textEmpty", defs["textPlain"].MinSize, 8},
		{"bare: a bare pair, a count, a boxed opt", defs["bare"].MinSize, 68 + 4 + 12},
		{"boxed field of bare's vector", defs["bare"].Fields[1].Type.Elem.MinSize(), 4},
		{"loop has no encoding", defs["loop"].MinSize, noEncoding},
		{"Loop has no encoding", classes["Loop"].MinSize, noEncoding},
		{"boolHolder: a Bool is an ID", defs["boolHolder"].MinSize, 4},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: MinSize %d, want %d", tc.name, tc.got, tc.want)
		}
	}
	for name, want := range map[string]bool{
		"pair": false, "opt": true, "textEmpty": false, "textConcat": true, "textPlain": true,
		"bare": true, "loop": false, "boolHolder": false,
	} {
		if got := defs[name].SharesInput; got != want {
			t.Errorf("%s: SharesInput %v, want %v", name, got, want)
		}
	}
	if !classes["Text"].SharesInput || classes["Pair"].SharesInput {
		t.Errorf("SharesInput of Text %v, of Pair %v; want true, false", classes["Text"].SharesInput, classes["Pair"].SharesInput)
	}
}
