package synth

import (
	"encoding/json"
	"io/fs"
	"reflect"
	"strings"
	"testing"
)

// TestDataFiles decodes every embedded vocabulary file strictly, and
// checks that data/ holds nothing else.
func TestDataFiles(t *testing.T) {
	decoders := map[string]func([]byte) error{
		"nursing.json":    func(b []byte) error { return decodeData("nursing.json", b, new(nursingFile)) },
		"multilabel.json": func(b []byte) error { return decodeData("multilabel.json", b, new(multiLabelFile)) },
		"radiology.json":  func(b []byte) error { return decodeData("radiology.json", b, new(radiologyFile)) },
		"ade.json":        func(b []byte) error { return decodeData("ade.json", b, new(adeFile)) },
	}
	entries, err := fs.ReadDir(dataFiles, "data")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, e := range entries {
		decode, ok := decoders[e.Name()]
		if !ok {
			t.Errorf("data/%s is embedded but no kind reads it", e.Name())
			continue
		}
		seen++
		b, err := dataFiles.ReadFile("data/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if err := decode(b); err != nil {
			t.Error(err)
		}
	}
	if seen != len(decoders) {
		t.Errorf("%d of the %d vocabulary files are embedded", seen, len(decoders))
	}
}

// TestRadiologyPhraseKeys checks that the phrase keys of data/radiology.json
// are spelled exactly as radTemplates' fields with a lower-case first
// letter (decoding alone would accept any letter case).
func TestRadiologyPhraseKeys(t *testing.T) {
	b, err := dataFiles.ReadFile("data/radiology.json")
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Phrases map[string]map[string]json.RawMessage `json:"phrases"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	rt := reflect.TypeOf(radTemplates{})
	for i := 0; i < rt.NumField(); i++ {
		group := rt.Field(i)
		tag := group.Tag.Get("json")
		want := map[string]bool{}
		for j := 0; j < group.Type.NumField(); j++ {
			name := group.Type.Field(j).Name
			want[strings.ToLower(name[:1])+name[1:]] = true
		}
		for key := range raw.Phrases[tag] {
			if !want[key] {
				t.Errorf("phrases.%s.%s: no field of %s is spelled so", tag, key, group.Type.Name())
			}
		}
		if len(raw.Phrases[tag]) != len(want) {
			t.Errorf("phrases.%s has %d keys, want %d", tag, len(raw.Phrases[tag]), len(want))
		}
	}
}

// TestDecodeDataErrors checks that a corrupt vocabulary file is reported
// with its name, the line and what is wrong.
func TestDecodeDataErrors(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		v          any
		want       string
	}{
		{"syntax", "{\n  \"openings\": [\n    \"a\",\n  ]\n}", new(nursingFile), "data/x.json:4:3: invalid character ']'"},
		{"unknown key", "{\n  \"problems\": [],\n  \"problms\": []\n}", new(multiLabelFile), `data/x.json: json: unknown field "problms"`},
		{"wrong type", "{\"labs\": [{\"name\": \"INR\", \"lo\": \"9\"}]}", new(adeFile), "data/x.json:1:36: json: cannot unmarshal string"},
		{"trailing data", "{} {}", new(adeFile), "data/x.json:1:4: unexpected data after the top-level value"},
		{"missing list", `{"drugs": ["x | y | 1 | mg | orally | z | hep"]}`, new(adeFile), `data/x.json: ade: "effects" is missing or empty`},
		{"bad template", `{"phrases": {"chest": {"heartNormal": ["{Normal|Enlarged heart."]}}}`, new(radiologyFile), "is never closed"},
		{"unknown slot", `{"phrases": {"chest": {"heartNormal": ["<drug> heart."]}}}`, new(radiologyFile), "unknown slot <drug>"},
		{"no complaint", nursingWithoutComplaint, new(nursingFile), "chest pain: STEMI: no complaint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := decodeData("x.json", []byte(tc.data), tc.v)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("decodeData error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

const nursingWithoutComplaint = `{
  "presentations": [{
    "topic": "chest pain", "weight": 1, "ages": [40, 80],
    "associated": ["nausea"], "negatives": ["fever"], "pmh": ["HTN"],
    "diagnoses": [{
      "name": ["STEMI"], "weight": 1,
      "vitals": {"hr": [60, 90], "sbp": [100, 140], "dbp": [60, 90], "rr": [12, 20], "spo2": [94, 100], "temp": [970, 990]},
      "findings": ["ST elevation."], "meds": ["ASA."], "acts": [{"note": ["Cath lab."], "summary": "PCI"}],
      "dispo": [{"note": ["To CCU."], "summary": "CCU"}]
    }]
  }],
  "openings": ["x"], "allergies": ["x"], "dxLines": ["x"], "reassess": ["x"], "plan": ["x"],
  "pmhExtra": ["x"], "doctors": ["x"], "family": ["x"], "units": ["x"]
}`

// TestMustDecodePanics checks the one panic a vocabulary file can cause:
// it names the file, so a broken build points at the data, not the code.
func TestMustDecodePanics(t *testing.T) {
	defer func() {
		msg, _ := recover().(string)
		if !strings.HasPrefix(msg, "synth: corrupt embedded vocabulary data/ade.json:1:") {
			t.Errorf("panic %q, want one naming data/ade.json and the line", msg)
		}
	}()
	mustDecode[adeFile]("ade.json", []byte(`{"drugs": [,]}`))
	t.Error("no panic")
}
