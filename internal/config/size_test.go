package config

import "testing"

func TestByteSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{{"1048576", 1 << 20}, {"512KiB", 512 << 10}, {"4MiB", 4 << 20}, {"2GiB", 2 << 30}, {"10MB", 10_000_000}, {"1KB", 1000}, {"7B", 7}, {" 3 MiB ", 3 << 20}} {
		got, err := ParseByteSize(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseByteSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "0", "-1", "lots", "1.5MiB", "9999999999GiB"} {
		if _, err := ParseByteSize(bad); err == nil {
			t.Errorf("ParseByteSize(%q) accepted", bad)
		}
	}
	for n, want := range map[int64]string{1 << 20: "1MiB", 2 << 30: "2GiB", 1536: "1536", 3 << 10: "3KiB", 1000: "1000"} {
		b := ByteSize(n)
		if got := b.String(); got != want {
			t.Errorf("ByteSize(%d).String() = %q, want %q", n, got, want)
		}
	}
	var b ByteSize = 5
	if err := b.Set("nope"); err == nil || b != 5 {
		t.Errorf("a bad Set changed the value: %v %d", err, b)
	}
}
