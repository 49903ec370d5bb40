package dataset

// Record is one example of a dataset. Classification records use Text and
// Labels; summarization records use Text (the source document) and Summary.
type Record struct {
	ID string
	// Text is the document to classify, or the source to summarize.
	Text string
	// Labels are the record's labels (classification). A nil or empty slice
	// means the record carries no label.
	Labels []string
	// Summary is the reference summary (summarization).
	Summary string
	// Split names the split a record was written to ("train", "dev",
	// "test") when a file was produced by [Split]; empty otherwise.
	Split string
	// Kind is the shape the record was read as: summarization when its
	// JSONL line has "source" or "summary", or its table maps a summary
	// column and no label column.
	Kind Kind
	// Line is the 1-based line of the record in its file (the first line,
	// for CSV records whose quoted text spans several lines).
	Line int
}

// Kind says what a dataset is for.
type Kind int

const (
	// KindClassification is text with labels.
	KindClassification Kind = iota
	// KindSummarization is a source with a reference summary.
	KindSummarization
)

func (k Kind) String() string {
	if k == KindSummarization {
		return "summarization"
	}
	return "classification"
}

// Mode is how labels are used in a classification dataset.
type Mode string

const (
	// ModeMultiClass means exactly one label per record.
	ModeMultiClass Mode = "multi-class"
	// ModeMultiLabel means any number of labels per record.
	ModeMultiLabel Mode = "multi-label"
	// ModeBinary is multi-class with exactly two labels; for validation
	// it follows the multi-class rules.
	ModeBinary Mode = "binary"
)

// ParseMode parses a --mode flag value. The empty string means "infer".
func ParseMode(s string) (Mode, error) {
	switch s {
	case "":
		return "", nil
	case "multi-class", "multiclass", "multi_class":
		return ModeMultiClass, nil
	case "multi-label", "multilabel", "multi_label":
		return ModeMultiLabel, nil
	case "binary":
		return ModeBinary, nil
	}
	return "", &FieldError{Field: "mode", Value: s, Msg: "want binary, multi-class or multi-label"}
}

// String returns the mode's name ("" when it is to be inferred).
func (m Mode) String() string { return string(m) }

// Set parses a mode as [ParseMode] does, so a Mode is a flag.Value.
func (m *Mode) Set(s string) error {
	v, err := ParseMode(s)
	if err != nil {
		return err
	}
	*m = v
	return nil
}
