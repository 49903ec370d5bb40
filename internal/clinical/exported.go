package clinical

import "fmt"

// Critical reports whether a claim of a source states a critical finding:
// affirmed or possible (not denied, past or hypothetical), outside the
// indication, of a critical concept (not old, healed, chronic or stable
// when it is acute-only), or of an escalating one called new, increased
// or acute.
func (l *Lexicon) Critical(c Claim) bool {
	if c.Indication || c.Assertion != Affirmed && c.Assertion != Uncertain {
		return false
	}
	return l.critical(c)
}

// UnmarshalText reads a verdict's name.
func (v *Verdict) UnmarshalText(b []byte) error {
	for i, n := range verdictNames {
		if n != "" && n == string(b) {
			*v = Verdict(i)
			return nil
		}
	}
	return fmt.Errorf("clinical: unknown verdict %q", b)
}

// UnmarshalText reads an issue kind's name.
func (k *IssueKind) UnmarshalText(b []byte) error {
	for i, n := range issueKindNames {
		if n != "" && n == string(b) {
			*k = IssueKind(i)
			return nil
		}
	}
	return fmt.Errorf("clinical: unknown issue kind %q", b)
}

// Reportable reports whether a claim of a source states something a
// summary should not drop although it is not critical: an affirmed line
// or tube, or a significant finding (a nodule, cardiomegaly), outside the
// indication.
func (l *Lexicon) Reportable(c Claim) bool {
	if c.Type != ClaimConcept || c.Indication || c.Assertion != Affirmed || c.concept < 0 || l.critical(c) {
		// Critical findings are checked first, as critical.
		return false
	}
	con := l.Concepts[c.concept]
	return con.Reportable || con.Kind == KindFinding && con.Severity >= SeveritySignificant
}
