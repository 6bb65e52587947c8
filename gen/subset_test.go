package gen

import (
	"os"
	"path"
	"sort"
	"testing"
)

// TestSubset checks that a subset holds the functions asked for, and is
// closed: every type its definitions use is there, with all of its
// constructors.
func TestSubset(t *testing.T) {
	src, err := os.ReadFile("../schema/api.tl")
	if err != nil {
		t.Fatal(err)
	}
	full, err := LoadModel(src, Config{Package: "tg", Filename: "api.tl"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := LoadModel(src, Config{Package: "tg", Filename: "api.tl", Only: []string{"messages.sendMessage, channels.*"}})
	if err != nil {
		t.Fatal(err)
	}
	var want, got []string
	for _, d := range full.Defs {
		if ok, _ := path.Match("channels.*", d.TLName); d.Function && (ok || d.TLName == "messages.sendMessage" || d.TLName == "invokeWithLayer") {
			want = append(want, d.TLName)
		}
	}
	kept := map[*Def]bool{}
	classes := map[*Class]bool{}
	for _, d := range m.Defs {
		kept[d] = true
		if d.Function {
			got = append(got, d.TLName)
		}
	}
	for _, c := range m.Classes {
		classes[c] = true
	}
	sort.Strings(want)
	sort.Strings(got)
	if len(got) != len(want) || len(got) < 50 {
		t.Fatalf("functions %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("functions %v, want %v", got, want)
		}
	}
	if m.InvokeWithLayer == nil || !kept[m.InvokeWithLayer] {
		t.Error("invokeWithLayer is not kept")
	}
	var check func(where string, ty *Type)
	check = func(where string, ty *Type) {
		switch ty.Kind {
		case KindClass:
			if !classes[ty.Class] {
				t.Errorf("%s uses %s, which the subset lacks", where, ty.Class.TLName)
			}
		case KindStruct:
			if !kept[ty.Def] {
				t.Errorf("%s uses %s, which the subset lacks", where, ty.Def.TLName)
			}
		case KindVector:
			check(where, ty.Elem)
		}
	}
	for _, d := range m.Defs {
		for _, f := range d.Fields {
			check(d.TLName+"."+f.TLName, f.Type)
		}
		if d.Result != nil {
			check(d.TLName+" result", d.Result)
		}
		if d.Class != nil && !classes[d.Class] {
			t.Errorf("%s: its type %s is not in the subset", d.TLName, d.Class.TLName)
		}
	}
	for _, c := range m.Classes {
		for _, d := range c.Constructors {
			if !kept[d] {
				t.Errorf("%s: constructor %s is missing", c.TLName, d.TLName)
			}
		}
	}
	// Names are those of the full model.
	for _, d := range m.Defs {
		if d.GoName == "" {
			t.Errorf("%s has no Go name", d.TLName)
		}
	}
	if len(m.Defs) >= len(full.Defs) || m.Layer != full.Layer {
		t.Errorf("subset: %d of %d definitions, layer %d", len(m.Defs), len(full.Defs), m.Layer)
	}
}

func TestSubsetErrors(t *testing.T) {
	src := []byte("a#1 = A;\n---functions---\nf#2 = A;\n")
	for _, tc := range []struct {
		only []string
		want string
	}{
		{[]string{" , "}, "subset: no function patterns"},
		{[]string{"g"}, `subset: pattern "g" matches no function of the schema`},
		{[]string{"a"}, `subset: pattern "a" matches constructor a but no function: -only selects functions, and the types they need come with them`},
		{[]string{"f["}, `subset: bad pattern "f[": syntax error in pattern`},
	} {
		_, err := LoadModel(src, Config{Package: "p", Only: tc.only})
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q: %v, want %s", tc.only, err, tc.want)
		}
	}
}
