package eval

import (
	"context"
	"errors"
	"io"

	"github.com/osler-health/osler/internal/clinical"
	"github.com/osler-health/osler/internal/dataset"
)

// FaithfulnessInput names the files a faithfulness check reads: Pairs, a
// dataset of {"id", "source", "summary"} records (a summarization dataset,
// to check its reference summaries), or Sources with Summaries, a
// system's output ({"id", "summary"}, as osler summarize writes it) joined
// to its sources by id.
type FaithfulnessInput struct {
	Pairs              string
	Sources, Summaries string
	// Data says how the dataset files (Pairs, Sources) are laid out.
	Data dataset.Options
	// Stdin is read for a path "-".
	Stdin io.Reader
}

// Files are the input's file names, for a report's header.
func (in FaithfulnessInput) Files() []string {
	if in.Pairs != "" {
		return []string{in.Pairs}
	}
	return []string{in.Sources, in.Summaries}
}

// ReadFaithfulnessPairs reads the (source, summary) pairs of in
// ([FaithfulnessPairs], [JoinSummaries]). Giving Pairs together with
// Sources or Summaries, or Sources without Summaries, is an error.
func ReadFaithfulnessPairs(ctx context.Context, in FaithfulnessInput) ([]FaithfulnessPair, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	switch {
	case in.Pairs != "" && in.Sources == "" && in.Summaries == "":
		recs, err := dataset.ReadAll(in.Pairs, in.Stdin, in.Data)
		if err != nil {
			return nil, err
		}
		return FaithfulnessPairs(recs, in.Pairs)
	case in.Pairs == "" && in.Sources != "" && in.Summaries != "":
		recs, err := dataset.ReadAll(in.Sources, in.Stdin, in.Data)
		if err != nil {
			return nil, err
		}
		f, err := dataset.OpenInput(in.Summaries, in.Stdin)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return JoinSummaries(recs, in.Sources, NewTextPredictionReader(f, in.Summaries, false))
	}
	return nil, errors.New("eval: faithfulness: give the pairs, or the sources with the summaries")
}

// CaseFiles are the files of a checklist run ([CheckCaseFiles]).
type CaseFiles struct {
	// Cases is the checklist, JSONL cases ([ReadCases]).
	Cases string
	// Summaries are the summaries of the cases' sources, {"id",
	// "summary"} lines.
	Summaries string
	// Checker is the faithfulness check for the critical-finding rule
	// (nil: the built-in vocabulary).
	Checker *clinical.Checker
	// Stdin is read for a path "-".
	Stdin io.Reader
}

// CheckCaseFiles reads a checklist and the summaries of its cases and
// scores them ([CheckCases]).
func CheckCaseFiles(ctx context.Context, files CaseFiles) (*CaseReport, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cf, err := dataset.OpenInput(files.Cases, files.Stdin)
	if err != nil {
		return nil, err
	}
	defer cf.Close()
	cases, err := ReadCases(cf, files.Cases)
	if err != nil {
		return nil, err
	}
	sf, err := dataset.OpenInput(files.Summaries, files.Stdin)
	if err != nil {
		return nil, err
	}
	defer sf.Close()
	summaries := map[string]string{}
	rd := NewTextPredictionReader(sf, files.Summaries, false)
	for {
		p, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		summaries[p.ID] = p.Text
	}
	checker := files.Checker
	if checker == nil {
		checker = clinical.NewChecker(nil)
	}
	return CheckCases(cases, summaries, checker)
}
