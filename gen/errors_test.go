package gen

import (
	"errors"
	"strings"
	"testing"
)

// TestSchemaErrors checks that every kind of schema error names the file
// and line of the definition at fault and says what is wrong.
func TestSchemaErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"bad line",
			"a#1 = A;\nb#2 x:int\n",
			`t.tl:2: bad definition: want "name#id fields = Type;"`},
		{"bad ID",
			"a#1 = A;\nb#zz = A;\n",
			`t.tl:2: bad definition: invalid ID "zz": want at most 8 hex digits`},
		{"no name",
			"a#1 = A;\n= A;\n",
			"t.tl:2: bad definition: the name or the type is missing"},
		{"definition on two lines",
			"a#1 = A;\nb#2 x:int\n  y:int = B;\n",
			`t.tl:2: bad definition: want "name#id fields = Type;"`},
		{"repetition",
			"a#1 = A;\nint128 4*[ int ] = Int128;\n",
			`t.tl:2: bad definition: bad parameter: bad type: invalid name "4*["`},
		{"comment after a definition",
			"a#1 = A; // the A\n",
			`t.tl:1: bad definition: bad type: invalid name "A; // the A"`},
		{"undefined generic",
			"a#1 = A;\n\nb#2 x:!X = A;\n",
			"t.tl:3: bad definition: undefined generic parameter type X"},
		{"annotation without parameter",
			"//@description d\n//@x y\na#1 = A;\n",
			"t.tl:3: bad annotation: @x names no parameter of the definition"},
		{"empty schema",
			"// nothing\n",
			"t.tl: no definitions"},
		{"unknown field type",
			"a#1 = A;\nb#2 x:Foo = B;\n",
			"t.tl:2: b: field x: unknown type Foo"},
		{"unknown result type",
			"a#1 = A;\n---functions---\nf#2 = Foo;\n",
			"t.tl:3: f: result: unknown type Foo"},
		{"unknown bare type",
			"a#1 x:foo = A;\n",
			"t.tl:1: a: field x: unknown type foo"},
		{"unknown vector element",
			"a#1 x:Vector<Foo> = A;\n",
			"t.tl:1: a: field x: unknown type Foo"},
		{"duplicate ID",
			"a#1 = A;\n\nb#1 = B;\n",
			"t.tl:3: b: ID 0x00000001 is already used by a at line 1"},
		{"duplicate ID across sections",
			"a#1 = A;\n---functions---\nf#1 = A;\n",
			"t.tl:3: f: ID 0x00000001 is already used by a at line 1"},
		{"duplicate constructor name",
			"a#1 = A;\nb#2 = B;\na#3 = A;\n",
			"t.tl:3: a: constructor a is already defined at line 1"},
		{"duplicate function name",
			"a#1 = A;\n---functions---\nf#2 = A;\nf#3 = A;\n",
			"t.tl:4: f: function f is already defined at line 3"},
		{"duplicate field",
			"a#1 x:int x:long = A;\n",
			"t.tl:1: a: field x is defined twice"},
		{"flags word missing",
			"a#1 x:flags.0?int = A;\n",
			`t.tl:1: a: field x: flags word "flags" is not a # field before it`},
		{"flags word after the field",
			"a#1 x:flags.0?int flags:# = A;\n",
			`t.tl:1: a: field x: flags word "flags" is not a # field before it`},
		{"flags word not a #",
			"a#1 flags:int x:flags.0?int = A;\n",
			`t.tl:1: a: field x: flags word "flags" is not a # field before it`},
		{"flag bit out of range",
			"a#1 flags:# x:flags.32?int = A;\n",
			"t.tl:1: a: field x: flag bit 32 out of range 0..31"},
		{"true without a flag",
			"a#1 x:true = A;\n",
			"t.tl:1: a: field x: type true is only allowed behind a flag"},
		{"unsupported generic",
			"a#1 x:Map<int> = A;\n",
			"t.tl:1: a: field x: unsupported generic type Map<int>: only Vector<T> and vector<T> are"},
		{"vector without element",
			"a#1 x:Vector = A;\n",
			"t.tl:1: a: field x: Vector needs an element type"},
		{"bare type of several constructors",
			"a#1 x:%B = A;\nb#2 = B;\nc#3 = B;\n",
			"t.tl:1: a: field x: bare %B: type B has 2 constructors, a bare reference needs exactly one"},
		{"unknown primitive",
			"a#1 = A;\nfloat ? = Float;\n",
			"t.tl:2: float: unsupported primitive type float: tlgen knows bytes, double, int, int128, int256, int32, int53, int64, long, string"},
		{"malformed primitive declaration",
			"int#a8509bda x:int ? = Int;\n",
			`t.tl:1: int: "?" marks a primitive declaration, which must have the form name ? = Name`},
		{"boxed primitive",
			"int#a8509bda ? = Int;\na#1 x:Int = A;\n",
			"t.tl:2: a: field x: boxed primitive type Int is not supported: use the bare int"},
		{"primitive declared but used boxed in a vector",
			"int32#5cb934fa = Int32;\na#1 x:Vector<Int32> = A;\n",
			"t.tl:2: a: field x: boxed primitive type Int32 is not supported: use the bare int32"},
		{"TDLib primitive not declared",
			"a#1 x:int53 = A;\n",
			"t.tl:1: a: field x: unknown type int53"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadModel([]byte(tc.src), Config{Package: "p", Filename: "t.tl"})
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if err.Error() != tc.want {
				t.Errorf("error:\n got %s\nwant %s", err, tc.want)
			}
		})
	}
}

