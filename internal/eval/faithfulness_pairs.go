package eval

import (
	"fmt"
	"io"

	"github.com/osler-health/osler/internal/dataset"
)

// FaithfulnessPairs turns records with a source and a summary (the
// summarization dataset format) into pairs. A record without a summary is
// an error naming its line.
func FaithfulnessPairs(recs []dataset.Record, name string) ([]FaithfulnessPair, error) {
	out := make([]FaithfulnessPair, 0, len(recs))
	for _, r := range recs {
		if r.Summary == "" {
			return nil, &dataset.ParseError{File: name, Line: r.Line, Field: "summary", Err: dataset.ErrMissingField,
				Hint: `each line needs the source and its summary ({"id","source","summary"}); for a system's output give --sources and --summaries`}
		}
		out = append(out, FaithfulnessPair{ID: recordID(r), Source: r.Text, Summary: r.Summary})
	}
	return out, nil
}

// recordID is a record's id, or its line number when it has none.
func recordID(r dataset.Record) string {
	if r.ID != "" {
		return r.ID
	}
	return fmt.Sprint(r.Line)
}

// JoinSummaries pairs a system's summaries (osler summarize output,
// {"id","summary"}) with the records whose sources they summarize, by id.
// An unknown or repeated id, or a source left without a summary, is an
// error.
func JoinSummaries(recs []dataset.Record, recsName string, summaries *TextPredictionReader) ([]FaithfulnessPair, error) {
	byID := make(map[string]int, len(recs))
	for i, r := range recs {
		byID[recordID(r)] = i
	}
	out := make([]FaithfulnessPair, 0, len(recs))
	done := make([]bool, len(recs))
	for {
		p, err := summaries.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if p.ID == "" {
			return nil, summaries.lr.errorf("id", dataset.ErrMissingField, "each summary needs the id of its source in %s", recsName)
		}
		i, ok := byID[p.ID]
		if !ok {
			return nil, summaries.lr.errorf("id", dataset.ErrMissingField, "id %q is not in %s", p.ID, recsName)
		}
		if done[i] {
			return nil, summaries.lr.errorf("id", dataset.ErrInvalidJSON, "id %q has a second summary", p.ID)
		}
		done[i] = true
		out = append(out, FaithfulnessPair{ID: p.ID, Source: recs[i].Text, Summary: p.Text})
	}
	var missing []string
	for i, d := range done {
		if !d {
			missing = append(missing, recordID(recs[i]))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("eval: %d source(s) in %s have no summary (first: %s)", len(missing), recsName, firstIDs(missing, 5))
	}
	return out, nil
}
