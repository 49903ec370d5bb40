package config

import (
	"strings"
	"testing"
)

func TestRegistryURL(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, c := range []struct {
		name             string
		c                Registry
		env              map[string]string
		home, db, errSub string
	}{
		{"default", Registry{}, map[string]string{"HOME": "/u"}, "/u/.osler", "", ""},
		{"plain path", Registry{URL: "/srv/reg"}, nil, "/srv/reg", "", ""},
		{"sqlite URL", Registry{URL: "sqlite:///srv/reg"}, nil, "/srv/reg", "", ""},
		{"sqlite URL and the same --home", Registry{URL: "sqlite:///srv/reg", Home: "/srv/reg/"}, nil, "/srv/reg", "", ""},
		{"sqlite URL and another --home", Registry{URL: "sqlite:///srv/reg", Home: "/other"}, nil, "", "", "give one"},
		{"postgres: home holds the artifacts", Registry{URL: "postgres://u:pw@db/reg", Home: "/art"}, nil, "/art", "postgres://u:pw@db/reg", ""},
		{"postgresql scheme", Registry{URL: "postgresql://db/reg"}, map[string]string{"HOME": "/u"}, "/u/.osler", "postgresql://db/reg", ""},
		{"unknown scheme", Registry{URL: "mysql://db/reg"}, nil, "", "", `unknown registry URL scheme "mysql"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			home, err := c.c.HomeDir(env(c.env))
			if c.errSub != "" {
				if err == nil || !strings.Contains(err.Error(), c.errSub) {
					t.Fatalf("err = %v, want %q", err, c.errSub)
				}
				return
			}
			if err != nil || home != c.home || c.c.Database() != c.db {
				t.Fatalf("home %q db %q err %v; want %q %q", home, c.c.Database(), err, c.home, c.db)
			}
		})
	}
	var c Registry
	if err := c.ApplyEnv(env(map[string]string{EnvRegistryURL: "postgres://a:secret@h/d"})); err != nil || !c.IsPostgres() {
		t.Fatalf("ApplyEnv: %+v %v", c, err)
	}
	if s := c.String(); strings.Contains(s, "secret") || !strings.Contains(s, "postgres://a:xxxxx@h/d") {
		t.Fatalf("String shows the password: %q", s)
	}
	c.SetURL("") // a flag left empty keeps the environment's
	if !c.IsPostgres() {
		t.Fatal("SetURL(\"\") cleared the URL")
	}
}
