package coverage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// A rules file is read in two steps: the JSON or YAML text becomes a tree
// of nodes that remember their line, then the decoder walks the tree into
// [Rules], collecting every error with its line and field path. One tree
// for both formats keeps the two in step and lets the decoder report all
// problems rather than stopping at the first, as encoding/json does.

// nodeKind is the shape of a node.
type nodeKind int

const (
	kindNull nodeKind = iota
	kindString
	kindNumber
	kindBool
	kindMap
	kindList
)

func (k nodeKind) String() string {
	return [...]string{"null", "a string", "a number", "a boolean", "a mapping", "a list"}[k]
}

// node is one value of a rules file.
type node struct {
	kind  nodeKind
	line  int
	text  string  // scalars: the value as written (numbers keep their digits)
	keys  []*node // kindMap: key nodes (kindString), in file order
	vals  []*node // kindMap: values, parallel to keys
	items []*node // kindList
}

// maxNodes bounds the size of a tree, counting each use of a YAML alias
// again, so that a file of nested aliases cannot make the decoder walk
// billions of nodes.
const maxNodes = 200_000

// maxDepth bounds nesting, so a pathological file cannot exhaust the stack.
const maxDepth = 64

// errTooLarge is the error for a tree over maxNodes or maxDepth.
var errTooLarge = fmt.Errorf("file too large or too deeply nested (at most %d values, %d levels)", maxNodes, maxDepth)

// lineIndex maps byte offsets of a JSON text to 1-based lines.
type lineIndex []int // offsets at which lines 2, 3, ... start

func newLineIndex(data []byte) lineIndex {
	var idx lineIndex
	for i, b := range data {
		if b == '\n' {
			idx = append(idx, i+1)
		}
	}
	return idx
}

func (l lineIndex) line(off int64) int {
	return sort.Search(len(l), func(i int) bool { return int64(l[i]) > off }) + 1
}

// jsonTree reads a JSON text into a tree. Lines come from the decoder's
// byte offsets (InputOffset), counted in the original text.
func jsonTree(data []byte) (*node, *FieldError) {
	lines := newLineIndex(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	b := &jsonBuilder{dec: dec, data: data, lines: lines}
	root, err := b.value(0)
	if err == nil {
		if _, err2 := dec.Token(); err2 != io.EOF {
			err = &FieldError{Line: lines.line(b.start()), Msg: "unexpected text after the top-level object", Hint: "a rules file holds exactly one JSON object"}
		}
	}
	if err != nil {
		return nil, err
	}
	return root, nil
}

// jsonBuilder builds nodes from a json.Decoder's tokens.
type jsonBuilder struct {
	dec   *json.Decoder
	data  []byte
	lines lineIndex
	count int
}

// start returns the offset where the next token begins: InputOffset is
// just past the previous token, before any space, colon or comma.
func (b *jsonBuilder) start() int64 {
	off := b.dec.InputOffset()
	for off < int64(len(b.data)) && strings.IndexByte(" \t\r\n:,", b.data[off]) >= 0 {
		off++
	}
	return off
}

func (b *jsonBuilder) syntaxError(err error) *FieldError {
	off := b.start()
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		off = int64(len(b.data))
		err = errors.New("unexpected end of JSON")
	}
	return &FieldError{Line: b.lines.line(off), Msg: "invalid JSON: " + strings.TrimPrefix(err.Error(), "json: "), Hint: "fix the JSON syntax"}
}

func (b *jsonBuilder) value(depth int) (*node, *FieldError) {
	b.count++
	if b.count > maxNodes || depth > maxDepth {
		return nil, &FieldError{Line: b.lines.line(b.start()), Msg: errTooLarge.Error()}
	}
	line := b.lines.line(b.start())
	tok, err := b.dec.Token()
	if err != nil {
		return nil, b.syntaxError(err)
	}
	n := &node{line: line}
	switch t := tok.(type) {
	case nil:
		n.kind = kindNull
	case string:
		n.kind, n.text = kindString, t
	case json.Number:
		n.kind, n.text = kindNumber, t.String()
	case bool:
		n.kind, n.text = kindBool, fmt.Sprint(t)
	case json.Delim:
		if t == '[' {
			n.kind = kindList
			for b.dec.More() {
				item, err := b.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, item)
			}
		} else {
			n.kind = kindMap
			for b.dec.More() {
				key, err := b.value(depth + 1) // always a string: the decoder checks
				if err != nil {
					return nil, err
				}
				val, err := b.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.keys, n.vals = append(n.keys, key), append(n.vals, val)
			}
		}
		if _, err := b.dec.Token(); err != nil { // the closing delimiter
			return nil, b.syntaxError(err)
		}
	}
	return n, nil
}