// TestModelErrorForm checks the forms of a ModelError without a file or a
// line, and that LoadModel returns it as a *ModelError.
func TestModelErrorForm(t *testing.T) {
	for _, tc := range []struct {
		e    ModelError
		want string
	}{
		{ModelError{File: "a.tl", Line: 3, Def: "x", Msg: "m"}, "a.tl:3: x: m"},
		{ModelError{File: "a.tl", Def: "x", Msg: "m"}, "a.tl: x: m"},
		{ModelError{Line: 3, Def: "x", Msg: "m"}, "line 3: x: m"},
		{ModelError{Def: "x", Msg: "m"}, "x: m"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("%#v: %q, want %q", tc.e, got, tc.want)
		}
	}
	_, err := LoadModel([]byte("a#1 x:Foo = A;\n"), Config{Package: "p"})
	var me *ModelError
	if !errors.As(err, &me) || me.File != "schema.tl" || me.Line != 1 || me.Def != "a" {
		t.Errorf("LoadModel: %#v, want a *ModelError at schema.tl:1 for a", err)
	}
}

// TestPrimitiveDeclarations checks the mapping of declared primitives:
// TDLib's int32, int53 and int64 and the built-in ones, bare and in
// vectors.
func TestPrimitiveDeclarations(t *testing.T) {
	src := `double ? = Double;
string ? = String;
int32 = Int32;
int53 = Int53;
int64 = Int64;
bytes = Bytes;
int#a8509bda ? = Int;
photo#1 id:int64 w:int32 date:int53 sizes:vector<int32> ids:Vector<int64> s:string d:double b:bytes n:int = Photo;
`
	m, err := LoadModel([]byte(src), Config{Package: "p"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, d := range m.Defs {
		if d.Primitive != 0 {
			got[d.TLName] = d.Primitive.Go().String()
		}
		for _, f := range d.Fields {
			got[d.TLName+"."+f.TLName] = f.GoType()
		}
	}
	want := map[string]string{
		"double": "float64", "string": "string", "int32": "int", "int53": "int64",
		"int64": "int64", "bytes": "[]byte", "int": "int",
		"photo.id": "int64", "photo.w": "int", "photo.date": "int64", "photo.sizes": "[]int",
		"photo.ids": "[]int64", "photo.s": "string", "photo.d": "float64", "photo.b": "[]byte",
		"photo.n": "int",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestPackageNameErrors checks that LoadModel refuses a package name Go
// does not accept, keywords included, before it reads the schema.
func TestPackageNameErrors(t *testing.T) {
	for _, pkg := range []string{"", "my-pkg", "2fa", "type", "func", "_"} {
		_, err := LoadModel([]byte("a#1 = A;\n"), Config{Package: pkg})
		if err == nil || !strings.HasPrefix(err.Error(), "gen: ") {
			t.Errorf("package %q: %v, want an error about the name", pkg, err)
		}
	}
	if _, err := LoadModel([]byte("a#1 = A;\n"), Config{Package: "tg"}); err != nil {
		t.Errorf("package tg: %v", err)
	}
}

// TestMTProtoForms checks two forms of MTProto's service schema: a
// constructor declaring the type Object (gzip_packed) leaves Object fields
// holding any value, and %name with a constructor's name is that bare
// constructor, as in vector<%message>.
func TestMTProtoForms(t *testing.T) {
	src := `gzip_packed#3072cfa1 packed_data:bytes = Object;
rpc_result#f35c6d01 req_msg_id:long result:Object = RpcResult;
message msg_id:long seqno:int bytes:int body:Object = Message;
msg_container#73f1f8dc messages:vector<%message> = MessageContainer;
`
	m, err := LoadModel([]byte(src), Config{Package: "p"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, d := range m.Defs {
		for _, f := range d.Fields {
			got[d.TLName+"."+f.TLName] = f.GoType()
		}
	}
	want := map[string]string{
		"gzip_packed.packed_data": "[]byte",
		"rpc_result.req_msg_id":   "int64",
		"rpc_result.result":       "Object",
		"message.msg_id":          "int64",
		"message.seqno":           "int",
		"message.bytes":           "int",
		"message.body":            "Object",
		"msg_container.messages":  "[]Message",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	if f := m.Defs[3].Fields[0]; !f.Type.Elem.Bare || f.Type.Elem.Def != m.Defs[2] {
		t.Errorf("msg_container.messages: elements %+v, want the bare constructor message", f.Type.Elem)
	}
}
