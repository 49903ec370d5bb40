package main

import "flag"

// enumFlags binds string flags to typed values (flag.Values such as
// predict.Format or summarize.VerifyMode) once the flags are parsed.
// Registering the values with fs.Var would show them as "-name value" in
// the help; as string flags they keep "-name string" and their default.
type enumFlags []func() error

// Var registers name as a string flag whose default is v's current value;
// set parses the flag's value into v.
func (e *enumFlags) Var(fs *flag.FlagSet, v flag.Value, name, usage string) {
	s := fs.String(name, v.String(), usage)
	*e = append(*e, func() error { return v.Set(*s) })
}

// set parses every flag into its value; the first error is a usage error.
func (e enumFlags) set() error {
	for _, set := range e {
		if err := set(); err != nil {
			return usageError{err}
		}
	}
	return nil
}
