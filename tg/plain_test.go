package tg_test

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"testing"

	"github.com/tgraw/tgraw/tg"
)

// Values that tlrt.New hands out come from chunks the garbage collector
// does not scan, so a type decoded that way must hold no pointer at all:
// one that did would keep its referent unseen and let it be freed. The
// model decides which types may (Def.Plain); this test checks that
// decision against the Go types, and that the generated decoders use
// tlrt.New for those types only.
func TestPlainTypesHoldNoPointers(t *testing.T) {
	in := loadInfo(t)
	plain := map[string]bool{}
	for typ, d := range in.byType {
		if !d.Plain {
			continue
		}
		plain[typ.Name()] = true
		if p := pointerIn(typ); p != "" {
			t.Errorf("%s (%s) is Plain but holds a pointer: %s", typ.Name(), d.TLName, p)
		}
	}
	if len(plain) == 0 {
		t.Fatal("the model marks no type Plain")
	}

	files, err := filepath.Glob("*_gen.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("generated files: %v, %v", files, err)
	}
	used := regexp.MustCompile(`tlrt\.New\[(\w+)\]`)
	calls := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range used.FindAllSubmatch(src, -1) {
			calls++
			if name := string(m[1]); !plain[name] {
				t.Errorf("%s: tlrt.New[%s], a type the model does not mark Plain", f, name)
			}
		}
	}
	if calls == 0 {
		t.Error("no generated decoder uses tlrt.New")
	}
}

// pointerIn names a part of typ that holds a pointer, or returns "".
func pointerIn(typ reflect.Type) string {
	switch typ.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return ""
	case reflect.Array:
		return pointerIn(typ.Elem())
	case reflect.Struct:
		for i := range typ.NumField() {
			if p := pointerIn(typ.Field(i).Type); p != "" {
				return typ.Field(i).Name + ": " + p
			}
		}
		return ""
	}
	return typ.String()
}

func TestPointerIn(t *testing.T) {
	for _, c := range []struct {
		v    any
		want bool
	}{
		{tg.PeerUser{}, false},
		{tg.MessageEntityBold{}, false},
		{tg.InputPeerChannel{}, false},
		{tg.Message{}, true},
		{tg.MessageEntityTextURL{}, true}, // a string
		{tg.TextWithEntities{}, true},     // a slice
	} {
		if got := pointerIn(reflect.TypeOf(c.v)) != ""; got != c.want {
			t.Errorf("pointerIn(%T) found a pointer: %v; want %v", c.v, got, c.want)
		}
	}
}
