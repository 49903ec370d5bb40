package synth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
)

// outputHashes pins the sha256 of everything the generator produces for a
// few fixed option sets: the JSONL records (with the duplicate-of IDs and,
// for ade, the relations) of 2,000 records, and Kinds() as JSON (what
// `osler data synth --list` prints). Unlike the golden files they cover
// every record of a realistic run, so a refactoring that changes a single
// draw anywhere fails here. After an intended change to the output, run
// the test with -v and copy the new hashes it logs.
var outputHashes = []struct {
	name string
	opts Options
	want string
}{
	{"nursing-notes", Options{Kind: KindNursingNotes, Seed: 13}, "a4538114a11f40417ec2dff03c618fb7b706f714014f68a31c04b723ee1feb31"},
	{"radiology", Options{Kind: KindRadiology, Seed: 13}, "657aeae1450a12238c7df8c4b623347a01cb2e0a47f4f8ed5b8d7f248a07b45b"},
	{"ade", Options{Kind: KindADE, Seed: 13}, "64241edf1faf6b8710090ad6a96f164439c307a568a39750fd2da47374f5013c"},
	{"multilabel", Options{Kind: KindMultiLabel, Seed: 13}, "eb26881418fbb19b513a7f21c7bd0d26452679f6278d997b00ae258c277bc352"},
	{"nursing-notes/near-dup", Options{Kind: KindNursingNotes, Seed: 99, NearDupRate: 0.1}, "c64ccd85b100e2dba7823ab34ad593c37fff02e7ba41727b4d5bb023f56f2c2f"},
	{"radiology/near-dup", Options{Kind: KindRadiology, Seed: 99, NearDupRate: 0.1}, "585b29d43dacd49f40595ea023842de5cf5e1029d83a74cdd3d5e5208ac0975b"},
	{"ade/positive-rate", Options{Kind: KindADE, Seed: 99, PositiveRate: 0.4, NearDupRate: 0.1}, "e90f5756c117abb67648085d2ac6ab68f5e34314c4d3adaa75827739fdf400ed"},
	{"multilabel/near-dup", Options{Kind: KindMultiLabel, Seed: 99, NearDupRate: 0.1}, "c471a1863e008dd75790748e890717cec89ddb2355e04e06867a85fe9b0dc344"},
}

// kindsHash is the sha256 of Kinds() as JSON.
const kindsHash = "543549496fc4efb4ca179e79f9d1a9afd13aaf0660b7503f8177b442a2a90618"

func TestOutputHashes(t *testing.T) {
	for _, tc := range outputHashes {
		t.Run(tc.name, func(t *testing.T) {
			h := sha256.New()
			enc := json.NewEncoder(h)
			enc.SetEscapeHTML(false)
			err := Generate(context.Background(), tc.opts, 2000, func(s Sample) error {
				return enc.Encode(s)
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(h.Sum(nil)); got != tc.want {
				t.Errorf("sha256 of 2,000 records = %s, want %s", got, tc.want)
			}
		})
	}
	b, err := json.Marshal(Kinds())
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != kindsHash {
		t.Errorf("sha256 of Kinds() = %s, want %s", got, kindsHash)
	}
}
