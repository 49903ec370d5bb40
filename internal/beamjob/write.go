package beamjob

import (
	"bufio"
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"slices"
	"strconv"
)

// bufWriter buffers a shard's writes.
type bufWriter = bufio.Writer

func newBufWriter(w io.Writer) *bufWriter { return bufio.NewWriterSize(w, 256<<10) }

// ShardName is the name of shard i of n: PREFIX-00000-of-00004.jsonl.
func ShardName(prefix string, i, n int) string {
	return fmt.Sprintf("%s-%05d-of-%05d.jsonl", prefix, i, n)
}

// shardFn keys each line by its shard: a hash of its position, so a line
// lands in the same shard whatever the runner does.
type shardFn struct {
	Shards int
}

// ProcessElement keys one line.
func (f *shardFn) ProcessElement(o Out) (int, Out) {
	h := fnv.New32a()
	io.WriteString(h, o.File)
	h.Write(strconv.AppendInt(nil, int64(o.Line), 10))
	return int(h.Sum32() % uint32(f.Shards)), o
}

// emptyShardsFn emits a marker for every shard, so that every shard file
// is written even when no line falls in it.
type emptyShardsFn struct {
	Shards int
}

// ProcessElement emits the markers.
func (f *emptyShardsFn) ProcessElement(_ []byte, emit func(int, Out)) {
	for i := range f.Shards {
		emit(i, Out{})
	}
}

// writeShardFn writes one shard: its lines sorted by input position.
type writeShardFn struct {
	Prefix string
	Shards int
}

// ProcessElement writes shard i.
func (f *writeShardFn) ProcessElement(ctx context.Context, i int, iter func(*Out) bool) error {
	var lines []Out
	var o Out
	for iter(&o) {
		if o.JSON != "" {
			lines = append(lines, o)
		}
		o = Out{}
	}
	slices.SortFunc(lines, func(a, b Out) int {
		if less(a.File, a.Line, b.File, b.Line) {
			return -1
		}
		if less(b.File, b.Line, a.File, a.Line) {
			return 1
		}
		return 0
	})
	return writeFile(ctx, ShardName(f.Prefix, i, f.Shards), func(w *bufWriter) error {
		for _, l := range lines {
			if _, err := w.WriteString(l.JSON); err != nil {
				return err
			}
		}
		return nil
	})
}
