package clinical

import (
	"math"
	"strconv"
	"strings"
)

// Dimension is what a measurement measures.
type Dimension uint8

// Dimensions of measurements.
const (
	DimLength Dimension = iota + 1
	DimVolume
	DimMass
	DimPercent
	DimPressure
	DimRate
	DimTime
	DimDose // units, mEq, mmol
)

var dimensionNames = [...]string{"", "length", "volume", "mass", "percent", "pressure", "rate", "time", "dose"}

func (d Dimension) String() string {
	if int(d) < len(dimensionNames) {
		return dimensionNames[d]
	}
	return "unknown"
}

// MarshalText writes the dimension's name.
func (d Dimension) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// unit is a unit of measurement with its factor to the dimension's base
// (millimetres, millilitres, milligrams, percent, mmHg, per minute, hours).
type unit struct {
	dim    Dimension
	factor float64
}

var units = map[string]unit{
	"mm": {DimLength, 1}, "millimeter": {DimLength, 1}, "millimeters": {DimLength, 1}, "millimetre": {DimLength, 1},
	"millimetres": {DimLength, 1}, "cm": {DimLength, 10}, "cms": {DimLength, 10}, "centimeter": {DimLength, 10},
	"centimeters": {DimLength, 10}, "centimetre": {DimLength, 10}, "centimetres": {DimLength, 10},
	"ml": {DimVolume, 1}, "mls": {DimVolume, 1}, "cc": {DimVolume, 1}, "ccs": {DimVolume, 1}, "milliliter": {DimVolume, 1},
	"milliliters": {DimVolume, 1}, "l": {DimVolume, 1000}, "liter": {DimVolume, 1000}, "liters": {DimVolume, 1000},
	"mg": {DimMass, 1}, "mgs": {DimMass, 1}, "milligram": {DimMass, 1}, "milligrams": {DimMass, 1},
	"g": {DimMass, 1000}, "gm": {DimMass, 1000}, "gram": {DimMass, 1000}, "grams": {DimMass, 1000},
	"mcg": {DimMass, 0.001}, "ug": {DimMass, 0.001}, "microgram": {DimMass, 0.001}, "micrograms": {DimMass, 0.001},
	"kg": {DimMass, 1e6}, "kilogram": {DimMass, 1e6}, "kilograms": {DimMass, 1e6},
	"%": {DimPercent, 1}, "percent": {DimPercent, 1},
	"mmhg":  {DimPressure, 1},
	"bpm":   {DimRate, 1},
	"units": {DimDose, 1}, "unit": {DimDose, 1}, "meq": {DimDose, 1}, "mmol": {DimDose, 1},
	"min": {DimTime, 1.0 / 60}, "mins": {DimTime, 1.0 / 60}, "minute": {DimTime, 1.0 / 60}, "minutes": {DimTime, 1.0 / 60},
	"hr": {DimTime, 1}, "hrs": {DimTime, 1}, "hour": {DimTime, 1}, "hours": {DimTime, 1}, "h": {DimTime, 1},
	"day": {DimTime, 24}, "days": {DimTime, 24}, "week": {DimTime, 168}, "weeks": {DimTime, 168}, "wk": {DimTime, 168},
	"wks": {DimTime, 168}, "month": {DimTime, 730}, "months": {DimTime, 730}, "mo": {DimTime, 730},
	"year": {DimTime, 8760}, "years": {DimTime, 8760}, "yr": {DimTime, 8760}, "yrs": {DimTime, 8760},
}

// unitOf returns the unit a lower-case word names.
func unitOf(w string) (unit, bool) {
	u, ok := units[w]
	return u, ok
}

// numberWords are spelled-out numbers notes and dialogs use ("two weeks").
var numberWords = map[string]float64{
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
	"eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
}

// numberValue parses a number token or a spelled-out number.
func numberValue(w string, kind tokKind) (float64, bool) {
	if kind == tokNumber {
		v, err := strconv.ParseFloat(w, 64)
		return v, err == nil
	}
	v, ok := numberWords[w]
	return v, ok
}

// sameMeasure reports whether two measurements are the same quantity
// (values in the base unit, compared to 0.1%).
func sameMeasure(a, b Claim) bool {
	if a.Dim != b.Dim {
		return false
	}
	return math.Abs(a.Value-b.Value) <= 1e-3*math.Max(math.Abs(a.Value), math.Abs(b.Value))+1e-9
}

// formatMeasure writes a measurement back as value and unit text.
func formatMeasure(v float64, unitText string) string {
	return strings.TrimSpace(strconv.FormatFloat(v, 'f', -1, 64) + " " + unitText)
}
