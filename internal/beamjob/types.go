package beamjob

// Record is one input record and where it was read.
type Record struct {
	// File is the path the record was read from; Line its 1-based line.
	File string
	Line int
	ID   string
	Text string
}

// Pair is one ROUGE pair and where it was read.
type Pair struct {
	File       string
	Line       int
	ID         string
	References []string
	Prediction string
}

// Out is one output line, with the position of the record it came from,
// by which a shard sorts its lines.
type Out struct {
	File string
	Line int
	// JSON is the line, with its newline; "" marks an empty shard.
	JSON string
}

// Scored is one pair's ROUGE scores for the aggregate: precision, recall
// and F of each type, in the job's type order.
type Scored struct {
	File   string
	Line   int
	ID     string
	Scores []float64
}

// less orders positions by file, then line.
func less(af string, al int, bf string, bl int) bool {
	if af != bf {
		return af < bf
	}
	return al < bl
}
