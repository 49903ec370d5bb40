package eval

import "strings"

// RougeTypes is a list of ROUGE types as a flag.Value: "rouge1,rouge2,rougeL"
// ([ParseRougeTypes]); fs.Var((*eval.RougeTypes)(&types), ...) binds a
// []RougeType.
type RougeTypes []RougeType

// String joins the types with commas.
func (t *RougeTypes) String() string {
	if t == nil {
		return ""
	}
	parts := make([]string, len(*t))
	for i, v := range *t {
		parts[i] = string(v)
	}
	return strings.Join(parts, ",")
}

// Set parses a comma-separated list of types.
func (t *RougeTypes) Set(s string) error {
	v, err := ParseRougeTypes(s)
	if err != nil {
		return err
	}
	*t = v
	return nil
}
