package apidoc

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Source is what the Go files of some packages say about their types: doc comments of
// types and fields, and string constants. Keys are "pkg.Type" and "pkg.Type.Field", with
// the package's name.
type Source struct {
	types  map[string]string
	fields map[string]string
	consts []Const
}

// Const is a string constant declared at package level.
type Const struct {
	Pkg, Name, Value string
}

// ReadSource parses the non-test Go files of the package in each directory, or a file
// named by its path.
func ReadSource(paths ...string) (*Source, error) {
	src := &Source{types: map[string]string{}, fields: map[string]string{}}
	for _, p := range paths {
		if err := src.read(p); err != nil {
			return nil, err
		}
	}
	return src, nil
}

func (src *Source) read(path string) error {
	names := []string{path}
	if !strings.HasSuffix(path, ".go") {
		var err error
		if names, err = filepath.Glob(filepath.Join(path, "*.go")); err != nil {
			return err
		}
	}
	fset := token.NewFileSet()
	for _, name := range names {
		if name != path && strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			return fmt.Errorf("read source: %w", err)
		}
		f, err := parser.ParseFile(fset, name, b, parser.ParseComments)
		if err != nil {
			return fmt.Errorf("parse source: %w", err)
		}
		for _, decl := range f.Decls {
			if gd, ok := decl.(*ast.GenDecl); ok {
				src.decl(f.Name.Name, gd)
			}
		}
	}
	return nil
}

func (src *Source) decl(pkg string, gd *ast.GenDecl) {
	for _, spec := range gd.Specs {
		switch s := spec.(type) {
		case *ast.TypeSpec:
			doc := s.Doc
			if doc == nil && len(gd.Specs) == 1 {
				doc = gd.Doc
			}
			src.types[pkg+"."+s.Name.Name] = text(doc)
			st, ok := s.Type.(*ast.StructType)
			if !ok {
				continue
			}
			for _, f := range st.Fields.List {
				d := strings.TrimSpace(text(f.Doc) + " " + text(f.Comment))
				for _, n := range f.Names {
					src.fields[pkg+"."+s.Name.Name+"."+n.Name] = d
				}
			}
		case *ast.ValueSpec:
			if gd.Tok != token.CONST {
				continue
			}
			for i, n := range s.Names {
				if i >= len(s.Values) {
					break
				}
				lit, ok := s.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				if v, err := strconv.Unquote(lit.Value); err == nil && n.IsExported() {
					src.consts = append(src.consts, Const{pkg, n.Name, v})
				}
			}
		}
	}
}

// text is a comment as one line.
func text(g *ast.CommentGroup) string {
	if g == nil {
		return ""
	}
	return strings.Join(strings.Fields(g.Text()), " ")
}

// TypeDoc is the doc comment of pkg.Type.
func (src *Source) TypeDoc(pkg, typ string) string { return src.types[pkg+"."+typ] }

// FieldDoc is the doc (and line) comment of a struct field.
func (src *Source) FieldDoc(pkg, typ, field string) string {
	return src.fields[pkg+"."+typ+"."+field]
}

// Consts are the values of pkg's exported string constants whose names start with
// prefix, in source order.
func (src *Source) Consts(pkg, prefix string) []string {
	var out []string
	for _, c := range src.consts {
		if c.Pkg == pkg && strings.HasPrefix(c.Name, prefix) {
			out = append(out, c.Value)
		}
	}
	return out
}

var word = regexp.MustCompile(`\b[A-Z][A-Za-z0-9]*\b`)

// Readable rewrites Go names in a comment of package pkg into what a client sees: the
// names in fields (Go name to JSON name) and the package's string constants to their
// quoted values. "State is PeerFailed or PeerResumed" becomes `state is "failed" or
// "resumed"`.
func (src *Source) Readable(pkg, comment string, fields map[string]string) string {
	s := word.ReplaceAllStringFunc(comment, func(w string) string {
		if j, ok := fields[w]; ok {
			return j
		}
		for _, c := range src.consts {
			if c.Pkg == pkg && c.Name == w {
				return strconv.Quote(c.Value)
			}
		}
		return w
	})
	// "an EventPeer event" became `an "peer" event`.
	return article.ReplaceAllStringFunc(s, func(m string) string {
		a, rest, _ := strings.Cut(m, " ")
		want := "a"
		if strings.ContainsRune("aeiouAEIOU", rune(rest[1])) {
			want = "an"
		}
		if a[0] == 'A' {
			want = strings.ToUpper(want[:1]) + want[1:]
		}
		return want + " " + rest
	})
}

var article = regexp.MustCompile(`\b(a|an|A|An) "[^"]`)

// SwitchCases are the string literals of the case clauses in the function named fn in
// file: the values a switch over them accepts.
func SwitchCases(file, fn string) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", file, err)
	}
	var out []string
	found := false
	for _, decl := range f.Decls {
		fd, ok := decl.(*ast.FuncDecl)
		if !ok || fd.Name.Name != fn || fd.Body == nil {
			continue
		}
		found = true
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			if cc, ok := n.(*ast.CaseClause); ok {
				for _, e := range cc.List {
					if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						v, _ := strconv.Unquote(lit.Value)
						out = append(out, v)
					}
				}
			}
			return true
		})
	}
	if !found {
		return nil, fmt.Errorf("%s has no function %s", file, fn)
	}
	return out, nil
}
