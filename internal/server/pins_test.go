package server

import "testing"

func TestPins(t *testing.T) {
	var p Pins
	if err := p.Set("ade, impressions:3,,triage:latest,sepsis:approved"); err != nil {
		t.Fatal(err)
	}
	if got := p.String(); got != "ade,impressions:3,triage:latest,sepsis" {
		t.Errorf("pins %q", got)
	}
	if len(p) != 4 || p[1].Version != 3 || !p[2].Latest {
		t.Errorf("pins %+v", p)
	}
	for _, bad := range []string{"ade:0", "Bad Name", "ade:-1", "ade:v2"} {
		q := p
		if err := q.Set(bad); err == nil {
			t.Errorf("Set(%q) accepted", bad)
		}
	}
}
