package config

import (
	"errors"
	"strconv"
	"strings"
)

// ByteSize is a size in bytes as a flag.Value: 1048576, 512KiB, 4MiB,
// 2GiB, 10MB or 1KB; fs.Var((*config.ByteSize)(&n), ...) binds an int64.
type ByteSize int64

var sizeUnits = []struct {
	suffix string
	mult   int64
}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1000 * 1000 * 1000}, {"MB", 1000 * 1000}, {"KB", 1000}, {"B", 1}}

// ParseByteSize reads a positive size such as 1048576, 512KiB or 2GiB.
func ParseByteSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range sizeUnits {
		if v, ok := strings.CutSuffix(t, u.suffix); ok {
			t, mult = strings.TrimSpace(v), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, errors.New("want a size such as 1048576, 512KiB, 4MiB or 2GiB")
	}
	return n * mult, nil
}

// String writes the size in the largest binary unit that divides it.
func (b *ByteSize) String() string {
	if b == nil {
		return ""
	}
	n := int64(*b)
	for _, u := range sizeUnits[:3] {
		if n >= u.mult && n%u.mult == 0 {
			return strconv.FormatInt(n/u.mult, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

// Set parses a size ([ParseByteSize]).
func (b *ByteSize) Set(s string) error {
	n, err := ParseByteSize(s)
	if err != nil {
		return err
	}
	*b = ByteSize(n)
	return nil
}
