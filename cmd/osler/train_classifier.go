package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/osler-health/osler/internal/checksum"
	"github.com/osler-health/osler/internal/classify"
	"github.com/osler-health/osler/internal/progress"
	"github.com/osler-health/osler/internal/registry"
)

var trainClassifierDoc = helpDoc("train-classifier")

// registerClassifierFlags binds the flags of osler train classifier
// straight into o; apply the extras' --c after parsing.
func registerClassifierFlags(fs *flag.FlagSet, o *classify.FitOptions) *classifierFlagExtras {
	x := &classifierFlagExtras{}
	cfg, ft := &o.Config, &o.Config.Features
	fs.StringVar(&o.Train, "train", "", "training data (required)")
	fs.StringVar(&o.Dev, "dev", "", "dev data: C, NB scaling and thresholds are tuned on it")
	fs.StringVar(&o.Test, "test", "", "held-out test data, evaluated once at the end")
	fs.StringVar(&x.out, "out", "", "model directory to write (required); replaced if it holds a model")
	fs.Var(&cfg.Mode, "mode", "binary, multi-class or multi-label; default: inferred from the training data")
	fs.StringVar(&cfg.PositiveLabel, "positive", "", "binary mode: the label to score (default: the rarer label)")
	fs.Var((*stringList)(&o.Lexicons), "lexicon", "phrases to recognize: relation lines, annotated spans or a term list (repeatable)")
	fs.Var(&x.c, "c", `inverse regularization strength, or "auto": chosen on --dev from --c-grid (4 without --dev)`)
	fs.Var((*classify.CGrid)(&cfg.CGrid), "c-grid", "values of C tried with --c auto")
	fs.Var(&cfg.NB, "nb", "naive-Bayes feature scaling (NBSVM): on, off, or auto (tried both ways on --dev)")
	fs.Var(&cfg.Loss, "loss", "logistic (probabilities) or svm (squared hinge)")
	fs.Var(&cfg.ClassWeight, "class-weight", "none, or balanced (weigh each class inversely to its frequency)")
	fs.IntVar(&cfg.Patience, "early-stopping", 0, "with --dev: stop a label's solver after this many epochs without a better dev loss (0: off)")
	fs.IntVar(&cfg.CVFolds, "cv-folds", cfg.CVFolds, "without --dev: cross-validation folds for thresholds (1: keep 0.5)")
	fs.IntVar(&cfg.Workers, "workers", 0, "parallel workers (default: all cores)")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "random seed; the same data, flags and seed give the same model")
	fs.Float64Var(&cfg.Epsilon, "epsilon", cfg.Epsilon, "solver stopping tolerance (LIBLINEAR's default)")
	fs.IntVar(&cfg.MaxEpochs, "max-epochs", cfg.MaxEpochs, "most passes of a solver over the data")
	fs.IntVar(&ft.HashBits, "hash-bits", ft.HashBits, "feature hash space: 2^N word and 2^N character features")
	fs.Var(classify.WordNgrams(ft), "word-ngrams", `word n-gram range, e.g. "1-2", or "0" for none`)
	fs.Var(classify.CharNgrams(ft), "char-ngrams", `character n-gram range inside words, e.g. "2-5", or "0" for none`)
	fs.IntVar(&ft.WordMinDF, "word-min-df", ft.WordMinDF, "drop word n-grams in fewer training documents")
	fs.IntVar(&ft.CharMinDF, "char-min-df", ft.CharMinDF, "drop character n-grams in fewer training documents")
	fs.Var((*classify.Normalization)(ft), "normalize", `text normalization: any of lower, digits (fold to 0), units ("10mg" -> "10 mg"), deid (placeholders such as XXXX), or "none"`)
	fs.BoolVar(&ft.LexiconMask, "lexicon-mask", ft.LexiconMask, "replace lexicon phrases by their category in word n-grams (false: indicator features only)")
	fs.IntVar(&o.MaxLabels, "max-labels", 0, "validation: most distinct labels (default 1,000 multi-class, 100 multi-label, as osler data validate; -1: no limit); more is usually free text in the label column, and every label is one more model to train")
	fs.IntVar(&o.MinPerLabel, "min-per-label", o.MinPerLabel, "validation: fewest rows a label needs in each file (managed services ask 10 multi-label, 50 multi-class)")
	fs.BoolVar(&o.AllowLeakage, "allow-leakage", false, "report texts shared between --train and --dev/--test as warnings instead of errors")
	fs.IntVar(&o.CurvePoints, "curve-points", o.CurvePoints, "PR curve points kept per label in metrics.json (0: all)")
	return x
}

// classifierFlagExtras are the flags that do not map one to one onto
// classify.FitOptions.
type classifierFlagExtras struct {
	out string
	c   classify.FixedC
}

func (m *Main) runTrainClassifier(ctx context.Context, args []string) error {
	const cmd = "train classifier"
	fs := m.newFlagSet(trainClassifierDoc)
	o := classify.DefaultFitOptions()
	x := registerClassifierFlags(fs, &o)
	var df dataFlags
	df.register(fs, "")
	var reg trainRegisterFlags
	reg.add(fs)
	err := m.parseNoArgs(fs, trainClassifierDoc, args, "give files with --train, --dev and --test")
	if err != nil {
		return err
	}
	if err := reg.check(cmd); err != nil {
		return err
	}
	if o.Train == "" || x.out == "" {
		return usageError{fmt.Errorf("%s: --train and --out are required (see --help)", cmd)}
	}
	for _, p := range []string{o.Train, o.Dev, o.Test} {
		if p == "-" {
			return usageError{fmt.Errorf("%s: data must be files, not standard input (they are read more than once)", cmd)}
		}
	}
	if o.Data, err = df.options(); err != nil {
		return err
	}
	x.c.Apply(&o.Config)
	if err := o.Config.Features.Validate(); err != nil {
		return usageError{fmt.Errorf("%s: %w", cmd, err)}
	}
	o.Notices = m.Stderr
	prog := progress.NewWriter(m.Stderr, m.IsTerminal(m.Stderr))
	o.Config.Progress = prog
	res, err := classify.Fit(ctx, o)
	prog.Finish()
	var ve *classify.ValidationError
	if errors.As(err, &ve) {
		fmt.Fprintf(m.Stderr, "The data have %d errors; fix them (or see osler data validate --help) and train again.\n\n", ve.Report.Errors)
		if err := ve.Report.WriteText(m.Stderr); err != nil {
			return err
		}
		return exitError{code: 1, msg: fmt.Sprintf("%s: %v", cmd, err)}
	}
	if err != nil {
		return err
	}
	written, err := res.Save(x.out)
	if err != nil {
		return err
	}
	if err := res.WriteText(m.Stdout); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "\nwrote %s (%s)\n", x.out, strings.Join(written, ", "))
	_, err = m.registerTrained(ctx, cmd, &reg, trainedModel{Dir: x.out, Kind: registry.KindClassifier})
	return err
}

// fileSHA256 is a data file's sha256, for model.json.
func fileSHA256(path string) (string, error) {
	sum, _, err := checksum.File(context.Background(), path)
	return sum, err
}
