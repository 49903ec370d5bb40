// Package beamjob builds the Apache Beam pipelines of osler batch (the
// osler-batch binary): read every file matching a pattern through Beam's
// filesystems (local paths, gs://, s3://), run one of Osler's library
// workflows on each record in a DoFn that loads its model once per worker
// (Setup), and write sharded JSONL, PREFIX-00000-of-0000N.jsonl.
//
// Each line is encoded by the same code as the single-machine command:
// [Predict] lines are classify/predict's ([predict.Encoder]), [Summarize]
// lines summarize/batch's, [Rouge] lines eval's per-example lines, and
// the ROUGE aggregate is eval's summary of the pairs in input order. A
// shard holds its lines sorted by input file and line, so a run's output
// does not depend on how the runner split the work.
//
// The package registers its DoFns and element types with Beam in init:
// Beam's worker harness must find them by name before main runs, which is
// the one reason for an init in Osler. Only osler-batch imports it, so the
// osler binary does not link Beam.
package beamjob