// yamlTree reads a YAML text into a tree with goccy/go-yaml's parser,
// which keeps each value's line. Anchors and aliases are resolved; merge
// keys (<<) are not supported.
func yamlTree(data []byte) (*node, *FieldError) {
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		var ye yaml.Error
		if errors.As(err, &ye) && ye.GetToken() != nil {
			return nil, &FieldError{Line: ye.GetToken().Position.Line, Msg: "invalid YAML: " + ye.GetMessage(), Hint: "fix the YAML syntax"}
		}
		return nil, &FieldError{Msg: "invalid YAML: " + err.Error(), Hint: "fix the YAML syntax"}
	}
	var docs []ast.Node
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			if _, ok := d.Body.(*ast.CommentGroupNode); !ok {
				docs = append(docs, d.Body)
			}
		}
	}
	switch {
	case len(docs) == 0:
		return &node{kind: kindNull, line: 1}, nil
	case len(docs) > 1:
		return nil, &FieldError{Line: line(docs[1]), Msg: "more than one YAML document", Hint: "a rules file holds exactly one document; remove the second '---'"}
	}
	b := &yamlBuilder{anchors: map[string]*node{}}
	return b.node(docs[0], 0)
}

// yamlBuilder converts goccy/go-yaml AST nodes.
type yamlBuilder struct {
	anchors map[string]*node
	count   int
}

func line(n ast.Node) int {
	if n == nil || n.GetToken() == nil {
		return 0
	}
	return n.GetToken().Position.Line
}

func (b *yamlBuilder) node(an ast.Node, depth int) (*node, *FieldError) {
	b.count++
	if b.count > maxNodes || depth > maxDepth {
		return nil, &FieldError{Line: line(an), Msg: errTooLarge.Error()}
	}
	n := &node{line: line(an)}
	switch v := an.(type) {
	case nil, *ast.NullNode:
		n.kind = kindNull
	case *ast.StringNode:
		n.kind, n.text = kindString, v.Value
	case *ast.LiteralNode:
		n.kind = kindString
		if v.Value != nil {
			n.text = v.Value.Value
		}
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		n.kind, n.text = kindNumber, an.GetToken().Value
	case *ast.BoolNode:
		n.kind, n.text = kindBool, an.GetToken().Value
	case *ast.TagNode:
		return b.node(v.Value, depth+1)
	case *ast.AnchorNode:
		val, err := b.node(v.Value, depth+1)
		if err != nil {
			return nil, err
		}
		if v.Name != nil {
			b.anchors[v.Name.String()] = val
		}
		return val, nil
	case *ast.AliasNode:
		name := ""
		if v.Value != nil {
			name = v.Value.String()
		}
		val, ok := b.anchors[name]
		if !ok {
			return nil, &FieldError{Line: n.line, Msg: fmt.Sprintf("alias *%s names no earlier anchor", name), Hint: "define &" + name + " before using it"}
		}
		b.count += val.size()
		if b.count > maxNodes {
			return nil, &FieldError{Line: n.line, Msg: errTooLarge.Error()}
		}
		return val, nil
	case *ast.MappingNode:
		return b.mapping(n, v.Values, depth)
	case *ast.MappingValueNode:
		return b.mapping(n, []*ast.MappingValueNode{v}, depth)
	case *ast.SequenceNode:
		n.kind = kindList
		for _, item := range v.Values {
			c, err := b.node(item, depth+1)
			if err != nil {
				return nil, err
			}
			n.items = append(n.items, c)
		}
	default:
		return nil, &FieldError{Line: n.line, Msg: fmt.Sprintf("unsupported YAML element (%s)", an.Type()), Hint: "use plain mappings, lists and scalars"}
	}
	return n, nil
}

func (b *yamlBuilder) mapping(n *node, values []*ast.MappingValueNode, depth int) (*node, *FieldError) {
	n.kind = kindMap
	for _, mv := range values {
		if mv.Key == nil || mv.Key.IsMergeKey() {
			return nil, &FieldError{Line: line(mv), Msg: "merge keys (<<) are not supported", Hint: "write the fields out, or share lists with &anchor and *alias"}
		}
		key, err := b.node(mv.Key, depth+1)
		if err != nil {
			return nil, err
		}
		val, err := b.node(mv.Value, depth+1)
		if err != nil {
			return nil, err
		}
		n.keys, n.vals = append(n.keys, key), append(n.vals, val)
	}
	return n, nil
}

// size counts the nodes of a tree.
func (n *node) size() int {
	s := 1
	for _, c := range n.vals {
		s += c.size()
	}
	for _, c := range n.items {
		s += c.size()
	}
	return s + len(n.keys)
}
