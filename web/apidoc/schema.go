package apidoc

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Schema is a JSON Schema (draft 2020-12, as OpenAPI 3.1 has it), with the keywords this
// project uses.
type Schema struct {
	Ref         string `json:"$ref,omitempty"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	// Type is a type name, or a list of them (["array", "null"]).
	Type            any         `json:"type,omitempty"`
	Format          string      `json:"format,omitempty"`
	ContentEncoding string      `json:"contentEncoding,omitempty"`
	Const           any         `json:"const,omitempty"`
	Enum            []string    `json:"enum,omitempty"`
	Default         any         `json:"default,omitempty"`
	Pattern         string      `json:"pattern,omitempty"`
	Minimum         *int64      `json:"minimum,omitempty"`
	Maximum         *int64      `json:"maximum,omitempty"`
	Items           *Schema     `json:"items,omitempty"`
	Properties      *Properties `json:"properties,omitempty"`
	Required        []string    `json:"required,omitempty"`
	// AdditionalProperties is a *Schema, or false for an object that takes no fields.
	AdditionalProperties any            `json:"additionalProperties,omitempty"`
	OneOf                []*Schema      `json:"oneOf,omitempty"`
	Discriminator        *Discriminator `json:"discriminator,omitempty"`
}

// Discriminator names the property that tells the schemas of a oneOf apart.
type Discriminator struct {
	PropertyName string            `json:"propertyName"`
	Mapping      map[string]string `json:"mapping,omitempty"`
}

// Ref is a schema that refers to the component named name.
func Ref(name string) *Schema { return &Schema{Ref: "#/components/schemas/" + name} }

// Properties are an object's properties in the order they were set (a struct's field
// order), which a reader of the document, and a generated client, keep.
type Properties struct {
	names  []string
	byName map[string]*Schema
}

// Set adds or replaces the property name.
func (p *Properties) Set(name string, s *Schema) {
	if p.byName == nil {
		p.byName = map[string]*Schema{}
	}
	if _, ok := p.byName[name]; !ok {
		p.names = append(p.names, name)
	}
	p.byName[name] = s
}

// Get is the property name, or nil.
func (p *Properties) Get(name string) *Schema { return p.byName[name] }

// Names are the properties in order.
func (p *Properties) Names() []string { return p.names }

// MarshalJSON writes the properties in order.
func (p *Properties) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, name := range p.names {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := encodeRaw(&buf, name); err != nil {
			return nil, err
		}
		buf.WriteByte(':')
		if err := encodeRaw(&buf, p.byName[name]); err != nil {
			return nil, fmt.Errorf("property %s: %w", name, err)
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// UnmarshalJSON reads properties in their order, so that a document can be read back.
func (p *Properties) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil { // {
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		var s Schema
		if err := dec.Decode(&s); err != nil {
			return fmt.Errorf("property %s: %w", name, err)
		}
		p.Set(name, &s)
	}
	return nil
}

// encodeRaw writes v's JSON without escaping HTML characters, as Document.Marshal does.
func encodeRaw(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // Encode's newline
	return nil
}
