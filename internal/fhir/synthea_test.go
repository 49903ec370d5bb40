package fhir

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/osler-health/osler/internal/sharedtest"
)

// syntheaTable reads the per-patient table in the Synthea folder's
// README: patient id -> column (gender, birthDate, deceased, a resource
// type's count) -> cell.
func syntheaTable(t *testing.T, dir string) map[string]map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows := map[string]map[string]string{}
	var header []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cells := strings.Split(strings.Trim(sc.Text(), "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		switch {
		case len(cells) > 5 && cells[0] == "patient id":
			header = cells
		case header != nil && len(cells) == len(header) && !strings.HasPrefix(cells[0], "---"):
			m := map[string]string{}
			for i, h := range header {
				m[h] = cells[i]
			}
			rows[cells[0]] = m
		case header != nil && len(cells) != len(header):
			header = nil
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestSyntheaBundles parses the 13 Synthea patient bundles: no errors,
// counts per type as the README's table says, and every note decodes to
// text.
func TestSyntheaBundles(t *testing.T) {
	dir := sharedtest.Path(t, "data", "synthea_fhir")
	want := syntheaTable(t, dir)
	files, err := filepath.Glob(filepath.Join(dir, "patient-*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 13 || len(want) != 13 {
		t.Fatalf("%d bundles and %d README rows, want 13", len(files), len(want))
	}
	for _, file := range files {
		id := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(file), "patient-"), ".json")
		t.Run(id[:8], func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			b, err := ParseBundle(data)
			if err != nil {
				t.Fatal(err)
			}
			rs, err := b.Resources()
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, r := range rs {
				got[r.Type()]++
			}
			for _, typ := range []string{"Condition", "AllergyIntolerance", "MedicationRequest", "DocumentReference", "Immunization", "Procedure", "Encounter", "Device"} {
				if n, err := strconv.Atoi(want[id][typ]); err != nil || got[typ] != n {
					t.Errorf("%s: %d, README says %s", typ, got[typ], want[id][typ])
				}
			}
			patients := All[*Patient](rs)
			if len(patients) != 1 || patients[0].ID != id {
				t.Fatalf("want one Patient with id %s", id)
			}
			p := patients[0]
			deceased := map[bool]string{true: "yes", false: "no"}[p.Deceased()]
			if p.Gender != want[id]["gender"] || p.BirthDate != want[id]["birthDate"] || deceased != want[id]["deceased"] {
				t.Errorf("Patient %s %s deceased %s, README says %s %s %s", p.Gender, p.BirthDate, deceased,
					want[id]["gender"], want[id]["birthDate"], want[id]["deceased"])
			}
			if p.DisplayName() == "" {
				t.Error("no name")
			}
			if _, ok := p.Age(time.Now()); !ok {
				t.Error("no age from the birth date")
			}
			for _, d := range All[*DocumentReference](rs) {
				if len(d.Content) == 0 || d.When() == "" {
					t.Fatalf("DocumentReference %s: no content or date", d.ID)
				}
				for _, c := range d.Content {
					text, err := c.Attachment.Text(context.Background(), nil, 0)
					if err != nil || strings.TrimSpace(text) == "" {
						t.Fatalf("DocumentReference %s: text empty or %v", d.ID, err)
					}
				}
			}
		})
	}
}
