package fhir

import (
	"errors"
	"slices"
	"time"
)

// errDate is the error of ParseDate; it does not quote the input (a birth
// date is patient data).
var errDate = errors.New("fhir: date: want YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.sss] with a zone")

// dateLayouts are the forms of FHIR date, dateTime and instant values,
// longest first. A dateTime without a zone is not valid FHIR but is
// accepted (as UTC).
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02",
	"2006-01",
	"2006",
}

// ParseDate reads a FHIR date, dateTime or instant, which may be partial:
// "2020", "2020-05", "2020-05-01" or "2020-05-01T10:30:00+02:00". A
// partial value gives the start of the period it names, in UTC; a value
// with a zone keeps it. The error never quotes s.
func ParseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errDate
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errDate
}

// CompareDates orders two FHIR dates for sorting, earliest first, by the
// instant each starts at ([ParseDate]); values that do not parse (or are
// empty) sort after all dates, among themselves as equal. It suits
// slices.SortStableFunc.
func CompareDates(a, b string) int {
	ta, ea := ParseDate(a)
	tb, eb := ParseDate(b)
	switch {
	case ea != nil && eb != nil:
		return 0
	case ea != nil:
		return 1
	case eb != nil:
		return -1
	}
	return ta.Compare(tb)
}

// SortByDate sorts rs in place by the date that date returns for each,
// earliest first and undated last, keeping the order of equal dates:
//
//	fhir.SortByDate(notes, (*fhir.DocumentReference).When)
func SortByDate[T any](rs []T, date func(T) string) {
	slices.SortStableFunc(rs, func(a, b T) int { return CompareDates(date(a), date(b)) })
}
