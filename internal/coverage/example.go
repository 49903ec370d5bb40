package coverage

import _ "embed"

// ExampleRules is the example payer rules file (YAML), the one
// docs/examples/crd-rules.yaml copies (a test keeps them equal): osler
// demo serves osler-crd with it, and users start their own from it.
//
//go:embed example-rules.yaml
var ExampleRules []byte
