package clinical

// Critical reports whether a claim (of a source) is a critical finding:
// a critical concept, not old, healed, chronic or stable when it is
// acute-only, or an escalating one called new, increased or acute.
func (l *Lexicon) Critical(c Claim) bool { return l.critical(c) }
