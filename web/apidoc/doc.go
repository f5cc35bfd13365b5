// Package apidoc builds OpenAPI 3.1 documents from Go: schemas by reflection over the types
// a server encodes with encoding/json (names from json tags, required from the fields
// without omitempty), descriptions from those types' doc comments, and enums from the
// string constants declared beside them, read from source. A document built this way says
// what the code does, so it cannot drift from it.
package apidoc

import (
	"bytes"
	"encoding/json"
)

// Document is an OpenAPI 3.1 document, with the fields this project uses.
type Document struct {
	OpenAPI    string                `json:"openapi"`
	Info       Info                  `json:"info"`
	Servers    []Server              `json:"servers"`
	Security   []map[string][]string `json:"security"`
	Tags       []Tag                 `json:"tags,omitempty"`
	Paths      map[string]PathItem   `json:"paths"`
	Components Components            `json:"components"`
}

// Info is the document's info object.
type Info struct {
	Title       string `json:"title"`
	Version     string `json:"version"`
	Description string `json:"description,omitempty"`
}

// Server is one base URL, possibly templated.
type Server struct {
	URL         string                    `json:"url"`
	Description string                    `json:"description,omitempty"`
	Variables   map[string]ServerVariable `json:"variables,omitempty"`
}

// ServerVariable is one {name} of a templated server URL.
type ServerVariable struct {
	Default     string   `json:"default"`
	Enum        []string `json:"enum,omitempty"`
	Description string   `json:"description,omitempty"`
}

// Tag groups operations.
type Tag struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// PathItem maps a lower-case HTTP method to its operation.
type PathItem map[string]*Operation

// Operation is one method on one path. Security nil inherits the document's; an empty
// one says the operation needs no credentials.
type Operation struct {
	OperationID string                 `json:"operationId"`
	Summary     string                 `json:"summary"`
	Description string                 `json:"description,omitempty"`
	Tags        []string               `json:"tags,omitempty"`
	Parameters  []Parameter            `json:"parameters,omitempty"`
	RequestBody *RequestBody           `json:"requestBody,omitempty"`
	Responses   map[string]*Response   `json:"responses"`
	Security    *[]map[string][]string `json:"security,omitempty"`
	// WebSocket describes the messages of an operation that upgrades to a WebSocket,
	// which OpenAPI has no words for.
	WebSocket *WebSocket `json:"x-websocket,omitempty"`
}

// WebSocket is the x-websocket extension: the subprotocol a server selects and the
// schemas of the messages each side sends.
type WebSocket struct {
	Description string  `json:"description,omitempty"`
	Subprotocol string  `json:"subprotocol,omitempty"`
	Receive     *Schema `json:"receive"`
	Send        *Schema `json:"send,omitempty"`
}

// Parameter is a path, query or header parameter.
type Parameter struct {
	Name        string `json:"name"`
	In          string `json:"in"`
	Description string `json:"description"`
	Required    bool   `json:"required,omitempty"`
	// Style and Explode say how an array is written: "form" and false give a=x,y.
	Style   string  `json:"style,omitempty"`
	Explode *bool   `json:"explode,omitempty"`
	Schema  *Schema `json:"schema"`
}

// RequestBody is an operation's body, by media type.
type RequestBody struct {
	Description string               `json:"description,omitempty"`
	Required    bool                 `json:"required"`
	Content     map[string]MediaType `json:"content"`
}

// Response is one answer, by media type, with its headers.
type Response struct {
	Ref         string               `json:"$ref,omitempty"`
	Description string               `json:"description,omitempty"`
	Headers     map[string]Header    `json:"headers,omitempty"`
	Content     map[string]MediaType `json:"content,omitempty"`
}

// Header is a response header.
type Header struct {
	Description string  `json:"description"`
	Schema      *Schema `json:"schema"`
}

// MediaType holds the schema of one content type.
type MediaType struct {
	Schema *Schema `json:"schema"`
}

// Components are the reusable parts the document refers to.
type Components struct {
	Schemas         map[string]*Schema        `json:"schemas"`
	Responses       map[string]*Response      `json:"responses,omitempty"`
	SecuritySchemes map[string]SecurityScheme `json:"securitySchemes,omitempty"`
}

// SecurityScheme is how a client proves who it is.
type SecurityScheme struct {
	Type        string `json:"type"`
	Scheme      string `json:"scheme,omitempty"`
	Description string `json:"description,omitempty"`
}

// Marshal encodes d as indented JSON with a final newline, the form the document is kept
// in. Descriptions keep their "<", ">" and "&" as they are: nobody embeds it in HTML.
func (d *Document) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
