package apidoc

import (
	"encoding/json"
	"fmt"
	"path"
	"reflect"
	"strings"
	"time"
	"unicode"
)

// Reflector makes the schema of what encoding/json writes for a Go type, and keeps the
// schemas of named struct types as components, named after the type.
//
// A field is required when its tag has no omitempty: encoding/json always writes it. A
// pointer without omitempty may be null; a slice or map without omitempty is taken to be
// non-null, since the code that fills the wire types makes them (a real client's check of
// real answers, not this package, has to back that).
type Reflector struct {
	// Source gives types and fields their descriptions; nil gives none.
	Source *Source
	// Enums are the values a string field takes, by "pkg.Type.Field" (Go names, the type
	// that declares the field).
	Enums map[string][]string
	// Fields replace the schema a field would get, by "pkg.Type.Field".
	Fields map[string]*Schema
	// Descriptions replace a type's doc comment, by "pkg.Type".
	Descriptions map[string]string
	// Schemas are the components made so far, by name.
	Schemas map[string]*Schema

	named map[reflect.Type]string
	used  map[string]bool // keys of Enums, Fields and Descriptions that were used
}

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

// Of is the schema of v's type: a reference for a named struct.
func (r *Reflector) Of(v any) (*Schema, error) { return r.Schema(reflect.TypeOf(v)) }

// Schema is the schema of t: a reference for a named struct.
func (r *Reflector) Schema(t reflect.Type) (*Schema, error) {
	if t == nil {
		return &Schema{}, nil
	}
	switch t {
	case timeType:
		return &Schema{Type: "string", Format: "date-time"}, nil
	case rawType:
		return &Schema{}, nil // any JSON value
	}
	switch t.Kind() {
	case reflect.Pointer:
		return r.Schema(t.Elem())
	case reflect.String:
		return &Schema{Type: "string"}, nil
	case reflect.Bool:
		return &Schema{Type: "boolean"}, nil
	case reflect.Int, reflect.Int64:
		return &Schema{Type: "integer", Format: "int64"}, nil
	case reflect.Int8, reflect.Int16, reflect.Int32:
		return &Schema{Type: "integer", Format: "int32"}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		zero := int64(0)
		return &Schema{Type: "integer", Minimum: &zero}, nil
	case reflect.Float32, reflect.Float64:
		return &Schema{Type: "number", Format: "double"}, nil
	case reflect.Interface:
		return &Schema{}, nil
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return &Schema{Type: "string", ContentEncoding: "base64"}, nil
		}
		items, err := r.Schema(t.Elem())
		if err != nil {
			return nil, err
		}
		return &Schema{Type: "array", Items: items}, nil
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return nil, fmt.Errorf("%v: map keys must be strings", t)
		}
		v, err := r.Schema(t.Elem())
		if err != nil {
			return nil, err
		}
		return &Schema{Type: "object", AdditionalProperties: v}, nil
	case reflect.Struct:
		if t.Name() == "" {
			return r.object(t)
		}
		return r.component(t)
	}
	return nil, fmt.Errorf("%v: no schema for kind %v", t, t.Kind())
}

// Name is the component name of a named type: its name, capitalised.
func Name(t reflect.Type) string {
	n := []rune(t.Name())
	n[0] = unicode.ToUpper(n[0])
	return string(n)
}

func (r *Reflector) component(t reflect.Type) (*Schema, error) {
	name := Name(t)
	if r.named == nil {
		r.named = map[reflect.Type]string{}
	}
	if r.Schemas == nil {
		r.Schemas = map[string]*Schema{}
	}
	if _, ok := r.named[t]; ok {
		return Ref(name), nil
	}
	if _, ok := r.Schemas[name]; ok {
		return nil, fmt.Errorf("%v: another schema is named %s", t, name)
	}
	r.named[t] = name
	r.Schemas[name] = &Schema{} // taken, for types that refer to themselves
	s, err := r.object(t)
	if err != nil {
		return nil, err
	}
	r.Schemas[name] = s
	return Ref(name), nil
}

// field is a struct field as encoding/json sees it, with the type declaring it.
type field struct {
	owner    reflect.Type
	goName   string
	name     string
	optional bool
	typ      reflect.Type
}

// fields are t's JSON fields in order, those of embedded structs in their place.
func fields(t reflect.Type) []field {
	var out []field
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				out = append(out, fields(ft)...)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		optional := false
		for _, o := range strings.Split(opts, ",") {
			optional = optional || o == "omitempty" || o == "omitzero"
		}
		out = append(out, field{t, f.Name, name, optional, f.Type})
	}
	return out
}

func (r *Reflector) object(t reflect.Type) (*Schema, error) {
	fs := fields(t)
	s := &Schema{Type: "object", Properties: &Properties{}}
	jsonNames := map[string]string{}
	for _, f := range fs {
		jsonNames[f.goName] = f.name
	}
	pkg := path.Base(t.PkgPath())
	for _, f := range fs {
		key := path.Base(f.owner.PkgPath()) + "." + f.owner.Name() + "." + f.goName
		fsch, err := r.fieldSchema(key, f)
		if err != nil {
			return nil, fmt.Errorf("%v.%s: %w", t, f.goName, err)
		}
		if r.Source != nil && f.owner.Name() != "" {
			doc := r.Source.FieldDoc(path.Base(f.owner.PkgPath()), f.owner.Name(), f.goName)
			if doc != "" {
				fsch.Description = r.Source.Readable(pkg, doc, jsonNames)
			}
		}
		s.Properties.Set(f.name, fsch)
		if !f.optional {
			s.Required = append(s.Required, f.name)
		}
	}
	if len(fs) == 0 {
		s.Properties, s.AdditionalProperties = nil, false
	}
	if t.Name() != "" {
		key := pkg + "." + t.Name()
		if d, ok := r.Descriptions[key]; ok {
			r.use(key)
			s.Description = d
		} else if r.Source != nil {
			s.Description = r.Source.Readable(pkg, r.Source.TypeDoc(pkg, t.Name()), jsonNames)
		}
	}
	return s, nil
}

// fieldSchema is a fresh schema of one field (its description may be set).
func (r *Reflector) fieldSchema(key string, f field) (*Schema, error) {
	if s, ok := r.Fields[key]; ok {
		r.use(key)
		c := *s
		return &c, nil
	}
	s, err := r.Schema(f.typ)
	if err != nil {
		return nil, err
	}
	if vals, ok := r.Enums[key]; ok {
		r.use(key)
		if s.Type != "string" {
			return nil, fmt.Errorf("an enum for a field that is not a string")
		}
		if len(vals) == 0 {
			return nil, fmt.Errorf("an enum without values")
		}
		s.Enum = vals
	}
	if f.typ.Kind() == reflect.Pointer && !f.optional {
		if s.Ref != "" {
			return &Schema{OneOf: []*Schema{s, {Type: "null"}}}, nil
		}
		s.Type = []string{s.Type.(string), "null"}
	}
	return s, nil
}

func (r *Reflector) use(key string) {
	if r.used == nil {
		r.used = map[string]bool{}
	}
	r.used[key] = true
}

// Unused are the keys of Enums, Fields and Descriptions no type used: each is a mistake,
// or a field or type that is gone.
func (r *Reflector) Unused() []string {
	var out []string
	for _, m := range []map[string]bool{keys(r.Enums), keys(r.Fields), keys(r.Descriptions)} {
		for k := range m {
			if !r.used[k] {
				out = append(out, k)
			}
		}
	}
	return out
}

func keys[V any](m map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}
