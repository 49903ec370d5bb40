package eval

// System is one of the systems a comparison puts side by side: a name for
// its row and the file of its predictions.
type System struct {
	Name string
	// Path is the predictions file; "-" reads stdin.
	Path string
}

// RougeSystem is one system's row of a ROUGE comparison.
type RougeSystem struct {
	Name string `json:"name"`
	// Source is the system's predictions file.
	Source  string        `json:"file"`
	Summary *RougeSummary `json:"summary"`
	// Result holds the per-example scores (for box plots and the paired
	// bootstrap), in the order of the reference set.
	Result *RougeResult `json:"-"`
	// Diff is the paired bootstrap interval of this system's mean scores
	// minus the first system's ([PairedBootstrap]); nil for the first
	// system or when not computed.
	Diff map[RougeType]Interval `json:"difference_from_first,omitempty"`
	// Faithfulness is the check of the system's summaries against their
	// sources (nil when no sources were given).
	Faithfulness *FaithfulnessReport `json:"faithfulness,omitempty"`
}

// RougeComparison is several systems scored with ROUGE on one reference
// set, the first being the baseline the others' differences are taken
// from.
type RougeComparison struct {
	// References names the reference set file.
	References string        `json:"references"`
	Systems    []RougeSystem `json:"systems"`
}

// ClassificationSystem is one system's row of a classification
// comparison.
type ClassificationSystem struct {
	Name string `json:"name"`
	// Source is the system's predictions file.
	Source string                `json:"file"`
	Result *ClassificationResult `json:"result"`
}

// ClassificationComparison is several classifiers' predictions evaluated
// on one gold set.
type ClassificationComparison struct {
	// Gold names the gold file.
	Gold    string                 `json:"gold"`
	Systems []ClassificationSystem `json:"systems"`
}
