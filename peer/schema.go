package peer

import (
	"reflect"
	"sync"

	"github.com/tgraw/tgraw/tg"
)

// This file works out, once per program and by reflection over the
// generated types, where in a value of the schema a user, chat, channel or
// message can be found, so that Records descends only there. New layers
// need no change here.

// analysis tells, for each type of the schema, whether a value of it can
// hold a user, chat, channel or message, and through which fields.
type analysis struct {
	// fields maps each pointer-to-struct type that can hold one to the
	// indexes of the fields that can. A type missing here holds none.
	fields map[reflect.Type][]int
	// slices records, for slice types met in fields, whether their
	// elements can hold one. Unknown slices are walked.
	slices map[reflect.Type]bool
}

var (
	analysisOnce sync.Once
	theAnalysis  *analysis
)

func schemaAnalysis() *analysis {
	analysisOnce.Do(func() { theAnalysis = analyze() })
	return theAnalysis
}

var (
	userSliceType = reflect.TypeFor[[]tg.UserClass]()
	chatSliceType = reflect.TypeFor[[]tg.ChatClass]()
)

var targetTypes = []reflect.Type{
	reflect.TypeFor[*tg.User](),
	reflect.TypeFor[*tg.Chat](),
	reflect.TypeFor[*tg.ChatForbidden](),
	reflect.TypeFor[*tg.Channel](),
	reflect.TypeFor[*tg.ChannelForbidden](),
	reflect.TypeFor[*tg.Message](),
	reflect.TypeFor[*tg.MessageService](),
	reflect.TypeFor[*tg.ChannelFull](),
}

// analyze builds the reverse type graph of the schema (which types each
// type can be found in) and marks everything a target can be found in.
func analyze() *analysis {
	var concrete []reflect.Type
	for _, id := range tg.IDs() {
		if obj := tg.New(id); obj != nil {
			concrete = append(concrete, reflect.TypeOf(obj))
		}
	}
	// parents[t] lists the types a value of type t can be found in.
	parents := make(map[reflect.Type][]reflect.Type)
	ifaces := make(map[reflect.Type]bool)
	seen := make(map[reflect.Type]bool)
	var addEdges func(t reflect.Type)
	addEdges = func(t reflect.Type) {
		if seen[t] {
			return
		}
		seen[t] = true
		switch t.Kind() {
		case reflect.Pointer:
			if t.Elem().Kind() == reflect.Struct {
				s := t.Elem()
				for i := range s.NumField() {
					ft := s.Field(i).Type
					parents[ft] = append(parents[ft], t)
					addEdges(ft)
				}
			}
		case reflect.Slice:
			parents[t.Elem()] = append(parents[t.Elem()], t)
			addEdges(t.Elem())
		case reflect.Interface:
			ifaces[t] = true
		}
	}
	for _, t := range concrete {
		addEdges(t)
	}
	for it := range ifaces {
		for _, t := range concrete {
			if t.Implements(it) {
				parents[t] = append(parents[t], it)
			}
		}
	}
	holds := make(map[reflect.Type]bool)
	queue := append([]reflect.Type(nil), targetTypes...)
	for _, t := range queue {
		holds[t] = true
	}
	for len(queue) > 0 {
		t := queue[0]
		queue = queue[1:]
		for _, p := range parents[t] {
			if !holds[p] {
				holds[p] = true
				queue = append(queue, p)
			}
		}
	}
	an := &analysis{fields: make(map[reflect.Type][]int), slices: make(map[reflect.Type]bool)}
	for t := range seen {
		switch t.Kind() {
		case reflect.Pointer:
			if !holds[t] || t.Elem().Kind() != reflect.Struct {
				continue
			}
			s := t.Elem()
			idx := []int{}
			for i := range s.NumField() {
				if holds[s.Field(i).Type] {
					idx = append(idx, i)
				}
			}
			an.fields[t] = idx
		case reflect.Slice:
			an.slices[t] = holds[t]
		}
	}
	// Results of calls that return a vector, such as users.getUsers.
	for _, t := range []reflect.Type{reflect.TypeFor[[]tg.Object]()} {
		an.slices[t] = true
	}
	return an
}
